"""What the conversation so far means for the next crisis reply.

Two things change a crisis reply once one has been given:

- **"No more numbers."** After the visitor asks for no more hotline numbers (`stop_hotlines`),
  replies leave the numbers out; the "Get help now" button stays on every reply, one tap from
  every line (the crisis resource a risk message is answered with). Only *new* risk brings the
  lines back in full: a kind of risk not answered yet, danger happening now (`risk_emergency`),
  something swallowed, a means at hand or a place to step back from, or a time close by
  ("tonight"). The help button and "Actually I wasn't joking" bring them back too.
- **The same again.** Risk of a kind already answered, with nothing new, gets a short reply
  that keeps one line and the emergency number in view instead of the same list word for
  word (visitors read a repeated list as a script).

Read from the visitor's messages alone (intent and entities, attune.nlu.risk_component), so
it needs no slot and holds in any dialogue state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Set, Tuple

from attune.safety.taxonomy import HELP_INTENT, is_risk_intent

STOP_INTENT = "stop_hotlines"
CHECK_IN_INTENT = "risk_check_in"
EMERGENCY_INTENT = "risk_emergency"
THIRD_PARTY_INTENT = "risk_third_party"
# Intents after which the lines are shown in full again.
RESET_INTENTS = frozenset({HELP_INTENT, "retract_denial"})
# Entities that make a risk message new risk (attune.nlu.risk_component).
NEW_RISK_ENTITIES = frozenset({"swallowed", "means", "risky_place", "soon"})
# The visitor's own risk (not a helper's, not someone hurting them).
OWN_KINDS = frozenset({"risk_suicide", "risk_self_harm"})


# The word lists' emergencies that a helper acts on when they are someone else's: something
# swallowed, a medical emergency, an attempt under way ("hes sitting on the edge of the roof").
# Not violence: there "another person" may be whom the visitor fears hurting.
HELPERS_EMERGENCIES = frozenset({"overdose", "medical", "medical_now", "means_ready", "in_progress", "unresponsive",
                                 "poisoning"})
# Emergencies that are always someone else's: someone who cannot be woken or is turning blue
# ("my buddy isnt waking up, we were using": the "we" does not make it the visitor's own), a
# child who swallowed something ("my little sister drank from the bleach bottle, shes 3").
ALWAYS_SOMEONE_ELSES = frozenset({"unresponsive", "poisoning"})


def someone_elses_emergency(intent: Optional[str], risk: dict) -> bool:
    """Whether a message's emergency (its intent and the risk readers' `risk` data) is
    someone else's that the visitor is helping with: its follow-ups are the helper's."""
    about_other = risk.get("about") == "other" or risk.get("subcategory") in ALWAYS_SOMEONE_ELSES
    # The word lists read someone else's suicide or self-harm, the model danger now: "my
    # boyfriend just texted me 'goodbye, i love you' and isnt answering".
    anothers_attempt = risk.get("about") == "other" and risk.get("category") in ("suicide", "self_harm")
    return (intent == EMERGENCY_INTENT and about_other
            and ((risk.get("category") == "emergency" and risk.get("subcategory") in HELPERS_EMERGENCIES)
                 or anothers_attempt)
            and not any(str(s).startswith("harm_others") for s in risk.get("signals") or []))


@dataclass(frozen=True)
class CrisisState:
    """After the latest message: whether numbers are declined, and whether that message is
    risk already answered with nothing new."""

    declined: bool = False
    repeat: bool = False


def read_by_model_alone(parse_data: Optional[dict]) -> bool:
    """Whether a message's risk reading is the risk model's alone (no word list read it)."""
    return ((parse_data or {}).get("risk") or {}).get("source") in ("model", "two_turns")


def crisis_state(turns: Iterable[Tuple[Any, ...]]) -> CrisisState:
    """The state after `turns`, the visitor's messages in order as (intent, entity names),
    (intent, entity names, read by the risk model alone) or (..., the message's text).

    Risk already answered comes back as a repeat (the short reply, no list once numbers were
    declined); new risk (danger now, a kind not answered yet, something swallowed, a means, a
    place, a time) brings the lines back in full. Once numbers are declined, a new kind the
    model alone read in a message that names nothing new is not new risk: the follow-ups of a
    crisis conversation carry its people and its night, and the model reads another kind in
    them ("my aunties are coming over to sit with him" as violence) where the visitor brought
    nothing new. Danger now always is."""
    declined, repeat = False, False
    answered: Set[str] = set()
    for intent, entities, *rest in turns:
        model_only = bool(rest and rest[0])
        text = str(rest[1] or "") if len(rest) > 1 else ""
        # "We're in Moncton. [...] Please, no more numbers, I have them all on the fridge",
        # read as the place: asked in so many words after a crisis reply, whatever else the
        # message was read as, numbers are declined from here on.
        says_no_numbers = bool(answered) and intent != STOP_INTENT and bool(NO_MORE_NUMBERS.search(text[:2000]))
        repeat = False
        if intent == STOP_INTENT:
            declined = True
        elif intent in RESET_INTENTS:
            declined = False
        elif is_risk_intent(intent) and intent != CHECK_IN_INTENT:
            novel = set(entities) & NEW_RISK_ENTITIES
            # Numbers declined, then a means at hand for one's own suicide or self-harm ("I have
            # a bottle of his morphine on the kitchen table right now"): the reply without the
            # list, with the step to put it out of reach (five conversations by the two newest
            # writers asked for exactly that, one thanked it for "not lecturing"; three by older
            # writers wanted the lines back); the button brings the lines back, and danger now,
            # a place, a time or something swallowed still do.
            means_only = declined and novel == {"means"} and intent in OWN_KINDS
            named = bool(novel) and not means_only
            # Someone else's danger answered as an emergency, then read as a helper's message
            # ("She answered!! She's crying"): the same crisis, not a new kind.
            seen_as = {intent} | ({EMERGENCY_INTENT} if intent == THIRD_PARTY_INTENT else set())
            unanswered = not (seen_as & answered) and not (declined and model_only and answered)
            new = intent == EMERGENCY_INTENT or unanswered or named
            if new:
                declined = False
            else:
                repeat = True
            answered.add(str(intent))
            if says_no_numbers and intent != EMERGENCY_INTENT:
                # "dont give me any numbers. the opp out here know me and theyll take my guns":
                # the reply without numbers (with its step), not the list again.
                repeat = True
        if says_no_numbers and intent not in RESET_INTENTS:
            declined = True
    return CrisisState(declined=declined, repeat=repeat)


# Asking to reach a line in writing, or saying they will not or cannot call (attune/nlg.py,
# _with_text_lines). Bounded: at most three words between the "not" and the call.
ASKS_TO_TEXT = re.compile(
    r"\b(?:can|could|may|should)\s+i\s+(?:just\s+)?(?:text|message|chat|write)\b"
    r"|\b(?:i'?ll|i\s+will|i\s+could|i\s+might)\s+(?:just\s+)?(?:text|message)\b"
    r"|\b(?:text|message|chat)\s+(?:instead|them\s+instead|someone\s+instead)\b"
    r"|\bis\s+there\s+(?:a\s+)?(?:text|chat)\b|\btexter\b|\btextear\b|\bmensaje\s+de\s+texto\b"
    # "is there a way to chat with someone that wont show in my history" (writer AB).
    r"|\b(?:a\s+way|somewhere|anywhere|anyone)\s+(?:to\s+|i\s+can\s+)?(?:chat|text|message)\s+(?:with\s+|to\s+)?(?:someone|somebody|anyone)\b"
    # "can they text first instead of calling? my mom picks up the house phone".
    r"|\b(?:can|could|would)\s+(?:they|you|u|someone|somebody)\s+(?:just\s+)?text\s+(?:me\s+)?(?:first|instead)\b"
    r"|\btext\s+(?:first\s+)?instead\s+of\s+call",
    re.IGNORECASE,
)
# Asking the assistant to reach out later: "can u just text me tmrw to check", "will you check
# on me tomorrow". It cannot: it only answers (attune/nlg.py says so, and offers a call-back).
CHECK_ON_ME_LATER = re.compile(
    r"\b(?:can|could|will|would|pls|please)\s+(?:u|you|ya)\s+(?:just\s+|please\s+|pls\s+|maybe\s+)?"
    r"(?:text|message|msg|dm|call|ring|ping|remind|write\s+to|check\s+(?:on|in\s+(?:on|with)|up\s+on))\s+me\b"
    r"[^.?!\n]{0,30}?\b(?:tomorrow|tmrw|tmr|tomoz|later|in\s+the\s+morning|next\s+week|in\s+a\s+(?:bit|few|while)|"
    r"to\s+check|to\s+see\s+if|every\s+day|each\s+day)\b"
    r"|\b(?:remember\s+to\s+|will\s+you\s+|can\s+you\s+|could\s+you\s+|u\s+)?check\s+(?:on|in\s+on|up\s+on)\s+me\s+"
    r"(?:tomorrow|tmrw|tmr|later|in\s+the\s+morning|next\s+week)\b",
    re.IGNORECASE,
)
# Hopelessness about being helped, after a crisis reply: "you cant help me. no one can. this
# isnt a thing that gets fixed". Not a request to stop the numbers (attune/safety/context.py),
# and answered as what it is (attune/nlg.py).
NO_ONE_CAN_HELP = re.compile(
    # "nobody can help me" (a subject that is no one); "you can help me" is the opposite.
    r"\b(?:no\s*one|nobody|noone|nothing)\s+(?:can|could|will|is\s+going\s+to|gonna)"
    r"(?:\s*n'?t|\s+not)?\s+(?:really\s+)?(?:help|fix|change)\b(?!\s+(?:with\s+)?(?:booking|the\s+booking|that\s+question))"
    r"|\b(?:you|u|they|anyone|any\s*one)\s+(?:(?:can|could|will|are|is)(?:\s*n'?t|\s+not)|won'?t|wont)\s+(?:really\s+)?"
    r"(?:going\s+to\s+)?(?:help|fix|change)\b(?!\s+(?:with\s+)?(?:booking|the\s+booking|that\s+question))"
    # "still dont think anyone can help. but ok"
    r"|\b(?:don'?t|dont|do\s+not|never)\s+(?:think|believe|feel\s+like)\s+(?:anyone|any\s*one|anybody|you|they)\s+"
    r"(?:can|could|will)\s+(?:really\s+)?(?:help|fix)\b"
    r"|\b(?:you|u|they|no\s*one|nobody|anyone)\s+(?:can'?t|cannot|cant|can\s+not|couldn'?t)\s+(?:really\s+)?"
    r"(?:help|fix|save)\s+(?:me|this|it|that)\b"
    r"|\bbeyond\s+(?:help|fixing|saving)\b"
    r"|\b(?:isn'?t|isnt|is\s+not|not)\s+(?:a\s+thing\s+that\s+(?:gets|can\s+be)|something\s+that\s+(?:gets|can\s+be))\s+(?:fixed|helped|solved)\b"
    r"|\bnothing\s+(?:will|is\s+going\s+to|gonna|ever)\s+(?:ever\s+)?(?:change|get\s+better|help|work)\b"
    r"|\bno\s+one\s+can\s*$",
    re.IGNORECASE,
)
# A helper who cannot reach the person at risk: "shes not answering my texts now and its been 3
# hours", "cant get hold of him", "straight to voicemail". Not "he's not answering my questions".
CANNOT_REACH = re.compile(
    r"\b(?:not|isn'?t|isnt|aren'?t|hasn'?t|hasnt|haven'?t|stopped|won'?t|wont|doesn'?t|doesnt|didn'?t|didnt|no\s+longer)\s+"
    r"(?:been\s+)?(?:answering|answered|answer|picking\s+up|picked\s+up|pick\s+up|replying|replied|reply|responding|"
    r"responded|respond|reading|opened?|seen)\b(?!\s+(?:my|the|any)\s+questions?)"
    r"|\bcan'?t\s+(?:reach|get\s+(?:hold\s+of|through\s+to|ahold\s+of))\s+(?:her|him|them)\b"
    r"|\b(?:no\s+answer|straight\s+to\s+voicemail|goes\s+to\s+voicemail|(?:his|her|their)\s+phone\s+(?:is\s+)?(?:off|dead)|"
    r"left\s+(?:me\s+)?on\s+(?:read|delivered)|hasn'?t\s+been\s+online|went\s+offline)\b",
    re.IGNORECASE,
)
# Afraid the call brings the police: "if we call will we get arrested theres stuff everywhere",
# "cant call cops, i got a warrant" (attune/nlg.py: the ambulance can be asked for).
FEARS_POLICE = re.compile(
    r"\b(?:get|getting|be|being)\s+(?:us\s+|me\s+|him\s+|her\s+|them\s+)?(?:arrested|busted|locked\s+up|charged|in\s+trouble)\b"
    r"|\b(?:cops|police|pigs|feds)\s+(?:will|would|'ll|come|show|turn\s+up|find)\b"
    r"|\b(?:i|we|he|she|they)\s+(?:got|have|has)\s+(?:a\s+)?(?:warrant|warrants)\b"
    r"|\b(?:can'?t|cant|cannot|won'?t|wont|not)\s+(?:call|ring|phone|get)\s+(?:the\s+)?(?:cops|police|pigs|feds)\b"
    r"|\b(?:drugs|stuff|gear|pills|coke|weed)\s+(?:everywhere|all\s+over)\b"
    # Immigration status, in Spanish and French too: "no tenemos papeles todavia".
    r"|\b(?:no\s+(?:quiere|quiero|queremos)\s+que\s+llame\s+a\s+la\s+polic[íi]a|no\s+tenemos\s+papeles|sin\s+papeles|"
    r"la\s+migra|inmigraci[óo]n|deport\w*|pas\s+de\s+papiers|sans\s+papiers|undocumented|no\s+papers|"
    r"immigration|ice\s+will|visa\s+(?:will\s+be|gets?)\s+cancel\w*)\b",
    re.IGNORECASE,
)

WILL_NOT_CALL = re.compile(
    r"\b(?:not|never|don'?t|dont|won'?t|wont|can'?t|cant|cannot|hate|rather\s+not|"
    # Scots: "dinnae want to phone anybody", "cannae ring them".
    r"dinnae|dinna|cannae|canna|wouldnae|willnae|wullnae)\s+(?:\w+\s+){0,3}?"
    r"(?:call|calling|ring|ringing|phone|phoning|telephone|telephones|talk\s+on\s+the\s+phone)\b"
    # "no way im calling some hotline", "no way in hell am i ringing them".
    r"|\bno\s+way\s+(?:in\s+hell\s+)?(?:i'?m|im|i\s+am|am\s+i|i'?ll|ill|i\s+will|will\s+i)\s+(?:\w+\s+){0,2}?"
    r"(?:call|calling|ring|ringing|phone|phoning)\b"
    # Someone would hear or see the call: "if i call a hotline he'll see it", "he checks my call log".
    r"|\b(?:if|when)\s+i\s+(?:call|ring|phone)\b[^.!?\n]{0,40}?\b(?:he|she|they|my\s+\w+)\s*(?:'?ll|will|would|'?d)?\s+(?:see|hear|find\s+out)\b"
    # "he would hear me if i called 911", the other way round.
    r"|\b(?:he|she|they|my\s+\w+)\s*(?:'?ll|will|would|'?d|could|might)\s+(?:hear|see)\s+(?:me|it)\s+if\s+i\s+(?:called|call|rang|ring|phoned|phone)\b"
    r"|\b(?:checks?|goes\s+through|looks\s+at|reads)\s+my\s+(?:call\s+log|calls|phone\s+log|phone\s+bill)\b"
    # Writing from a computer that is not theirs, with no phone: "I am at library computer now"
    # (writer AE, a Deaf woman whose husband holds her phone).
    r"|\b(?:at|on|from|using)\s+(?:a\s+|the\s+)?(?:library|public|school|work|friend'?s|neighbou?r'?s)\s+computer\b"
    # Spanish and French: "no por teléfono, los compañeros escuchan todo", "je peux pas appeler".
    r"|\bno\s+(?:puedo\s+)?(?:por\s+tel[eé]fono|llamar)\b|\b(?:me\s+(?:escuchan|oyen)|escuchan\s+todo)\b"
    r"|\b(?:peux|peut)\s+pas\s+(?:appeler|t[eé]l[eé]phoner)\b|\bpas\s+(?:au|par)\s+t[eé]l[eé]phone\b",
    re.IGNORECASE,
)
# Asking for no more numbers in so many words: "don't give me another number", "told you. no
# numbers", "please don't give me numbers, I know every number", "I don't want any more
# telephone numbers today" (attune/safety/context.py).
NO_MORE_NUMBERS = re.compile(
    # Not "there is no hotline here", "I have no numbers saved". "Please don't give me those
    # telephone numbers again. I have heard them from the doctor already." (writer AF)
    r"(?<!\bhave\s)(?<!\bgot\s)(?<!\bis\s)(?<!\bare\s)(?<!\bthere's\s)(?<!\btheres\s)\b(?:no|stop(?:\s+sending|\s+with|\s+giving)?|quit(?:\s+sending|\s+with|\s+giving)?|enough(?:\s+with)?|without|don'?t\s+(?:give|send)(?:\s+me)?|"
    r"do\s+not\s+(?:give|send)(?:\s+me)?|not\s+looking\s+for|(?:don'?t|dont|do\s+not)\s+(?:want|need)|"
    r"(?:don'?t|dont|do\s+not)\s+(?:want|need)\s+(?:no|any)\s+more)"
    r"\s+(?:me\s+)?(?:any\s+)?(?:more\s+|another\s+|the\s+|your\s+|a\s+|no\s+|those\s+|these\s+|that\s+|all\s+(?:the|those|these)\s+)?"
    # "dont send me a fucking number" (writer AG).
    r"(?:(?:fucking|fuckin|freaking|effing|damn|goddamn|bloody|stupid)\s+)?(?:tele)?(?:phone\s+)?"
    r"(?:numbers?|hotlines?|helplines?|crisis\s+lines?)\b(?!\s+(?:to|on)\b)"
    # "I would be grateful if you did not give me telephone numbers. I have them." (writer AE)
    r"|\b(?:if|rather|prefer(?:red)?\s+(?:it\s+if)?)\s+you\s+(?:did\s+not|didn'?t|would\s+not|wouldn'?t|could\s+not|couldn'?t|don'?t|do\s+not)\s+(?:give|send)\s+(?:me\s+)?"
    r"(?:any\s+)?(?:more\s+)?(?:tele)?(?:phone\s+)?(?:numbers?|hotlines?|helplines?|crisis\s+lines?)\b"
    # "Please don't give me the 988 thing. I've called." (writer AJ)
    r"|\b(?:don'?t|dont|do\s+not|stop|quit)\s+(?:send(?:ing)?|giv(?:e|ing)|tell(?:ing)?)\s+me\s+(?:the\s+|that\s+|about\s+)?"
    r"(?:9-?8-?8|988|kids\s+help\s*phone)(?:\s+(?:thing|stuff|line|number|again))?\b"
    # "please don't do the hotline thing. every website does that" (writer AK).
    r"|\b(?:don'?t|dont|do\s+not|no|stop|quit|skip)\s+(?:do(?:ing)?\s+)?(?:the|that|your)\s+"
    r"(?:hotline|helpline|crisis\s*line|9-?8-?8|988|number|numbers|phone\s+number)\s+(?:thing|stuff|routine|speech|spiel)\b"
    # "please don't send me another one" (said of the lines, after a crisis reply).
    r"|\b(?:don'?t|dont|do\s+not|stop|quit)\s+(?:send(?:ing)?|giv(?:e|ing))\s+me\s+(?:another|any\s+more|more)\s+ones?\b"
    # Spanish and French: "no me mande números", "nada de números", "pas de numéros svp".
    r"|\bno\s+me\s+(?:mande|mandes|manden|des|de|dé|env[ií]e|env[ií]es)\s+(?:m[aá]s\s+)?n[uú]meros\b"
    r"|\b(?:nada\s+de|sin|ya\s+no\s+(?:quiero\s+)?(?:m[aá]s\s+)?)\s*n[uú]meros\b"
    r"|\b(?:pas|plus)\s+de\s+num[ée]ros\b|\b(?:ne\s+)?m'envoie[zs]?\s+(?:pas|plus)\s+de\s+num[ée]ros\b",
    re.IGNORECASE,
)
# Asking for a line's number again: "ok maybe texting. whats the number again", "can i have
# the text number", "what number do i call", "i dont have the number". The lines, in full
# (attune/safety/context.py).
ASKS_FOR_NUMBER = re.compile(
    r"\b(?:what'?s|whats|what\s+(?:is|was)|wat\s+is|wats|give\s+me|send\s+me|(?:can|could|may)\s+i\s+(?:get|have)|"
    r"i\s+need|tell\s+me)\s+(?:the|that|a|your|their)\s+(?:\w+\s+)?(?:number|line|hotline|helpline|#)\b(?!\s+of\b)"
    r"|\bwhat\s+(?:number|line)\s+(?:do|should|can)\s+i\s+(?:text|call|ring)\b"
    r"|\b(?:the|that)\s+(?:text\s+|crisis\s+)?number\s+(?:again|once\s+more)\b"
    # "whats the samaritans one again", "the kids one once more"
    r"|\b(?:what'?s|whats|what\s+(?:is|was)|wats|give\s+me|send\s+me|tell\s+me)\s+(?:the|that)\s+(?:\w+\s+){1,2}"
    r"(?:one|number|line)\s+(?:again|once\s+more)\b"
    # Without the number: "i dont have the number", "i don't know the poison number", "where
    # do i find the number", "i lost the number".
    r"|\bi\s+(?:don'?t|dont|do\s+not|didn'?t|did\s+not)\s+(?:have|know|got|get|see|save)\s+(?:the|that|their|a|any|your|it'?s)\s+"
    r"(?:\w+\s+)?(?:number|#)\b"
    r"|\b(?:where|how)\s+(?:do|can|could|would)\s+i\s+(?:find|get|look\s+up)\s+(?:the|that|their|a|your)\s+(?:\w+\s+)?number\b"
    r"|\bi\s+(?:lost|can'?t\s+find|cant\s+find|deleted)\s+(?:the|that|their|your)\s+(?:\w+\s+)?number\b"
    # Said again: "the numbers got read out like dates. say them again slowly", "repeat the number".
    r"|\b(?:say|read|repeat|spell|type|write)\s+(?:them|the\s+numbers?|that\s+number|it|those|the\s+lines?)\s+"
    r"(?:again|once\s+more|slowly|slower|one\s+by\s+one|digit\s+by\s+digit|out)\b"
    r"|\brepeat\s+(?:the|that|those)\s+(?:\w+\s+)?(?:numbers?|lines?)\b"
    # A line for someone like them: "is there a line where they wont be weird about trans
    # stuff", "do you have a hotline for men" (not the practice's own number).
    r"|\b(?:(?:is|are)\s+there|do\s+you\s+(?:have|know))\s+(?:a|an|any|some)\s+(?:\w+\s+){0,2}?"
    r"(?:line|lines|hotline|hotlines|helpline|helplines)\s+(?:for|where|that|who|i\s+can|to)\b"
    r"(?!.{0,60}\b(?:book|practice|therapists?|appointments?|office|session)\b)",
    re.IGNORECASE,
)
# Tried a line and got nowhere: "whats the point giving me more numbers if nobody answers them".
LINES_UNANSWERED = re.compile(
    r"\b(?:no\s*one|nobody|noone|they\s+never|they\s+didn'?t|no\s+one\s+ever)\s+(?:\w+\s+)?(?:answers?|answered|picks?\s+up|"
    r"picked\s+up|called\s+back|got\s+back)\b|\b(?:put|kept|left)\s+me\s+on\s+hold\b|\bcouldn'?t\s+get\s+through\b"
    # "been on hold for 25 min. gave up".
    r"|\b(?:been|was|sat|stuck|waited)\s+on\s+hold\b|\bon\s+hold\s+(?:for|forever|ages)\b"
    # A number that does not connect: "The number you gave me last time didn't work from here"
    # (writer AJ, abroad), "it says the number is not in service".
    r"|\b(?:numbers?|lines?|988|9-?8-?8|that\s+one|the\s+call)\s+(?:\w+\s+){0,5}?(?:didn'?t|didnt|doesn'?t|doesnt|"
    r"won'?t|wont|don'?t|dont|wouldn'?t|wouldnt|isn'?t|isnt)\s+(?:even\s+)?(?:work|working)\b(?!\s+(?:for|like|with|on)\b)"
    r"|\b(?:numbers?|lines?|988|9-?8-?8|it|that\s+one|the\s+call)\s+(?:\w+\s+){0,5}?(?:didn'?t|didnt|doesn'?t|doesnt|"
    r"won'?t|wont|wouldn'?t|wouldnt)\s+(?:even\s+)?(?:connect|go\s+through)\b"
    r"|\b(?:not\s+in\s+service|invalid\s+number|number\s+(?:is\s+)?not\s+valid|couldn'?t\s+connect|call\s+failed)\b",
    re.IGNORECASE,
)
# "i did it", "already done it", "too late", "💊": after a crisis reply about oneself, an attempt.
DID_IT = re.compile(
    r"^\W*(?:i\s+(?:already\s+|just\s+)?did\s+it|i'?ve\s+(?:already\s+|just\s+)?done\s+it|(?:it'?s|its)\s+(?:already\s+)?done|"
    r"already\s+did\s+it|too\s+late(?:\s+now)?|i\s+(?:already\s+|just\s+)?took\s+(?:them|it|it\s+all|them\s+all|everything)"
    # Only pills, in pictures: "💊", "💊💊💊".
    r"|\U0001F48A(?:\s*\U0001F48A)*)\W*$",
    re.IGNORECASE,
)


# Someone the visitor trusts, close by, named after their own crisis reply: "my roommate is
# home", "my RA is down the hall", "my aunt lives like 10 min away", "my husband gets in from
# the field at 7", "i could call my sister". `near` is who.
_PEOPLE = (r"room\s*mate|flat\s*mate|house\s*mate|ra|res\s+(?:advisor|don)|don|mom|mum|mother|mama|dad|father|"
           r"parents|husband|wife|partner|boyfriend|girlfriend|bf|gf|fianc[ée]e?|sister|brother|sis|bro|aunt|auntie|"
           r"aunty|uncle|cousin|nan|nana|gran|granny|grandma|grandpa|grandmother|grandfather|neighbou?r|"
           r"(?:best\s+)?friend|bestie|mate|buddy|son|daughter|grown\s+son|grown\s+daughter|pastor|priest")
SOMEONE_NEAR = re.compile(
    r"\b(?:my|our)\s+(?P<near>" + _PEOPLE + r")(?:'?s)?"
    # A name after who: "my roommate arjun is in the kitchen".
    r"(?:\s+(?!(?:is|are|lives|stays|works|was|isnt|not|never|said|says|and|but)\b)[a-z]{2,12})?"
    # "my parents r downstairs watching tv" (writer AD): "r" typed for "are".
    r"\s+(?:is\s+|are\s+|r\s+|lives\s+|stays\s+|works\s+|'s\s+|s\s+)?"
    # "my brother lives in cornwall 20 min from here".
    r"(?:(?:in|at|on|over\s+in|out\s+in)\s+[a-z.' -]{2,25}?\s+(?=(?:like\s+|about\s+|only\s+)?\d))?"
    r"(?:just\s+|right\s+|still\s+|only\s+|already\s+)?"
    r"(?:home\b|at\s+home\b|here\b|awake\b|up\s+still\b|in\s+(?:the\s+)?(?:next|other|living|front|spare)\s+room\b|"
    r"in\s+the\s+kitchen\b|upstairs\b|downstairs\b|down\s+the\s+(?:hall|street|road|block)\b|next\s+door\b|"
    r"across\s+the\s+(?:hall|street|road)\b|nearby\b|near(?:\s+(?:by|here|me))?\b(?!\s+[a-z])|close\s+by\b|close\b|around\s+the\s+corner\b|"
    r"(?:like\s+|about\s+|only\s+)?(?:\d+|a\s+few|five|ten|two|twenty)\s+(?:min|mins|minutes|blocks?|doors?)\s+"
    r"(?:away|from\s+here|from\s+me|down\s+the\s+road)\b|"
    r"on\s+(?:the\s+|my\s+)?(?:same\s+)?floor\b|coming\s+(?:home|over|back)\b|"
    # "my neighbour came over, what should she do" (writer AE).
    r"(?:just\s+)?came\s+(?:over|round|around|by|home)\b|with\s+me\s+now\b|"
    r"gets?\s+(?:home|in|back)\b(?:\s+from\s+(?:the\s+)?\w+)?\s+(?:at|around|by|in)\s+\w+)"
    r"|\b(?:i\s+could|i\s+can|maybe\s+i\s+(?:could|can|should)|should\s+i)\s+(?:go\s+to|call|text|wake(?:\s+up)?|"
    r"get|knock\s+on)\s+my\s+(?P<near2>" + _PEOPLE + r")\b"
    # Who, first, without "my": "wife's asleep upstairs. kids too" (writer AK).
    r"|^\W*(?P<near6>" + _PEOPLE + r")(?:'s|\s+is|\s+are|'re)\s+(?:asleep\s+|sleeping\s+|still\s+|just\s+)?"
    r"(?:upstairs|downstairs|home|at\s+home|here|in\s+the\s+(?:next|other|living|spare)\s+room|next\s+door)\b"
    # Coming to fetch them: "my husband said he can come get me with his brother" (writer AK).
    r"|\b(?:my|our)\s+(?P<near5>" + _PEOPLE + r")\s+(?:said\s+(?:he|she|they)\s+|says\s+(?:he|she|they)\s+)?"
    r"(?:can|could|will|'ll|is\s+going\s+to|is\s+gonna|is|'s)\s+(?:come\s+(?:and\s+)?(?:get|pick\s+up|fetch)|"
    r"coming\s+(?:to\s+)?(?:get|pick\s+up|fetch))\s+me\b"
    # French and Spanish: "ma soeur habite a Aylmer, elle pourrait venir", "mi hermana vive cerca".
    r"|\b(?:mon|ma)\s+(?P<near3>soeur|sœur|frere|frère|mere|mère|pere|père|amie?|voisine?|coloc(?:ataire)?|cousine?|"
    r"tante|oncle|blonde|chum|conjointe?|mari|femme|fils|fille)\s+(?:habite|reste|vit|est)\s+(?:a\s+cote|à\s+côté|proche|"
    r"pas\s+loin|en\s+bas|en\s+haut|ici|dans\s+l'autre\s+chambre|(?:a|à)\s+\w+)"
    r"|\bmi\s+(?P<near4>hermana|hermano|mam[aá]|pap[aá]|amig[oa]|vecin[oa]|prim[oa]|t[ií][oa]|espos[oa]|novi[oa]|"
    r"compañer[oa]|hij[oa])\s+(?:vive|est[aá])\s+(?:cerca|al\s+lado|aqu[ií]|en\s+casa|a\s+\d+\s+minutos|en\s+el\s+otro\s+cuarto)",
    re.IGNORECASE,
)
# Arriving, not already there ("came over"): after one's own abuse, only these count.
_ARRIVED = re.compile(r"\bcame\s+(?:over|round|around|by|home)\b|\bwith\s+me\s+now\b", re.IGNORECASE)
_NOT_FAMILY = re.compile(r"^(?:room\s*mate|flat\s*mate|house\s*mate|ra|res\s+(?:advisor|don)|don|neighbou?r|"
                         r"(?:best\s+)?friend|bestie|mate|buddy)$", re.IGNORECASE)
# Who hurts people in their own home, most often: not "someone near" after one's own abuse
# ("my husband is home" then is danger, not help).
_WHO_MAY_HURT = re.compile(r"^(?:husband|wife|partner|boyfriend|girlfriend|bf|gf|fianc[ée]e?|dad|father|mom|mum|"
                           r"mother|mama|parents|mere|mère|pere|père|blonde|chum|conjointe?|mari|femme|"
                           r"mam[aá]|pap[aá]|espos[oa]|novi[oa])$", re.IGNORECASE)
# Not there: "my roommate isn't home", "no one is home".
_NOT_NEAR = re.compile(r"\b(?:isn'?t|is\s+not|aren'?t|are\s+not|not|never)\s+(?:even\s+)?"
                       r"(?:home|here|around|close|nearby|in\b|there)|\b(?:no\s+one|nobody|noone)\b|\b(?:is|'s|are)\s+away\b|\bout\s+of\s+town\b",
                       re.IGNORECASE)


# Near, but the one thing they must not know: "parents are in the next room, they cant know.
# i cant talk" (writer AE) is why the visitor cannot call, not the next step.
_KEPT_FROM_THEM = re.compile(r"\b(?:they|he|she)\s+(?:can'?t|cant|cannot|mustn'?t|must\s+not|can\s+never)\s+"
                             r"(?:know|hear|find\s+out|see)\b|\bi\s+(?:can'?t|cant|cannot)\s+(?:talk|speak)\b",
                             re.IGNORECASE)


def someone_near(text: str, own_abuse: bool = False) -> Optional[str]:
    """Who, of the people a visitor trusts, they say is close by (`SOMEONE_NEAR`), or None.
    After their own abuse, not a partner or a parent (who may be the one hurting them), and
    never with a "not" ("my roommate isn't home")."""
    text = text[:200]
    found = SOMEONE_NEAR.search(text)
    if not found or _NOT_NEAR.search(text) or _KEPT_FROM_THEM.search(text):
        return None
    groups = ("near", "near2", "near3", "near4", "near5", "near6")
    who = next((found.group(g) for g in groups if found.group(g)), "").lower()
    if own_abuse and _WHO_MAY_HURT.match(who):
        return None
    if own_abuse and _ARRIVED.search(found.group(0)) and not _NOT_FAMILY.match(who):
        # "my uncle came over", after one's own abuse: someone of the family arriving may be
        # the one hurting them; only a friend, a neighbour or a roommate arriving is help.
        return None
    return who


# Lines said to be for women only, or a line asked for men: "those lines are for women tho",
# "is there anything for guys", "im a man, who do i even call".
LINES_FOR_WOMEN = re.compile(
    # One run of spaces between any two words (adjacent optional runs would be tried in every
    # split: cubic time on a long run of spaces).
    r"\b(?:lines?|numbers?|they|those|these|them|that|thats|theyre|it|its|shelters?|places?)(?:\s+|(?='))(?:(?:are|r|is|'re|re|s|'s)\s+)?"
    r"(?:(?:only|just|all|mostly)\s+)?for\s+(?:women|woman|girls|females?|ladies|wives)\b"
    r"|\b(?:anything|anyone|any\s+lines?|a\s+line|lines?|numbers?|help|somewhere|someone)\s+for\s+"
    r"(?:men|guys|males?|a\s+man|a\s+guy|dudes|husbands)\b"
    # "are those lines even for guys" (writer AG).
    r"|\b(?:lines?|numbers?|they|those|these|them|it|shelters?)\s+(?:(?:are|r|is)\s+)?(?:even|also|really|actually)\s+"
    r"for\s+(?:men|guys|males?|a\s+man|a\s+guy|dudes|husbands)\b",
    re.IGNORECASE,
)


# Treating something swallowed at home: "should i make myself vomit it out", "should i make
# him throw up", "my manager say drink milk", "¿lo hago vomitar?", "je le fais vomir?".
TREAT_AT_HOME = re.compile(
    r"\b(?:make|making|get|getting)\s+(?:myself|him|her|them|me|my\s+\w+|the\s+(?:baby|kid|child))\s+(?:to\s+)?"
    r"(?:throw\s+up|vomit|puke|be\s+sick)\b"
    r"|\b(?:should|can|could|do|shall)\s+i\s+(?:just\s+|try\s+to\s+)?(?:throw\s+(?:it\s+)?up|vomit|puke)\b"
    r"|\b(?:drink|give\s+(?:him|her|them)|have\s+(?:him|her|them)\s+drink)\s+(?:some\s+)?(?:milk|salt\s+water|oil)\b"
    r"|\bipecac\b|\bactivated\s+charcoal\b|\bfaire\s+vomir\b|\b(?:le|la|me)\s+fais\s+vomir\b"
    r"|\bhacer(?:lo|la|le|me)?\s+vomitar\b|\b(?:lo|la|me)\s+hago\s+vomitar\b",
    re.IGNORECASE,
)


# Drinking, said after one's own crisis reply: "ive had a few drinks", "been drinking all
# night", "im pretty drunk".
DRINKING = re.compile(
    r"\b(?:i'?ve|ive|i\s+have|i'?d|i\s+had|had|been|i'?m|im|i\s+am|getting|got)\s+(?:had\s+)?(?:a\s+few|some|a\s+couple|"
    r"a\s+lot|way\s+too\s+many|too\s+many|a\s+bunch\s+of|\d+|several)?\s*(?:drinks|beers|shots|glasses)\b"
    r"|\b(?:been|started|was|i'?m|im|am)\s+drinking\b|\b(?:i'?m|im|i\s+am|getting|pretty|kinda|really)\s+(?:pretty\s+|kinda\s+|really\s+|so\s+)?"
    r"(?:drunk|wasted|hammered|plastered|tipsy)\b",
    re.IGNORECASE,
)


# The person hurting them has gone out for a while: "ok he left to the store. i have maybe
# 20 min", "she went to work", "hes passed out drunk".
ABUSER_GONE = re.compile(
    r"\b(?:he|she|they)\s*(?:'?s|\s+is|\s+has|'?ve|\s+have)?\s*(?:just\s+)?(?:(?:left|gone)(?=\s+(?:for|to|out|"
    r"the\s+(?:house|flat|apartment|place)|home|work)\b|\s*[.,!;]|\s*$|\s+(?:and|so|now|just|for\s+now)\b)|"
    r"went\s+(?:out|to|for|back\s+to)|drove\s+off|took\s+off|stormed\s+out|passed\s+out|asleep|fell\s+asleep|"
    r"sleeping(?:\s+now)?(?=\s*[.,!;]|\s*$|\s+(?:and|so|now|finally)\b)|"
    r"out\s+(?:for|till|until|at)|at\s+(?:work|the\s+pub|the\s+bar|the\s+gym|the\s+store|the\s+shops?)\b"
    r"(?=\s+(?:till|until|for|now|and)\b|\s*[.,!;]|\s*$))\b"
    r"|\bi(?:\s+have|\s+got|\s*'?ve\s+got)\s+(?:maybe\s+|about\s+|like\s+|only\s+|a\s+few\s+)?(?:\d+|a\s+few|ten|twenty|thirty|an?)\s*"
    r"(?:min|mins|minutes|hours?|hrs?)\b",
    re.IGNORECASE,
)


# Stepped away from the engine, after a conversation about a car running in the garage: "I'm
# in the kitchen. I'll leave the keys on the hook by the front door". Bounded.
KEYS_AWAY = re.compile(
    r"\b(?:leave|left|leaving|put|putting|hang|hung|hanging|give|gave|giving|hand|handed|hide|hid)\s+(?:the|my)\s+"
    r"(?:car\s+|truck\s+)?keys\s+(?:on|with|by|in|to|at|away|outside|upstairs)\b"
    r"|\b(?:i'?m|im|i\s+am)\s+(?:back\s+)?(?:in|inside)\s+(?:the\s+)?(?:kitchen|house|living\s+room|bedroom|lounge)\b"
    r"|\b(?:out\s+of|left)\s+the\s+garage\b",
    re.IGNORECASE,
)
# The engine running, or off: "engine's running for the heat", "ok it's off", "turned it off".
ENGINE_ON = re.compile(r"\b(?:engine|motor|car)(?:'s|\s+is|\s+still|\s+is\s+still|'s\s+still)?\s+(?:running|idling)\b"
                       r"|\b(?:engine|motor|car)(?:'s|\s+is|\s+still|\s+is\s+still|'s\s+still)\s+on\b", re.IGNORECASE)
ENGINE_OFF = re.compile(
    r"\b(?:turned|switched|shut|turning|switching|shutting)\s+(?:it|the\s+(?:engine|car|motor)|her)\s+off\b"
    r"|\b(?:turned|switched|shut)\s+off\s+the\s+(?:engine|car|motor)\b"
    r"|\b(?:it'?s|its|engine'?s|engine\s+is|car'?s|car\s+is|motor'?s)\s+(?:now\s+|already\s+)?off\b",
    re.IGNORECASE,
)
# Signs of carbon monoxide, said after a car running in a garage: "my head hurts a bit".
CO_SYMPTOMS = re.compile(
    r"\b(?:head\s*(?:ache|aches|hurts?|is\s+(?:pounding|killing\s+me|splitting))|headache|dizzy|dizziness|"
    r"light\s*-?\s*headed|nause(?:ous|a|ated)|(?:feel|feeling)\s+(?:sick|woozy|drowsy|sleepy|confused|weird|faint)|"
    r"throw(?:ing)?\s+up|threw\s+up|vomit\w*|short\s+of\s+breath|can'?t\s+breathe|chest\s+(?:hurts|pain))\b",
    re.IGNORECASE,
)
ENGINE_SAID = re.compile(r"\bgarage\b|\b(?:engine|motor|car)\s+(?:is\s+|was\s+|'?s\s+)?(?:running|on|idling)\b"
                         r"|\bexhaust\b|\bcarbon\s+monoxide\b", re.IGNORECASE)
