"""What a visitor is told when a channel refuses a message: risk is answered, never refused.

Every refusal a visitor can meet (the rate limit, a message too large or unreadable, a server
error) first checks the message for risk, with the guard's bounded check. A message with risk
gets the crisis reply for its kind, rendered by the practice's NLG exactly as in a normal turn,
with the "Get help now" button. Any other refusal says why in plain words and still names the
region's crisis line and emergency number.

The crisis reply here needs no action server, no tracker store and no model: only the NLG that
the Rasa server loaded at start, or, if even that is missing, the registry's one-line banner.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from attune.safety.taxonomy import HELP_BUTTON, crisis_response

logger = logging.getLogger(__name__)

REFUSALS: Dict[Text, Text] = {
    "rate_limited": (
        "That's a lot of messages in a short time, so I need a one-minute pause. "
        "Please send your last message again after that."
    ),
    "too_large": "That message is too large for me to read. Could you send it in shorter parts?",
    "unreadable": "I couldn't read that message. Could you send it again as plain text?",
    "server_error": (
        "Something went wrong on my side and I couldn't answer that. Please try again in a moment."
    ),
}


@lru_cache(maxsize=1)
def crisis_reminder() -> Text:
    """One sentence with the region's crisis line and emergency number."""
    try:
        from attune.practice import load_practice
        from attune.safety.lines import banner
        from attune.safety.resources import load_registry

        region = load_practice().region
        found = banner(load_registry(), region.country, region.subdivision)
        return f"If you need someone now: {found['primary_name']}, {found['primary_action']}. " \
               f"In an emergency, call {found['emergency_number']}."
    except Exception:  # noqa: BLE001 - a refusal must never fail for want of the registry
        logger.exception("Could not read the crisis line for a refusal; using the generic text.")
        return "If you need someone now, call your local emergency number."


def refusal_text(reason: Text) -> Text:
    """The words of a refusal, ending with the crisis line."""
    return f"{REFUSALS[reason]} {crisis_reminder()}"


async def crisis_replies(agent: Any, sender: Text, intent: Text, channel: Text) -> List[Dict]:
    """The crisis reply for `intent`, rendered by the Rasa server's NLG, with help one tap away.

    Falls back to the registry's crisis line when the NLG cannot render (server still starting,
    a broken practice file): the visitor never gets nothing.
    """
    from attune.nlg import with_help_button

    try:
        from rasa.shared.core.trackers import DialogueStateTracker

        nlg = getattr(agent, "nlg", None)
        rendered: Optional[Dict[Text, Any]] = None
        if nlg is not None:
            rendered = await nlg.generate(
                crisis_response(intent), DialogueStateTracker(sender, []), channel
            )
        if rendered and rendered.get("text"):
            message = {k: v for k, v in rendered.items() if v not in (None, [], {}, "")}
            _audit(agent, nlg, message["text"], intent, channel)
            return [with_help_button(message)]
    except Exception:  # noqa: BLE001
        logger.exception("Could not render a crisis reply for a refused message.")
    return [{"text": crisis_reminder(), "buttons": [dict(HELP_BUTTON)]}]


def _audit(agent: Any, nlg: Any, text: Text, intent: Text, channel: Text) -> None:
    """Records the crisis reply to a refused message in the safety event log, as the broker
    records every other one (it never reaches a conversation, so the broker never sees it)."""
    try:
        broker = getattr(getattr(agent, "tracker_store", None), "event_broker", None)
        record = getattr(broker, "record", None)
        make = getattr(nlg, "audit_record", None)
        if callable(record) and callable(make):
            record(make(text, intent, channel))
    except Exception:  # noqa: BLE001 - the audit must never stop a crisis reply
        logger.exception("Could not record the crisis reply to a refused message.")


@dataclass(frozen=True)
class Refusal:
    """The answer to a refused message.

    Attributes:
        crisis: the message carried risk, and `messages` is the crisis reply.
        messages: what to send the visitor (empty: stay silent, a flood is told once a minute).
    """

    crisis: bool
    messages: List[Dict]


async def answer_refusal(
    agent: Any, sender: Text, raw: Any, reason: Text, channel: Text, notify: bool = True
) -> Refusal:
    """What to answer a refused message: crisis lines if it carries risk, else the refusal.

    Args:
        agent: the Rasa agent (for its NLG); may be None.
        sender: the conversation id.
        raw: the text as the visitor sent it (any length); non-text counts as no risk.
        reason: a key of REFUSALS.
        channel: the channel's name, for `channel:` response variations.
        notify: False to stay silent on a non-risk refusal.
    """
    from attune.channels.guard import shared_guard

    intent = shared_guard().screen(raw) if isinstance(raw, str) else None
    if intent:
        return Refusal(True, await crisis_replies(agent, sender, intent, channel))
    return Refusal(False, [{"text": refusal_text(reason)}] if notify else [])
