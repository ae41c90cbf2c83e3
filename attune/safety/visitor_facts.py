"""Two facts a visitor may mention that change which lines a crisis reply should add.

- **Something was swallowed** (pills, a bottle, an overdose): the region's Poison Centre,
  which says what to do while help comes, belongs beside the crisis lines, whatever else the
  message was about.
- **The visitor is young** ("im 16", "I'm in grade 9"): the youth line belongs beside them.

Neither decides whether a message carries risk: that is the risk readers' work
(`attune.nlu.risk_component`). These only add a line to replies that already show lines
(`attune.nlg`). The patterns are bounded: they read at most the practice's message limit and
have no nested repetition.
"""

from __future__ import annotations

import re

_SWALLOWED = re.compile(
    r"\b(?:took|taken|take|taking|swallowed|swallow|ate|eaten|had|drank|downed|popped|chugged|necked)"
    r"\b(?:\W+\w+){0,6}?\W+"
    r"(?:pills?|tablets?|meds|medications?|medicine|capsules?|painkillers?|sleeping\s+pills|"
    r"tylenol|advil|paracetamol|acetaminophen|ibuprofen|aspirin|insulin|antidepressants?|"
    r"benzos?|xanax|oxy\w*|bleach|antifreeze|poison|the\s+(?:whole\s+)?(?:bottle|pack|box|packet))\b",
    re.IGNORECASE,
)
_OVERDOSE = re.compile(
    r"\b(?:overdos\w*|o\.?d\.?(?:'?d|ed)|i\s+od\b|pastillas|comprim[ée]s|pilules|m[ée]dicaments)\b",
    re.IGNORECASE,
)
_YOUNG = re.compile(
    r"\b(?:i'?m|im|i\s+am|am)\s+(?:only\s+|just\s+)?(?:1[0-7]|[89]|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen)\b(?!\s*(?:%|percent|min|minutes|hours|days|weeks|months|km|kg|lbs?|"
    r"dollars|\$|times|pills|tablets))"
    r"|\b(?:1[0-7]|[89])\s*(?:yo|y/o|yrs?\s+old|years?\s+old)\b"
    r"|\b(?:i'?m|im|i\s+am)\s+in\s+(?:grade\s+(?:[4-9]|1[0-2])|(?:middle|high|secondary)\s+school|year\s+(?:[7-9]|1[0-3]))\b"
    r"|\b(?:tengo\s+1[0-7]\s+años|j'ai\s+1[0-7]\s+ans)\b",
    re.IGNORECASE,
)

# Longer than any message the channels accept; the patterns never see more.
MAX_CHARS = 4000


def mentions_swallowing(text: str) -> bool:
    """Whether the message says something was swallowed or an overdose was taken."""
    text = text[:MAX_CHARS]
    return bool(_SWALLOWED.search(text) or _OVERDOSE.search(text))


def says_young(text: str) -> bool:
    """Whether the visitor says they are under 18 (an age, a school grade)."""
    return bool(_YOUNG.search(text[:MAX_CHARS]))
