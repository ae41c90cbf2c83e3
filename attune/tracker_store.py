"""Rasa's SQL tracker store with Attune's privacy rules, its database work beside the event loop.

Configured in endpoints.yml (`tracker_store: type: attune.tracker_store.PrivateSQLTrackerStore`,
same options as Rasa's SQL store: SQLite by default, PostgreSQL in production).
- Email addresses and phone numbers are removed from visitors' messages and slot values before
  they are written (`attune.privacy.redact`).
- "Delete my conversation": when a conversation contains the confirmation reply
  `utter_conversation_deleted`, the store deletes every stored event of that conversation
  instead of saving, so the erasure needs no action server and cannot be undone by a later save;
  any call-back request the conversation sent is deleted with it (its id is in a slot).
- On SQLite, deleted words are overwritten, and the write-ahead log makes saves cheaper
  (`attune.privacy.sqlite`).
- Rasa's SQL store does its queries, inserts and commits inside `async def` methods, so every
  save and retrieve held the event loop (and every other visitor) for its whole length. Here
  they run in a small pool of threads of their own (not the model threads: a crisis reply never
  waits behind database work); the coroutine waits for its result, so a save has finished
  before the conversation's lock is released and its next turn retrieves.
- A save counts what is stored once and uses the count both for the event broker (Rasa rebuilt
  the whole stored conversation only to count it) and for what to insert.
Retention (deleting conversations older than practice.yml's `retention_days`) is a separate
command: `python -m attune.privacy.retention`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import threading
import functools
from typing import Any, Callable, ContextManager, Dict, List, Optional, Text, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from attune import patches
from attune.model_thread import LaneExecutor, urgent_turn
from attune.database import without_parameters
from attune.privacy import sqlite
from attune.privacy.redact import redact_event

logger = logging.getLogger(__name__)

ERASURE_CONFIRMATION = "utter_conversation_deleted"
# Set by the call-back form when it sends a request (actions/handoff.py).
REQUEST_IDS_SLOT = "callback_request_ids"
# Threads for the database work of one store. SQLite takes one writer at a time (the store
# queues its writes itself) and any number of readers; PostgreSQL's driver waits on the network
# with the GIL released. Two keep a retrieve from waiting behind a save without adding threads
# that would compete with the event loop for the GIL.
STORE_THREADS = 2

T = TypeVar("T")


def erasure_confirmed(tracker: DialogueStateTracker) -> bool:
    """Whether this conversation asked for, and was told of, its deletion."""
    return any(
        isinstance(event, ActionExecuted) and event.action_name == ERASURE_CONFIRMATION
        for event in tracker.events
    )


def erase_callback_requests(tracker: DialogueStateTracker) -> int:
    """Deletes the call-back requests this conversation sent (their ids are in a slot)."""
    ids = tracker.get_slot(REQUEST_IDS_SLOT) or []
    if not ids:
        return 0
    from attune.handoff.store import CallbackStore

    try:
        return CallbackStore().delete_requests(list(ids))
    except Exception:  # noqa: BLE001 - the conversation is erased; say so in the log
        logger.exception("Could not delete this conversation's call-back requests.")
        return 0


class PrivateSQLTrackerStore(SQLTrackerStore):
    """SQL tracker store that redacts contact details and honours erasure, off the event loop."""

    engine: sa.engine.Engine

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Every server that stores conversations runs with Attune's Rasa patches, `rasa shell`
        # too (it uses no Attune channel): attune/patches.py.
        patches.install()
        super().__init__(*args, **kwargs)
        if sqlite.is_sqlite(self.engine):
            # Rasa's engine opens a new connection for every session (SQLAlchemy 1.4's NullPool
            # for SQLite files): connections kept open instead, shareable between the threads.
            self.engine = sqlite.pooled(self.engine, size=STORE_THREADS)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        sqlite.harden(self.engine)
        without_parameters(self.engine)
        threads = 1 if sqlite.is_memory(self.engine) else STORE_THREADS
        # The store's own threads, with the crisis lane's order: the save of a turn in the
        # crisis lane goes before the other conversations' waiting work (no reserved thread:
        # a save already running is never interrupted).
        self._executor = LaneExecutor(threads, reserved=0, prefix="tracker-store", daemon=False)
        # As concurrent.futures does for its threads: before the interpreter joins them, the
        # saves queued are finished, then the threads end.
        threading._register_atexit(self._executor.shutdown)  # type: ignore[attr-defined]
        # One SQLite writer at a time, queued here rather than in SQLite's busy handler.
        self._writing: ContextManager[Any] = (
            threading.Lock() if sqlite.is_sqlite(self.engine) else contextlib.nullcontext()
        )

    async def _in_thread(self, function: Callable[..., T], *args: Any) -> T:
        """Runs blocking database work in the store's threads; the event loop stays free."""
        future = asyncio.wrap_future(self._executor.submit(functools.partial(function, *args), urgent=urgent_turn()))
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            # Work already started cannot be stopped halfway: wait for it, so that a cancelled
            # turn does not release its conversation's lock while its save is still writing.
            await asyncio.wait({future})
            if not future.cancelled() and future.exception() is not None:
                logger.error("A cancelled turn's tracker store work failed (%s).",
                             type(future.exception()).__name__)
            raise

    async def keys(self) -> List[Text]:
        """Every stored conversation id."""
        return await self._in_thread(self._keys)

    def _keys(self) -> List[Text]:
        with self.session_scope() as session:
            return [sender_id for (sender_id,) in session.query(self.SQLEvent.sender_id).distinct()]

    async def _retrieve(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        """Rasa's retrieve (`retrieve`, `retrieve_full_tracker`), in the store's threads."""
        return await self._in_thread(self._load, sender_id, fetch_events_from_all_sessions)

    def _load(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """What Rasa 3.6.21's `SQLTrackerStore._retrieve` does, as a plain function."""
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).with_entities(self.SQLEvent.data).all()
            events = [json.loads(data) for (data,) in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Publishes and stores the new events, redacted; or erases the whole conversation."""
        if self._publishes_in_thread():
            await self._in_thread(self._store, tracker, True)
            return
        # A broker Attune does not know may expect the event loop's thread: Rasa's way.
        await self.stream_events(tracker)
        await self._in_thread(self._store, tracker, False)

    def _publishes_in_thread(self) -> bool:
        from attune.brokers import SafetyAuditBroker

        return self.event_broker is None or isinstance(self.event_broker, SafetyAuditBroker)

    def _store(self, tracker: DialogueStateTracker, publish: bool) -> None:
        """One save: count what is stored, publish and write what is new, commit."""
        erase = erasure_confirmed(tracker)
        with self._writing:
            with self.session_scope() as session:
                stored = self._stored_count(session, tracker.sender_id)
                new_events = list(itertools.islice(tracker.events, stored, len(tracker.events)))
                serialised = [event.as_dict() for event in new_events]
                if publish and self.event_broker is not None:
                    for data in serialised:
                        self.event_broker.publish({"sender_id": tracker.sender_id, **data})
                if erase:
                    deleted = self._delete(session, tracker.sender_id)
                elif serialised:
                    session.execute(
                        self.SQLEvent.__table__.insert(),
                        [self._row(tracker.sender_id, event, data)
                         for event, data in zip(new_events, serialised)],
                    )
                session.commit()
            if erase:
                self._forget(deleted)
        if erase:
            erase_callback_requests(tracker)

    def _stored_count(self, session: Any, sender_id: Text) -> int:
        """How many of the conversation's events are stored since its last session start (the
        count Rasa's `_additional_events` and `stream_events` take), without reading them."""
        query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
        return int(query.order_by(None).with_entities(sa.func.count(self.SQLEvent.id)).scalar() or 0)

    def _row(self, sender_id: Text, event: Event, data: Dict[Text, Any]) -> Dict[Text, Any]:
        """The stored row of one event, redacted (Rasa's columns, Rasa's JSON)."""
        redacted = redact_event(data)
        if redacted != data:
            # Rebuilt through Rasa's event class, as Rasa's save would store the redacted event.
            data = (Event.from_parameters(redacted) or event).as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def erase(self, sender_id: Text) -> int:
        """Deletes every stored event of one conversation; returns how many (blocking)."""
        with self._writing:
            with self.session_scope() as session:
                deleted = self._delete(session, sender_id)
                session.commit()
            self._forget(deleted)
        return deleted

    def _delete(self, session: Any, sender_id: Text) -> int:
        return int(
            session.query(self.SQLEvent)
            .filter(self.SQLEvent.sender_id == sender_id)
            .delete(synchronize_session=False)
        )

    def _forget(self, deleted: int) -> None:
        """Clears the erased words from SQLite's log too (under the write lock: no writer of
        this store can start meanwhile, and readers are waited for)."""
        if not sqlite.forget(self.engine):
            logger.warning("The database log could not be cleared after an erasure; it will be "
                           "at the next erasure or checkpoint.")
        logger.info("Erased a conversation at the visitor's request (%d events).", deleted)

