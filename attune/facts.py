"""The practice's facts in the assistant's replies: fees, insurance, formats and the rest.

Pure logic, no Rasa imports. The words are domain responses (`utter_fees`, ...); this module
gives them their values from `practice.yml` (:func:`fact_variables`) and picks which variation
fits what the practice said (:func:`fact_response`): the answer as written, a variation for
"we don't offer that" (`<response>__no`), or, for a fact the practice left out, an honest "I
don't have that detail" with the way to ask the practice (`utter_fact_missing`).
"""

from __future__ import annotations

from typing import Callable, Dict, Optional, Tuple

from attune.practice import Facts
from attune.practice_words import join_names

MISSING_RESPONSE = "utter_fact_missing"
NOT_OFFERED = "no"
NOTICE_ONLY = "notice_only"

_FORMAT_WORDS = {
    "in_person": "in person at our office",
    "online": "online by video",
    "phone": "by phone",
}
_CLIENT_WORDS = {
    "individuals": "adults on their own",
    "couples": "couples",
    "families": "families",
    "teens": "teens",
    "children": "children",
}


def join_choices(items: Tuple[str, ...]) -> str:
    """``a``, ``a or b``, ``a, b or c``: choices the visitor can pick from."""
    if len(items) <= 2:
        return " or ".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _clients(facts: Facts) -> Optional[str]:
    if not facts.clients:
        return None
    words = [_CLIENT_WORDS[group] for group in facts.clients]
    if facts.youngest_age is not None and facts.clients[-1] in ("teens", "children"):
        words[-1] += f" from age {facts.youngest_age}"
    return join_names(words)


def _hours(hours: int) -> str:
    return "1 hour" if hours == 1 else f"{hours} hours"


def fact_variables(facts: Facts) -> Dict[str, str]:
    """The placeholders of the fact responses, for the facts the practice gave."""
    found: Dict[str, Optional[str]] = {
        "fees_session": facts.fee_session,
        "sliding_scale": facts.sliding_scale if isinstance(facts.sliding_scale, str) else None,
        "insurance_coverage": facts.insurance_coverage,
        "direct_billing": (
            join_names(list(facts.direct_billing)) if isinstance(facts.direct_billing, tuple) else None
        ),
        "session_formats": (
            join_choices(tuple(_FORMAT_WORDS[f] for f in facts.session_formats))
            if facts.session_formats
            else None
        ),
        "clients_seen": _clients(facts),
        "languages": join_names(list(facts.languages)) if facts.languages else None,
        "accessibility": facts.accessibility,
        "free_consultation": (
            facts.free_consultation if isinstance(facts.free_consultation, str) else None
        ),
        "cancellation_notice": (
            _hours(facts.cancellation_notice_hours)
            if facts.cancellation_notice_hours is not None
            else None
        ),
        "cancellation_late_fee": (
            facts.cancellation_late_fee if isinstance(facts.cancellation_late_fee, str) else None
        ),
    }
    return {name: value for name, value in found.items() if value}


def _given_or_no(value: object) -> Optional[str]:
    """The variation for a fact that is a description, or no (False), or left out (None)."""
    if value is None:
        return MISSING_RESPONSE
    return NOT_OFFERED if value is False else None


def _cancellation(facts: Facts) -> Optional[str]:
    if facts.cancellation_notice_hours is None:
        return MISSING_RESPONSE
    if facts.cancellation_late_fee is None:
        return NOTICE_ONLY  # a late fee left out is promised neither way
    return NOT_OFFERED if facts.cancellation_late_fee is False else None


# For each fact response: the variation its facts call for (None: as written; "no": the
# `__no` variation; MISSING_RESPONSE: the practice did not say).
_VARIATIONS: Dict[str, Callable[[Facts], Optional[str]]] = {
    "utter_fees": lambda f: None if f.fee_session else MISSING_RESPONSE,
    "utter_sliding_scale": lambda f: _given_or_no(f.sliding_scale),
    "utter_insurance": lambda f: (
        MISSING_RESPONSE if not f.insurance_coverage else _given_or_no(f.direct_billing)
    ),
    "utter_session_formats": lambda f: None if f.session_formats else MISSING_RESPONSE,
    "utter_clients": lambda f: None if f.clients else MISSING_RESPONSE,
    "utter_languages": lambda f: None if f.languages else MISSING_RESPONSE,
    "utter_accessibility": lambda f: None if f.accessibility else MISSING_RESPONSE,
    "utter_free_consultation": lambda f: _given_or_no(f.free_consultation),
    "utter_cancellation": lambda f: _cancellation(f),
}

FACT_RESPONSES = frozenset(_VARIATIONS)


def fact_response(response: str, facts: Facts) -> str:
    """The response to send for ``response``: itself, its ``__no`` variation, or the
    missing-fact answer. Responses that are not fact answers are returned unchanged."""
    choose = _VARIATIONS.get(response)
    if choose is None:
        return response
    variation = choose(facts)
    if variation is None:
        return response
    if variation == MISSING_RESPONSE:
        return MISSING_RESPONSE
    return f"{response}__{variation}"
