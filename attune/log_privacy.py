"""Keeps visitors' words out of the Rasa server's logs.

Rasa 3.6 passes some structured log events with the message text (for example a warning
that carries `user_text` when a message starts with "/" but is not an intent). Its own
anonymizer only works with the commercial plugin. `install()` puts a processor in front of
structlog's chain that replaces every field that can carry conversation content. It is called
when the server creates Attune's channels and NLG, after Rasa has configured its logging.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict

import structlog

REDACTED = "[redacted]"
# Field names Rasa uses for conversation content in its structured logs (rasa/utils/log_utils.py
# lists the same for its anonymizer), plus a few of our own.
CONTENT_KEYS = frozenset(
    {
        "text", "response_text", "user_text", "slot_values", "parse_data_text",
        "parse_data_entities", "prediction_events", "tracker_latest_message",
        "prefilled_slots", "message", "response", "slot_candidates", "rasa_event",
        "rasa_events", "tracker_states", "current_states", "old_states", "successes",
        "current_entity", "next_entity", "states", "entity", "token_text",
        "user_message", "json_message", "events", "tracker", "metadata", "sender_id",
    }
)


def redact_content(_: Any, __: str, event_dict: Dict[str, Any]) -> Dict[str, Any]:
    """structlog processor: replaces conversation content with a marker."""
    for key in CONTENT_KEYS.intersection(event_dict):
        event_dict[key] = REDACTED
    return event_dict


def install() -> None:
    """Puts `redact_content` first in structlog's processors (once), and silences the Rasa
    warning that quotes a message starting with "/" that names no known intent."""
    warnings.filterwarnings("ignore", message=r"(?s).*Expected the intent to be one of")
    processors = list(structlog.get_config().get("processors") or [])
    if redact_content in processors:
        return
    structlog.configure(processors=[redact_content] + processors)
