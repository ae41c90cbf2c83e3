"""The safety event log keeps when, what kind, which channel and which lines: nothing else."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from attune.brokers import SafetyAuditBroker
from attune.practice import load_practice
from attune.safety.audit import SafetyAuditLog, format_events
from attune.safety.resources import load_registry


def make_broker(tmp_path):
    log = SafetyAuditLog(f"sqlite:///{tmp_path / 'audit.db'}")
    return SafetyAuditBroker(log, load_practice(), load_registry()), log


def user_event(intent: str, text: str = "my partner hits me, call me on 416-555-0199") -> dict:
    return {
        "event": "user",
        "timestamp": datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc).timestamp(),
        "sender_id": "a-visitor-id",
        "text": text,
        "input_channel": "socketio",
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "risk": {"category": "abuse", "subcategory": "partner_violence"},
        },
    }


def test_a_risk_message_is_recorded_with_kind_channel_and_lines_shown(tmp_path):
    broker, log = make_broker(tmp_path)
    broker.publish(user_event("risk_abuse"))
    [event] = log.events()
    assert event.intent == "risk_abuse"
    assert event.subcategory == "partner_violence"
    assert event.channel == "socketio"
    assert event.resources[0] == "on-assaulted-womens-helpline", "the domestic-violence line leads"
    assert "ca-emergency" in event.resources


def test_nothing_the_visitor_wrote_or_any_id_reaches_the_database(tmp_path):
    broker, log = make_broker(tmp_path)
    broker.publish(user_event("risk_abuse"))
    dump = "\n".join(str(row) for row in log.engine.connect().execute(sa.text("select * from attune_safety_events")))
    for secret in ("partner hits", "416-555-0199", "a-visitor-id"):
        assert secret not in dump


def test_other_events_are_ignored(tmp_path):
    broker, log = make_broker(tmp_path)
    broker.publish(user_event("greet", text="hello"))
    broker.publish({"event": "bot", "text": "hi"})
    broker.publish({"event": "action", "name": "utter_crisis_abuse"})
    assert log.events() == []
    assert "no crisis replies recorded" in format_events(log.events())
