"""The tracker store works beside the event loop: a slow save holds up no one else, and nothing
is lost, duplicated, reordered or brought back after erasure. No timings: the slow save is a
commit held by a test hook until the test lets it go."""

from __future__ import annotations

import asyncio
import threading

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from attune.brokers import SafetyAuditBroker
from attune.safety.audit import SafetyAuditLog
from attune.safety.taxonomy import AUDIT_METADATA
from attune.tracker_store import PrivateSQLTrackerStore

# A hook waits at most this long for the test to release it, so a regression fails, not hangs.
HOLD_S = 10


def make_store(tmp_path, **kwargs) -> PrivateSQLTrackerStore:
    return PrivateSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                  **kwargs)


def conversation(sender: str, *texts: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen")])
    for text in texts:
        take_turn(tracker, text)
    return tracker


def take_turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, intent={"name": "greet"}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered(f"reply to {text}"))
    tracker.update(ActionExecuted("action_listen"))


def user_texts(tracker: DialogueStateTracker) -> list:
    return [event.text for event in tracker.events if isinstance(event, UserUttered)]


class HeldCommit:
    """Holds every commit of the store's engine until released (a slow disk, a busy server)."""

    def __init__(self, store: PrivateSQLTrackerStore) -> None:
        self.committing = threading.Event()
        self.release = threading.Event()
        sa.event.listen(store.engine, "commit", self._hold)

    def _hold(self, _connection) -> None:
        self.committing.set()
        self.release.wait(HOLD_S)


async def until(condition, what: str) -> None:
    """Lets the event loop run until `condition()` holds (the tests' only wait)."""
    for _ in range(HOLD_S * 100):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def test_another_visitors_turn_goes_on_while_a_save_is_slow(tmp_path):
    store = make_store(tmp_path)
    await store.save(conversation("other", "hello"))
    held = HeldCommit(store)
    slow = asyncio.create_task(store.save(conversation("slow", "my first message")))
    await until(held.committing.is_set, "the slow save reached its commit")

    # Meanwhile the event loop serves someone else: their conversation is read, their turn runs.
    other = await store.retrieve("other")

    assert user_texts(other) == ["hello"]
    assert not slow.done(), "the other visitor was served before the slow save ended"
    held.release.set()
    await slow
    assert user_texts(await store.retrieve("slow")) == ["my first message"]


async def test_the_event_loop_keeps_turning_during_a_slow_save(tmp_path):
    store = make_store(tmp_path)
    held = HeldCommit(store)
    ticks = 0

    async def another_coroutine() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(another_coroutine())
    slow = asyncio.create_task(store.save(conversation("slow", "hello")))
    await until(held.committing.is_set, "the save reached its commit")
    before = ticks
    await until(lambda: ticks > before + 10, "the other coroutine ran during the commit")
    assert not slow.done()
    held.release.set()
    await slow
    ticker.cancel()


async def test_many_conversations_saved_at_once_come_back_whole_and_in_order(tmp_path):
    store = make_store(tmp_path)

    async def visitor(number: int) -> None:
        # One conversation's turns one after the other, as Rasa's lock store has them.
        for turn in range(12):
            tracker = await store.retrieve(f"v{number}") or conversation(f"v{number}")
            take_turn(tracker, f"v{number} message {turn}")
            await store.save(tracker)

    await asyncio.gather(*(visitor(number) for number in range(8)))

    for number in range(8):
        tracker = await store.retrieve(f"v{number}")
        assert user_texts(tracker) == [f"v{number} message {turn}" for turn in range(12)]
        assert len(tracker.events) == 1 + 12 * 4, "nothing stored twice"
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    with engine.connect() as connection:
        senders = {row[0] for row in connection.execute(sa.text("select distinct sender_id from events"))}
    assert senders == {f"v{number}" for number in range(8)}


async def test_two_stores_writing_one_sqlite_file_at_once_never_find_it_locked(tmp_path):
    # Two engines on one file behave like two processes: SQLite's busy timeout queues them.
    first, second = make_store(tmp_path), make_store(tmp_path)

    async def visitor(store: PrivateSQLTrackerStore, sender: str) -> None:
        tracker = conversation(sender)
        for turn in range(15):
            take_turn(tracker, f"{sender} {turn}")
            await store.save(tracker)

    await asyncio.gather(*(visitor(store, f"{name}{number}")
                           for number in range(3) for name, store in (("a", first), ("b", second))))
    for sender in ("a0", "a1", "a2", "b0", "b1", "b2"):
        assert user_texts(await first.retrieve(sender)) == [f"{sender} {turn}" for turn in range(15)]


SECRET_WORDS = "my brother does not know about the affair"


async def test_erasure_amid_other_saves_and_reads_deletes_everything_and_stays_erased(tmp_path):
    store = make_store(tmp_path)
    kept = [conversation(f"keep{number}", "hello", "again") for number in range(4)]
    for tracker in kept:
        await store.save(tracker)
    erased = conversation("erase", SECRET_WORDS, "more of it")
    await store.save(erased)
    erased.update(UserUttered("delete my conversation", intent={"name": "delete_conversation"}))
    erased.update(ActionExecuted("utter_conversation_deleted"))
    for tracker in kept:
        take_turn(tracker, "and again")

    await asyncio.gather(store.save(erased), *(store.save(tracker) for tracker in kept),
                         *(store.retrieve(tracker.sender_id) for tracker in kept for _ in range(3)))
    erased.update(ActionExecuted("action_listen"))
    await store.save(erased)  # the next save of that conversation erases again, stores nothing

    assert await store.retrieve("erase") is None
    for tracker in kept:
        assert user_texts(await store.retrieve(tracker.sender_id)) == ["hello", "again", "and again"]
    on_disk = b"".join(path.read_bytes() for path in sorted(tmp_path.glob("tracker.db*")))
    assert SECRET_WORDS.encode() not in on_disk, "not in the file, not in its write-ahead log"


async def test_a_database_error_in_a_save_reaches_the_caller_and_the_store_goes_on(tmp_path):
    store = make_store(tmp_path)

    def refuse(_connection, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            raise sa.exc.OperationalError(statement, None, Exception("disk I/O error"))

    sa.event.listen(store.engine, "before_cursor_execute", refuse)
    with pytest.raises(sa.exc.OperationalError):
        await store.save(conversation("v1", "hello"))
    assert await store.retrieve("v1") is None, "nothing half-stored"

    sa.event.remove(store.engine, "before_cursor_execute", refuse)
    await store.save(conversation("v1", "hello"))  # the write lock was not left held
    assert user_texts(await store.retrieve("v1")) == ["hello"]


async def test_a_cancelled_turn_lets_its_save_finish_before_it_ends(tmp_path):
    store = make_store(tmp_path)
    held = HeldCommit(store)
    save = asyncio.create_task(store.save(conversation("v1", "hello")))
    await until(held.committing.is_set, "the save reached its commit")
    save.cancel()
    for _ in range(20):
        await asyncio.sleep(0)
    assert not save.done(), "the turn (and its conversation's lock) waits for the commit"
    held.release.set()
    with pytest.raises(asyncio.CancelledError):
        await save
    assert user_texts(await store.retrieve("v1")) == ["hello"]


async def test_each_crisis_reply_reaches_the_safety_log_once(tmp_path):
    log = SafetyAuditLog(f"sqlite:///{tmp_path / 'audit.db'}")
    store = make_store(tmp_path, event_broker=SafetyAuditBroker(log))
    tracker = conversation("v1", "hello")
    tracker.update(UserUttered("I want to die", intent={"name": "risk_suicide"}))
    tracker.update(BotUttered("Please call 9-8-8.", metadata={
        AUDIT_METADATA: {"intent": "risk_suicide", "channel": "rest", "resources": ["ca-988"]}}))
    await store.save(tracker)
    await store.save(tracker)  # saved again with nothing new: nothing published again
    [event] = log.events()
    assert event.intent == "risk_suicide" and list(event.resources) == ["ca-988"]


async def test_a_failed_save_keeps_the_visitors_words_out_of_its_error(tmp_path):
    # A failed save is logged with its traceback; SQLAlchemy writes the statement's values
    # into the error text, and here they are what the visitor wrote.
    store = make_store(tmp_path)
    await store.save(conversation("v1", "hello"))
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk full'); END;")
    with pytest.raises(sa.exc.DBAPIError) as failed:
        await store.save(conversation("v2", "my husband hits me when he drinks"))
    message = str(failed.value)
    assert "disk full" in message and "INSERT INTO events" in message
    assert "hits me" not in message


async def test_the_store_work_of_a_turn_in_the_crisis_lane_goes_before_other_waiting_work(tmp_path):
    # `make bench-crisis` (2026-12-05): with the store's threads first come, first served, a
    # crisis reply under load waited behind twenty other conversations' saves (454 ms median,
    # 894 at most); in the crisis lane's order, 114 and 516.
    from attune.model_thread import set_urgent_turn

    store = make_store(tmp_path)
    lanes = []
    submit = store._executor.submit

    def recording(function, urgent=False):
        lanes.append(urgent)
        return submit(function, urgent=urgent)

    store._executor.submit = recording
    await store.save(conversation("calm", "hello"))

    async def crisis_turn():
        set_urgent_turn(True)  # as parse_message sets it for a message with risk
        await store.save(conversation("crisis", "i want to die"))

    await asyncio.create_task(crisis_turn())
    assert lanes and lanes[0] is False and lanes[-1] is True
    assert user_texts(await store.retrieve("crisis")) == ["i want to die"]
