"""Two consecutive messages read together, so risk spread over two turns is caught.

"what's the tallest building downtown" then "asking for me. i'm done." hold no risk one by one.
Rasa's NLU reads one message at a time, with no conversation, so this step runs right after
it, in the Rasa server's message processor, where the conversation is at hand: when the
message did not already get a crisis reply and either it or the visitor's previous message
(in this session) left any trace of risk in the model's scores (`gate`), the risk model reads
both together, and a graver decision replaces the intent before anything is stored or
answered. It costs one more encoder pass, on the few messages past the gate.

The same step reads every later message in the light of a crisis reply already given: one
the intent classifier is unsure of (`unsure_after_crisis`) is not guessed at but answered
with a crisis-aware question.

`read_in_context` is the whole step. `attune.patches.install_risk_context` (called by the risk
component, once per process) runs it after Rasa 3.6's `MessageProcessor.parse_message`.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, FrozenSet, List, Optional, Text

from attune.safety.languages import maybe_french_or_spanish
from attune.safety.crisis_state import (
    ABUSER_GONE,
    ASKS_FOR_NUMBER,
    DID_IT,
    ENGINE_ON,
    ENGINE_SAID,
    FEARS_POLICE,
    KEYS_AWAY,
    LINES_FOR_WOMEN,
    LINES_UNANSWERED,
    DRINKING,
    NEW_RISK_ENTITIES,
    NO_MORE_NUMBERS,
    NO_ONE_CAN_HELP,
    SOMEONE_NEAR,
    WILL_NOT_CALL,
    crisis_state,
    read_by_model_alone,
    someone_elses_emergency,
    someone_near,
)
from attune.safety.risk_model import CHECK_IN, EMERGENCY, EXPLICIT_TAGS, RiskModel, graver, shared_risk_model
from attune.safety.taxonomy import HELP_INTENT, is_risk_intent
from attune.safety.windows import last_reading

logger = logging.getLogger(__name__)

RISK_KEY = "risk"
# The model's lowest score, on either message, that makes the two worth reading together.
DEFAULT_GATE = 0.02


def set_intent(parse_data: Dict[Text, Any], name: str) -> None:
    """Makes `name` the message's intent, first in its ranking."""
    top = {"name": name, "confidence": 1.0}
    parse_data["intent"] = top
    parse_data["intent_ranking"] = [top] + [e for e in parse_data.get("intent_ranking") or []
                                            if e.get("name") != name]


def previous_user_message(tracker: Any) -> Optional[Any]:
    """The visitor's last message before this one, in the current session, or None."""
    from rasa.shared.core.events import SessionStarted, UserUttered

    for event in reversed(getattr(tracker, "events", []) or []):
        if isinstance(event, SessionStarted):
            return None
        if isinstance(event, UserUttered) and (event.text or "").strip():
            return event
    return None


def model_risk(parse_data: Optional[Dict[Text, Any]]) -> float:
    """The risk model's score recorded in a message's parse data (0 when none)."""
    model = ((parse_data or {}).get(RISK_KEY) or {}).get("model") or {}
    return float(model.get("risk") or 0.0)


def read_together(
    parse_data: Dict[Text, Any], previous: Any, model: RiskModel, encoder: Any, gate: float = DEFAULT_GATE
) -> Optional[str]:
    """The graver intent that reading the previous and this message together gives, or None
    when it changes nothing. Updates `parse_data` in place when it does."""
    intent = (parse_data.get("intent") or {}).get("name")
    if is_risk_intent(intent) and intent != CHECK_IN:
        return None
    text = parse_data.get("text") or ""
    if previous is None or not text.strip() or text.startswith("/"):
        return None
    # The previous message already got a crisis reply: reading it again with this one ("what
    # do i do now") would only repeat that reply instead of answering the follow-up.
    earlier_data = getattr(previous, "parse_data", None) or {}
    earlier = (earlier_data.get("intent") or {}).get("name")
    if is_risk_intent(earlier) and earlier != CHECK_IN:
        return None
    if (earlier_data.get(RISK_KEY) or {}).get("within_crisis"):
        return None  # read as risk and answered as a crisis follow-up: the same, answered
    if max(model_risk(parse_data), model_risk(getattr(previous, "parse_data", None))) < gate:
        return None
    # A long first message would push this one out of the encoder's reach: read the end.
    joined = last_reading(f"{previous.text}\n{text}")
    verdict = model.verdict(model.scores(encoder.encode([joined])), [joined], two_turns=True)
    current = intent if is_risk_intent(intent) else None
    decided = graver(current, verdict.intent)
    if decided == current or decided is None:
        return None
    set_intent(parse_data, decided)
    risk = dict(parse_data.get(RISK_KEY) or {})
    risk["two_turns"] = {**verdict.as_data(), "read": "two_turns"}
    risk["source"] = "two_turns"
    parse_data[RISK_KEY] = risk
    return decided


def two_turns(parse_data: Dict[Text, Any], tracker: Any, model: RiskModel, encoder: Any) -> Optional[str]:
    """`read_together` with the visitor's previous message, before any crisis reply only:
    afterwards the previous message is about the crisis, and reading it again with a
    follow-up ("ok walked off it. sitting at the bus stop now", "book me something") took
    the follow-up for new risk, often of another kind. Each message is still read alone, in
    the crisis's light (`within_crisis`)."""
    if crisis_shown(tracker):
        return None
    intent = parse_data.get("intent") or {}
    if intent.get("name") in PRACTICE_QUESTIONS and float(intent.get("confidence") or 0.0) >= PRACTICE_QUESTION_SURE:
        # "ok and if i cant afford that", then "does insurance cover any of it": a question
        # about the practice, read so with confidence, does not finish a risk begun before.
        return None
    previous = previous_user_message(tracker)
    if (FAREWELL.match((parse_data.get("text") or "")[:200])
            and model_risk(getattr(previous, "parse_data", None)) < DEFAULT_GATE):
        # "hm. whats attachment even mean", then "ok thats interesting. bye for now" (writer L)
        # was read together as a farewell before suicide: a goodbye after a message with no
        # trace of risk ends an ordinary conversation. After one with any trace ("i've made up
        # my mind", then "bye everyone") the two are still read together.
        return None
    earlier = (getattr(previous, "parse_data", None) or {}).get("intent") or {}
    if earlier.get("name") in PRACTICE_QUESTIONS and float(earlier.get("confidence") or 0.0) >= PRACTICE_QUESTION_SURE:
        # Nor does one begin a risk the next message ends: "How low does it go?" (the sliding
        # scale, answered), then "Ok I'll think about it. Thanks for being straight with me"
        # read together as suicide (writer L). The next message is still read alone.
        return None
    return read_together(parse_data, previous, model, encoder)


# A goodbye and nothing else: "ok thats interesting. bye for now", "thanks, goodnight".
FAREWELL = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|k|thanks?|thank\s+you|thx|ty|cool|great|nice|alright|right|hm+|"
    r"that'?s\s+(?:interesting|helpful|all|good)|thats\s+(?:interesting|helpful|all|good))\W+){0,3}"
    r"(?:bye(?:\s+for\s+now)?|goodbye|good\s*night|night|gn|see\s+(?:you|ya|u)(?:\s+later)?|"
    r"talk\s+(?:to\s+(?:you|u)\s+)?later|ttyl|later|cya)\W*$",
    re.IGNORECASE,
)
# The practice's facts (attune/facts.py): questions that never end a risk spread over two turns.
PRACTICE_QUESTIONS = frozenset({"ask_fees", "ask_sliding_scale", "ask_insurance", "ask_session_formats",
                                "ask_clients", "ask_languages", "ask_accessibility", "ask_free_consultation",
                                "ask_cancellation", "ask_hours"})
PRACTICE_QUESTION_SURE = 0.7
# Answers only a crisis reply asks for: before any, the classifier's next reading instead.
_AFTER_CRISIS_ONLY = frozenset({"refuse_hospital", "lines_did_not_help"})
# Readings that mostly answer a crisis reply, but may be said first ("i dont want any hotline
# numbers", "i cant call anyone right now"): before any crisis reply they stand only when the
# classifier is sure. "can i just keep talking to you instead of seeing someone" (no more
# numbers, 0.57) and "can i do it by phone, i really dont like being on camera" (can't call,
# 0.57) are about the practice; "Is this because of my family?" is not a denial (0.38).
# "but i genuinely need to know" and "that feels fake tho" (taking back a denial, 0.37 and
# 0.38) got the general crisis reply in everyday conversations with no crisis in them.
_MOSTLY_AFTER_CRISIS = frozenset({"stop_hotlines", "cant_call", "deny_risk", "retract_denial"})
_SAFETY_WORDS = re.compile(r"\b(?:safe|unsafe|danger\w*|scared|afraid|frightened|terrified|hurt\w*|threat\w*|kill\w*|"
                           r"hit|hits|hitting|beat\w*|weapon|knife|gun|help|police|911|9-1-1|emergency|attack\w*|"
                           r"follow\w*|stalk\w*|coming|door|outside|yell\w*|scream\w*|shout\w*|drunk|angry|rage|"
                           r"lock\w*|trapped|alone|ok|okay|alright|fine)\b", re.IGNORECASE)
BEFORE_CRISIS_SURE = 0.8
# Where one is, said alone ("I'm in Alberta", "we're in Moncton now"), or with a question about
# lines or help: before any crisis reply, the region's lines.
LOCATION_ALONE_MAX_WORDS = 12
_ASKS_ABOUT_LINES = re.compile(
    r"\b(?:lines?|numbers?|hotlines?|helplines?|crisis|help|(?<!video )call|emergency|resources?|services?|"
    r"support|someone\s+to\s+talk\s+to|who\s+(?:can|do|should)\s+i)\b", re.IGNORECASE)
# Waiting on someone close: "he still hasnt replied", "she left me on read", "my ex blocked me".
_WAITING_ON_SOMEONE = re.compile(
    r"\b(?:hasn'?t|hasnt|haven'?t|havent|didn'?t|didnt|doesn'?t|doesnt|won'?t|wont|not|never|stopped)\s+"
    r"(?:\w+\s+)?(?:replied|reply|replying|answered|answering|text(?:ed|ing)?\s+(?:me\s+)?back|called\s+back|"
    r"responded|respond|messaged)\b"
    r"|\b(?:left\s+(?:me\s+)?on\s+(?:read|delivered)|ghost(?:ed|ing)\s+me|blocked\s+me|broke\s+up\s+with\s+me|"
    r"dumped\s+me|(?:he|she|they)\s+left\s+me)\b",
    re.IGNORECASE,
)


# Money, after the assistant has just answered what a session costs: "and if i cant afford it
# even with that" (writer I), "what if insurance wont pay". Bounded: fixed words.
_MONEY = re.compile(
    r"\b(?:afford|pay|paying|cost|costs|price|fee|fees|rate|cheaper|discount|insurance|insured|cover|covers|"
    r"money|broke|budget|income|student\s+rate|sliding)\b",
    re.IGNORECASE,
)
_PRACTICE_FACT_TOPICS = frozenset({"fees", "sliding_scale", "insurance", "free_consultation", "cancellation"})
# Words a money question never needs and risk is said in: any of them keeps the risk reading
# ("if i cant afford it i guess ill just disappear").
_NOT_ONLY_MONEY = re.compile(
    r"\b(?:die|dying|dead|death|kill\w*|suicid\w*|end\s+(?:it|things|my)|live|living|alive|exist\w*|disappear\w*|"
    r"gone|point|hurt\w*|harm\w*|hopeless|give\s+up|giving\s+up|go\s+on|anymore|any\s+more|overdos\w*|pills|"
    r"jump\w*|worth|worthless|burden|better\s+off|done|over|unalive|kms|ctb)\b",
    re.IGNORECASE,
)
# The classifier's reading of the same message, taken when it is one of these.
_MONEY_INTENTS = frozenset({"ask_fees", "ask_sliding_scale", "ask_insurance", "ask_free_consultation",
                            "ask_cancellation"})


def money_question_after_a_fact(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """Before any crisis reply, right after the assistant answered about fees, a reduced rate or
    insurance, a short message about money that the model alone read as risk ("and if i cant
    afford it even with that", 0.96) is the next question about money: the classifier's reading
    of it among the practice's money questions, else the reduced rate. Never when a word list
    read risk in it, never over danger now or a message naming a means, a place or a time.
    Returns whether it changed the intent."""
    intent = (parse_data.get("intent") or {}).get("name")
    text = (parse_data.get("text") or "")
    if (not is_risk_intent(intent) or intent == EMERGENCY or len(text) > 200 or not _MONEY.search(text)
            or _NOT_ONLY_MONEY.search(text) or not model_only_nothing_new(parse_data) or crisis_shown(tracker)):
        return False
    if not (tracker.get_slot("on_topic") and tracker.get_slot("last_topic") in _PRACTICE_FACT_TOPICS):
        return False
    other = next((e for e in parse_data.get("intent_ranking") or [] if e.get("name") in _MONEY_INTENTS), None)
    (parse_data.get(RISK_KEY) or {})["model_set_aside"] = "money_question_after_a_fact"
    set_intent(parse_data, str(other["name"]) if other else "ask_sliding_scale")
    return True


def before_any_crisis(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """Before any crisis reply, "ok and if i cant afford that" is not a refusal to go to
    hospital: a reading that only answers a crisis reply becomes the classifier's next one
    (or the question to rephrase). Returns whether it changed the intent."""
    intent = parse_data.get("intent") or {}
    name = intent.get("name")
    confidence = float(intent.get("confidence") or 0.0)
    unsure = name in _MOSTLY_AFTER_CRISIS and confidence < BEFORE_CRISIS_SURE
    # "what if he won't come" (to couples therapy), read as "I'm not safe": before any crisis
    # reply, not being safe stands when the classifier is sure or the words are about safety.
    # (The risk readers read every message whatever this intent is.)
    unsure = unsure or (name == NOT_SAFE_INTENT and confidence < BEFORE_CRISIS_SURE
                        and not _SAFETY_WORDS.search((parse_data.get("text") or "")[:500]))
    # "its 2am and he still hasnt replied and i feel sick", read as feeling physically worse:
    # before any crisis reply, the sick feeling of waiting for a partner's text is the fear of
    # being left, not a medical question ("call 9-1-1 if it gets worse fast").
    said = (parse_data.get("text") or "")[:500]
    unsure = unsure or (name == "feeling_worse" and bool(_WAITING_ON_SOMEONE.search(said))
                        and not _SAFETY_WORDS.search(said))
    # "Hi po. I am caregiver here in Ontario, my family is in Philippines. Some nights very
    # lonely [...]" (writer J), read as saying where one is: before any crisis reply, a place
    # named inside a longer message that asks nothing about lines is not a request for them.
    unsure = unsure or (name == SHARE_LOCATION and len(said.split()) > LOCATION_ALONE_MAX_WORDS
                        and not _ASKS_ABOUT_LINES.search(said))
    if (name not in _AFTER_CRISIS_ONLY and not unsure) or crisis_shown(tracker):
        return False
    other = next((e for e in parse_data.get("intent_ranking") or []
                  if e.get("name") and e.get("name") != name
                  and e.get("name") not in _AFTER_CRISIS_ONLY | _MOSTLY_AFTER_CRISIS | {NOT_SAFE_INTENT}
                  and not is_risk_intent(e.get("name"))),
                 None)
    chosen = str(other["name"]) if other and float(other.get("confidence") or 0.0) >= 0.1 else "nlu_fallback"
    set_intent(parse_data, chosen)
    return True


# After a crisis reply, a message the intent classifier is unsure of is not guessed at ("i'm
# feeling sick" after an overdose must never read as "feeling calmer"): it gets the crisis-aware
# question instead (UNSURE_AFTER_CRISIS: domain.yml and data/rules/crisis_followup.yml).
UNSURE_AFTER_CRISIS = "unsure_after_crisis"
CRISIS_UNSURE_BELOW = 0.6
# The teaching topics, feelings and the exercise's answers need more: after a crisis reply, "he
# said hed text 988 if it gets bad. is that enough??" (reassurance, 0.75) is about the crisis,
# and "it's okay to want reassurance" would answer none of it.
CRISIS_TOPIC_BELOW = 0.92
_TOPICS = frozenset({
    "ask_anxious_attachment", "ask_attachment_systems", "ask_avoidant_attachment", "ask_causes",
    "ask_change_patterns", "ask_disorganised_attachment", "ask_labels_criticism", "ask_patterns_not_diagnosis",
    "ask_push_pull", "ask_pushing_love_away", "ask_reassurance", "ask_secure_attachment", "ask_self_compassion",
    "ask_therapy_approaches", "judge_partner", "learn_attachment", "share_reflection", "feel_fear_of_leaving",
    "feel_jealous", "feel_lonely", "feel_not_enough", "feel_shame", "feel_too_much",
})


def crisis_shown(tracker: Any) -> bool:
    """Whether a crisis reply was given in this conversation (the help button counts)."""
    from rasa.shared.core.events import UserUttered

    for event in getattr(tracker, "events", []) or []:
        if isinstance(event, UserUttered):
            name = event.intent_name or ""
            if (is_risk_intent(name) and name != CHECK_IN) or name == "request_crisis_help":
                return True
    return False


def unsure_after_crisis(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """Turns an unsure reading after a crisis reply into UNSURE_AFTER_CRISIS. Returns whether
    it did."""
    intent = parse_data.get("intent") or {}
    name = intent.get("name") or ""
    text = (parse_data.get("text") or "").strip()
    if not text or text.startswith("/") or is_risk_intent(name) or name == "request_crisis_help":
        return False
    below = CRISIS_TOPIC_BELOW if name in _TOPICS else CRISIS_UNSURE_BELOW
    foreign = in_french_or_spanish(text)
    if (float(intent.get("confidence") or 0.0) >= below and name != "nlu_fallback"
            and not (name not in _READ_IN_ANY_LANGUAGE and foreign)
            # "llegó la policía. se lo llevaron", "ya se fue otra vez" read as asking for a
            # therapist: in French or Spanish, that reading needs its words.
            and not (name == "request_human" and foreign and not _ASKS_FOR_SOMEONE.search(text[:500]))
            and not (name == STOP_HOTLINES and foreign and not _NUMBERS_WORDS.search(text[:500]))
            # "you cant help me. no one can": hopelessness, not "stop sending numbers".
            and not (name == STOP_HOTLINES and NO_ONE_CAN_HELP.search(text[:500])
                     and not _NAMES_THE_LINES.search(text[:500]))):
        return False
    if not crisis_shown(tracker):
        return False
    set_intent(parse_data, UNSURE_AFTER_CRISIS)
    return True


# Safe this minute, not from the thoughts: "define safe lol. like am i about to do something
# right now? no. do i think about it every night? yeah", "physically nobody's hurting me right
# now. mentally? no", "im on my couch with a bottle of rum. that safe?" (writer AI).
QUALIFIED_SAFE = re.compile(
    r"\bdefine\s+safe\b|\bsafe\s*-?\s*ish\b|\b(?:safe|fine|ok|okay)\s+for\s+(?:now|the\s+moment|tonight)\b"
    r"|\b(?:physically|technically|body\s*-?\s*wise)\b[^\n]{0,80}?\b(?:mentally|emotionally|in\s+my\s+head|inside)\b"
    r"|\b(?:mentally|emotionally|in\s+my\s+head)\s*[?,.:!-]*\s*(?:no|nope|nah|not\s+really|not\s+at\s+all|not\s+so\s+much|idk|who\s+knows)\b"
    r"|\bthink(?:ing)?\s+about\s+it\s+(?:every|each|most|all)\s+(?:single\s+)?(?:night|day|morning|evening|the\s+time)\b"
    r"|\b(?:is\s+)?that\s+safe\s*\?"
    # Safe now, not later: "safe? right now at work yes. ce soir je sais pas" (writer AJ).
    r"|\bright\s+now\b[^\n]{0,40}?\b(?:yes|yeah|yep|ya|ok|okay|fine|safe)\b[^\n]{0,40}?"
    r"\b(?:tonight|later|after\s+work|ce\s+soir|esta\s+noche|tomorrow)\b"
    r"|\b(?:ce\s+soir|tonight|later)\s+(?:je\s+(?:sais|sait)\s+pas|j'?sais\s+pas|idk|i\s+don'?t\s+know|who\s+knows|no\s+s[ée])\b"
    r"|\bnot\s+(?:about\s+to|going\s+to|gonna)\s+(?:do|act\s+on|try)\s+(?:anything|it|something)\b[^\n]{0,60}?\bbut\b",
    re.IGNORECASE,
)
SAFE_BUT_STRUGGLING = "safe_but_struggling"
# The readings such an answer gets: the safe ones, and the unsure.
_SAFE_READINGS = frozenset({"confirm_safe", "affirm", "deny", "deny_risk", "feeling_calmer",
                            "nlu_fallback", "out_of_scope", "unsure_after_crisis", "thank"})


def says_safe_but_struggling(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply about one's own suicide, self-harm or wish to hurt someone, an
    answer that is safe this minute and not from the thoughts (QUALIFIED_SAFE), read as "I'm
    safe" or not understood, is answered with the line again and a step for tonight. Returns
    whether it changed the intent."""
    return _answer_in_frame(parse_data, tracker, QUALIFIED_SAFE, _DRINKING_FRAMES, SAFE_BUT_STRUGGLING,
                            readings=_SAFE_READINGS)


def _answer_in_frame(parse_data: Dict[Text, Any], tracker: Any, said: "re.Pattern[str]", frames: FrozenSet[str],
                     intent: str, readings: Optional[FrozenSet[str]] = None,
                     max_chars: Optional[int] = None) -> bool:
    """Sets `intent` when the message (its first 500 characters; with `max_chars`, no longer
    than that) says `said` after a crisis reply of one of `frames`, outside any form, never
    over a risk reading (and, with `readings`, only over those). Returns whether it did."""
    name = (parse_data.get("intent") or {}).get("name")
    whole = parse_data.get("text") or ""
    text = whole[:500]
    if (not text or text.startswith("/") or (max_chars is not None and len(whole) > max_chars) or is_risk_intent(name)
            or (readings is not None and name not in readings) or getattr(tracker, "active_loop_name", None)):
        return False
    if last_crisis(tracker) not in frames or not said.search(text):
        return False
    set_intent(parse_data, intent)
    return True


# Asking for a line run by and for 2SLGBTQ+ people: "is there like an lgbt line", "i don't
# want some cis person on a hotline telling me it gets better" (writer AI; read as "no more
# numbers" and answered "I won't keep sending numbers").
LGBTQ_LINE_ASKED = re.compile(
    r"\b(?:lgbtq?\w*\+?|2slgbtq\w*\+?|queer|trans|gay)\s+(?:line|lines|hotline|helpline|crisis\s+line|peer\s+line|"
    r"chat\s+line|youth\s*line|number|chat)\b"
    r"|\bcis\s+(?:person|people|guy|man|woman|counsell?or|volunteer|folks)\b[^.!?\n]{0,40}?\b(?:hotline|line|phone|helpline)\b"
    r"|\b(?:hotline|line|helpline)\b[^.!?\n]{0,40}?\bcis\s+(?:person|people|guy|man|woman|folks)\b"
    r"|\b(?:talk|speak)\s+to\s+someone\s+(?:who'?s|who\s+is|who\s+gets)\s+(?:trans|queer|gay|lgbt\w*)\b",
    re.IGNORECASE,
)
ASK_LGBTQ_LINES = "ask_lgbtq_lines"


def asks_for_lgbtq_lines(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, asking for a line run by and for 2SLGBTQ+ people is asking for
    those lines, not refusing numbers. Never over a risk reading, never inside a form.
    Returns whether it changed the intent."""
    intent = (parse_data.get("intent") or {}).get("name")
    text = (parse_data.get("text") or "")[:500]
    if (not text or text.startswith("/") or is_risk_intent(intent) or getattr(tracker, "active_loop_name", None)
            or not crisis_shown(tracker) or not LGBTQ_LINE_ASKED.search(text)):
        return False
    set_intent(parse_data, ASK_LGBTQ_LINES)
    return True


# A public place ahead while someone follows or threatens them: "there's a tim hortons coming
# up" (writer AI, followed home from the subway; read as out of scope).
PLACE_AHEAD = re.compile(
    r"\b(?:there'?s|theres|there\s+is|i\s+(?:see|can\s+see)|coming\s+up\s+on|passing|i'?m\s+(?:near|by|at)|im\s+(?:near|by|at))\s+"
    r"(?:a|an|the)\s+(?:tim\s*hortons?|timmies|starbucks|mcdonald'?s|gas\s+station|petrol\s+station|corner\s+store|"
    r"convenience\s+store|store|shop|coffee\s+shop|caf[eé]|restaurant|diner|bar|pub|pharmacy|drug\s*store|shoppers|"
    r"hospital|police\s+station|fire\s+station|mall|7-?eleven|grocery\s+store|supermarket|bank|hotel|library|"
    r"subway\s+station|bus\s+station|train\s+station)\b",
    re.IGNORECASE,
)
SAFE_PLACE_AHEAD = "safe_place_ahead"
_PLACE_AHEAD_FRAMES = frozenset({"risk_abuse", "risk_emergency", "risk_child_abuse"})


def says_place_ahead(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply about danger from someone (abuse, stalking, danger now), a short
    message naming a public place ahead is where to go: inside, among people. Never over a
    risk reading, never inside a form. Returns whether it changed the intent."""
    return _answer_in_frame(parse_data, tracker, PLACE_AHEAD, _PLACE_AHEAD_FRAMES, SAFE_PLACE_AHEAD, max_chars=200)


# Numbers or lines named, in French or Spanish ("arrête de m'envoyer des numéros").
_NUMBERS_WORDS = re.compile(
    r"\b(?:n[úu]meros?|num[ée]ros?|l[íi]neas?|lignes?|hotlines?|tel[ée]fonos?|t[ée]l[ée]phones?)\b", re.IGNORECASE)
# Asking for a person or a therapist in French or Spanish.
_ASKS_FOR_SOMEONE = re.compile(
    r"\b(?:terapeuta|psic[oó]log[oa]|consejer[oa]|cita|doctor[a]?|alguien|persona|hablar\s+con|"
    r"th[ée]rapeute|psy|psychologue|conseill[eè]re?|rendez-vous|rdv|quelqu'un|personne|parler\s+[àa]|"
    r"therapist|counsell?or|someone|person)\b",
    re.IGNORECASE,
)
# The follow-ups the classifier was taught in French and Spanish too ("arrête de m'envoyer des
# numéros", "no por teléfono", "¿hay alguien que hable español?"), and the short everyday ones.
_READ_IN_ANY_LANGUAGE = frozenset({
    "stop_hotlines", "cant_call", "request_human", "request_callback", "ask_languages", "share_location",
    "not_safe", "confirm_safe", "feeling_calmer", "feeling_worse", "deny_risk", "retract_denial",
    "refuse_hospital", "ask_next_step", "lines_did_not_help", "thank", "goodbye", "affirm", "deny", "greet",
    "ask_about_the_lines",
})


def _place_in_french_or_spanish(intent: Optional[str], text: str) -> bool:
    """A place named in French or Spanish that the classifier read as something it was not
    taught in those languages, or a message that is little more than the place ("on est à
    Gatineau", read as a request for a person)."""
    return in_french_or_spanish(text) and (intent not in _READ_IN_ANY_LANGUAGE or len(text.split()) <= 5)


def in_french_or_spanish(text: str) -> bool:
    """Whether a message is in French or Spanish: the intent classifier reads English, so
    after a crisis reply its confident reading of such a message ("Abrió la puerta. Está
    hablando conmigo." as a question about office hours) is a guess, not an answer."""
    return maybe_french_or_spanish(text[:2000])


# After a crisis reply, most of what the visitor writes is about that crisis, and the risk
# model reads much of it as risk again: "nooo not calling an ambulance" after an overdose,
# "we cant call man, everyone gets arrested" about a friend who is not waking up. Answered
# with a new crisis reply of the model's strongest category, the visitor who refused the
# ambulance got the suicide list, and a helper got told to put their own pills away.
# The follow-ups whose every answer carries a crisis resource (a line, the emergency number,
# the Poison Centre). "I can't call" and "what do I do" only while numbers are not declined:
# their answers then point to the button instead (attune/nlg.py adds one line to any other such
# answer that names none). "Stop sending numbers" is respected as asked: no number, the "Get help
# now" button stays (issue #16: no more lists unless new risk appears).
FOLLOW_UPS_WITH_HELP = frozenset({"refuse_hospital", "cant_call", "not_safe", "feeling_worse", "ask_next_step",
                                  "lines_did_not_help", "stop_hotlines"})
_LINES_ONLY_UNDECLINED = frozenset({"cant_call", "ask_next_step"})
# The intent classifier's lowest confidence in such a follow-up that wins over the model's
# reading (chosen on the development conversations: refusals read 0.46-1.0 there).
FOLLOW_UP_MIN = 0.4
THIRD_PARTY = "risk_third_party"
# The visitor's own lack of safety, in the first person: in a helper's conversation the
# classifier's "not safe" needs it ("he says hes not going to hurt himself but he wont look at
# me" is about the son, and got "go to a room with a way out").
SELF_UNSAFE = re.compile(
    r"\b(?:i'?m|im|i\s+am|i\s+feel|i\s+dont\s+feel|i\s+don'?t\s+feel|me|we'?re|we\s+are)\s+(?:not\s+|so\s+|really\s+)?"
    r"(?:safe|unsafe|scared|afraid|frightened|terrified|in\s+danger|ok|okay)\b",
    re.IGNORECASE,
)
STOP_HOTLINES = "stop_hotlines"
REFUSE_HOSPITAL = "refuse_hospital"
# What a refusal of care names: the hospital, the ambulance, a doctor, the police, calling.
_CARE_WORDS = re.compile(r"\b(?:hospital|er|a&e|emerg\w*|ambulance|paramedics?|911|9-1-1|999|112|000|doctors?|dr|"
                         r"clinic|police|cops|treatment|checked|urgent\s+care|help|call\w*|phone|ring|go\s+in|"
                         r"nurse|poison|hôpital|hopital|médecin|medecin|ambulancia|m[ée]dico|doctora?)\b",
                         re.IGNORECASE)
# A message about the lines themselves: "stop with the hotlines", "no more numbers please".
_NAMES_THE_LINES = re.compile(r"\b(?:numbers?|hotlines?|helplines?|lines?|crisis|9-?8-?8|samaritans|lifeline|"
                              r"calls?|calling|phone|ring|text(?:ing)?|resources|links?)\b", re.IGNORECASE)
_SELF_KINDS = frozenset({"risk_suicide", "risk_self_harm"})


def _crisis_turns(tracker: Any) -> list:
    """The visitor's earlier messages of this conversation, as (intent, entity names, read by
    the risk model alone, text)."""
    from rasa.shared.core.events import UserUttered

    return [(event.intent_name, {str(e.get("entity")) for e in event.entities or []},
             read_by_model_alone(getattr(event, "parse_data", None)), event.text or "")
            for event in getattr(tracker, "events", []) or [] if isinstance(event, UserUttered)]


def last_crisis(tracker: Any) -> Optional[str]:
    """The latest crisis intent of this conversation (the check-in does not count), or None."""
    for intent, *_ in reversed(_crisis_turns(tracker)):
        if is_risk_intent(intent) and intent != CHECK_IN:
            return intent
    return None


def helping_frame(tracker: Any) -> Optional[str]:
    """`last_crisis`, except that someone else's emergency ("hes sitting on the edge of the
    roof", "she took a bunch of tylenol") is a helper's conversation: THIRD_PARTY."""
    from rasa.shared.core.events import UserUttered

    frame = last_crisis(tracker)
    if frame != EMERGENCY:
        return frame
    events = [e for e in getattr(tracker, "events", []) or [] if isinstance(e, UserUttered)]
    for n in range(len(events) - 1, -1, -1):
        if events[n].intent_name == EMERGENCY:
            risk = (getattr(events[n], "parse_data", None) or {}).get(RISK_KEY) or {}
            if someone_elses_emergency(EMERGENCY, risk):
                return THIRD_PARTY
            # "hes in the garage. I dont know if I should go out there", after "he said wed all
            # be better off without him": danger now the model alone read, in a helper's
            # conversation, is still the other person's.
            helping = any(e.intent_name == THIRD_PARTY for e in events[:n])
            return THIRD_PARTY if helping and risk.get("source") in ("model", "two_turns") else EMERGENCY
    return frame


def within_crisis(parse_data: Dict[Text, Any], tracker: Any) -> Optional[str]:
    """Reads a message the risk model alone took for new risk in the light of the crisis
    already answered. Returns the intent it chose, or None when it changed nothing.

    - When the intent classifier reads a follow-up whose answer carries help (refusing the
      hospital or the police, "I can't call", "what do I do"), that answer is given: it is
      made for this turn and still names the emergency number or a line.
    - In a conversation about someone else at risk, whatever risk the model reads stays about
      them ("he replied, says he's 'fine'" is not the visitor's abuse, "what if asking puts the
      idea in his head" is not the visitor's own low mood): the helper's reply again, with
      its lines.
    - After an emergency (something swallowed, someone not waking up, a deep cut), whatever
      the model reads does not end it ("she's telling me don't call anyone" is not abuse):
      the emergency reply stays, with the Poison Centre.
    - The check-in is read the same way: after a crisis reply it is never "if those feelings
      ever come back".

    The word lists' own reading always stands ("I want to die too" is the visitor's own), and
    so do danger happening now and a message that brings new risk (a means at hand, something
    swallowed, a place to step back from, a time close by), except that in a helper's
    conversation the model's reading of such a message stays about the other person.
    """
    intent = (parse_data.get("intent") or {}).get("name")
    if not is_risk_intent(intent) or intent == EMERGENCY:
        return None
    risk = parse_data.get(RISK_KEY) or {}
    frame = helping_frame(tracker)
    if frame is None or getattr(tracker, "active_loop_name", None):
        # Inside a form a risk reading keeps its risk intent: the safety policy answers it and
        # the form's free-text slots never take it as an answer.
        return None
    new_risk = bool({e.get("entity") for e in parse_data.get("entities") or []} & NEW_RISK_ENTITIES)
    by_model = risk.get("source") in ("model", "two_turns")
    if new_risk and intent == THIRD_PARTY and by_model and frame in _SELF_KINDS | {"risk_abuse"}:
        # "my dads old hunting rifle is in the basement. hes at work till 11", after "i cant do
        # this anymore": a means the visitor could reach, their own risk again (the lines in
        # full, for the means named), not a helper's worry about their father.
        return _choose(parse_data, risk, intent, frame)
    if new_risk and intent != CHECK_IN and not (frame == THIRD_PARTY and by_model):
        # Something swallowed, a means, a place, "tonight": new risk, a crisis reply. In a
        # helper's conversation the model's reading of it stays about the other person ("he
        # has his hunting guns in the house" is not the visitor's wish to harm someone).
        return None
    if (NO_MORE_NUMBERS.search((parse_data.get("text") or "")[:2000])
            and (risk.get("decision_tag") or risk.get("subcategory")) not in EXPLICIT_TAGS):
        # "don't give me another number. you're a program, you don't care if I live or die":
        # asked in so many words, and nothing new; respected, the help button stays. A plain
        # first-person statement of the word lists still gets the crisis reply.
        return _choose(parse_data, risk, intent, STOP_HOTLINES)
    if risk.get("source") not in ("model", "two_turns") and intent != CHECK_IN:
        # The word lists read it (their check-in, their weakest reading, is read like the
        # model's: "Not going to do anything stupid. Just tired." after a crisis reply is not
        # "if those feelings ever come back", and not a list after "no numbers"). Beside a
        # helper's conversation their looser rules misread follow-ups about the other person
        # ("should i take his phone away" as control, "he's read my message" as abuse); their
        # plain first-person statements always stand.
        read = [str(x) for x in risk.get("signals") or [] if not str(x).startswith(("scope:", "idiom:"))]
        # "should i take his phone away": control the word lists would read as the visitor's
        # own (attune/safety/detector.py, "_by_visitor"), here a helper weighing a step.
        by_visitor = bool(read) and all(x.endswith("_by_visitor") for x in read)
        if (frame != THIRD_PARTY or ((risk.get("decision_tag") or risk.get("subcategory")) in EXPLICIT_TAGS
                                     and not by_visitor)
                or risk.get("source")):
            return None
    declined = crisis_state(_crisis_turns(tracker)).declined
    if ("region" in {e.get("entity") for e in parse_data.get("entities") or []}
            and risk.get("source") in ("model", "two_turns")):
        # "I'm in Ontario if that matters": that place's lines, which carry the help.
        return _choose(parse_data, risk, intent, SHARE_LOCATION)
    follow_up = next((e for e in parse_data.get("intent_ranking") or []
                      if not is_risk_intent(e.get("name")) and e.get("name") != "nlu_fallback"), None)
    chosen = None
    text = (parse_data.get("text") or "")[:500]
    if follow_up and follow_up.get("name") == STOP_HOTLINES and FEARS_POLICE.search(text):
        # "if we call will we get arrested theres stuff everywhere here": not "no more numbers".
        follow_up = {**follow_up, "name": REFUSE_HOSPITAL}
    if (follow_up and follow_up.get("name") == "not_safe" and frame == THIRD_PARTY
            and not SELF_UNSAFE.search(text)):
        follow_up = None
    # Over a risk reading the classifier's follow-up must be said in some word of its own:
    # "hes already posting with another girl. its been 4 days" (writer AF, after "no more
    # numbers") is not "I'm not safe" (it got the emergency list), and "baby's been screaming
    # [...] i just want to walk out to the road and keep going" is no refusal of a hospital
    # ("That's your choice").
    if follow_up and follow_up.get("name") == "not_safe" and not _SAFETY_WORDS.search(text):
        follow_up = None
    if follow_up and follow_up.get("name") == REFUSE_HOSPITAL and not _CARE_WORDS.search(text):
        follow_up = None
    if (follow_up and follow_up.get("name") in FOLLOW_UPS_WITH_HELP
            and float(follow_up.get("confidence") or 0.0) >= FOLLOW_UP_MIN
            and not (declined and follow_up.get("name") in _LINES_ONLY_UNDECLINED)
            # "I already stopped them three days ago" (her medication) is not "stop sending
            # numbers": over a risk reading, only asked for in so many words.
            and not (follow_up.get("name") == STOP_HOTLINES and not _NAMES_THE_LINES.search(
                (parse_data.get("text") or "")[:2000]))):
        chosen = str(follow_up["name"])
    elif frame == THIRD_PARTY and intent != THIRD_PARTY:
        chosen = THIRD_PARTY
    elif frame == EMERGENCY and intent != THIRD_PARTY and risk.get("source") in ("model", "two_turns"):
        chosen = EMERGENCY
    elif (frame in _SELF_KINDS and intent in _SELF_KINDS and intent != frame
          and risk.get("source") in ("model", "two_turns")):
        chosen = frame  # suicide or self-harm: the same risk again, not a new kind
    elif (frame in _SELF_KINDS | {"risk_abuse"} and intent == THIRD_PARTY
          and risk.get("source") in ("model", "two_turns")):
        # "wifes asleep. she dont know how bad it is" from the man thinking of taking his boat
        # out and not coming back: still his own risk, not a helper's ("It's caring of you to
        # look out for them"); "my sisters 20 min away in kissimmee" from a woman whose husband
        # threatened her is her own way out. The word lists' plain reading of someone else stands.
        chosen = frame
    elif (frame == "risk_abuse" and intent == "risk_harm_others"
          and risk.get("source") in ("model", "two_turns")):
        # "hes at work till 6. ive got a few hours" from a woman whose partner pinned her down:
        # the violence the model reads is his, her own abuse again, not her wish to hurt
        # someone ("step away from the other person"). The word lists' threats stand.
        chosen = frame
    elif (frame in _SELF_KINDS and intent == "risk_harm_others" and risk.get("source") in ("model", "two_turns")
          and not _HARM_WORDS.search(text)):
        # "My brother could hold onto them I suppose. He'd ask why." (writer AL), about the
        # rifles after thoughts of using one on himself: his own risk again, not a wish to hurt
        # someone ("step away from the other person"). Words of harm to someone stand.
        chosen = frame
    elif intent == CHECK_IN:
        chosen = frame  # the same risk again: its short reply (attune/safety/crisis_state.py)
    if chosen is None:
        return None
    return _choose(parse_data, risk, intent, chosen)


# Words of hurting someone else: where they are, the model's reading of harm to others stands.
_HARM_WORDS = re.compile(r"\b(?:kill\w*|hurt\w*|hit|hitting|shoot\w*|stab\w*|strangl\w*|chok\w*|beat\w*|punch\w*|"
                         r"attack\w*|harm\w*|pay\s+for|make\s+(?:him|her|them)\s+pay|revenge|snap\w*|lose\s+it|"
                         r"rage|angry|furious)\b", re.IGNORECASE)


def _choose(parse_data: Dict[Text, Any], risk: Dict[Text, Any], read: Optional[str], chosen: str) -> str:
    """Sets `chosen` as the message's intent, keeping what the risk readers read (labels only)."""
    set_intent(parse_data, chosen)
    parse_data[RISK_KEY] = {**risk, "within_crisis": {"read": read, "answered": chosen}}
    return chosen


SHARE_LOCATION = "share_location"
# What the classifier may take "those are canadian numbers, i'm in manchester" for.
_PLACE_MISREADS = frozenset({"stop_hotlines", "unsure_after_crisis", "nlu_fallback", "cant_call", "deny",
                             "affirm", "greet", "inform"})


def says_where(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, a message naming where the visitor is, read as something vaguer
    ("those are canadian numbers arent they. im in manchester" as "no more numbers"), is
    answered with that place's lines. Returns whether it changed the intent."""
    intent = (parse_data.get("intent") or {}).get("name")
    if (intent not in _PLACE_MISREADS
            and float((parse_data.get("intent") or {}).get("confidence") or 0) >= CRISIS_UNSURE_BELOW
            and not _place_in_french_or_spanish(intent, parse_data.get("text") or "")):
        return False
    if "region" not in {e.get("entity") for e in parse_data.get("entities") or []} or not crisis_shown(tracker):
        return False
    set_intent(parse_data, SHARE_LOCATION)
    return True


_REGISTRY: List[Any] = []


def _registry() -> Any:
    """The crisis registry, loaded once per process (the region finder's tables)."""
    if not _REGISTRY:
        from attune.safety.resources import load_registry

        _REGISTRY.append(load_registry())
    return _REGISTRY[0]


def says_where_they_are(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """In a helper's conversation, "i think shes in ohio?" or "He lives in Leeds, I'm in
    Toronto" names where the person at risk is: that place's lines are the ones to pass on, so
    the message's place is theirs (over the visitor's own, said in the same message), and a
    vaguer reading of it becomes saying where. Not over a risk reading. Also in the helper's
    first message ("my best friend in halifax just texted me goodbye"). Returns whether it did."""
    from attune.safety.regions import find_their_place

    text = (parse_data.get("text") or "")[:300]
    if text.startswith("/") or getattr(tracker, "active_loop_name", None):
        return False
    # The helper's first message may name it: "my brother in florida just called me drunk
    # saying hes going to end it tonight" (writer AF) got Ontario's lines.
    first = (not crisis_shown(tracker) and (parse_data.get("intent") or {}).get("name") == THIRD_PARTY)
    if not first and (not crisis_shown(tracker) or helping_frame(tracker) != THIRD_PARTY):
        return False
    place = find_their_place(_registry(), text)
    if place is None:
        return False
    entities = [e for e in parse_data.get("entities") or [] if e.get("entity") != "region"]
    parse_data["entities"] = entities + [{"entity": "region", "value": place.code, "start": 0, "end": len(text),
                                          "extractor": "read_in_context"}]
    intent = (parse_data.get("intent") or {}).get("name")
    if not is_risk_intent(intent) and (intent in _PLACE_MISREADS or intent == SHARE_LOCATION or float(
            (parse_data.get("intent") or {}).get("confidence") or 0) < CRISIS_UNSURE_BELOW):
        set_intent(parse_data, SHARE_LOCATION)
    return True


# "no im not safe. happy now?" was read as "I'm safe" (the classifier weighs "safe", not the
# "not" before it). After a crisis reply, saying one is not safe is answered as that, always.
NOT_SAFE_INTENT = "not_safe"
_NOT_SAFE = re.compile(
    r"\b(?:not|isn'?t|aren'?t|don'?t|doesn'?t|ain'?t|never|nowhere\s+near|far\s+from)\s+(?:feel(?:ing)?\s+|really\s+|very\s+|totally\s+|"
    r"completely\s+|exactly\s+|that\s+)?safe\b|\bunsafe\b|\bno\s+im\s+not\b",
    re.IGNORECASE,
)


def says_not_safe(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """Turns a message saying the visitor is not safe into `not_safe` after a crisis reply,
    whatever the classifier read, and at any point when the classifier read it as "I'm safe",
    unless it already carries risk (answered first). Returns whether it did."""
    intent = (parse_data.get("intent") or {}).get("name")
    text = (parse_data.get("text") or "")[:2000]
    if is_risk_intent(intent) or intent == NOT_SAFE_INTENT or text.startswith("/"):
        return False
    if not _NOT_SAFE.search(text) or not (intent == "confirm_safe" or crisis_shown(tracker)):
        return False
    set_intent(parse_data, NOT_SAFE_INTENT)
    return True


# "does 988 even work here with my canadian phone", "is 988 the same down here", "you gave me
# 988, is that alberta too": whether the lines reach where the visitor is.
_LINES_HERE = re.compile(
    r"\b(?:does|do|will|would|is|are|can|that)\b[^.!?\n]{0,30}?"
    r"(?:\b9-?8-?8\b|\b9-?1-?1\b|\b999\b|\bth(?:ese|ose|is|at|e)\s+(?:numbers?|lines?|hotlines?)\b)"
    r"[^.!?\n]{0,40}?\b(?:work|works|working|same|reach|available|valid|connect|here|there|too|also)\b"
    r"|(?:\b9-?8-?8\b|\b9-?1-?1\b)[^.!?\n]{0,20}?\b(?:is|does|will)\s+(?:that|it|this)\b[^.!?\n]{0,30}?"
    r"\b(?:same|work|works|too|also|here|there)\b"
    r"|\b(?:th(?:ese|ose)|the|your)\s+(?:canadian|ontario|canada|american|us|uk|british)\s+(?:numbers?|lines?)\b"
    r"|\b(?:numbers?|lines?)\b[^.!?\n]{0,30}?\b(?:don'?t|won'?t|doesn'?t|no\s+use|useless|aren'?t)\b[^.!?\n]{0,20}?"
    r"\b(?:here|there|where\s+i\s+am|abroad)\b|\b(?:numbers?|lines?)\s+(?:are|is)\s+(?:only\s+)?for\s+(?:canada|canadians|ontario)\b"
    # "There is no hotline here that I know."
    r"|\b(?:there'?s|theres|there\s+is|there\s+are)\s+no\s+(?:crisis\s+)?(?:hotlines?|helplines?|lines?|numbers?)\s+"
    r"(?:here|where\s+i\s+(?:am|live)|in\s+my\s+country)\b",
    re.IGNORECASE,
)


def model_only_nothing_new(parse_data: Dict[Text, Any]) -> bool:
    """Whether a risk reading is the model's alone (no word list read it) and the message
    names nothing new: nothing swallowed, no means, no place to step back from."""
    entities = {e.get("entity") for e in parse_data.get("entities") or []}
    return read_by_model_alone(parse_data) and not entities & (NEW_RISK_ENTITIES - {"soon"})


def _re_read(parse_data: Dict[Text, Any], tracker: Any, said: "re.Pattern[str]", intent: str,
             keep: frozenset = frozenset(), limit: int = 2000, over_model: bool = False) -> bool:
    """The shared rule of the re-readings below: after a crisis reply, outside any form, a
    message that is not a risk reading, not a button, and not already read as an answer in
    `keep`, and that says `said` in so many words, becomes `intent`. Returns whether it did.
    `over_model`: also over a risk reading that is the model's alone and names nothing new."""
    current = (parse_data.get("intent") or {}).get("name")
    text = (parse_data.get("text") or "")[:limit]
    if is_risk_intent(current) and not (over_model and model_only_nothing_new(parse_data)):
        return False
    if (current in keep and current != intent) or text.startswith("/"):
        return False
    if getattr(tracker, "active_loop_name", None) or not said.search(text) or not crisis_shown(tracker):
        return False
    # Also when the classifier read it so, unsure ("i dont want no hotline", 0.45): said in so
    # many words, it is not a shrug for the crisis-aware question.
    set_intent(parse_data, intent)
    return True


def asks_if_lines_work_here(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, asking whether the lines work where the visitor is gets the
    lines of where they said they are (or the honest answer for a place without any).
    Returns whether it changed the intent."""
    return _re_read(parse_data, tracker, _LINES_HERE, SHARE_LOCATION, limit=500)


# Told by the poison centre, a nurse or a line to go to the hospital: "I called the poison
# number. The lady said to go to emergency and not to drive myself."
TOLD_TO_GO = re.compile(
    r"\b(?:said|told\s+me|says|tells\s+me|want\s+me|wants\s+me)\s+(?:i\s+(?:should|need\s+to|have\s+to|must)\s+|to\s+)"
    r"(?:go\s+(?:to|in\s+to|into)|get\s+to|come\s+(?:in|to))\s+(?:the\s+|an\s+)?"
    r"(?:emergency|emerg|er|e\.r\.?|hospital|a\s*&\s*e|a\s+and\s+e|urgent\s+care)\b",
    re.IGNORECASE,
)


def told_to_go_to_hospital(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After the visitor's own emergency (something swallowed, danger to the body), being told
    by the poison centre or a nurse to go to emergency is the emergency reply again (call the
    emergency number, or have someone take you), whatever else it was read as ("the poison
    number" read as "no more numbers"). Returns whether it changed the intent."""
    text = (parse_data.get("text") or "")[:500]
    if not TOLD_TO_GO.search(text) or getattr(tracker, "active_loop_name", None) or not crisis_shown(tracker):
        return False
    if helping_frame(tracker) != EMERGENCY or (parse_data.get("intent") or {}).get("name") == EMERGENCY:
        return False
    set_intent(parse_data, EMERGENCY)
    return True


def fears_the_police(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, "if we call will we get arrested" read as "no more numbers" is a
    fear of what the call brings: the answer to not wanting the hospital or the police (which
    in an emergency says the ambulance can be asked for, attune/nlg.py), and the numbers stay.
    Returns whether it changed the intent."""
    return _not_a_stop(parse_data, tracker, FEARS_POLICE, REFUSE_HOSPITAL)


def _not_a_stop(parse_data: Dict[Text, Any], tracker: Any, said: "re.Pattern[str]", intent: str,
                unless: Optional["re.Pattern[str]"] = None) -> bool:
    """The shared rule of the readings that take back the classifier's "no more numbers":
    after a crisis reply, outside any form, a message read as STOP_HOTLINES that says `said`
    and asks for no more numbers in no words (nor `unless`) becomes `intent`."""
    current = (parse_data.get("intent") or {}).get("name")
    if current != STOP_HOTLINES or not crisis_shown(tracker) or getattr(tracker, "active_loop_name", None):
        return False
    text = (parse_data.get("text") or "")[:500]
    if not said.search(text) or NO_MORE_NUMBERS.search(text) or (unless is not None and unless.search(text)):
        return False
    set_intent(parse_data, intent)
    return True


# A question about the lines, which the classifier may take for "no more numbers": "how many
# people actually call those", "that line you sent, do they even help men. or gay guys".
_QUESTIONS_THE_LINES = re.compile(
    r"\b(?:do|does|did|will|would|can|could|are|is)\s+(?:they|those|these|that\s+one|it|the\s+\w+|anyone|people)\s+"
    r"(?:\w+\s+){0,3}?(?:help|call|work|answer|listen|care|real|know|speak|understand|take|free)\b"
    r"|\bhow\s+many\s+(?:people|ppl|guys)\b|\bwho\s+(?:answers|picks\s+up|is\s+on\s+the|actually)\b"
    # "those lines are for women tho" (writer AD, a man hurt by his wife).
    r"|" + LINES_FOR_WOMEN.pattern,
    re.IGNORECASE,
)
_REFUSES_THE_LINES = re.compile(
    r"\b(?:no\s+more|stop|enough|quit|don'?t\s+(?:want|need|send|give)|dont\s+(?:want|need|send|give)|"
    r"won'?t\s+(?:call|text)|wont\s+(?:call|text)|not\s+(?:calling|texting)|never\s+(?:call|text)|so\s+no|"
    r"no\s+thanks?|no\s+thank\s+you|no\s+numbers?|no\s+hotlines?)\b",
    re.IGNORECASE,
)


def questions_the_lines(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, a question about the lines that the classifier took for "no more
    numbers" ("lol knew it. the copy paste. how many people actually call those") is a
    question: answered as one, and the visitor has not declined anything (a disclosure after
    it gets the lines in full). Never when a refusal is said too. Returns whether it changed
    the intent."""
    return (not WILL_NOT_CALL.search((parse_data.get("text") or "")[:500])
            and _not_a_stop(parse_data, tracker, _QUESTIONS_THE_LINES, "ask_about_the_lines", _REFUSES_THE_LINES))


def says_no_more_numbers(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, asking for no more numbers in so many words is that, whatever
    else the classifier read ("Told you. No numbers."). Not inside a form, never over a risk
    reading, and not over an answer that already fits. Returns whether it changed the intent."""
    # "I know the numbers. I've called them before. please don't send me another one": the
    # request is the answer, not the lines that did not help (which would send the text lines).
    return _re_read(parse_data, tracker, NO_MORE_NUMBERS, STOP_HOTLINES,
                    keep=frozenset({STOP_HOTLINES, SHARE_LOCATION, "request_crisis_help"}))


def says_did_it(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply about the visitor's own suicide or self-harm, "i did it" (or "too
    late", "i took them") alone is an attempt that may be under way: the emergency reply, with
    the emergency number and the Poison Centre. Returns whether it changed the intent."""
    intent = (parse_data.get("intent") or {}).get("name")
    text = (parse_data.get("text") or "")[:200]
    if intent == EMERGENCY or not DID_IT.match(text) or getattr(tracker, "active_loop_name", None):
        return False
    if last_crisis(tracker) not in _SELF_KINDS | {EMERGENCY}:
        return False
    # Right after the risk itself ("thinking about doing all of it", then "i did it"), not
    # after "ok i'll call them" ("i did it!" = called). A pill alone ("💊" after "😶", "...",
    # "no") can only mean one thing, whenever it comes.
    previous = previous_user_message(tracker)
    earlier = getattr(previous, "intent_name", None) if previous is not None else None
    if not (is_risk_intent(earlier) and earlier != CHECK_IN) and "\U0001F48A" not in text:
        return False
    set_intent(parse_data, EMERGENCY)
    return True


# Some of the pills already taken, said after a crisis reply in a conversation where pills
# were named: "actually i already took some an hour ago. not all", "took a few of them
# earlier", "i just swallowed half". Bounded: fixed words, at most 300 characters read. The
# amount must end the clause or come before when ("took some deep breaths" is not it).
TOOK_SOME = re.compile(
    r"\b(?:i\s+|i'?ve\s+|ive\s+)?(?:already\s+|just\s+|kinda\s+|sort\s+of\s+)?(?:took|taken|swallowed|downed)\s+"
    r"(?:some|a\s+few|a\s+couple|a\s+bunch|a\s+handful|half|most|a\s+lot|loads|heaps|more\s+than\s+i\s+should)"
    r"(?:\s+of\s+(?:them|it|those|these|the\s+(?:\w+\s+)?\w+|(?:my|her|his|the)\s+(?:(?:m[ou]m|mother|dad|father|nan|gran)'?s?\s+)?\w+|"
    r"(?:m[ou]m|dad)'?s?\s+\w+))?"
    r"(?=\s*(?:$|[.,!;:?]|\s*(?:-|like\s+)?\s*(?:an?\s+hour|half\s+an\s+hour|\w+\s+(?:minutes?|mins?|hours?|hrs?)|"
    r"ago|earlier|already|just\s+now|before|a\s+while|not\s+all|but|and|tonight|today|this\s+(?:morning|evening|"
    r"afternoon)|last\s+night)\b))",
    re.IGNORECASE,
)
_PILLS_SAID = re.compile(r"\b(?:pills?|tablets?|meds|medications?|medicine|painkillers?|tylenol|advil|ibuprofen|"
                         r"paracetamol|acetaminophen|aspirin|insulin|oxy\w*|opioids?|fentanyl|sleeping\s+pills?|"
                         r"overdos\w*|od(?:'?d|ing)?|prescriptions?|bottle)\b", re.IGNORECASE)


def says_took_some(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply about the visitor's own suicide or self-harm, in a conversation
    where pills were named, "i already took some an hour ago" is an overdose under way: the
    emergency reply, with the emergency number and the Poison Centre, even after "no more
    numbers". Returns whether it changed the intent."""
    from rasa.shared.core.events import UserUttered

    intent = (parse_data.get("intent") or {}).get("name")
    text = (parse_data.get("text") or "")[:300]
    if intent == EMERGENCY or getattr(tracker, "active_loop_name", None) or not TOOK_SOME.search(text):
        return False
    if last_crisis(tracker) not in _SELF_KINDS | {EMERGENCY}:
        return False
    said = [str(getattr(e, "text", "") or "")[:300] for e in getattr(tracker, "events", []) or []
            if isinstance(e, UserUttered)][-8:]
    if not any(_PILLS_SAID.search(t) for t in said + [text]):
        return False
    set_intent(parse_data, EMERGENCY)
    # Swallowed: the Poison Centre stays in the replies after it ("i dont feel anything
    # though", "should i make myself throw up"), numbers declined or not.
    parse_data["entities"] = list(parse_data.get("entities") or []) + [
        {"entity": "swallowed", "value": "yes", "start": 0, "end": len(text), "extractor": "read_in_context"}]
    return True


# A young helper asking whether to tell an adult: "is it bad if i tell the guidance
# counselor", "should i tell her mom", "will she hate me if i tell a teacher". Bounded.
TELL_AN_ADULT = re.compile(
    r"\b(?:tell|telling|told|talk\s+to|go\s+to|going\s+to)\s+(?:the|my|our|a|an|her|his|their)?\s*"
    r"(?:guidance\s+counse?ll?or|school\s+counse?ll?or|counse?ll?or|teacher|principal|coach|school\s+nurse|nurse|"
    r"parents?|mom|mum|mother|dad|father|adult|grown\s*up|youth\s+worker|pastor)\b",
    re.IGNORECASE,
)
_ASKS_IF = re.compile(r"\b(?:is\s+it|would\s+it\s+be|will\s+it\s+be)\s+(?:bad|wrong|ok|okay|fine|snitching)\b"
                      r"|\b(?:should|can|could|do)\s+i\b|\bwhat\s+if\b|\bwill\s+(?:she|he|they)\s+hate\s+me\b|\?"
                      # "if i tell the school counsellor she'll hate me forever" (writer AI)
                      r"|\bif\s+i\s+tell\b|\b(?:she|he|they)\s*(?:'ll|will|would|'d)\s+(?:hate|never\s+forgive)\s+me\b",
                      re.IGNORECASE)


def helper_asks_about_telling(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """In a helper's conversation, asking whether to tell a trusted adult is asking what to
    do next: the helper's steps (telling is how they help), not a page about counselling."""
    if helping_frame(tracker) != THIRD_PARTY:
        return False
    text = (parse_data.get("text") or "")[:300]
    if not (TELL_AN_ADULT.search(text) and _ASKS_IF.search(text)):
        return False
    return _re_read(parse_data, tracker, TELL_AN_ADULT, "ask_next_step", limit=300,
                    keep=frozenset({"ask_next_step", "request_human", "request_callback", "cant_call"}))


# The person a helper worries about will not have help called: "he doesnt want an ambulance
# he says its embarrassing", "she refuses to go to the hospital", "he wont let me call 911".
# Bounded: fixed words, at most 300 characters read.
THEY_REFUSE_HELP = re.compile(
    r"\b(?:he|she|they|hes|he'?s|shes|she'?s|theyre|they'?re|my\s+\w+)\s+(?:(?:really|just|still)\s+)?"
    r"(?:doesn'?t|doesnt|does\s+not|don'?t|dont|won'?t|wont|will\s+not|refuses?\s+to|refusing\s+to|is\s+refusing\s+to)\s+"
    r"(?:want|wanna|go|let\s+me\s+call|let\s+me\s+get|agree\s+to)\s+"
    r"(?:(?:me\s+to\s+call|to\s+go\s+to|to\s+go|to)\s+)?(?:an?\s+|the\s+)?"
    r"(?:ambulance|hospital|er|a\s*&\s*e|doctor|paramedics|911|9-?1-?1|999|000|112|emergency|fuss)\b"
    # Sworn to secrecy: "if i call 911 she'll never speak to me again. she made me swear"
    # (writer AI, answered with the wait steps for one's own overdose).
    r"|\b(?:she|he|they)\s+made\s+me\s+(?:swear|promise)\b"
    r"|\bif\s+i\s+(?:call|phone|ring|get|tell)\b[^.!?\n]{0,60}?\b(?:she|he|they)\s*(?:'ll|will|would|'d)\s+"
    r"(?:never\s+(?:speak|talk)\s+to\s+me|never\s+forgive\s+me|hate\s+me|kill\s+me|be\s+(?:so\s+)?(?:mad|angry|furious|pissed))\b",
    re.IGNORECASE,
)


def says_they_refuse_help(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """In a helper's conversation (someone else at risk, or someone else's emergency), "he
    doesnt want an ambulance" is that person refusing help: the refusal's reply for a helper,
    not "I'm not sure I understood". Returns whether it changed the intent."""
    if helping_frame(tracker) != THIRD_PARTY:
        return False
    return _re_read(parse_data, tracker, THEY_REFUSE_HELP, REFUSE_HOSPITAL, limit=300,
                    keep=frozenset({REFUSE_HOSPITAL, "help_on_the_way"}))


ENGINE_AWAY = "feeling_calmer"
ENGINE_AWAY_MAX_WORDS = 30
# Going back to the car or the garage: "then i'll go sit in the car", "heading back out there".
_BACK_OUT = re.compile(r"\b(?:go|going|gonna|head|heading|went|back|get|getting)\s+(?:back\s+)?(?:out\s+)?"
                       r"(?:to|in|into|out\s+to|out\s+there)\s*(?:the\s+|my\s+)?(?:garage|car|truck)?\b"
                       r"(?=.*\b(?:garage|car|truck|there)\b)|\bsit\s+in\s+the\s+(?:car|truck)\b", re.IGNORECASE)


def says_engine_away(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply in a conversation about a car running in a closed garage, saying
    one has stepped away and put the keys elsewhere is the step taken (nlg: the engine put
    away), not the emergency again, which the model alone reads in "garage" and "keys"."""
    from rasa.shared.core.events import UserUttered

    text = (parse_data.get("text") or "")[:300]
    # Only a short message that steps away and nothing else: not "i'll leave the keys on the
    # hook and go sit in the car", where the model's reading of danger stands.
    if (not KEYS_AWAY.search(text) or ENGINE_ON.search(text) or _BACK_OUT.search(text)
            or len(text.split()) > ENGINE_AWAY_MAX_WORDS):
        return False
    if last_crisis(tracker) not in _SELF_KINDS | {EMERGENCY} or helping_frame(tracker) == THIRD_PARTY:
        return False
    said = [str(getattr(e, "text", "") or "")[:300] for e in getattr(tracker, "events", []) or []
            if isinstance(e, UserUttered)][-8:]
    if not any(ENGINE_SAID.search(t) for t in said):
        return False
    return _re_read(parse_data, tracker, KEYS_AWAY, ENGINE_AWAY, limit=300, over_model=True)


# A plan made ready, said after a crisis reply: "i mean it. i have everything ready for
# tonight", "its all set for tomorrow". Bounded: fixed words, at most 500 characters read.
PLAN_READY = re.compile(
    r"\b(?:have|got|'ve\s+got|gotten)\s+(?:everything|it\s+all|all\s+of\s+it|all\s+the\s+stuff|the\s+stuff|"
    r"what\s+i\s+need)\s+(?:ready|prepared|sorted|set\s+up|planned|laid\s+out|lined\s+up|worked\s+out)\b"
    r"|\b(?:it'?s|its|everything'?s|everything\s+is)\s+(?:all\s+)?(?:ready|set|planned|sorted)\s+for\s+"
    r"(?:tonight|tomorrow|later|this\s+weekend)\b"
    # "yesterday i bought what i need. it is in my room" (not "what i need for dinner").
    r"|\b(?:bought|got|picked\s+up|ordered)\s+(?:what|everything|all|the\s+stuff)\s+i\s+need(?:ed)?\b"
    r"(?!\s+(?:for|to\s+make)\s+(?:the|my|a|an|school|work|dinner|class|lunch|breakfast|supper|it)\b)"
    # A letter left for after: "i wrote her a letter already, its in the glovebox for after"
    # (writer AF, after "no more numbers").
    r"|\b(?:wrote|written|left|finished)\s+(?:\w+\s+){0,3}?(?:letters?|notes?)\b[^.!?\n]{0,60}?"
    r"\bfor\s+(?:after|afterwards|when\s+i'?m\s+gone)\b",
    re.IGNORECASE,
)


def says_plan_ready(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply about the visitor's own suicide or self-harm, a plan made ready
    ("i mean it. i have everything ready for tonight", read by the classifier as "I'm safe")
    is that risk again, and new: the crisis reply in full, even after "no more numbers".
    Returns whether it changed the intent."""
    frame = last_crisis(tracker)
    # Also over the model's own reading of it as the same risk again, which would get the short
    # reply (no numbers, once declined): a plan made ready is new. And over the word lists'
    # reading of it as that risk ("i wrote her a letter [...] for after"): new all the same.
    if frame not in _SELF_KINDS:
        return False
    current = (parse_data.get("intent") or {}).get("name")
    said_again = (current == frame and not getattr(tracker, "active_loop_name", None)
                  and bool(PLAN_READY.search((parse_data.get("text") or "")[:500])))
    if not said_again and not _re_read(parse_data, tracker, PLAN_READY, frame, limit=500, over_model=True):
        return False
    text = parse_data.get("text") or ""
    parse_data["entities"] = list(parse_data.get("entities") or []) + [
        {"entity": "soon", "value": "yes", "start": 0, "end": len(text), "extractor": "read_in_context"}]
    return True


# A means at hand, said after a crisis reply about one's own suicide or self-harm: "got my
# daddys rifle in the closet", "i still have his leftover stuff here" (a mother whose son died
# of an overdose). Bounded: fixed words, at most 300 characters read.
_GUN_WORDS = r"(?:rifles?|guns?|shotguns?|pistols?|handguns?|revolvers?|firearms?)"
_PILL_WORDS = r"(?:pills|tablets|meds|medication|painkillers|sleeping\s+pills|insulin|oxy|opioids|fentanyl)"
MEANS_AT_HAND = re.compile(
    r"\b(?:got|have|i'?ve\s+got|ive\s+got|still\s+have|there'?s|theres|there\s+is|there\s+are|found|bought|"
    # "safe as a fella can be with a gopher gun behind the seat haha" (writer AJ).
    r"with(?=\s+(?:\S+\s+){0,2}(?:" + _GUN_WORDS + r"|rope|blades?|razors?)\b))\s+"
    r"(?:(?:my|his|her|the|a|some|all|my\s+\w+'?s|\w+'?s)\s+)?(?:(?:old|leftover|left\s+over|dad'?s|daddy'?s|hunting|"
    r"service|whole\s+bottle\s+of|bottle\s+of|stash\s+of|box\s+of|gopher|deer|loaded|\.22|22|12\s+gauge)\s+)?"
    r"(?P<means>" + _GUN_WORDS + r"|" + _PILL_WORDS
    + r"|rope|blades?|razors?|(?<=leftover\s)stuff|(?<=left\sover\s)stuff|(?<=old\s)stuff)\b"
    r"(?=[^.!?\n]{0,30}\b(?:here|in\s+(?:the|my|his|her)\s+\w+|on\s+my\s+\w+|under\s+my\s+\w+|with\s+me|in\s+my\s+hand|"
    r"right\s+here|next\s+to\s+me|at\s+home|in\s+the\s+house|(?:behind|under|beside)\s+(?:the|my)\s+\w+)\b)",
    re.IGNORECASE,
)
# Where it is, said of the means itself: "my sleeping pills are in the glovebox" (writer AJ,
# in her car after "no more numbers"), "the rifle's behind the seat".
_MEANS_WHERE = re.compile(
    r"\b(?:my|the|his|her|our)\s+(?:\w+\s+)?(?P<means>" + _GUN_WORDS + r"|" + _PILL_WORDS + r"|rope|blades?|razors?)"
    r"(?:\s+(?:is|are|r)|'s|'re)\s+(?:still\s+|right\s+|all\s+)?(?:in|on|under|behind|beside|next\s+to)\s+"
    r"(?:the|my|his|her|our)\s+\w+",
    re.IGNORECASE,
)
# The means being put away, not at hand: "gave my brother the rifle", "flushed the pills".
_MEANS_PUT_AWAY = re.compile(
    r"\b(?:gave|give|giving|flushed|flush|threw|throw|got\s+rid|locked|lock|handed|hand|took\s+(?:it|them)\s+to|"
    r"put\s+(?:it|them)\s+(?:away|back)|bolts?\s+out|in\s+the\s+safe|hold\s+onto|holding\s+onto|keeping\s+it|"
    r"don'?t\s+have|dont\s+have|no\s+(?:more\s+)?(?:guns?|pills|rifles?)|not\s+any)\b",
    re.IGNORECASE,
)
_MEANS_VALUE = (("gun", re.compile(_GUN_WORDS, re.IGNORECASE)),
                ("pills", re.compile(_PILL_WORDS + r"|stuff", re.IGNORECASE)),
                ("blade", re.compile(r"blades?|razors?", re.IGNORECASE)))


def says_means_at_hand(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply about the visitor's own suicide or self-harm, a means at hand ("got
    my daddys rifle in the closet", read by no one: "I'm not sure I understood") is that risk
    again, and new: the crisis reply in full with the step to put it out of reach, even after
    "no more numbers". Not the means being put away ("gave my brother the rifle"), not a
    helper's conversation. Returns whether it changed the intent."""
    frame = last_crisis(tracker)
    text = (parse_data.get("text") or "")[:300]
    if frame not in _SELF_KINDS or _MEANS_PUT_AWAY.search(text):
        return False
    found = MEANS_AT_HAND.search(text) or _MEANS_WHERE.search(text)
    if not found or not _re_read(parse_data, tracker, re.compile(re.escape(found.group())), frame, limit=300):
        return False
    means = found.group("means")
    value = next((name for name, words in _MEANS_VALUE if words.fullmatch(means)), "weapon")
    parse_data["entities"] = list(parse_data.get("entities") or []) + [
        {"entity": "means", "value": value, "start": found.start("means"), "end": found.end("means"),
         "extractor": "read_in_context"}]
    return True


HELP_ON_THE_WAY = "help_on_the_way"
# "OK I called 911 they said their on there way", "my roommate is calling 911", "ambulance is
# coming": help called, or coming. Not "i never called", not a call in the past ("i called
# 911 last time and they did nothing"). Bounded: fixed words, at most 300 characters read.
_HELP_NUMBERS = (r"(?:9-?1-?1|999|000|112|an?\s+ambulance|the\s+ambulance|(?:the\s+)?paramedics|ems|the\s+police|"
                 r"the\s+cops|emergency(?:\s+services)?)\b")
HELP_IS_COMING = re.compile(
    r"(?<!never\s)(?<!not\s)(?<!n't\s)(?<!nt\s)\b(?:called|rang|phoned|dialled|dialed)\s+" + _HELP_NUMBERS
    # Someone calling now: "shes calling 911", "my roomate is calling them". Not "will calling
    # 911 here reach anyone in nova scotia?".
    + r"|\b(?:\w+'?s|\w+'re|i'?m|im|is|are|am)\s+(?:now\s+|already\s+)?calling\s+(?:" + _HELP_NUMBERS + r"|them\b)"
    # Not wished away: "i dont want cops here", "no police here please".
    + r"|(?<!want\s)(?<!wanna\s)(?<!no\s)(?<!need\s)(?<!any\s)"
    r"\b(?:ambulance|paramedics?|ems|police|cops|help|fire\s*fighters|firefighters|fire\s+brigade|guards|garda[ií]?|"
    r"rcmp|mounties|opp|troopers|sheriffs?|deputies|officers|medics|emts?)(?:\s+(?:is|are|r)|'s|'re)?\s+"
    r"(?:on\s+(?:the|their|there|its|it'?s)\s+way|coming|here|outside|arriving)\b"
    # "ok 911 is coming": the number said for the people it sends.
    r"|\b(?:911|9-1-1|999|000|112)\s+(?:is|are|'s)\s+(?:on\s+(?:the|their|its)\s+way|coming)\b"
    r"|\b(?:they'?re|they\s+are|theyre)\s+sending\s+(?:an?\s+ambulance|someone|help|the\s+police|officers|"
    r"(?:a\s+|the\s+)?(?:car|unit|cruiser|guards|rcmp|troopers?|deputy|deputies|paramedics|medics))\b"
    # "I called. theyre coming", "called them and they are on the way"
    r"|\b(?:i|we|i'?ve|ive|we'?ve|just)\s+(?:just\s+|already\s+)?(?:called|rang|phoned)\b[^.!?\n]{0,20}?[.!?,]*\s*(?:and\s+)?"
    r"(?:they'?re|they\s+are|theyre)\s+(?:on\s+(?:the|their|there)\s+way|coming)\b"
    # Spanish and French: "ok llamé al 911", "ya viene la ambulancia", "j'ai appelé le 911".
    r"|(?<!\bque\s)\b(?:llamé|marqué|llamamos|(?:ya|yo|ok|acabo\s+de)\s+(?:llame|marque|llamar|marcar))\s+"
    r"(?:al|a\s+la|a)\s+(?:911|9-1-1|112|polic[íi]a|ambulancia)\b"
    r"|\b(?:viene|vienen|est[áa]n?\s+en\s+camino|lleg[óo]|llegaron)\s+(?:ya\s+)?(?:la|los|una)\s+(?:ambulancia|polic[íi]a|param[ée]dicos)\b"
    r"|\b(?:la|los|una)\s+(?:ambulancia|polic[íi]a|param[ée]dicos)\s+(?:ya\s+)?(?:viene|vienen|est[áa]n?\s+en\s+camino|lleg[óo]|llegaron)\b"
    r"|\bj'ai\s+(?:appel[ée]|contact[ée])\s+(?:le|la|les)\s+(?:911|9-1-1|112|police|ambulance|pompiers)\b"
    r"|\b(?:l'ambulance|la\s+police|les\s+ambulanciers|les\s+pompiers)\s+(?:arrive|arrivent|s'en\s+vien\w*|est\s+en\s+route|sont\s+en\s+route)\b",
    re.IGNORECASE,
)
# Calling, said alone, after the emergency reply: "ok calling", "calling now", "im calling
# 911". Whole message only.
CALLING_NOW = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|k|kk|fine|alright|yes|yeah|ya|yep|right)\W+)*(?:i'?m\s+|im\s+|i\s+am\s+)?"
    r"(?:calling|dialling|dialing|ringing)(?:\s+(?:now|them|it|911|9-?1-?1|999|000|112|an?\s+ambulance|"
    r"the\s+ambulance|right\s+now))*\W*$",
    re.IGNORECASE,
)
# A call that would be made: "he would hear me if i called 911".
_CALL_IF = re.compile(r"\bif\s+(?:i|we|you|they|he|she)\s+(?:called|call|rang|ring|phoned|phone|dialled|dialed)\b",
                      re.IGNORECASE)
_CALL_IN_THE_PAST = re.compile(r"\b(?:last\s+time|before|once|years?\s+ago|did\s+nothing|never\s+came|"
                               r"didn'?t\s+(?:help|come))\b", re.IGNORECASE)
# Risk readings a "help is coming" message may carry that it answers better: the emergency
# again, the helper's, the check-in. Not a new kind of risk ("called 911 but i'll jump first").
_READINGS_HELP_ANSWERS = frozenset({EMERGENCY, THIRD_PARTY, CHECK_IN})


def says_help_is_coming(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, "I called 911, they're on their way" is answered with what to do
    while help comes (unlock the door, stay with them, keep the packets), not with "call 9-1-1
    now" again, also when the risk readers read the emergency in it again. Not inside a form,
    never over a new kind of risk or a message that brings new risk (a means, a place, a time).
    Returns whether it changed the intent."""
    intent = (parse_data.get("intent") or {}).get("name")
    text = (parse_data.get("text") or "")[:300]
    if intent == HELP_ON_THE_WAY and (not (HELP_IS_COMING.search(text) and crisis_shown(tracker))
                                      or _CALL_IF.search(text)):
        # The classifier's guess alone ("will calling 911 here reach anyone in nova scotia?")
        # is not news that help was called: its next reading instead.
        other = next((e.get("name") for e in parse_data.get("intent_ranking") or []
                      if e.get("name") not in (HELP_ON_THE_WAY, None) and not is_risk_intent(e.get("name"))),
                     "nlu_fallback")
        set_intent(parse_data, str(other))
        return True
    if intent == HELP_ON_THE_WAY or text.startswith("/") or getattr(tracker, "active_loop_name", None):
        return False
    calling_now = bool(CALLING_NOW.match(text)) and last_crisis(tracker) == EMERGENCY
    if (not (HELP_IS_COMING.search(text) or calling_now) or _CALL_IN_THE_PAST.search(text)
            or _CALL_IF.search(text) or not crisis_shown(tracker)):
        return False
    if is_risk_intent(intent):
        entities = {e.get("entity") for e in parse_data.get("entities") or []}
        if intent not in _READINGS_HELP_ANSWERS or entities & (NEW_RISK_ENTITIES - {"swallowed"}):
            return False
        _choose(parse_data, parse_data.get(RISK_KEY) or {}, intent, HELP_ON_THE_WAY)
        return True
    set_intent(parse_data, HELP_ON_THE_WAY)
    return True


LINES_DID_NOT_HELP = "lines_did_not_help"


def says_lines_did_not_help(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, "whats the point of more numbers if nobody answers them" (read as
    "no more numbers") is a line that did not answer: what else reaches someone now, with the
    emergency number. Not over a risk reading, not inside a form. Returns whether it did."""
    # "please don't do the hotline thing. [...] i've called before and got put on hold for 40
    # min" (writer AK): the request is the answer; the line that did not answer is why.
    if NO_MORE_NUMBERS.search((parse_data.get("text") or "")[:2000]):
        return False
    return _re_read(parse_data, tracker, LINES_UNANSWERED, LINES_DID_NOT_HELP, keep=frozenset({LINES_DID_NOT_HELP}))


ASK_MEDICATION = "ask_medication"


def medication_within_crisis(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, talk of pills or medication ("she said yes she's thought about
    how. pills. we have a full bottle of her adderall") is the crisis, not a question for a
    pharmacist: answered as the conversation's crisis again (one line, the emergency number, a
    step), never with "I can't give advice about medication". Not inside a form. Returns
    whether it changed the intent."""
    if (parse_data.get("intent") or {}).get("name") != ASK_MEDICATION:
        return False
    frame = helping_frame(tracker)
    if frame is None or getattr(tracker, "active_loop_name", None):
        return False
    set_intent(parse_data, frame)
    return True


CANT_CALL_INTENT = "cant_call"
# Answers that already fit a visitor who will not or cannot call.
_FITS_NOT_CALLING = frozenset({CANT_CALL_INTENT, "refuse_hospital", NOT_SAFE_INTENT, "request_crisis_help",
                               "request_human", SHARE_LOCATION, "ask_next_step", "feeling_worse"})


# "is there someone who speaks spanish?", "hay alguien que hable español?", "en français svp".
ASKS_FOR_A_LANGUAGE = re.compile(
    # "je peux parler en français avec quelqu'un?" (writer AD).
    r"\b(?:speaks?|speaking|talk\w*|habl[ae]\w*|parl\w*)\s+(?:in\s+|en\s+)?(?:spanish|espa[ñn]ol|french|fran[çc]ais)\b"
    # "in spanish", not "en español": "Sí, mejor en español. Él vuelve a las seis" says when
    # he comes back, and keeps its own reading.
    r"|\bin\s+(?:spanish|french)\b",
    re.IGNORECASE,
)
ASK_LANGUAGES = "ask_languages"


def asks_for_a_language(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, asking for someone who speaks Spanish or French is the languages
    question, answered with the lines that answer in it (attune/nlg.py). Returns whether it
    changed the intent."""
    intent = parse_data.get("intent") or {}
    if (intent.get("name") not in (None, "nlu_fallback", UNSURE_AFTER_CRISIS, REQUEST_HUMAN)
            and float(intent.get("confidence") or 0.0) >= CRISIS_UNSURE_BELOW):
        # Read as something else with confidence ("can i text kids help phone in french tho?"
        # is can't call, with the lines that take texts): that reading answers it.
        return False
    return _re_read(parse_data, tracker, ASKS_FOR_A_LANGUAGE, ASK_LANGUAGES, keep=frozenset({ASK_LANGUAGES}),
                    limit=500)


def asks_for_number(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, asking for a line's number again ("ok maybe texting. whats the
    number again") is the help button in words: the lines in full, even after "no more
    numbers" (taken back by asking); not "please don't send me the number again". Returns
    whether it changed the intent."""
    text = (parse_data.get("text") or "")[:500]
    if NO_MORE_NUMBERS.search(text):
        return False
    intent = (parse_data.get("intent") or {}).get("name")
    risk = parse_data.get(RISK_KEY) or {}
    if (is_risk_intent(intent) and intent not in (EMERGENCY, CHECK_IN) and risk.get("source") in ("model", "two_turns")
            and not {e.get("entity") for e in parse_data.get("entities") or []} & NEW_RISK_ENTITIES
            and ASKS_FOR_NUMBER.search(text) and crisis_shown(tracker)
            and not getattr(tracker, "active_loop_name", None)):
        # "actually give me the number once more, ill write it somewhere he wont look": the
        # model reads the abuse again; the visitor asks for the lines, which answer it in full.
        set_intent(parse_data, HELP_INTENT)
        return True
    return _re_read(parse_data, tracker, ASKS_FOR_NUMBER, HELP_INTENT, keep=frozenset({HELP_INTENT}), limit=500)


# "could someone from your office talk to me", "can one of your therapists call me": the
# practice's people, not a line (read as "I can't call" when it adds "I don't like phone lines").
_THE_PRACTICE = re.compile(
    r"\b(?:someone|somebody|anyone|one)\s+(?:from|at|of)\s+(?:your|ur|the)\s+(?:office|practice|place|clinic|"
    r"team|therapists|counsell?ors|centre|center)\b"
    r"|\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+)?(?:real\s+|actual\s+)?(?:therapist|counsell?or)\b"
    # "can i talk to a real person without my parents knowing, im 17" (writer AB).
    r"|\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+)(?:real|actual)\s+(?:person|human)\b"
    r"|\bone\s+of\s+your\s+(?:therapists|counsell?ors|people)\b"
    # "i need to actually see someone. like a person", "is there someone I can sea who isn't a
    # hospital", "is there anyone i can talk to about me. not him. me" (writer AK).
    r"|\b(?:need|want|wanna|would\s+like)\s+to\s+(?:actually\s+|really\s+)?see\s+(?:someone|somebody|a\s+person|"
    r"a\s+real\s+person|a\s+therapist|a\s+counsell?or)\b"
    r"|\b(?:someone|somebody|anyone)\s+i\s+(?:can|could)\s+(?:see|sea)\b"
    # "can i talk to someone there. like a guy preferably" (writer AL).
    r"|\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:someone|somebody|a\s+person|a\s+guy|a\s+man|a\s+woman|a\s+lady)\s+"
    r"(?:there|at\s+your\s+(?:place|practice|office|clinic))\b"
    r"|\b(?:anyone|someone|somebody)\s+i\s+(?:can|could)\s+(?:talk|speak)\s+(?:to|with)\s+about\s+me\b"
    # "Does your practice see people for this?"
    r"|\b(?:does|do|can|could|would)\s+(?:your|ur|the)\s+(?:practice|clinic|office|therapists|counsell?ors|team|place)\s+"
    r"(?:see|help|treat|work\s+with)\s+(?:\w+\s+){0,2}?(?:for|with)\s+(?:this|that|it)\b",
    re.IGNORECASE,
)
REQUEST_HUMAN = "request_human"


def wants_the_practice(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, asking for someone from the practice is that request, whatever
    else the message says. Returns whether it changed the intent, or found it already read
    as a request for the practice (then no later reading takes it: "Could someone from your
    office talk to me? I don't like telephone lines with strangers" is not "I can't call")."""
    current = (parse_data.get("intent") or {}).get("name")
    if (current in (REQUEST_HUMAN, "request_callback") and crisis_shown(tracker)
            and _THE_PRACTICE.search((parse_data.get("text") or "")[:500])):
        return True
    return _re_read(parse_data, tracker, _THE_PRACTICE, REQUEST_HUMAN,
                    keep=frozenset({REQUEST_HUMAN, "request_callback", HELP_INTENT, NOT_SAFE_INTENT}),
                    limit=500)


# Someone to talk to for oneself: "I am shaking. I need talk to someone too" (a helper, after
# the police reached her friend), "i just need someone to talk to right now".
SOMEONE_TO_TALK_TO = re.compile(
    r"\b(?:i|me)\s+(?:really\s+|just\s+)?(?:need|want|wanna|would\s+like)\s+(?:to\s+)?(?:talk|speak|chat)\s+"
    r"(?:to|with)\s+(?:someone|somebody|a\s+person|a\s+real\s+person|anyone)\b"
    r"|\b(?:i|me)\s+(?:really\s+|just\s+)?need\s+(?:someone|somebody)\s+to\s+talk\s+to\b",
    re.IGNORECASE,
)


def wants_someone_to_talk_to(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, needing someone to talk to, for oneself, is asking for the lines
    (in full: calls, texts and chats), helper or not. Returns whether it changed the intent."""
    return _re_read(parse_data, tracker, SOMEONE_TO_TALK_TO, HELP_INTENT,
                    keep=frozenset({HELP_INTENT, REQUEST_HUMAN, "request_callback", "cant_call", NOT_SAFE_INTENT}),
                    limit=500)


# Calling a crisis line, named: "Could I call Kids Help Phone on her behalf?" (read as a
# call-back request: the form started asking for her name).
_CALL_A_LINE = re.compile(
    r"\b(?:call|ring|text|phone|contact|reach|try)\s+(?:the\s+|that\s+|a\s+)?(?:kids\s+help\s*phone|khp|9-?8-?8|"
    r"crisis\s+(?:line|text\s+line|number)|suicide\s+(?:line|hotline)|hotline|help\s*line|lifeline|samaritans|"
    r"talk4healing|hope\s+for\s+wellness|assaulted\s+women'?s\s+helpline|poison\s+(?:centre|center|control))\b",
    re.IGNORECASE,
)
# Coming round to calling one: "Well. I suppose I could telephone that line." (writer AH, read
# as "no more numbers", answered "I won't keep sending numbers").
_MIGHT_CALL_A_LINE = re.compile(
    r"\b(?:suppose|guess|think|maybe)\s+i\s+(?:could|can|will|might|should|'ll)\s+(?:call|ring|phone|telephone|text|try)\s+"
    r"(?:that|the|them|one\s+of\s+(?:them|those))(?:\s+(?:line|number|one|people|helpline|hotline))?\b"
    # Later, not now: "ok. maybe tomorrow i call. mummy is coming" (writer AI, read as a
    # call-back request), "i'll ring them in the morning".
    r"|\b(?:maybe|perhaps|probably|prob|i\s+guess)\s+(?:tomorrow|later|tonight|in\s+the\s+morning)\s+i\s+"
    r"(?:will\s+|'ll\s+|can\s+|might\s+)?(?:call|ring|phone|text)\b(?!\s+(?:you|u|your|ur)\b)"
    r"|\bi\s*(?:will|'ll|might|may)\s+(?:call|ring|phone|text)\s+(?:them|it|that|one\s+)?\s*"
    r"(?:tomorrow|later|tonight|in\s+the\s+morning)\b"
    # "Thank you. I will try the message." (writer AI: the text line, read as a call-back request)
    r"|\bi\s*(?:will|'ll|can|could|might|am\s+going\s+to|'m\s+going\s+to|m\s+gonna|'m\s+gonna|gonna)\s+try\s+"
    r"(?:the\s+|to\s+)?(?:message|messages|messaging|text|texting|chat|chatting|line|number)\b",
    re.IGNORECASE,
)


def calls_a_line(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, asking about calling a crisis line by name, for oneself or for
    someone else, is asking for the lines, not for the practice's call-back. Returns whether
    it changed the intent."""
    keep = frozenset({HELP_INTENT, "ask_about_the_lines", "lines_did_not_help", STOP_HOTLINES, "cant_call",
                      SHARE_LOCATION, NOT_SAFE_INTENT, REFUSE_HOSPITAL, "help_on_the_way", "ask_next_step"})
    if not NO_MORE_NUMBERS.search((parse_data.get("text") or "")[:500]) and _re_read(
            parse_data, tracker, _MIGHT_CALL_A_LINE, HELP_INTENT, keep=keep - {STOP_HOTLINES}, limit=500):
        return True
    return _re_read(parse_data, tracker, _CALL_A_LINE, HELP_INTENT, keep=keep, limit=500)


def says_cant_call(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, "I am not a man who telephones strangers" (read as "no more
    numbers") or "my voice goes when i cry, dont wanna ring anyone" (read as a feeling) is
    answered as what it is: the lines that take texts and chats. Not inside a form, and never
    over a risk reading. Returns whether it changed the intent."""
    if NO_MORE_NUMBERS.search((parse_data.get("text") or "")[:2000]):
        return False  # "I don't want any more telephone numbers today": that, not "I can't call"
    return _re_read(parse_data, tracker, WILL_NOT_CALL, CANT_CALL_INTENT, keep=_FITS_NOT_CALLING)


# "nvm forget it", "never mind", "cancel that": in the call-back form, the whole message says
# stop (a name or a contact is never only these words).
_CANCEL_THE_FORM = re.compile(
    r"^\W*(?:(?:ok|okay|actually|no|nah|um+|hmm+)\W+)?"
    r"(?:nvm|never\s*mind|nevermind|forget\s+(?:it|about\s+it|that|this)|cancel(?:\s+(?:it|that|this|please))?|"
    r"stop(?:\s+(?:it|that|this))?|i\s+changed\s+my\s+mind|don'?t\s+bother)"
    r"(?:\W+(?:nvm|never\s*mind|forget\s+it|cancel|sorry|thanks|thx|please|pls))*\W*$",
    re.IGNORECASE,
)
CANCEL_REQUEST = "cancel_request"


def cancels_the_form(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """In the call-back form, "nvm forget it" is a cancel, not a name to store ("What should
    the therapist call you?" "nvm forget it"). Returns whether it changed the intent."""
    intent = (parse_data.get("intent") or {}).get("name")
    text = (parse_data.get("text") or "")[:100]
    if getattr(tracker, "active_loop_name", None) != "callback_form" or is_risk_intent(intent):
        return False
    if intent == CANCEL_REQUEST or not _CANCEL_THE_FORM.match(text):
        return False
    set_intent(parse_data, CANCEL_REQUEST)
    return True


_OWN_ABUSE_INTENTS = frozenset({"risk_abuse", "risk_child_abuse"})
_OWN_RISK_BESIDE_ABUSE = frozenset({"risk_suicide", "risk_self_harm"})
# "i got two kids. where would i even go with no car", "where am i supposed to go"
WHERE_TO_GO = re.compile(
    r"\bwhere\s+(?:would|could|do|can|will|should|am)\s+(?:i|we)\s+(?:even\s+|supposed\s+to\s+|meant\s+to\s+)?"
    r"(?:go|stay|live|sleep)\b|\b(?:nowhere|no\s*where|no\s+place)\s+(?:to|i\s+can|we\s+can)\s+go\b"
    r"|\b(?:i\s+)?(?:don'?t|dont|do\s+not)\s+have\s+(?:any\s*where|any\s+place|a\s+place)\s+to\s+(?:go|stay)\b"
    # "hay un lugar para mi y mi hija esta noche?", "où je peux aller avec les enfants?"
    r"|\bhay\s+(?:un\s+)?(?:lugar|sitio|refugio|albergue)\b|\b(?:a\s+)?d[óo]nde\s+(?:puedo|podemos|voy|vamos)\s+"
    r"(?:a\s+)?(?:ir|quedarme|quedarnos|dormir)\b|\bno\s+tengo\s+(?:a\s+)?d[óo]nde\s+ir\b"
    r"|\bo[ùu]\s+(?:je\s+peux|on\s+peut|est-ce\s+que\s+je\s+peux|aller)\b|\bun\s+(?:refuge|h[ée]bergement)\b"
    r"|\bmaison\s+d'h[ée]bergement\b",
    re.IGNORECASE,
)


def asks_where_to_go(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After the visitor's own abuse, "where would i even go" is the next step: a safe place
    they could go (a friend's, a shelter), what to keep at hand, and the abuse line that helps
    plan it. Returns whether it changed the intent."""
    if not own_abuse_told(tracker):
        return False
    # Also over the model's own reading ("i dont have anywhere to go. all my family is back in
    # newfoundland", read as danger now once he had left): the place to go is the answer.
    return _re_read(parse_data, tracker, WHERE_TO_GO, "ask_next_step", over_model=True,
                    keep=frozenset({"ask_next_step", NOT_SAFE_INTENT, HELP_INTENT, "cant_call"}), limit=500)


_SOMEONE_ELSE_DRINKING = re.compile(
    r"\b(?:he|she|they|my\s+\w+)\s*(?:'s|\s+has|\s+is|\s+was|\s+have|'ve)\s+(?:been\s+)?"
    r"(?:drinking|drunk|had\s+(?:a\s+few|some|too\s+many))\b", re.IGNORECASE)
_DRINKING_FRAMES = frozenset({"risk_suicide", "risk_self_harm", "risk_harm_others"})


def says_drinking(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply about one's own suicide, self-harm or wish to hurt someone,
    drinking ("ive had a few drinks", read as "I'm calmer") lowers what holds a person back:
    the next step for that risk (space, means out of reach), with a word on the drinking.
    Returns whether it changed the intent."""
    text = (parse_data.get("text") or "")[:300]
    if last_crisis(tracker) not in _DRINKING_FRAMES or _SOMEONE_ELSE_DRINKING.search(text):
        return False
    return _re_read(parse_data, tracker, DRINKING, "ask_next_step", over_model=True,
                    keep=frozenset({"ask_next_step", NOT_SAFE_INTENT, HELP_INTENT, "feeling_worse",
                                    "stop_hotlines", "cant_call", "refuse_hospital"}), limit=300)


# The person hurting them on their way: "he knows where she lives and hes coming", "shes on
# her way back", "hes outside".
ABUSER_COMING = re.compile(
    r"\b(?:he|she|they)\s*(?:'?s|\s+is|\s+are|'re)?\s*(?:just\s+|now\s+|already\s+)?"
    r"(?:coming(?=\s*$|\s*[.,!;]|\s+(?:back|home|here|over|up|now|round|around|for\s+(?:me|us|her|him|them)|"
    r"to\s+(?:get|find|the\s+house|her\s+place|my\s+place))\b)|on\s+(?:his|her|their)\s+way(?:\s+(?:back|here|over))?|"
    r"outside(?:\s+(?:the|my|our|her)\s+(?:door|house|window|flat|apartment))?|at\s+the\s+door|pulling\s+(?:in|up))\b"
    # Word that he is on his way: "he just texted 'coming home early, we need to talk about your
    # laptop'" (writer AK), "she messaged me saying she's on her way".
    r"|\b(?:he|she|they)\s+(?:just\s+)?(?:texted|text|txted|messaged|msged|called|rang|said|wrote|dm'?d)\s+(?:me\s+)?"
    r"(?:that\s+|saying\s+)?[:\"'\u2018\u201c]*\s*(?:i'?m\s+|im\s+|he'?s\s+|she'?s\s+|they'?re\s+)?"
    r"(?:coming\s+(?:home|back|over|round|here)|on\s+(?:my|his|her|their)\s+way|omw|"
    r"(?:will\s+)?be\s+(?:home|back|there)\s+(?:soon|early|in\s+\w+))\b"
    # Asleep now, danger when he wakes: "he is sleeping now. he will wake up angry" (writer AH).
    r"|\b(?:he|she|they)\s*(?:'?ll|will|is\s+going\s+to|'?s\s+going\s+to|always)\s+wakes?\s+up\s+(?:angry|mad|drunk|raging|furious)\b"
    # French and Spanish: "il crie en bas en ce moment", "il s'en vient", "ya viene", "está afuera".
    r"|\b(?:il|elle)\s+(?:crie|hurle|cogne|frappe\s+(?:a|à)\s+la\s+porte|s'en\s+vient|"
    r"est\s+(?:en\s+bas|ici|devant\s+la\s+porte|dehors|(?:a|à)\s+la\s+porte))\b"
    r"|\b(?:est[aá]\s+(?:gritando|golpeando\s+la\s+puerta|afuera|en\s+la\s+puerta)|ya\s+viene|viene\s+para\s+ac[aá]|"
    r"ya\s+lleg[oó])\b",
    re.IGNORECASE,
)


def says_abuser_coming(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After the visitor's own abuse, the person hurting them on their way ("he knows where
    she lives and hes coming", read by the model as the same abuse again and answered with
    "No numbers, as you asked") is danger now: the emergency number itself, a room with a way
    out, even after "no more numbers". Also over the model's own reading. Returns whether it
    changed the intent."""
    if not own_abuse_told(tracker):
        return False
    return _re_read(parse_data, tracker, ABUSER_COMING, NOT_SAFE_INTENT, over_model=True,
                    keep=frozenset({NOT_SAFE_INTENT, HELP_INTENT}), limit=500)


# Things easing, in so many words, after a crisis reply: "hes asleep on the couch now", "its not
# deep. it stopped bleeding", "aunty is staying the night", "I think I'm ok for tonight".
_ASLEEP = r"(?:asleep|sleeping|fell\s+asleep|gone\s+to\s+(?:bed|sleep)|went\s+to\s+(?:bed|sleep))"
CALMER = re.compile(
    r"\b(?:he|she|they)\s*(?:'?s|\s+is|\s+are|'re)?\s*(?:now\s+|finally\s+|just\s+)?(?P<asleep>" + _ASLEEP + r")\b"
    r"|\b(?:it'?s|its|it\s+is|the\s+cuts?\s+(?:is|are)|they'?re)\s+not\s+(?:that\s+|too\s+|very\s+)?deep\b"
    r"|\b(?:it\s+|its\s+|it'?s\s+|it\s+has\s+)?stopped\s+bleeding\b|\bbleeding\s+(?:has\s+)?stopped\b"
    r"|\b(?:is|are|'s|'re)\s+(?:staying\s+(?:the\s+night|over|with)|sleeping\s+over|here\s+with\s+(?:me|him|her|them)|"
    r"coming\s+(?:over\s+)?to\s+(?:sit|stay)\s+with|sitting\s+with\s+(?:him|her|them|me))\b"
    r"|\bi\s*(?:'?m|\s+am)\s+(?:ok|okay|alright|all\s+right|safe)\s+(?:for\s+)?(?:now|tonight)\b"
    r"|\bi\s+think\s+i\s*(?:'?m|\s+am)\s+(?:ok|okay|alright|all\s+right|safe)\b"
    r"|\bi\s+feel\s+(?:ok|okay|fine|alright|all\s+right|better)(?:\s+(?:right\s+)?now)?\b"
    r"|\b(?:maybe\s+)?i\s+(?:over\s*-?\s*reacted|panicked\s+for\s+nothing)\b"
    r"|\b(?:has|have|'s|'ve)?\s*calmed\s+down\b",
    re.IGNORECASE,
)
# What turns an easing into its opposite: "she's asleep and I can't wake her", "still bleeding",
# "but I still want to".
_NOT_CALMER = re.compile(
    r"\b(?:can'?t|cannot|cant|won'?t|wont|not|isn'?t|isnt|doesn'?t|doesnt)\s+(?:wake|waking|breath|respond|move)"
    r"|\bwakes?\s+up\s+(?:angry|mad|drunk|raging|furious)\b|\bwhen\s+(?:he|she)\s+wakes\b"
    # "i already did a bit. it's not that deep" (writer AK): hurt already, not easing.
    r"|\b(?:already|just)\s+(?:did|done|cut|hurt|burn(?:ed|t)|scratched)\b"
    r"|\?|\b(?:could|can|would|will)\s+(?:i|you|we)\b|\bhow\s+(?:do|can|should)\s+i\b|\bbreath\w*|\b(?:drank|drunk|drinking|pills?|took|taken|swallowed|overdos\w*|od'?d)\b|\bunconscious\b|\bpassed\s+out\b|\bstill\s+bleeding\b|\bbut\b|\bthough\b|\bstill\s+(?:want|think)",
    re.IGNORECASE,
)
# The step taken after the fear of hurting someone (a child in one's care, most often): "ok shes
# in her crib. im in the kitchen" (writer AF), "put him down and went outside". Read only in a
# conversation about harming someone: elsewhere "im outside on the balcony" is no easing.
STEPPED_AWAY = re.compile(
    r"\b(?:she'?s|shes|he'?s|hes|she\s+is|he\s+is|they'?re|(?:the\s+)?baby'?s|(?:the\s+)?baby\s+is)\s+"
    r"(?:now\s+|safe\s+|down\s+)?(?:in|down\s+in)\s+(?:her|his|the|their)\s+(?:crib|cot|bassinet|playpen|bed)\b"
    r"|\b(?:put|laid|lay|placed|set)\s+(?:her|him|them|the\s+baby|my\s+baby)\s+down\b"
    r"|\bi\s*(?:'?m|\s+am)\s+(?:now\s+)?in\s+(?:the\s+)?(?:kitchen|other\s+room|next\s+room|hall(?:way)?|bathroom|"
    r"living\s+room|garden|yard|backyard)\b"
    r"|\b(?:stepped|went|walked)\s+(?:out(?:side)?|away|into\s+(?:the\s+)?(?:other|next)\s+room)\b",
    re.IGNORECASE,
)
# Not a step away: "im in the kitchen with the knife", "in the other room with her".
_STILL_WITH_THEM = re.compile(r"\b(?:knife|knives|gun|rifle|pills|hammer|bat|with\s+(?:him|her|them|the\s+baby|"
                              r"my\s+baby|the\s+kids?|my\s+(?:son|daughter|kids?)))\b", re.IGNORECASE)
FEELING_CALMER = "feeling_calmer"
# What easing in so many words is read over, besides the model's own risk readings: a reading
# the classifier is unsure of ("i feel ok right now maybe i overreacted" after something
# swallowed, where easing has its own answer: harm can come hours later).
_CALMER_OVER = frozenset({"nlu_fallback", UNSURE_AFTER_CRISIS, FEELING_CALMER})
CALMER_MAX_WORDS = 40


def says_things_calmer(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, things easing in so many words ("hes asleep on the couch now", "its
    not deep. it stopped bleeding") are answered as easing, not as danger now: the model reads
    danger in the follow-ups of a crisis conversation (its people and its night are still in
    them), and an emergency reply, with every number after "no more numbers", tells a visitor
    whose night is calming that they were not heard. Only over a reading that is the model's
    alone and names nothing new (nothing swallowed, no means, no place); the word lists' own
    reading stands. After something swallowed or an emergency, "asleep" is not easing: not
    waking is the danger sign. Returns whether it changed the intent."""
    text = (parse_data.get("text") or "")[:500]
    current = (parse_data.get("intent") or {}).get("name")
    confidence = float((parse_data.get("intent") or {}).get("confidence") or 0.0)
    if is_risk_intent(current):
        if not model_only_nothing_new(parse_data):
            return False
    elif not (current in _CALMER_OVER or confidence < CRISIS_UNSURE_BELOW):
        # Not over a confident reading of something else ("im safe now, can i book?").
        return False
    if getattr(tracker, "active_loop_name", None) or len(text.split()) > CALMER_MAX_WORDS:
        return False
    frame = helping_frame(tracker)
    found = CALMER.search(text) or (STEPPED_AWAY.search(text) if frame == "risk_harm_others"
                                    and not _STILL_WITH_THEM.search(text) else None)
    if not found or _NOT_CALMER.search(text) or not crisis_shown(tracker):
        return False
    if found.re is CALMER and found.group("asleep") and (frame in (EMERGENCY, None) or _swallowed_said(tracker)):
        return False
    if own_abuse_told(tracker) and ABUSER_GONE.search(text):
        return False  # "hes asleep" after her own abuse: a window for the next step (says_abuser_gone)
    set_intent(parse_data, FEELING_CALMER)
    parse_data[RISK_KEY] = {**(parse_data.get(RISK_KEY) or {}), "within_crisis": {"read": current,
                                                                                  "answered": FEELING_CALMER}}
    return True


def _swallowed_said(tracker: Any) -> bool:
    """Whether any message of this conversation said something was swallowed."""
    from rasa.shared.core.events import UserUttered

    return any(isinstance(event, UserUttered) and any(e.get("entity") == "swallowed" for e in event.entities or [])
               for event in getattr(tracker, "events", []) or [])


def says_abuser_gone(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After the visitor's own abuse, "he left to the store, i have maybe 20 min" is a window
    to act: the next step (the abuse line now, a safe place, what to take), not "glad you're
    safe". Returns whether it changed the intent."""
    if not own_abuse_told(tracker):
        return False
    return _re_read(parse_data, tracker, ABUSER_GONE, "ask_next_step", over_model=True,
                    keep=frozenset({"ask_next_step", NOT_SAFE_INTENT, HELP_INTENT, "cant_call", "refuse_police",
                                    "ask_delete_data", "request_callback", "request_human"}), limit=300)


# The person at risk is with the helper now: "He came out. He is crying.", "hes talking to me
# through the door", "she let me in".
WITH_THEM_NOW = re.compile(
    r"\b(?:he|she|they)\s*(?:'?s|\s+is|\s+are|'re)?\s*(?:just\s+|finally\s+|now\s+)?(?:came\s+out|come\s+out|"
    r"opened\s+the\s+door|unlocked\s+the\s+door|answered\s+the\s+door|let\s+me\s+in|letting\s+me\s+in|"
    r"talking\s+to\s+me|talking\s+with\s+me|sitting\s+with\s+me|here\s+with\s+me|with\s+me\s+now)\b",
    re.IGNORECASE,
)


def says_with_them_now(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """In a helper's conversation about someone else's suicide risk, the person being with
    them now ("He came out. He is crying.", read as "I'm not safe") is the moment for the
    helper's next step (ask straight out, stay, move means away), not "keep trying to reach
    them". Returns whether it changed the intent."""
    if last_crisis(tracker) != THIRD_PARTY:
        return False
    return _re_read(parse_data, tracker, WITH_THEM_NOW, "ask_next_step",
                    keep=frozenset({"ask_next_step", HELP_INTENT, "help_on_the_way", "request_human",
                                    "request_callback"}), limit=300)


# Somewhere safe, got there: "im at my neighbours", "made it to my sister's", "we're at the
# shelter now". Short, and nothing else said.
REACHED_SAFETY = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|so|yeah|ya)\W+)?(?:i'?m|im|i\s+am|we'?re|were|we\s+are|i\s+made\s+it|we\s+made\s+it|made\s+it|"
    r"i\s+got\s+out|got\s+out|i\s+went|we\s+went|i\s+ran)\s+(?:now\s+|safe\s+|out\s+)?(?:at|to|in|into)?\s*"
    r"(?:my|a|the|our)\s+(?:neighbou?r'?s?|next\s+door\s+neighbou?r'?s?|friend'?s?|best\s+friend'?s?|mum'?s|mom'?s|mother'?s|"
    r"sister'?s|brother'?s|parents'?|aunt'?s|auntie'?s|cousin'?s|nan'?s|gran'?s|grandma'?s|shelter|police\s+station|"
    r"hospital|car)(?:\s+(?:place|house|flat|apartment))?(?:\s+now)?\W*$",
    re.IGNORECASE,
)
CONFIRM_SAFE = "confirm_safe"


def says_reached_safety(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After the visitor's own abuse, "im at my neighbours" is reaching safety: glad, and the
    abuse line for what comes next, not the emergency reply again (the model reads violence in
    it after such a conversation). Returns whether it changed the intent."""
    text = (parse_data.get("text") or "")[:200]
    if not REACHED_SAFETY.match(text) or getattr(tracker, "active_loop_name", None) or not own_abuse_told(tracker):
        return False
    intent = (parse_data.get("intent") or {}).get("name")
    risk = parse_data.get(RISK_KEY) or {}
    if is_risk_intent(intent) and (risk.get("source") not in ("model", "two_turns") or
                                   {e.get("entity") for e in parse_data.get("entities") or []} & NEW_RISK_ENTITIES):
        return False
    set_intent(parse_data, CONFIRM_SAFE)
    return True


def own_abuse_told(tracker: Any) -> bool:
    """Whether the visitor told of their own abuse in this conversation (an abuse reading, or
    danger now with abuse in it, and no one else's abuse)."""
    from rasa.shared.core.events import UserUttered

    for event in getattr(tracker, "events", []) or []:
        if not isinstance(event, UserUttered):
            continue
        entities = {e.get("entity") for e in event.entities or []}
        if "abuse_of_other" in entities:
            continue
        if event.intent_name in _OWN_ABUSE_INTENTS:
            return True
        risk = (getattr(event, "parse_data", None) or {}).get(RISK_KEY) or {}
        abuse_score = (risk.get("model") or {}).get("scores", {}).get("abuse", 0.0)
        if event.intent_name == EMERGENCY and (risk.get("category") == "abuse" or "abuse_seen" in entities
                                                or abuse_score >= 0.5):
            return True
        # Abuse told beside one's own suicide risk: "Tonight he push me on the wall. Sometimes I
        # think it is easier to die." (writer AI): the abuse is hers too.
        if event.intent_name in _OWN_RISK_BESIDE_ABUSE and "abuse_seen" in entities:
            return True
    return False


def own_abuse_stays_own(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After the visitor told of their own abuse, abuse read later as someone else's is still
    theirs ("he said if i leave hell out me to my family and hurt himself": his threat to
    hurt himself is a hold over the visitor, who is not a witness). The entity
    `abuse_of_other` becomes `abuse_seen`, so the replies keep the visitor's abuse line."""
    from rasa.shared.core.events import UserUttered

    entities = parse_data.get("entities") or []
    if not any(e.get("entity") == "abuse_of_other" for e in entities):
        return False
    if not any(isinstance(event, UserUttered) and event.intent_name in _OWN_ABUSE_INTENTS
               for event in getattr(tracker, "events", []) or []):
        return False
    parse_data["entities"] = [{**e, "entity": "abuse_seen"} if e.get("entity") == "abuse_of_other" else e
                              for e in entities]
    return True


_HELPED_SELF_KINDS = frozenset({"suicide", "self_harm"})


def helpers_suicide_stays_suicide(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """In a helper's conversation about someone's suicide or self-harm ("someone in my discord
    posted a pile of pills and said 'goodnight forever'"), a follow-up the model alone reads as
    someone else's abuse ("a mod says they reported it and someone knows her brother") is not a
    new disclosure of abuse: the entity `abuse_of_other` is dropped, so the replies keep the
    crisis line for helpers instead of the domestic-violence line. Abuse in so many words (the
    word lists) still counts. Returns whether it dropped it."""
    from rasa.shared.core.events import UserUttered

    entities = parse_data.get("entities") or []
    if not any(e.get("entity") == "abuse_of_other" for e in entities):
        return False
    risk = parse_data.get(RISK_KEY) or {}
    if risk.get("source") not in ("model", "two_turns") or str(risk.get("category") or "").startswith("abuse"):
        return False
    helped = None
    for event in getattr(tracker, "events", []) or []:
        if isinstance(event, UserUttered) and event.intent_name == THIRD_PARTY:
            helped = (getattr(event, "parse_data", None) or {}).get(RISK_KEY) or {}
            break
    if helped is None:
        return False
    scores = (helped.get("model") or {}).get("scores", {}) or {}
    if not (helped.get("category") in _HELPED_SELF_KINDS
            or max(scores.get("suicide", 0.0), scores.get("self_harm", 0.0)) >= 0.5):
        return False
    parse_data["entities"] = [e for e in entities if e.get("entity") != "abuse_of_other"]
    return True


# "I don't know if I want to restart" (her medication), "should i restart my meds": not the
# chat. Read as a restart only when the chat is what would start again.
_RESTART_SOMETHING_ELSE = re.compile(
    r"\b(?:restart(?:ing|ed)?|start(?:ing)?\s+(?:over|again))\s+(?:my|taking|them\b|it\b(?!\s+all)|her|his|their|"
    r"the\s+(?:meds|medication|pills|tablets|treatment|course|job|program|programme|relationship)|meds|medication|pills|"
    r"tablets|treatment|therapy|life|school|uni|college|work|job|relationship|dating|drinking|using|cutting|with\s+\w+)"
    r"|\b(?:don'?t|dont|do\s+not|didn'?t)\s+know\s+(?:if|whether)\b|\bwhether\b|\b(?:if|when)\s+i\b|\bshould\s+i\b",
    re.IGNORECASE,
)


# A word for starting over: a restart is asked for in so many words.
_ASKS_TO_RESTART = re.compile(
    r"\b(?:start|restart|reset|over|fresh|new|beginning|begin|scratch|top|clear|redo|re-?do|anew|again\s+from|"
    r"recommencer|empezar|reiniciar|de\s+nuevo)\b", re.IGNORECASE)


def restart_only_for_the_chat(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """A restart wipes the conversation (after a crisis reply, the help with it): a message
    read as one that speaks of restarting something else is not one. It becomes
    the classifier's next reading, or "not understood". Returns whether it changed the intent."""
    intent = (parse_data.get("intent") or {}).get("name")
    text = (parse_data.get("text") or "")[:500]
    if intent != "restart" or text.startswith("/"):
        return False
    if not _RESTART_SOMETHING_ELSE.search(text) and _ASKS_TO_RESTART.search(text):
        return False
    # Also a message without a word for starting over ("again", read as a restart at 0.9,
    # wiped a conversation about jealousy).
    ranking = [e for e in parse_data.get("intent_ranking") or []
               if e.get("name") not in ("restart", "nlu_fallback") and not is_risk_intent(e.get("name"))]
    second = ranking[0] if ranking and float(ranking[0].get("confidence") or 0.0) >= FOLLOW_UP_MIN else None
    set_intent(parse_data, str(second["name"]) if second else "nlu_fallback")
    return True


_NEAR_FRAMES = frozenset({"risk_suicide", "risk_self_harm", EMERGENCY, "risk_abuse", "risk_child_abuse"})
# The answers a "someone near" or "alone tonight" reading never replaces: each already carries
# this turn's help.
_NEXT_STEP_KEEP = frozenset({"ask_next_step", NOT_SAFE_INTENT, HELP_INTENT, "cant_call", REFUSE_HOSPITAL,
                             "help_on_the_way", REQUEST_HUMAN, "request_callback", STOP_HOTLINES})
# Alone tonight, or shut in, said after one's own crisis reply: "I'm alone, my husband works nights",
# "Partner's gone to his brother's. I'm on the couch by myself", "my parents are at my
# brothers hockey game in barrie".
ALONE = re.compile(
    r"\b(?:i'?m|im|i\s+am)\s+(?:all\s+)?(?:home\s+)?(?:alone|by\s+myself|on\s+my\s+own)\b"
    r"|\b(?:here|home|sitting|lying|on\s+the\s+\w+)\s+by\s+myself\b"
    r"|\b(?:no\s*one|nobody|noone)(?:'s|\s+is)?\s+(?:else\s+)?(?:here|home|around|with\s+me)\b"
    r"|\bmy\s+(?:parents|mom|mum|dad|husband|wife|partner|roommates?|flatmates?|family|folks)\s+(?:is|are|'s|s)\s+"
    r"(?:away|out|gone|not\s+home|working|at\s+(?:work|my|his|her|their|the)\b)"
    r"|\b(?:husband|wife|partner)\s+works\s+(?:nights|late|night\s+shifts?)\b"
    r"|\b(?:partner|husband|wife|roommate|flatmate)(?:'s|\s+has|\s+is)\s+gone\s+(?:to|out|for)\b"
    # Shut in on one's own: "im in my room. door is locked" (writer AD), "locked myself in
    # the bathroom". The next step is the door open and someone near.
    r"|\b(?:the\s+|my\s+)?door(?:'s|\s+is|s)?\s+locked\b|\blocked\s+(?:myself\s+)?in\s+(?:my|the)\s+(?:room|bedroom|bathroom)\b",
    re.IGNORECASE,
)


def says_alone(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After the visitor's own crisis reply, being alone tonight ("I'm alone, my husband works
    nights", read as "I'm safe") is the moment for this kind's next step (be near someone, stay
    where someone can see or hear you, a safe place to go), not "I'm glad you're safe". Also
    over a reading the model alone made that names nothing new, and over the classifier's "here
    is where I am" ("my parents are at my brothers hockey game in barrie": the region, if any,
    is still read). Not a helper's conversation.
    Returns whether it changed the intent."""
    if helping_frame(tracker) not in _NEAR_FRAMES:
        return False
    return _re_read(parse_data, tracker, ALONE, "ask_next_step", over_model=True, limit=300,
                    keep=_NEXT_STEP_KEEP)



# Asking to be called back by the practice, in so many words.
_ASKS_TO_BE_CALLED = re.compile(r"\b(?:call|ring|phone|contact)\s+me\b|\bcall\s*-?\s*back\b|\bcallback\b|"
                                r"\b(?:therapist|counsell?or|practice|office|clinic)\b", re.IGNORECASE)


def says_someone_near(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After the visitor's own crisis reply, naming someone they trust close by ("my roommate
    is home", "my RA is down the hall", "my aunt lives like 10 min away") is the next step:
    go to them, or ask them to come (attune/nlg.py words it, `utter_someone_near`). Also over
    a reading the model alone made that names nothing new ("my roommate is home" read as a
    helper's message). Not a helper's conversation, not after thoughts of harming someone
    (the person near may be the one at risk), and after one's own abuse not a partner or a
    parent. Returns whether it changed the intent."""
    frame = helping_frame(tracker)
    if frame not in _NEAR_FRAMES or not someone_near(parse_data.get("text") or "", own_abuse_told(tracker)):
        return False
    if WILL_NOT_CALL.search((parse_data.get("text") or "")[:300]):
        # "i cant call. my husband is right here on the couch. he doesnt know any of this"
        # (writer AH): the person near is why they cannot call, not the next step.
        return False
    keep = _NEXT_STEP_KEEP | {SHARE_LOCATION}
    if not _ASKS_TO_BE_CALLED.search((parse_data.get("text") or "")[:200]):
        # "my friend lives near. i could call her" (writer AB) was read as a call-back request:
        # the form started. Calling a friend is the next step, not the practice's call-back.
        keep = keep - {"request_callback"}
    return _re_read(parse_data, tracker, SOMEONE_NEAR, "ask_next_step", over_model=True, limit=200, keep=keep)


# A helper saying the same is true of them: "honestly ive felt like that too sometimes", "i
# think about it too", "i do it too" (after a friend's cutting). Not after a "never" or "not".
FEELS_IT_TOO = re.compile(
    r"^(?!.*\b(?:never|not|n'?t|dont|didnt|havent|wouldnt)\b).{0,80}?\b(?:i'?ve|ive|i\s+have|i)\s+(?:\w+\s+)?(?:"
    r"(?:felt|feel|been\s+feeling)\s+(?:like\s+(?:that|this|her|him|them)|the\s+same(?:\s+way)?|that\s+way|"
    r"this\s+way|it)\s+(?:too|as\s+well|myself)"
    r"|(?:thought|think|been\s+thinking)\s+about\s+(?:it|that|doing\s+(?:it|that)|dying|ending\s+it)\s+"
    r"(?:too|as\s+well|myself)"
    r"|had\s+(?:those|these|the\s+same|them|that)\s+(?:thoughts|feelings)"
    r"|(?:do|did|done)\s+(?:it|that)\s+(?:too|myself|as\s+well))\b",
    re.IGNORECASE,
)
_HELPED_KINDS = {"suicide": "risk_suicide", "self_harm": "risk_self_harm"}


def helper_feels_it_too(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """In a helper's conversation about someone's suicidal thoughts or self-harm, the helper
    saying the same is true of them ("honestly ive felt like that too sometimes", after a
    friend posted "sorry for everything") is their own risk now: the crisis reply of that kind,
    with their own lines (a young helper's, the line for young people). Over any reading but
    a word-list statement or danger now. Returns whether it changed the intent."""
    from rasa.shared.core.events import UserUttered

    text = (parse_data.get("text") or "")[:300]
    current = (parse_data.get("intent") or {}).get("name")
    risk = parse_data.get(RISK_KEY) or {}
    if current == EMERGENCY or (is_risk_intent(current) and current != THIRD_PARTY
                                and risk.get("source") not in ("model", "two_turns")):
        return False
    if text.startswith("/") or getattr(tracker, "active_loop_name", None) or not FEELS_IT_TOO.search(text):
        return False
    if helping_frame(tracker) != THIRD_PARTY:
        return False
    helped = None
    for event in reversed([e for e in getattr(tracker, "events", []) or [] if isinstance(e, UserUttered)]):
        if event.intent_name in (THIRD_PARTY, EMERGENCY):
            helped = ((getattr(event, "parse_data", None) or {}).get(RISK_KEY) or {}).get("category")
            break
    chosen = _HELPED_KINDS.get(str(helped))
    if chosen is None:
        return False
    set_intent(parse_data, chosen)
    return True


_EXERCISE_WORDS = re.compile(r"\b(?:reflect\w*|exercise|questions?|quiz|patterns?|start|begin|continue|carry\s+on|"
                             r"go\s+on|left\s+off|where\s+we\s+were|pick\s+up)\b", re.IGNORECASE)


# Still at the height after stepping back: "ok i stepped back. sitting in my car now, still up
# here" (writer AL, the top level of a parking garage): the next step, not "glad it eased".
STILL_UP_THERE = re.compile(
    r"\bstill\s+(?:up\s+here|up\s+there|on\s+(?:the\s+)?(?:roof|rooftop|top(?:\s+level|\s+floor)?|bridge|ledge|"
    r"balcony|platform|overpass|edge)|at\s+the\s+top|by\s+the\s+(?:edge|tracks|water|railing))\b",
    re.IGNORECASE)


def still_up_there(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, "stepped back" said from the same high place is not easing: the
    next step (a safer place, people around). Returns whether it changed the intent."""
    if last_crisis(tracker) not in _SELF_KINDS | {EMERGENCY}:
        return False
    return _re_read(parse_data, tracker, STILL_UP_THERE, "ask_next_step", over_model=True, limit=300,
                    keep=frozenset({"ask_next_step", NOT_SAFE_INTENT, HELP_INTENT}))


# Not a yes to "Are you safe right now?": "just thinking", "idk", "standing here" (writer AK,
# on a bridge, read as "yes").
_NOT_A_YES = re.compile(
    r"^\W*(?:i'?m\s+|im\s+|i\s+am\s+)?(?:just\s+|still\s+)?(?:thinking|thinkin|sitting|standing|looking|staring|here|"
    r"idk|dunno|i\s+(?:don'?t|dont)\s+know|not\s+sure|maybe|i\s+guess|kinda|sort\s+of)"
    r"(?:\s+(?:about\s+it|here|there|still))?\W*$", re.IGNORECASE)


def not_a_yes_within_crisis(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, "just thinking" or "idk" read as "yes" (safe) is not one: the
    crisis-aware question instead. Returns whether it changed the intent."""
    intent = (parse_data.get("intent") or {}).get("name")
    text = (parse_data.get("text") or "")[:100]
    if intent not in ("affirm", "confirm_safe") or getattr(tracker, "active_loop_name", None):
        return False
    if not _NOT_A_YES.match(text) or not crisis_shown(tracker):
        return False
    set_intent(parse_data, UNSURE_AFTER_CRISIS)
    return True


# A practice question read from words that are not one, after a crisis reply: "i put the bag
# in the trunk of my car and the keys are in the mailbox downstairs. happy?" (writer AK, means
# put away) was read as asking about step-free access. The question needs its own words.
_NEEDS_ITS_WORDS = {
    "start_reflection": _EXERCISE_WORDS,
    "resume_reflection": _EXERCISE_WORDS,
    "ask_accessibility": re.compile(
        r"\b(?:access\w*|wheel\s*chairs?|steps?|stairs?|elevators?|lifts?|ramps?|parking|park|washrooms?|"
        r"bathrooms?|toilets?|mobility|walkers?|canes?|scooters?|deaf|asl|interpreters?|blind|service\s+dogs?|"
        r"sensory|hearing|captions?)\b", re.IGNORECASE),
    # "what if next time i don't catch myself" (writer AK) is not about cancelling a session.
    "ask_cancellation": re.compile(r"\b(?:cancel\w*|reschedul\w*|re-schedul\w*|move\s+(?:my|the|a)\s+"
                                   r"(?:session|appointment|booking)|notice|no[-\s]?shows?|late\s+fees?|miss\w*|"
                                   r"can'?t\s+make\s+it|change\s+(?:my|the)\s+(?:session|appointment|time))\b",
                                   re.IGNORECASE),
}


def needs_its_own_words_within_crisis(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """After a crisis reply, a reading that needs its own words (the reflective exercise, a
    question about access or cancelling) is not that reading without them: "okay I pulled off
    at the on route", said from the car after thoughts of steering into oncoming traffic
    (writer AK), was read as resuming the exercise. The crisis-aware question instead; a
    button's payload always stands. Returns whether it changed the intent."""
    intent = (parse_data.get("intent") or {}).get("name")
    words = _NEEDS_ITS_WORDS.get(str(intent))
    text = (parse_data.get("text") or "")[:500]
    if words is None or text.startswith("/") or getattr(tracker, "active_loop_name", None):
        return False
    if words.search(text) or not crisis_shown(tracker):
        return False
    set_intent(parse_data, UNSURE_AFTER_CRISIS)
    return True


def read_in_context(parse_data: Dict[Text, Any], tracker: Any) -> None:
    """Reads a parsed message in the light of its conversation (in place): two messages
    together before any crisis reply, then, after one, the first follow-up reading that
    applies. Rasa's message reading calls it after every parse (`attune.patches`)."""
    from attune.nlu.sentence_encoder import shared_encoder

    model = shared_risk_model()
    if model is not None:
        try:
            two_turns(parse_data, tracker, model, shared_encoder())
        except Exception:  # noqa: BLE001 - the single-message decision already stands
            logger.exception("Could not read two messages together for risk.")
    restart_only_for_the_chat(parse_data, tracker)
    money_question_after_a_fact(parse_data, tracker)
    within_crisis(parse_data, tracker)
    needs_its_own_words_within_crisis(parse_data, tracker)
    not_a_yes_within_crisis(parse_data, tracker)
    own_abuse_stays_own(parse_data, tracker)
    helpers_suicide_stays_suicide(parse_data, tracker)
    # Where the person a helper worries about is: their place, whatever else the message is.
    says_where_they_are(parse_data, tracker)
    # The first that applies, in this order.
    (cancels_the_form(parse_data, tracker)
     or before_any_crisis(parse_data, tracker) or helper_feels_it_too(parse_data, tracker)
     # "there's a tim hortons coming up" is read as help coming: the place first.
     or says_place_ahead(parse_data, tracker)
     or still_up_there(parse_data, tracker)
     or says_things_calmer(parse_data, tracker)
     or says_help_is_coming(parse_data, tracker)
     or says_did_it(parse_data, tracker) or says_took_some(parse_data, tracker)
     or says_engine_away(parse_data, tracker)
     or says_plan_ready(parse_data, tracker)
     or says_means_at_hand(parse_data, tracker)
     or says_someone_near(parse_data, tracker)
     or says_alone(parse_data, tracker)
     or told_to_go_to_hospital(parse_data, tracker) or says_they_refuse_help(parse_data, tracker)
     or helper_asks_about_telling(parse_data, tracker)
     or medication_within_crisis(parse_data, tracker)
     or says_not_safe(parse_data, tracker) or says_safe_but_struggling(parse_data, tracker)
     or asks_for_lgbtq_lines(parse_data, tracker)
     or says_lines_did_not_help(parse_data, tracker)
     or asks_for_number(parse_data, tracker) or asks_for_a_language(parse_data, tracker)
     or asks_where_to_go(parse_data, tracker) or says_abuser_coming(parse_data, tracker)
     or says_abuser_gone(parse_data, tracker)
     or says_reached_safety(parse_data, tracker) or says_with_them_now(parse_data, tracker)
     or calls_a_line(parse_data, tracker)
     or wants_the_practice(parse_data, tracker) or wants_someone_to_talk_to(parse_data, tracker)
     or says_drinking(parse_data, tracker)
     or says_where(parse_data, tracker) or says_cant_call(parse_data, tracker)
     or fears_the_police(parse_data, tracker)
     or questions_the_lines(parse_data, tracker)
     or says_no_more_numbers(parse_data, tracker) or asks_if_lines_work_here(parse_data, tracker)
     or unsure_after_crisis(parse_data, tracker))
