"""Facts a visitor may mention that change what a crisis reply should add.

- **Something was swallowed** (pills, a bottle, an overdose): the region's Poison Centre,
  which says what to do while help comes, belongs beside the crisis lines, whatever else the
  message was about.
- **The visitor is young** ("im 16", "I'm in grade 9"): the youth line belongs beside them.
- **A means at hand** (pills on the counter, a razor, a gun) or **a dangerous place** (a
  bridge, a balcony railing): the reply adds one concrete step to be safer now (put it out of
  reach; step back from the edge), and after a "no more numbers" such a message counts as new
  risk, as does **a time** ("tonight", "right now", a date chosen) or **things put in order**
  (belongings given away, a note written, accounts deleted).

Neither decides whether a message carries risk: that is the risk readers' work
(`attune.nlu.risk_component`). These only add a line to replies that already show lines
(`attune.nlg`). The patterns are bounded: they read at most the practice's message limit and
have no nested repetition.
"""

from __future__ import annotations

import re

_MEDICINES = (
    r"(?:pills?|tablets?|meds|medications?|medicine|capsules?|painkillers?|sleeping\s+pills|"
    r"tylenol|advil|paracetamol|acetaminophen|ibuprofen|aspirin|insulin|antidepressants?|"
    r"benzos?|xanax|oxy\w*|seroquel|quetiapine|lithium|adderall|zoloft|sertraline|prozac|fluoxetine|"
    r"ambien|zopiclone|lorazepam|ativan|clonazepam|klonopin|valium|diazepam|gabapentin|trazodone|"
    r"melatonin|benadryl|nyquil|gravol|percocet|codeine|morphine|fentanyl)"
)
_SWALLOWED = re.compile(
    r"\b(?:took|taken|take|taking|swallowed|swallow|ate|eaten|had|drank|downed|popped|chugged|necked|"
    r"bit|bitten|chewed|licked|got\s+into)"
    r"\b(?:\W+\w+){0,6}?\W+"
    r"(?:" + _MEDICINES[3:-1] + r"|"
    r"bleach|antifreeze|poison|detergent|(?:dishwasher|laundry|tide|detergent)\s+pods?|"
    r"button\s+batter(?:y|ies)|cleaner|the\s+(?:whole\s+)?(?:bottle|pack|box|packet))\b"
    # Chemicals drunk or swallowed: "swallowed some of the stuff from the barn", "drank weed
    # killer" (only with a verb of swallowing: "took the stuff from the barn to the dump").
    r"|\b(?:swallowed|swallow|drank|drunk|ate|downed|chugged)\b(?:\W+\w+){0,6}?\W+(?:chemicals?|pesticides?|"
    r"herbicides?|insecticides?|weed\s*killer|rat\s+poison|fertili[sz]er|paint\s+thinner|lighter\s+fluid|"
    r"windshield\s+washer|(?:the\s+)?stuff\s+(?:from|in|out\s+of)\s+the\s+(?:barn|garage|shed|shop|workshop))\b"
    # "swallowed" names ingestion whatever follows: "swallowed some of it", "swallowed a lot".
    r"|\bswallowed\s+(?:some|a\s+lot|a\s+bunch|a\s+handful|all|half|most|the\s+rest)\b"
    # Batteries and magnets, however named: "swallowed one of the little round batteries".
    r"|\b(?:swallowed|swallow|ate|chewed)\b(?:\W+\w+){0,6}?\W+(?:batter(?:y|ies)|magnets?)\b"
    # "someone put cleaning chemical in water bottle and i drink it".
    r"|\b(?:chemicals?|cleaner|bleach|poison|detergent|antifreeze)\b(?:\W+\w+){0,8}?\W+(?:i|he|she|they|we)\s+"
    r"(?:drink|drank|swallowed|ate)\s+(?:it|them|some)\b"
    # "took a few too many of those caffeine pills".
    r"|\b(?:took|taken|had|swallowed|popped|downed)\s+(?:a\s+few\s+|way\s+|far\s+|a\s+couple\s+)?too\s+many\b"
    r"(?:\W+\w+){0,4}?\W+(?:" + _MEDICINES[3:-1] + r")\b"
    # Edibles and foraged mushrooms: "i ate a bunch of my roommates edibles", "my son ate some of
    # the gummies", "picked mushrooms on a walk and had them in an omelette".
    r"|\b(?:took|taken|ate|eaten|had|swallowed|downed|popped|chewed)\b(?:\W+\w+){0,6}?\W+(?:edibles?|"
    r"(?:weed|thc|cannabis|pot)\s+(?:gumm(?:y|ies)|cand(?:y|ies)|brownies?|cookies?|chocolates?)|gumm(?:y|ies)|shrooms|"
    r"magic\s+mushrooms|wild\s+mushrooms)\b"
    r"|\b(?:picked|foraged|found)\s+(?:some\s+)?(?:wild\s+)?mushrooms\b(?:\W+\w+){0,8}?\W+(?:ate|had|cooked|eaten)\b"
    # French: "j'ai mangé plusieurs jujubes au cannabis", "il a bu de l'eau de javel".
    r"|\b(?:mang[ée]|aval[ée]|bu|pris)\b(?:\W+\w+){0,5}?\W+(?:jujubes|bonbons|comprim[ée]s|pilules|"
    r"m[ée]dicaments|champignons|javel|produit\s+(?:m[ée]nager|chimique)|poison)\b"
    # Spanish: "se comió unas gomitas", "se tragó una pila", "se tomó las pastillas".
    r"|\b(?:se\s+)?(?:comio|comió|trago|tragó|tomo|tomó|bebio|bebió)\b(?:\W+\w+){0,5}?\W+"
    r"(?:pastillas|p[ií]ldoras|gomitas|cloro|detergente|veneno|medicinas?|pilas?|tabletas)\b",
    re.IGNORECASE,
)
# "took like 15 of my ...", "swallowed 30": a count of something taken, not of minutes.
_TOOK_COUNT = re.compile(
    r"\b(?:took|taken|swallowed|downed|popped)\s+(?:like\s+|about\s+|around\s+|maybe\s+|over\s+)?"
    r"(?:\d{1,3}|a\s+dozen|twenty|thirty|forty|fifty)\b"
    r"(?!\s*(?:%|percent|secs?|seconds?|mins?|minutes?|hours?|hrs?|days?|weeks?|months?|years?|yrs?|"
    r"times|steps|km|kg|lbs?|dollars|bucks|\$|pics|photos|shots?\s+(?:at|on)|tries|attempts?|calls?))",
    re.IGNORECASE,
)
# Drink and a drug together: "had like half a bottle of vodka and some of my klonopin".
_MIXED = re.compile(
    r"\b(?:vodka|whiske?y|wine|beers?|rum|gin|tequila|booze|alcohol|drinks|liquor|jack|henny)\b"
    # "drank half a bottle of vodka on top of my meds" (writer AE).
    r"\W+(?:and|with|plus|an|n|&|\+|on\s+top\s+of)\W+(?:(?:some|a\s+few|a\s+couple|a\s+bunch|a\s+handful|\d{1,3})\s+)?"
    r"(?:of\s+)?(?:my\s+|his\s+|her\s+|their\s+|the\s+|mums?\s+|moms?\s+)?"
    r"(?:pills?|tablets?|meds|benzos?|xanax|klonopin|clonazepam|ativan|lorazepam|valium|diazepam|oxy\w*|"
    r"percocet|seroquel|quetiapine|ambien|zopiclone|sleeping\s+pills|painkillers?|tylenol|advil|gabapentin|"
    r"trazodone|codeine|morphine|fentanyl)\b",
    re.IGNORECASE,
)
# A count of pills as the whole answer to "how many?": "maybe 6 pills. i do this sometimes".
_COUNT_ANSWER = re.compile(
    r"^\W*(?:(?:maybe|like|about|around|prob(?:ably)?|idk|i\s+think|at\s+least|over|only)\W+){0,2}"
    r"(?:\d{1,3}|a\s+dozen|ten|twenty|thirty)\s+(?:or\s+(?:so|\d{1,3})\s+)?"
    r"(?:pills?|tablets?|caps(?:ules)?|of\s+(?:them|those|my\s+\w+))\b"
    r"(?!\s+(?:left|saved|remaining|still|in\s+(?:the|my)|at\s+home|to\s+go|a\s+day|per\s+day))",
    re.IGNORECASE,
)
# The answer to "what did you take" without a verb: "tylenol. the whole bottle pretty much",
# "the whole bottle of advil". Only at the start of a message: "I have a whole bottle of
# tylenol" is a means at hand, not something swallowed.
_AMOUNT_ANSWER = re.compile(
    r"^\W*(?:(?:my|his|her|the|some)\s+)?" + _MEDICINES + r"\W+(?:(?:like|maybe|about|almost|prob(?:ably)?|"
    r"pretty\s+much|nearly|i\s+think|idk)\W+){0,2}(?:the|a|an|half\s+(?:the|a)|most\s+of\s+(?:the|a))\s+"
    r"(?:whole\s+|entire\s+|full\s+)?(?:bottle|box|pack|packet|strip|sheet|blister\s+pack)\b"
    r"|^\W*(?:(?:like|maybe|about|almost|prob(?:ably)?|pretty\s+much|nearly)\W+){0,2}(?:the|a|an)\s+"
    r"(?:whole|entire|full)\s+(?:bottle|box|pack|packet)\s+of\s+(?:my\s+|his\s+|her\s+)?" + _MEDICINES + r"\b"
    r"(?![^.!?\n]{0,20}\b(?:left|in\s+the|on\s+the|at\s+home|is|was|costs?)\b)",
    re.IGNORECASE,
)
_OVERDOSE = re.compile(
    r"\b(?:overdos\w*|o\.?d\.?(?:'?d|ed)|i\s+od\b|sobredosis|surdose)\b"
    # Taken, in Spanish or French: "me tomé unas pastillas", "j'ai pris des comprimés"; not the
    # pills named alone ("I have the pastillas of my mom here", writer AI: a means at hand).
    r"|\b(?:tom[ée]|tomaste|tomó|tomo|tragu[ée]|trag[óo]|pris|prise|aval[ée]e?|aval[ée]s)\s+(?:\w+\s+){0,4}?"
    r"(?:pastillas|pastilla|comprim[ée]s|pilules|m[ée]dicaments|medicamentos|p[íi]ldoras)\b"
    # "Me contestó!! dice que ya se tomó algunas" (writer R: some of them, already)
    r"|\b(?:se|me|te)\s+(?:tom[óo]|tom[ée]|tomaste|trag[óo]|tragu[ée])\s+(?:algunas|algunos|unas|unos|varias|varios|"
    r"muchas|muchos|todas|todos|la\s+mitad|un\s+mont[óo]n|demasiadas|demasiados)\b",
    re.IGNORECASE,
)
_YOUNG = re.compile(
    r"\b(?:i'?m|im|i\s+am|am)\s+(?:only\s+|just\s+)?(?:1[0-7]|[89]|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen)\b(?!\s*(?:%|percent|min|minutes|hours|days|weeks|months|km|kg|lbs?|"
    # Not a larger number: "I'm 11,000 km away" (writer AJ, a daughter abroad).
    r"dollars|\$|times|pills|tablets)|[.,]\d)"
    r"|\b(?:1[0-7]|[89])\s*(?:yo|y/o|yrs?\s+old|years?\s+old)\b"
    # An age opening the message, then the visitor: "17 and i did it again and its not
    # stopping bleeding", "15. my dad found my binder" (writer AL).
    r"|^\W*(?:1[0-7])\s*(?:[.,]\s*(?:and\s+)?(?:i|im|i'm|i've|ive|my|me)\b|\s+and\s+(?:i|im|i'm|my|me)\b|\s+here\b)"
    # A young helper with a friend: "were 15. she lives across from the school" (at a
    # sentence's start, so "there were 15 of them" is a count).
    r"|(?:^|[.!?,;:]\s*|\n)(?:we'?re|we\s+are)\s+(?:both\s+|all\s+)?(?:only\s+|just\s+)?"
    r"(?:1[0-7]|fourteen|fifteen|sixteen|seventeen|thirteen|twelve)\b(?!\s*(?:%|percent|min|minutes|hours|"
    r"days|weeks|months|km|kg|miles|dollars|\$|times|pills|tablets|of\s+(?:us|them)|when|back\s+then)|[.,]\d)"
    r"|\b(?:i'?m|im|i\s+am)\s+in\s+(?:grade\s+(?:[4-9]|1[0-2])|(?:middle|high|secondary)\s+school|year\s+(?:[7-9]|1[0-3]))\b"
    r"|\b(?:tengo\s+1[0-7]\s+años|j'ai\s+1[0-7]\s+ans)\b"
    # "16f", "(15m)", "17nb": an age and a gender the way teens give them.
    r"|(?<![\w$.,-])(?:1[2-7])(?:f|m|nb)\b"
    # "im in 10th grade", "a 9th grader", "a sophomore in high school", "we're in year 10".
    r"|\b(?:i'?m|im|i\s+am|we'?re|we\s+are)\s+(?:in|a|an)\s+(?:the\s+)?(?:[4-9]|1[0-2])(?:st|nd|rd|th)\s+grade(?:r)?\b"
    r"|(?<!was\sa\s)(?<!were\s)\b(?:freshman|sophomore|junior|senior)\s+in\s+high\s+school\b"
    r"|\b(?:my\s+(?:parents|mom|mum|dad|mother|father)\s+grounded\s+me|i'?m\s+grounded|im\s+grounded|got\s+grounded)\b"
    # School said so that only a pupil would say it: "the guys who bully me at school".
    r"|\bbull(?:y|ies|ied|ying)\s+me\s+(?:at|in|after)\s+school\b"
    r"|\b(?<!teach )(?<!work )in\s+my\s+(?:middle|high|elementary|junior\s+high|secondary)\s+school\b"
    # One's own grade, said of how it is: "grade 10 is hell" (writer AG), "year 9 sucks".
    r"|(?:^|[.!?,;:]\s*|\n|\blol\.?\s+)(?:grade|year)\s+(?:[5-9]|1[0-2])\s+(?:is|has\s+been|sucks|was)\b"
    r"|\bwe'?re\s+both\s+in\s+(?:grade\s+(?:[4-9]|1[0-2])|year\s+(?:[7-9]|1[0-3]))\b"
    r"|\b(?:were|we\s+are)\s+both\s+in\s+grade\s+(?:[4-9]|1[0-2])\b",
    re.IGNORECASE,
)

# Things a person can put out of reach (singular, as the reply names them).
_MEANS = re.compile(
    r"\b(pills?|tablets?|meds|medications?|medicine|tylenol|advil|razors?|blades?|knife|knives|scissors|"
    r"guns?|pistols?|revolver|rifles?|shotguns?|firearms?|weapons?|rope|noose|lighter|"
    # Drugs that are the means ("been saving my morphine", "taking lorazepam from the cart",
    # "drew some up in a syringe": writer AH).
    r"morphine|oxycodone|oxys?|fentanyl|opioids|lorazepam|ativan|xanax|clonazepam|benzos|insulin|syringe|"
    # French and Spanish: the reply names them in English ("put the pills out of reach").
    r"pastillas|pilules|comprim[ée]s|m[ée]dicaments|lames?|rasoirs?|cuchillos?|navajas?|pistola|arma|fusil)\b",
    re.IGNORECASE,
)
_MEANS_NAMES = {"pill": "pills", "tablet": "pills", "tablets": "pills", "meds": "pills", "medication": "pills",
                "medications": "pills", "medicine": "pills", "tylenol": "pills", "advil": "pills",
                "razors": "razor", "blades": "blade", "knives": "knife", "guns": "gun", "pistol": "gun",
                "revolver": "gun", "rifle": "gun", "shotgun": "gun", "firearm": "gun", "weapon": "weapon",
                "pistols": "gun", "rifles": "gun", "shotguns": "gun", "firearms": "gun", "weapons": "weapon",
                "pastillas": "pills", "pilules": "pills", "comprimés": "pills", "comprimes": "pills",
                "médicaments": "pills", "medicaments": "pills", "lame": "blade", "lames": "blade",
                "rasoir": "razor", "rasoirs": "razor", "cuchillo": "knife", "cuchillos": "knife",
                "navaja": "blade", "navajas": "blade", "pistola": "gun", "arma": "weapon", "fusil": "gun"}
# Drugs named as the means: the replies say "the pills".
_MEANS_NAMES.update({word: "pills" for word in ("morphine", "oxycodone", "oxy", "oxys", "fentanyl", "opioids",
                                                "lorazepam", "ativan", "xanax", "clonazepam", "benzos", "insulin",
                                                "syringe")})
# A car's exhaust in a closed space: "sitting in my car in the garage with the engine running".
_EXHAUST = re.compile(
    r"\b(?:engine|motor|car)\s+(?:is\s+|still\s+|'?s\s+)?(?:running|on|idling)\b"
    r"|\b(?:exhaust|carbon\s+monoxide|charcoal\s+(?:burner|grill|bbq))\b",
    re.IGNORECASE,
)
# A bottle (of alcohol, after months sober): named only when nothing above is.
_BOTTLE = re.compile(r"\b(bottle)\b", re.IGNORECASE)
# Every name means_at_hand can give: a reply names only these, never an entity value a message
# could carry in by itself ("/greet{"means": ...}").
KNOWN_MEANS = frozenset(_MEANS_NAMES.values()) | {"razor", "blade", "knife", "scissors", "rope", "noose", "lighter",
                                                  "bottle", "engine"}
# Places a person can step back from.
_PLACE = re.compile(
    r"\b(?:bridge|ledge|roof|rooftop|railing|balcony|edge|cliff|overpass|tracks|parking\s+garage|"
    r"tower|platform)\b",
    re.IGNORECASE,
)
_NOW = re.compile(r"\b(?:tonight|right\s+now|rn|today|this\s+(?:evening|morning|afternoon)"
                  r"|after\s+(?:this|my)\s+shift)\b"
                  # A date chosen: "birthday's in 9 days", "picked a date", "on my birthday".
                  r"|\bin\s+(?:\d{1,2}|a\s+few|two|three|four|five|six|seven|ten)\s+days\b"
                  r"|\b(?:picked|chose|chosen|set|have)\s+a\s+date\b|\bon\s+my\s+birthday\b"
                  # A day named, decided: "saturday is his birthday. thats when ill do it.
                  # already decided" (writer AG, after "no more numbers").
                  r"|\b(?:that'?s|thats|that\s+is|then\s+is)\s+when\s+(?:i'?ll|ill|i\s+will|i'?m\s+going\s+to|im\s+going\s+to|"
                  r"i'?m\s+gonna|im\s+gonna)\s+(?:do\s+it|go|end\s+it|do\s+this)\b"
                  r"|\b(?:already\s+decided|it'?s\s+decided|my\s+mind\s+is\s+made\s+up)\b"
                  # Not there by then: "next week?? i might not be here next week" (writer AG).
                  r"|\b(?:might|may|probably\s+won'?t|won'?t|wont|will\s+not)\s+(?:not\s+)?be\s+(?:here|around|alive)\s+"
                  r"(?:next\s+week|tomorrow|by\s+then|much\s+longer|for\s+long|by\s+the\s+weekend)\b"
                  # Things put in order: "gave my cat's stuff away", "wrote the note", "deleted my accounts".
                  r"|\b(?:gave|given|giving)\s+(?:away\s+)?(?:my|all\s+my|most\s+of\s+my)\b[^.!?\n]{0,40}?\baway\b"
                  r"|\bgave\s+away\s+(?:my|all|most)\b"
                  r"|\b(?:wrote|written|writing|left)\s+(?:a|the|my)\s+(?:note|letters?|will)\b"
                  r"|\bdeleted\s+(?:all\s+)?my\s+(?:accounts|socials|profiles?)\b"
                  r"|\b(?:said|saying)\s+(?:my\s+)?goodbyes?\b"
                  # The means kept ready: "i have stuff in my closet for it".
                  r"|\b(?:have|got|bought|keep|kept|hid|hidden)\s+(?:the\s+)?(?:stuff|things|everything|what\s+i\s+need)\b"
                  r"[^.!?\n]{0,30}?\bfor\s+it\b"
                  # The rest at hand, all of it at once: "i still got some left and i might just
                  # do all of it" (read only in a risk message).
                  r"|\b(?:still\s+)?(?:got|have)\s+(?:some|a\s+few|a\s+bunch|plenty|enough|loads)\s+left\b"
                  r"|\b(?:do|take|use|finish|swallow)\s+(?:all\s+of\s+(?:it|them)|the\s+rest\s+of\s+(?:it|them)|it\s+all|them\s+all)\b"
                  # Treatment stopped, on purpose, days ago: "I already stopped them three days
                  # ago" (her lupus medication, after "I'll stop taking my meds and let it happen").
                  r"|\b(?:already\s+)?stopped\s+(?:taking\s+)?(?:them|it|my\s+(?:meds|medications?|insulin|pills|tablets|"
                  r"treatment|dialysis|chemo))\b[^.!?\n]{0,20}?\b(?:days?|weeks?)\s+ago\b"
                  # The means taken out: "actually i just got out the thing i was going to use",
                  # "it's in my hand".
                  r"|\b(?:got|get|getting|took|taken|pulled|laid|set|put)\s+(?:out\s+|down\s+)?(?:the|my)\s+(?:thing|things|stuff)\s+"
                  r"(?:out\s+)?(?:i\s+(?:was|am|'m)\s+(?:going|gonna)\s+to|i'?m\s+gonna|im\s+gonna|i\s+was\s+gonna|i'?d|to)\s+use\b"
                  r"|\b(?:it'?s|its|they'?re|theyre|everything'?s)\s+(?:in\s+my\s+hands?|in\s+front\s+of\s+me|next\s+to\s+me|right\s+here\s+next\s+to\s+me)\b",
                  re.IGNORECASE)

# Means put out of reach, or about to be: "maybe i leave the rifles with him for a bit", "my
# sister can keep my pills", "i locked the knives in the car". Not "he gave me the pills".
_MEANS_WORDS = (r"(?:rifles?|guns?|firearms?|shotguns?|pistols?|weapons?|ammo|pills|tablets|meds|medications?|"
                r"medicine|knives|knife|blades?|razors?|rope|insulin|painkillers|sleeping\s+pills)")
_MEANS_AWAY = re.compile(
    r"\b(?:leave|leaving|give|giving|hand|handing|take|taking|drop|dropping|bring|bringing|lock|locking|put|"
    r"putting|store|storing|get\s+rid\s+of|getting\s+rid\s+of|flush|flushing|throw\s+out|throw\s+away|"
    r"bin|binning|dispose\s+of|hide|hid|left|gave|handed|took|dropped|locked|stored|flushed|threw\s+out)\s+"
    r"(?:(?:the|my|all|of|his|her|their|those|these|rest|some|up|away)\s+){0,4}" + _MEANS_WORDS
    + r"\b[^.!?\n]{0,40}?(?:\b(?:with|to|over|away|somewhere|off)\b|\bout\s+of\s+(?:the|my)\b"
    r"|\bin\s+(?:the|a|my|his|her)\s+(?:car|safe|trunk|boot|lockbox|locker|shed|garage|drawer\s+that\s+locks)\b"
    r"|\b(?:down\s+the\s+(?:toilet|drain|sink))\b)"
    r"|\b(?:flush|flushing|flushed|bin|binned|dispose\s+of|disposed\s+of|get\s+rid\s+of|got\s+rid\s+of)\s+"
    r"(?:(?:the|my|all|of|his|her|their|those|these|rest|some)\s+){0,4}" + _MEANS_WORDS + r"\b"
    # "he can keep my guns for a while", "my sister is holding my pills"
    r"|\b(?:can|could|will|'ll|is\s+going\s+to|is|are)\s+(?:keep|keeping|hold|holding|have|take|taking|look\s+after)\s+"
    r"(?:the|my|all\s+my|his|her|their)\s+(?:\w+\s+)?" + _MEANS_WORDS + r"\b"
    r"(?![^.!?\n]{0,30}\b(?:at\s+\d|every|daily|twice|tonight\s+as|with\s+(?:food|water|dinner|breakfast)))",
    re.IGNORECASE,
)
_NOT_BEFORE = re.compile(r"\b(?:not|never|won'?t|wont|no\s+way|ain'?t|don'?t|dont|can'?t|cant|refuse)\b[^.!?\n]*$",
                         re.IGNORECASE)

# Longer than any message the channels accept; the patterns never see more.
MAX_CHARS = 4000


# Not taken: "last night i almost took all my meds. i didnt", "i didn't take them".
_NOT_TAKEN_BEFORE = re.compile(
    r"\b(?:almost|nearly|didn'?t|didnt|did\s+not|never|not|don'?t|dont|won'?t|wont|wanted\s+to|want\s+to|"
    r"was\s+going\s+to|thought\s+about|thinking\s+about|close\s+to|about\s+to)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)


# Said straight after: "thought about overdosing. I didn't", "overdosing, but i didnt".
_NOT_TAKEN_AFTER = re.compile(
    r"[\s.,!;:-]*(?:(?:but|and)\s+)?i\s+(?:didn'?t|didnt|did\s+not|never\s+did|haven'?t|havent|have\s+not|"
    r"won'?t|wont)(?:\s*(?:[.!?,;]|$)|\s+(?:do\s+it|go\s+through|actually|take|though))",
    re.IGNORECASE,
)


def mentions_swallowing(text: str) -> bool:
    """Whether the message says something was swallowed or an overdose was taken ("almost
    took" and "didn't take" are not)."""
    text = text[:MAX_CHARS]
    taken = any(not _NOT_TAKEN_BEFORE.search(text[max(0, m.start() - 40):m.start()])
                for m in _SWALLOWED.finditer(text))
    # "I thought about overdosing. I didn't." is the wish, not an overdose taken. Only a "didn't"
    # said straight after sets the word aside: "thought about overdosing and then i did" is one.
    overdosed = any(not _NOT_TAKEN_AFTER.match(text[m.end():m.end() + 40]) for m in _OVERDOSE.finditer(text))
    return bool(taken or overdosed or _TOOK_COUNT.search(text)
                or _MIXED.search(text) or _COUNT_ANSWER.search(text) or _AMOUNT_ANSWER.search(text))


# Someone else under 18, named by the visitor: "my son of 15", "my grandson is 14", "my 13 yr old".
_SOMEONE_YOUNG = re.compile(
    r"\bmy\s+(?:(?:step|grand|little\s+|younger\s+|baby\s+)?(?:son|daughter|kid|child|boy|girl|brother|sister|"
    r"sibling|nephew|niece|grandson|granddaughter|grandkid|grandchild|student|stepson|stepdaughter))"
    r"(?:\s*,|\s+(?:of|is|who\s+is|who'?s|aged|age))?\s*(?:1[0-7]|[89]|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen)\b(?!\s*(?:%|percent|min|minutes|hours|days|weeks|months|km|kg))"
    r"|\bmy\s+(?:1[0-7]|[89])\s*(?:-\s*)?(?:yo|y/o|yr|yrs|year|years)(?:\s*-?\s*old)?\b",
    re.IGNORECASE,
)


def says_someone_young(text: str) -> bool:
    """Whether the visitor names someone else under 18 ("my son of 15", "my 13 yr old")."""
    return bool(_SOMEONE_YOUNG.search(text[:MAX_CHARS]))


def says_young(text: str) -> bool:
    """Whether the visitor says they are under 18 (an age, a school grade)."""
    return bool(_YOUNG.search(text[:MAX_CHARS]))


def means_at_hand(text: str) -> str:
    """The means the message names, as a reply would say it ("pills", "razor", "gun"), or ""."""
    if _EXHAUST.search(text[:MAX_CHARS]):
        return "engine"
    match = _MEANS.search(text[:MAX_CHARS]) or _BOTTLE.search(text[:MAX_CHARS])
    if not match:
        return ""
    word = match.group(1).lower()
    return _MEANS_NAMES.get(word, word)


def means_moved_away(text: str) -> str:
    """The means the visitor says they will put, or have put, out of reach ("maybe i leave
    the rifles with him for a bit": "gun"), or "" (also when it is refused: "no way im
    giving my guns to anyone")."""
    text = text[:MAX_CHARS]
    match = _MEANS_AWAY.search(text)
    if not match:
        return ""
    # Only the clause before it can refuse it (read at most 200 characters back).
    before = re.split(r"[.!?\n]", text[max(0, match.start() - 200):match.start()])[-1]
    if _NOT_BEFORE.search(before):
        return ""
    return means_at_hand(match.group(0)) or ""


# Locked up, said of the means: "guns are locked up", "the pills are locked away".
_MEANS_LOCKED = re.compile(
    r"\b" + _MEANS_WORDS + r"\s+(?:are|is|'re|'s|r|got|get|were|was)\s+(?:all\s+)?(?:locked|locked\s+up|locked\s+away|"
    r"in\s+(?:the|a|my)\s+(?:safe|lockbox|gun\s+safe|cabinet\s+that\s+locks))\b",
    re.IGNORECASE,
)
# A hedge on it: "mostly", "except the one by the door", "all but one".
_PARTLY = re.compile(
    r"\b(?:mostly|most\s+of\s+(?:them|it)|kind\s+of|kinda|sort\s+of|sorta|except|apart\s+from|all\s+but|"
    r"not\s+all|not\s+the|but\s+(?:one|the|he|she|i)\s+(?:still|has|have|keep|kept))\b",
    re.IGNORECASE,
)


def means_partly_away(text: str) -> str:
    """The means the visitor says are only partly out of reach ("im safe. guns are locked up.
    mostly"), or ""."""
    text = text[:MAX_CHARS]
    match = _MEANS_LOCKED.search(text) or _MEANS_AWAY.search(text)
    if not match or not _PARTLY.search(text[match.end():match.end() + 60]):
        return ""
    return means_at_hand(match.group(0)) or ""


def names_dangerous_place(text: str) -> bool:
    """Whether the message names a place to step back from (a bridge, a railing, tracks)."""
    return bool(_PLACE.search(text[:MAX_CHARS]))


def says_when(text: str) -> bool:
    """Whether the message puts risk at a time close by ("tonight", "right now", a date
    chosen) or says things were put in order (belongings given away, a note written)."""
    return bool(_NOW.search(text[:MAX_CHARS]))


# The visitor says they are 2SLGBTQ+, or asks for a line of their own: "19, gay, small town
# outside sudbury", "been out as trans at work for 3 months", "is there like an lgbt line",
# "i don't want some cis person on a hotline" (writer AI). Fixed words, read on at most 2,000
# characters.
_LGBTQ_SAID = re.compile(
    r"\b(?:i'?m|im|i\s+am|as\s+a|identify\s+as|(?:came|coming|come|been)\s+out\s+as|out\s+as)\s+"
    r"(?:an?\s+)?(?:(?:black|brown|queer|young|closeted|gay|trans|disabled)\s+)?"
    r"(?:trans(?:gender)?|gay|lesbian|bi(?:sexual)?|pansexual|queer|non-?binary|enby|two[- ]spirit(?:ed)?|"
    r"lgbtq?i?a?2?s?\+?|2slgbtq\w*\+?|ftm|mtf)(?![-\w])"
    r"|(?:^|[\n.,;:]\s*)(?:\d{1,2}\s*,\s*)?(?:gay|queer|trans|lesbian|bi|non-?binary)\s*,"
    r"|\b(?:lgbtq?\w*\+?|2slgbtq\w*\+?|queer|trans|gay)\s+(?:line|lines|hotline|helpline|crisis\s+line|"
    r"peer\s+line|chat\s+line|youth\s*line)\b"
    r"|\bcis\s+(?:person|people|guy|man|woman|counsell?or|therapist|folks|volunteer)\b"
    r"|\bmy\s+(?:transition|deadname|dead\s+name)\b|\b(?:deadnam|misgender)\w*",
    re.IGNORECASE,
)


def says_lgbtq(text: str) -> bool:
    """Whether the visitor says they are 2SLGBTQ+ or asks for a line run by and for
    2SLGBTQ+ people (crisis replies then add those lines, attune/nlg.py)."""
    return bool(_LGBTQ_SAID.search(text[:2000]))
