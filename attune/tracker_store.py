"""Rasa's SQL tracker store with Attune's privacy rules.

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
Retention (deleting conversations older than practice.yml's `retention_days`) is a separate
command: `python -m attune.privacy.retention`.
"""

from __future__ import annotations

import logging
from typing import Any, Iterator, Text


from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

from attune import patches
from attune.privacy import sqlite
from attune.privacy.redact import redact_event

logger = logging.getLogger(__name__)

ERASURE_CONFIRMATION = "utter_conversation_deleted"
# Set by the call-back form when it sends a request (actions/handoff.py).
REQUEST_IDS_SLOT = "callback_request_ids"


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
    """SQL tracker store that redacts contact details and honours erasure."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Every server that stores conversations runs with Attune's Rasa patches, `rasa shell`
        # too (it uses no Attune channel): attune/patches.py.
        patches.install()
        super().__init__(*args, **kwargs)
        sqlite.harden(self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores new events, redacted; or erases the whole conversation."""
        if erasure_confirmed(tracker):
            await self.stream_events(tracker)
            self.erase(tracker.sender_id)
            erase_callback_requests(tracker)
            return
        await super().save(tracker)

    def erase(self, sender_id: Text) -> int:
        """Deletes every stored event of one conversation; returns how many."""
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        sqlite.forget(self.engine)
        logger.info("Erased a conversation at the visitor's request (%d events).", deleted)
        return int(deleted)

    def _additional_events(self, session, tracker: DialogueStateTracker) -> Iterator[Event]:
        for event in super()._additional_events(session, tracker):
            data = event.as_dict()
            redacted = redact_event(data)
            # Rebuilding an event is costly (Rasa scans every event class): only when needed.
            yield event if redacted == data else (Event.from_parameters(redacted) or event)
