"""The crisis vocabulary: what each risk intent is, and the reply that answers it first.

Pure, no Rasa imports. `data/rules/safety.yml` holds each risk intent's whole crisis turn and
`domain.yml` its words; this module names the first response of each turn so that code outside
the dialogue (a channel refusing a message, the audit) answers the same way. A unit test keeps
the three in step.
"""

from __future__ import annotations

import re
from typing import Dict, Optional

RISK_INTENT_PREFIX = "risk_"
# The "Get help now" button's payload, and the intent it carries.
HELP_PAYLOAD = "/request_crisis_help"
HELP_INTENT = "request_crisis_help"
# The button that keeps help one tap away after any risk message.
HELP_BUTTON = {"title": "Get help now", "payload": HELP_PAYLOAD}

# Risk intent -> the response that opens its crisis turn.
CRISIS_RESPONSES: Dict[str, str] = {
    "risk_suicide": "utter_crisis_suicide",
    "risk_self_harm": "utter_crisis_self_harm",
    "risk_abuse": "utter_crisis_abuse",
    "risk_child_abuse": "utter_crisis_child_abuse",
    "risk_harm_others": "utter_crisis_harm_others",
    "risk_emergency": "utter_crisis_emergency",
    "risk_third_party": "utter_crisis_third_party",
    "risk_check_in": "utter_check_in_gently",
}
# The answer to "Get help now" and to risk whose kind is not known.
GENERAL_CRISIS_RESPONSE = "utter_crisis_general"

# The key a rendered reply that names crisis lines carries in its metadata (stored with the
# bot's message, never sent to the visitor): what the safety event log records.
AUDIT_METADATA = "attune_audit"

# Risk intent (and the help button's) -> the crisis registry's category whose lines its reply
# shows ({crisis_lines_<category>} in domain.yml) and the safety event log records.
INTENT_CATEGORIES: Dict[str, str] = {
    "risk_suicide": "suicide",
    "risk_self_harm": "self_harm",
    "risk_abuse": "abuse",
    "risk_child_abuse": "child_abuse",
    "risk_harm_others": "harm_others",
    "risk_emergency": "emergency",
    "risk_third_party": "third_party",
    "risk_check_in": "check_in",
    HELP_INTENT: "suicide",
}


def is_risk_intent(intent: Optional[str]) -> bool:
    """Whether an intent carries risk (a crisis reply or the gentle check-in)."""
    return bool(intent) and str(intent).startswith(RISK_INTENT_PREFIX)


def crisis_response(intent: Optional[str]) -> str:
    """The response that opens the crisis turn of a risk intent."""
    return CRISIS_RESPONSES.get(intent or "", GENERAL_CRISIS_RESPONSE)


# Harm to others, when the one at risk is a child in the writer's care ("I'm scared I'll shake
# the baby"): the reply leads with the immediate safe step (put the child down somewhere safe,
# step away), then the lines. The entity and slot are `harm_target`.
HARM_TARGET_ENTITY = "harm_target"
_CHILD_WORDS = (r"(?:my|the|our|her|his)\s+(?:little\s+|own\s+)?(?:son|daughter|kids?|child(?:ren)?|boy|girl|"
                r"twins|stepson|stepdaughter|grandson|granddaughter)")
# A baby is always in someone's care; an older child counts when the message is about harming
# them or about their crying, not when it only mentions them ("she took the kids to her mom's").
_CHILD_IN_CARE = re.compile(
    r"\b(?:bab(?:y|ies)|newborn|infant|toddler|b[ée]b[ée]s?|nourrisson|beb[ée]s?|crib|cot|bassinet)\b"
    # The crying before the urge: "she wont stop crying its been 3 hours [...] i want to
    # shake her" (writer AF).
    r"|\b(?:she|he)\s+(?:won'?t|wont|will\s+not)\s+stop\s+(?:crying|screaming)\b(?=.{0,160}?\bshak)"
    r"|\b(?:hurt\w*|harm\w*|hit\w*|shak\w*|slap\w*|throw\w*|smother\w*|drown\w*|strangl\w*|kill\w*|"
    r"lose it (?:with|on)|lash(?:ing)? out at|snap(?:ping)? at|scream\w* at|yell\w* at|do something to)"
    r"\s+(?:\w+\s+){0,2}?" + _CHILD_WORDS + r"\b"
    r"|\b" + _CHILD_WORDS + r"\s+(?:\w+\s+){0,3}?(?:won'?t|wouldn'?t|keeps?|kept|is|was)\s+(?:stop\s+)?"
    r"(?:crying|screaming|whining)\b",
    re.IGNORECASE,
)


# Unwanted, frightening thoughts of harming one's own child ("flashes of dropping my baby down
# the stairs, I would NEVER do it"): the parent gets reassurance that such thoughts are common
# and not wanted, the way to their doctor and the lines, and the safe step only if they ever
# feel they might act. Both a thought or image and its being unwanted must be said.
_INTRUSIVE_IMAGE = re.compile(
    r"\b(?:flash(?:es)?|images?|pictures?|visions?|intrusive|(?:scary|awful|horrible|dark) thoughts?)\b"
    r"|\bthoughts?\s+(?:of|about)\s+(?:\w+\s+){0,2}?(?:drop|drown|hurt|harm|shak|smother|stab|throw)\w*",
    re.IGNORECASE,
)
_UNWANTED = re.compile(
    r"\b(?:would|will|could)\s+never\b|\bnever\s+(?:do|would)\b|\b(?:don'?t|do\s+not)\s+want\s+(?:this|that|these|to)\b"
    r"|\b(?:terrified|scared|frightened|horrified|disgusted)\s+(?:of|by)\s+(?:my\s+own|myself|my\s+head|my\s+mind|these|them)\b"
    r"|\bam\s+i\s+(?:dangerous|a\s+monster|a\s+bad\s+(?:mom|mother|dad|father|parent))\b",
    re.IGNORECASE,
)


# At the edge right now (the baby screaming for hours, anger, "right now"): the safe step
# comes first, whatever the thought is called.
_AT_THE_EDGE = re.compile(
    r"\b(?:screaming|crying|won'?t\s+stop|right\s+now|losing\s+it|lose\s+it|snap(?:ping)?|angry|rage|so\s+mad|furious)\b",
    re.IGNORECASE,
)


def harm_target(text: str) -> str:
    """Who a harm-to-others message is about: "intrusive" for unwanted thoughts of harming
    one's own child, "child" for a child in the writer's care, else "someone"."""
    text = text[:4000]
    if _CHILD_IN_CARE.search(text):
        if _INTRUSIVE_IMAGE.search(text) and _UNWANTED.search(text) and not _AT_THE_EDGE.search(text):
            return "intrusive"
        return "child"
    return "someone"
