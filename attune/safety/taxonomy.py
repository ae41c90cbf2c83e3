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
    r"\b(?:bab(?:y|ies)|newborn|infant|toddler)\b"
    r"|\b(?:hurt\w*|harm\w*|hit\w*|shak\w*|slap\w*|throw\w*|smother\w*|drown\w*|strangl\w*|kill\w*|"
    r"lose it (?:with|on)|lash(?:ing)? out at|snap(?:ping)? at|scream\w* at|yell\w* at|do something to)"
    r"\s+(?:\w+\s+){0,2}?" + _CHILD_WORDS + r"\b"
    r"|\b" + _CHILD_WORDS + r"\s+(?:\w+\s+){0,3}?(?:won'?t|wouldn'?t|keeps?|kept|is|was)\s+(?:stop\s+)?"
    r"(?:crying|screaming|whining)\b",
    re.IGNORECASE,
)


def harm_target(text: str) -> str:
    """Who a harm-to-others message is about: "child" for a child in the writer's care, else
    "someone"."""
    return "child" if _CHILD_IN_CARE.search(text[:4000]) else "someone"
