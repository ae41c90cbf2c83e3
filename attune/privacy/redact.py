"""Removes email addresses and phone numbers from what is stored. Pure, no Rasa imports.

Applied to every user message and slot value before the tracker store writes it; the hand-off
store keeps only what a visitor consented to send, separately.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Dict

EMAIL_MARK = "[email removed]"
PHONE_MARK = "[phone number removed]"

# Every quantifier is bounded, so each start position costs a bounded amount of work and a
# whole text costs time linear in its length: an unbounded `+` or `{6,}` scanned to the end of
# a long unbroken string from every position (40,000 characters took 3.5 s, and this runs
# while the conversation is saved). The bounds are the standards' own: a local part has at most
# 64 characters, a domain label at most 63, a top-level domain is letters; E.164 numbers have
# at most 15 digits.
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}"
    r"(?![A-Za-z])"
)
# Seven to fifteen digits, optionally led by + and separated by spaces, dots, dashes or
# brackets: phone numbers in any common format, but not short numbers such as 9-8-8 or years.
_PHONE = re.compile(r"(?<![\w+(])\+?\(?\d(?:[\s().-]{0,3}\d){6,14}(?!\w)")


def is_contact_only(text: str) -> bool:
    """Whether a whole message is one email address or one phone number (bounded: the
    patterns cannot match more than a few hundred characters)."""
    stripped = text.strip()
    if not stripped or len(stripped) > 400:
        return False
    return bool(_EMAIL.fullmatch(stripped) or _PHONE.fullmatch(stripped))


def redact_text(text: str) -> str:
    """The text with email addresses and phone numbers replaced by a marker."""
    return _PHONE.sub(PHONE_MARK, _EMAIL.sub(EMAIL_MARK, text))


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        return [_redact_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _redact_value(item) for key, item in value.items()}
    return value


def redact_event(event: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of a serialised Rasa event with contact details removed from what people wrote.

    User messages: the text, the parse data's text and entity values, and metadata.
    Slot events: the value. Bot replies: the text, the metadata and the data, because some
    repeat what the visitor gave (the call-back consent question names the contact, in its
    text and in the template value Rasa keeps in the metadata); the practice's own numbers in
    a stored reply are masked too, which costs nothing. Other events carry no visitor input.
    """
    kind = event.get("event")
    if kind not in {"user", "slot", "bot"}:
        return event
    event = copy.deepcopy(event)
    if kind == "bot":
        if isinstance(event.get("text"), str):
            event["text"] = redact_text(event["text"])
        # An action's template values travel in the metadata (the consent question's
        # `consent` names the contact), and buttons in the data.
        for key in ("metadata", "data"):
            if event.get(key):
                event[key] = _redact_value(event[key])
        return event
    if kind == "slot":
        event["value"] = _redact_value(event.get("value"))
        return event
    if isinstance(event.get("text"), str):
        event["text"] = redact_text(event["text"])
    parse_data = event.get("parse_data")
    if isinstance(parse_data, dict):
        if isinstance(parse_data.get("text"), str):
            parse_data["text"] = redact_text(parse_data["text"])
        parse_data["entities"] = _redact_value(parse_data.get("entities") or [])
    if event.get("metadata"):
        event["metadata"] = _redact_value(event["metadata"])
    return event
