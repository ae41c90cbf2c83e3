"""What the tracker store keeps: no contact details, nothing after erasure or retention."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from attune.privacy.retention import purge
from attune.tracker_store import PrivateSQLTrackerStore


def make_store(tmp_path):
    return PrivateSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))


def stored_text(tmp_path) -> str:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    with engine.connect() as connection:
        return "\n".join(row[0] for row in connection.execute(sa.text("select data from events")))


def conversation(sender: str, *events, at: float = None) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen", timestamp=at)])
    for event in events:
        if at is not None:
            event.timestamp = at
        tracker.update(event)
    return tracker


async def test_emails_and_phone_numbers_never_reach_the_database(tmp_path):
    store = make_store(tmp_path)
    tracker = conversation(
        "v1",
        UserUttered("reach me at kim@example.org or 416-555-0199", intent={"name": "request_human"}),
        SlotSet("callback_contact", "kim@example.org"),
        BotUttered("I'll send kim@example.org to the practice. Is that OK?"),
    )
    await store.save(tracker)
    text = stored_text(tmp_path)
    assert "kim@example.org" not in text and "555-0199" not in text
    assert "request_human" in text, "labels are kept"
    restored = await store.retrieve("v1")
    assert len(restored.events) == len(tracker.events), "nothing lost, only redacted"


async def test_confirmed_deletion_erases_the_whole_conversation_and_nothing_else(tmp_path):
    store = make_store(tmp_path)
    await store.save(conversation("keep", UserUttered("hello", intent={"name": "greet"})))
    tracker = conversation("erase", UserUttered("my story", intent={"name": "greet"}))
    await store.save(tracker)
    tracker.update(UserUttered("delete my conversation", intent={"name": "delete_conversation"}))
    tracker.update(ActionExecuted("utter_conversation_deleted"))
    await store.save(tracker)
    await store.save(tracker)  # a second save in the same turn must not bring it back
    assert await store.retrieve("erase") is None
    assert await store.retrieve("keep") is not None


async def test_retention_deletes_only_conversations_older_than_the_period(tmp_path):
    store = make_store(tmp_path)
    now = datetime(2026, 11, 23, tzinfo=timezone.utc)
    old = (now - timedelta(days=31)).timestamp()
    recent = (now - timedelta(days=29)).timestamp()
    await store.save(conversation("old", UserUttered("hi", intent={"name": "greet"}), at=old))
    await store.save(conversation("recent", UserUttered("hi", intent={"name": "greet"}), at=recent))
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert purge(url, 30, now=now, dry_run=True) == 1
    assert await store.retrieve("old") is not None, "a dry run deletes nothing"
    assert purge(url, 30, now=now) == 1
    assert await store.retrieve("old") is None
    assert await store.retrieve("recent") is not None


def test_retention_on_an_empty_database_does_nothing(tmp_path):
    assert purge(f"sqlite:///{tmp_path / 'none.db'}", 30) == 0


def bytes_on_disk(tmp_path) -> bytes:
    """Everything SQLite keeps for the tracker database: the file and its write-ahead log."""
    return b"".join(path.read_bytes() for path in sorted(tmp_path.glob("tracker.db*")))


SECRET_WORDS = "my brother does not know about the affair"


async def test_erased_words_are_not_left_anywhere_in_the_database_files(tmp_path):
    store = make_store(tmp_path)
    await store.save(conversation("keep", UserUttered("hello there", intent={"name": "greet"})))
    tracker = conversation("erase", UserUttered(SECRET_WORDS, intent={"name": "share_reflection"}))
    await store.save(tracker)
    assert SECRET_WORDS.encode() in bytes_on_disk(tmp_path), "the words were stored first"

    tracker.update(UserUttered("delete my conversation", intent={"name": "delete_conversation"}))
    tracker.update(ActionExecuted("utter_conversation_deleted"))
    await store.save(tracker)

    assert SECRET_WORDS.encode() not in bytes_on_disk(tmp_path)
    assert b"hello there" in bytes_on_disk(tmp_path), "other conversations are kept"


async def test_words_deleted_by_retention_are_not_left_in_the_database_files(tmp_path):
    store = make_store(tmp_path)
    old = (datetime.now(timezone.utc) - timedelta(days=40)).timestamp()
    await store.save(conversation("old", UserUttered(SECRET_WORDS, intent={"name": "greet"}), at=old))

    assert purge(f"sqlite:///{tmp_path / 'tracker.db'}", 30) == 1
    assert SECRET_WORDS.encode() not in bytes_on_disk(tmp_path)


def test_the_sqlite_tracker_store_uses_the_write_ahead_log(tmp_path):
    make_store(tmp_path)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    with engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"


async def test_deleting_a_conversation_deletes_the_call_back_request_it_sent(tmp_path, monkeypatch):
    from attune.handoff.store import CallbackDetails, CallbackStore

    monkeypatch.setenv("ATTUNE_DATABASE_URL", f"sqlite:///{tmp_path / 'attune.db'}")
    handoff = CallbackStore()
    details = CallbackDetails(contact_method="email", contact="kim@example.org", voicemail_ok=False,
                              best_times="evenings", alias="Kim")
    mine = handoff.save_request(details, consent_given=True, consent_text="yes, send it")
    other = handoff.save_request(details, consent_given=True, consent_text="yes, send it")
    store = make_store(tmp_path)
    tracker = conversation("erase", SlotSet("callback_request_ids", [mine.id]))
    await store.save(tracker)
    tracker.update(ActionExecuted("utter_conversation_deleted"))
    await store.save(tracker)

    assert handoff.get_request(mine.id) is None
    assert handoff.get_request(other.id) is not None, "another visitor's request is kept"
