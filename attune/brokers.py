"""Rasa event broker that writes the safety event log (attune/safety/audit.py).

Configured in endpoints.yml (`event_broker: type: attune.brokers.SafetyAuditBroker`). Rasa
hands it every conversation event; it keeps only the record the NLG attached to the first
reply of a risk message's turn that named crisis lines (`attune.nlg`, key
`attune.safety.taxonomy.AUDIT_METADATA`): the risk intent, its kind, the channel and the
lines that reply named. Everything else is dropped at once. Text and ids never leave this
method.
"""

from __future__ import annotations

import logging
from asyncio import AbstractEventLoop
from datetime import datetime, timezone
from typing import Any, Dict, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from attune.safety.audit import SafetyAuditLog, SafetyEvent
from attune.safety.taxonomy import AUDIT_METADATA, INTENT_CATEGORIES

logger = logging.getLogger(__name__)


class SafetyAuditBroker(EventBroker):
    """Records each crisis reply: time, kind, channel, the lines it named."""

    def __init__(self, log: SafetyAuditLog) -> None:
        """Keeps the log."""
        self.log = log

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig,
        event_loop: Optional[AbstractEventLoop] = None,
    ) -> "SafetyAuditBroker":
        """Opens the audit log (`url` in the config, else ATTUNE_DATABASE_URL or SQLite)."""
        url = broker_config.url if broker_config and broker_config.url else None
        return cls(SafetyAuditLog(url))

    def publish(self, event: Dict[Text, Any]) -> None:
        """Records the bot messages that carry the audit record; ignores every other event."""
        if event.get("event") != "bot":
            return
        self.record((event.get("metadata") or {}).get(AUDIT_METADATA), event.get("timestamp"))

    def record(self, record: Any, timestamp: Any = None) -> None:
        """Writes one audit record (`attune.nlg.PracticeNLG.audit_record`); ignores anything
        else. Also called by the channels for the crisis reply to a message they refused,
        which never reaches a conversation."""
        if not isinstance(record, dict) or record.get("intent") not in INTENT_CATEGORIES:
            return
        moment = (
            datetime.fromtimestamp(timestamp, timezone.utc)
            if isinstance(timestamp, (int, float))
            else datetime.now(timezone.utc)
        )
        resources = record.get("resources")
        try:
            self.log.record(
                SafetyEvent(
                    occurred_at=moment,
                    intent=str(record["intent"]),
                    subcategory=_short(record.get("subcategory")),
                    channel=_short(record.get("channel")),
                    resources=[str(r) for r in resources] if isinstance(resources, list) else [],
                )
            )
        except Exception:  # the audit must never break a crisis reply
            logger.exception("Could not record a safety event.")


def _short(value: Any) -> Optional[Text]:
    """A label for a column of 64 characters, or None."""
    return str(value)[:64] if value else None
