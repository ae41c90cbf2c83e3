"""The safety event log keeps when, what kind, which channel and which lines were shown:
nothing else. What was shown is what the NLG rendered (tests/unit/test_nlg.py); the broker
records it from the bot's message."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from attune.brokers import SafetyAuditBroker
from attune.safety.audit import SafetyAuditLog, format_events
from attune.safety.taxonomy import AUDIT_METADATA

WHEN = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc).timestamp()


def make_broker(tmp_path):
    log = SafetyAuditLog(f"sqlite:///{tmp_path / 'audit.db'}")
    return SafetyAuditBroker(log), log


def user_event(intent: str, text: str = "my partner hits me, call me on 416-555-0199") -> dict:
    return {
        "event": "user",
        "timestamp": WHEN,
        "sender_id": "a-visitor-id",
        "text": text,
        "input_channel": "socketio",
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "risk": {"category": "abuse", "subcategory": "partner_violence"},
        },
    }


def crisis_reply(resources=("on-assaulted-womens-helpline", "ca-988", "ca-emergency"),
                 intent: str = "risk_abuse") -> dict:
    return {
        "event": "bot",
        "timestamp": WHEN,
        "sender_id": "a-visitor-id",
        "text": "I'm so sorry... Assaulted Women's Helpline ... (reply text)",
        "metadata": {
            "utter_action": "utter_crisis_abuse",
            AUDIT_METADATA: {"intent": intent, "subcategory": "partner_violence", "channel": "socketio",
                             "resources": list(resources)},
        },
    }


def test_a_crisis_reply_is_recorded_with_kind_channel_and_the_lines_it_named(tmp_path):
    broker, log = make_broker(tmp_path)
    broker.publish(user_event("risk_abuse"))
    broker.publish(crisis_reply())
    [event] = log.events()
    assert event.intent == "risk_abuse"
    assert event.subcategory == "partner_violence"
    assert event.channel == "socketio"
    assert event.occurred_at.replace(tzinfo=timezone.utc) == datetime.fromtimestamp(WHEN, timezone.utc)
    assert list(event.resources) == ["on-assaulted-womens-helpline", "ca-988", "ca-emergency"]


def test_nothing_the_visitor_wrote_or_any_id_reaches_the_database(tmp_path):
    broker, log = make_broker(tmp_path)
    broker.publish(user_event("risk_abuse"))
    broker.publish(crisis_reply())
    dump = "\n".join(str(row) for row in log.engine.connect().execute(sa.text("select * from attune_safety_events")))
    for secret in ("partner hits", "416-555-0199", "a-visitor-id", "reply text"):
        assert secret not in dump


def test_other_events_and_malformed_records_are_ignored(tmp_path):
    broker, log = make_broker(tmp_path)
    broker.publish(user_event("risk_abuse"))  # the user message alone records nothing
    broker.publish(user_event("greet", text="hello"))
    broker.publish({"event": "bot", "text": "hi"})
    broker.publish({"event": "bot", "text": "hi", "metadata": {AUDIT_METADATA: "not a record"}})
    broker.publish(crisis_reply(intent="greet"))
    broker.publish({"event": "action", "name": "utter_crisis_abuse"})
    assert log.events() == []
    assert "no crisis replies recorded" in format_events(log.events())


def test_a_broken_database_never_breaks_the_reply(tmp_path):
    broker, log = make_broker(tmp_path)
    with log.engine.begin() as connection:
        connection.execute(sa.text("drop table attune_safety_events"))
    broker.publish(crisis_reply())  # logs the failure, raises nothing
