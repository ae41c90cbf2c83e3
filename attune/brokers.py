"""Rasa event broker that writes the safety event log (attune/safety/audit.py).

Configured in endpoints.yml (`event_broker: type: attune.brokers.SafetyAuditBroker`). Rasa
hands it every conversation event; it keeps only what the audit needs from user messages
that carried risk, and drops everything else at once. Text and ids never leave this method.
"""

from __future__ import annotations

import logging
from asyncio import AbstractEventLoop
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from attune.practice import Practice, load_practice
from attune.safety.audit import SafetyAuditLog, SafetyEvent
from attune.safety.resources import Registry, load_registry, resources_for
from attune.safety.taxonomy import INTENT_CATEGORIES

logger = logging.getLogger(__name__)


class SafetyAuditBroker(EventBroker):
    """Records each crisis reply: time, kind, channel, resources shown."""

    def __init__(self, log: SafetyAuditLog, practice: Practice, registry: Registry) -> None:
        """Keeps the log and what is needed to name the resources shown."""
        self.log = log
        self.practice = practice
        self.registry = registry

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig,
        event_loop: Optional[AbstractEventLoop] = None,
    ) -> "SafetyAuditBroker":
        """Opens the audit log (`url` in the config, else ATTUNE_DATABASE_URL or SQLite)."""
        url = broker_config.url if broker_config and broker_config.url else None
        return cls(SafetyAuditLog(url), load_practice(), load_registry())

    def resources_shown(self, intent: Text) -> List[Text]:
        """Registry ids of the lines the crisis reply for this intent lists."""
        region = self.practice.region
        category = INTENT_CATEGORIES[intent]
        return [r.id for r in resources_for(self.registry, region.country, region.subdivision, category)]

    def publish(self, event: Dict[Text, Any]) -> None:
        """Records user messages that carried risk; ignores every other event."""
        if event.get("event") != "user":
            return
        parse_data = event.get("parse_data") or {}
        intent = (parse_data.get("intent") or {}).get("name")
        if intent not in INTENT_CATEGORIES:
            return
        risk = parse_data.get("risk") or {}
        timestamp = event.get("timestamp")
        moment = (
            datetime.fromtimestamp(timestamp, timezone.utc)
            if isinstance(timestamp, (int, float))
            else datetime.now(timezone.utc)
        )
        try:
            self.log.record(
                SafetyEvent(
                    occurred_at=moment,
                    intent=intent,
                    subcategory=risk.get("subcategory"),
                    channel=event.get("input_channel"),
                    resources=self.resources_shown(intent),
                )
            )
        except Exception:  # the audit must never break a crisis reply
            logger.exception("Could not record a safety event.")
