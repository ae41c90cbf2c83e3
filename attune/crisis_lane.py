"""Which turns take the crisis lane of the model threads (`attune.model_thread`).

A turn is urgent when, before the model reads it, a cheap check says the reply is probably a
crisis reply or part of one:

- the word lists find risk in the message (the process's one detector, bounded like the
  channels' guard: at most two windows of the practice's limit), or French or Spanish core
  risk phrases (`attune.safety.languages`);
- it is the "Get help now" button, or a risk intent sent as a button payload;
- the conversation already had a crisis reply: a visitor in crisis answering "are you safe
  right now?" must not wait either.

This only chooses *when* the turn's work runs. The full pipeline (word lists, risk model,
two-message reading, safety policy) still reads every message and decides every reply, so a
message this check misses gets the reply the pipeline decides (the crisis reply when the risk
model reads risk), only without the priority, and one it flags that is not risk gets its
ordinary answer. Costs what the word lists'
reading of the message costs, on the event loop: about 0.5 ms for a typical message, 8-12 ms
for one of 2,000 characters (docs/performance.md); the NLU component then takes that reading
instead of reading the same text again (`RiskDetector.assess_remembered`). Nothing of the
message is logged.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Optional

from attune.safety.taxonomy import HELP_INTENT, is_risk_intent

logger = logging.getLogger(__name__)

_PAYLOAD = re.compile(r"^/([A-Za-z_][A-Za-z0-9_]*)$")


def is_urgent(text: Any, tracker: Optional[Any] = None) -> bool:
    """Whether this message's turn goes in the crisis lane. Never raises: on any error, no."""
    try:
        if isinstance(text, str) and text.strip():
            payload = _PAYLOAD.match(text.strip())
            if payload:
                if payload.group(1) == HELP_INTENT or is_risk_intent(payload.group(1)):
                    return True
            elif _words_find_risk(text):
                return True
        return tracker is not None and _crisis_reply_given(tracker)
    except Exception as error:  # noqa: BLE001 - the lane is a priority, never a reason to fail
        logger.warning("Could not choose the crisis lane for a message (%s); ordinary lane.",
                       type(error).__name__)
        return False


def _words_find_risk(text: str) -> bool:
    from attune.channels.guard import shared_guard
    from attune.safety.languages import risk_in

    return shared_guard().finds_risk(text) or risk_in(text[:4000]) is not None


def _crisis_reply_given(tracker: Any) -> bool:
    from attune.safety.context import crisis_shown

    return crisis_shown(tracker)
