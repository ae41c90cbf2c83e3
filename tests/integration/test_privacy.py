"""What the running assistant stores, and what it logs."""

from __future__ import annotations

import sqlite3
import uuid

from tests.conftest import new_sender, reply_text


def stored_events(stack, sender: str):
    with sqlite3.connect(stack.tracker_db) as db:
        return [row[0] for row in db.execute("select data from events where sender_id = ?", (sender,))]


def test_conversations_go_to_the_configured_store_without_contact_details(stack):
    sender = new_sender()
    stack.send(sender, "hi, my email is casey.rowe@gmail.com and my cell is 416-979-1234")
    events = stored_events(stack, sender)
    assert events, "the conversation is in the tracker store the practice configured"
    stored = "\n".join(events)
    assert "casey.rowe@gmail.com" not in stored
    assert "979-1234" not in stored


def test_logs_never_contain_what_a_visitor_wrote(stack):
    marker = f"zebra-{uuid.uuid4().hex[:8]}"
    sender = new_sender()
    stack.send(sender, f"hello {marker}")
    stack.send(sender, f"/{marker} i feel alone")  # a "/" message Rasa warns about, with its text
    stack.send(sender, f"I want to kill myself {marker}")
    for name in ("rasa", "actions", "web"):
        log = (stack.log_dir / f"{name}.log")
        if log.exists():
            assert marker not in log.read_text(errors="replace"), f"{name}.log holds message text"


def test_delete_my_conversation_erases_it_after_confirmation(stack):
    sender = new_sender()
    stack.send(sender, "hi, I want to understand why I pull away from people")
    assert stored_events(stack, sender)
    ask = reply_text(stack.send(sender, "please delete my conversation"))
    assert "delete" in ask.lower()
    assert stored_events(stack, sender), "nothing is erased before the visitor confirms"
    done = reply_text(stack.send(sender, "/affirm"))
    assert "deleted" in done.lower()
    assert stored_events(stack, sender) == []


def test_reading_another_visitors_conversation_is_not_possible(stack):
    """The only read path is the Rasa HTTP API, which is off; webhooks answer only the sender."""
    import urllib.error
    import urllib.request

    sender = new_sender()
    stack.send(sender, "my secret is that I feel lonely")
    for path in (f"/conversations/{sender}/tracker", f"/conversations/{sender}/story", "/model/parse"):
        try:
            urllib.request.urlopen(f"{stack.rasa_url}{path}", timeout=10)
            status = 200
        except urllib.error.HTTPError as failure:
            status = failure.code
        assert status in (404, 405), path


def audit_rows(stack):
    with sqlite3.connect(stack.tracker_db.parent / "attune.db") as db:
        return db.execute("select intent, channel, resources from attune_safety_events order by id").fetchall()


def test_the_safety_log_records_the_lines_the_visitor_was_shown_and_nothing_they_wrote(stack):
    before = len(audit_rows(stack))
    sender = new_sender()
    stack.send(sender, "im in vancouver")
    reply = reply_text(stack.send(sender, "my husband hit me again tonight zebra-quill"))
    assert "VictimLinkBC" in reply
    rows = audit_rows(stack)[before:]
    [(intent, channel, resources)] = rows
    assert intent == "risk_abuse" and channel == "rest"
    assert resources.index("bc-victimlinkbc") < resources.index("ca-emergency"), resources
    assert "on-assaulted-womens-helpline" not in resources, "Ontario's line was not shown to a visitor in BC"
    assert "zebra-quill" not in repr(audit_rows(stack)) and sender not in repr(audit_rows(stack))
