"""Call-back requests, kept safely until the practice has them.

A request is written only after the visitor said yes to the consent question, and only with
what they agreed to send; the reflection summary only with its own, separate yes. The request
and its outbox row (the email still to send, see ``attune.handoff.outbox``) are written in one
transaction, so a request is never stored without its email or the other way round.

Storage goes through SQLAlchemy Core, so one code path writes to the default SQLite file or to
PostgreSQL (``ATTUNE_DATABASE_URL``). Timestamps are UTC. Every request carries its own
``delete_after``; ``delete_expired`` removes what is past it. Nothing here logs personal
details: log lines name request ids only.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, List, Mapping, Optional, Sequence

import sqlalchemy as sa

from attune.handoff.contacts import CONTACT_METHODS
from attune.privacy import sqlite
from attune.database import database_url, without_parameters

logger = logging.getLogger(__name__)

STATUSES = ("pending", "delivered", "handled")
MAX_ALIAS_CHARS = 40
MAX_BEST_TIMES_CHARS = 200
MAX_NOTE_CHARS = 500
MAX_SUMMARY_CHARS = 4000
MAX_CONSENT_CHARS = 2000
DEFAULT_RETENTION_DAYS = 30


class UtcDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no time zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("use timezone-aware datetimes, e.g. datetime.now(timezone.utc)")
        value = value.astimezone(timezone.utc)
        # SQLite compares datetimes as text: store them all naive, in UTC.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


metadata = sa.MetaData()
callback_requests = sa.Table(
    "attune_callback_requests",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("alias", sa.String(MAX_ALIAS_CHARS)),
    sa.Column("contact_method", sa.String(8), nullable=False),
    sa.Column("contact", sa.String(254), nullable=False),
    sa.Column("voicemail_ok", sa.Boolean, nullable=False),
    sa.Column("best_times", sa.String(MAX_BEST_TIMES_CHARS), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("reflection_summary", sa.Text),
    sa.Column("consent_text", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("delivered_at", UtcDateTime),
    sa.Column("handled_at", UtcDateTime),
    sa.Column("delete_after", UtcDateTime, nullable=False, index=True),
)
outbox = sa.Table(
    "attune_outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "request_id",
        sa.String(64),
        sa.ForeignKey("attune_callback_requests.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("status", sa.String(16), nullable=False),  # pending | sent | cancelled
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", UtcDateTime, nullable=False, index=True),
    sa.Column("claimed_until", UtcDateTime),
    sa.Column("claim_token", sa.String(32)),
    sa.Column("last_error", sa.String(200)),  # an error kind and SMTP code, never content
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("sent_at", UtcDateTime),
)


class ConsentRequired(PermissionError):
    """The visitor did not agree to send the request, so nothing may be stored."""


class DetailsError(ValueError):
    """The collected details cannot be stored as they are (a bug in the form, not the visitor)."""


@dataclass(frozen=True)
class CallbackDetails:
    """What the call-back form collected, before consent.

    Attributes:
        contact_method: ``email``, ``call`` or ``text``.
        contact: the normalised contact from ``attune.handoff.contacts.check_contact``.
        voicemail_ok: whether it is safe to leave a voicemail or a message that names the
            practice.
        best_times: when to reach them, in their words.
        alias: what to call them: a first name or any alias.
        note: a short note for the therapist.
        reflection_summary: the summary of their reflective exercise.
        share_summary: the visitor separately agreed to send that summary; without it the
            summary is neither stored nor sent.
    """

    contact_method: str
    contact: str
    voicemail_ok: bool
    best_times: str
    alias: Optional[str] = None
    note: Optional[str] = None
    reflection_summary: Optional[str] = None
    share_summary: bool = False

    def consented_summary(self) -> Optional[str]:
        """The summary, only if its separate consent was given."""
        if self.share_summary and self.reflection_summary and self.reflection_summary.strip():
            return self.reflection_summary.strip()
        return None


@dataclass(frozen=True)
class CallbackRequest:
    """A stored call-back request."""

    id: str
    created_at: datetime
    contact_method: str
    contact: str
    voicemail_ok: bool
    best_times: str
    consent_text: str
    status: str
    delete_after: datetime
    alias: Optional[str] = None
    note: Optional[str] = None
    reflection_summary: Optional[str] = None
    delivered_at: Optional[datetime] = None
    handled_at: Optional[datetime] = None


@dataclass(frozen=True)
class Delivery:
    """Where a request's email stands."""

    status: str  # pending | sent | cancelled
    attempts: int
    next_attempt_at: datetime
    last_error: Optional[str]
    sent_at: Optional[datetime]


def new_request_id() -> str:
    """A random request id (144 bits) that starts with a letter or digit: one starting with
    "-" read as an option on the practice's command line (`show -dp64...`)."""
    while True:
        candidate = secrets.token_urlsafe(18)
        if candidate[0].isalnum():
            return candidate


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def create_engine(url: Optional[str] = None) -> sa.engine.Engine:
    """An engine for Attune's database; SQLite gets write locks that queue instead of failing."""
    url = url or database_url()
    if not url.startswith("sqlite"):
        return without_parameters(sa.create_engine(url, future=True, pool_pre_ping=True))
    engine = without_parameters(sa.create_engine(url, future=True, connect_args={"timeout": 30}))

    # pysqlite starts transactions lazily and as readers; two workers upgrading to writers
    # at once can fail with "database is locked". BEGIN IMMEDIATE takes the write lock
    # first, so concurrent writers wait their turn (SQLAlchemy's documented recipe).
    @sa.event.listens_for(engine, "connect")
    def _no_pysqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin_immediate(connection: sa.engine.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    # Deleted requests (contact details) are overwritten, not just marked free.
    return sqlite.harden(engine, wal=False)


class CallbackStore:
    """Reads and writes call-back requests and their outbox rows."""

    def __init__(self, url: Optional[str] = None) -> None:
        """Connects (default: ``attune.database.database_url()``) and creates the tables."""
        self.engine = create_engine(url)
        metadata.create_all(self.engine, tables=[callback_requests, outbox])

    def save_request(
        self,
        details: CallbackDetails,
        *,
        consent_given: bool,
        consent_text: str,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        now: Optional[datetime] = None,
    ) -> CallbackRequest:
        """Stores a consented request and queues its email, in one transaction.

        Args:
            details: what the form collected.
            consent_given: the visitor said yes to ``consent_text``.
            consent_text: the exact consent wording they agreed to
                (``attune.handoff.mailer.consent_text``).
            retention_days: the practice's ``retention_days``; the request is deleted after.
            now: the current time (for tests).

        Raises:
            ConsentRequired: without a yes; nothing is stored.
            DetailsError: a detail is missing, unknown or too long; nothing is stored.
        """
        if consent_given is not True or not (consent_text or "").strip():
            raise ConsentRequired("a call-back request is stored only after the visitor agrees")
        values = _clean(details, consent_text)
        if not 1 <= retention_days <= 365:
            raise DetailsError("retention_days must be from 1 to 365")
        now = now or utc_now()
        request = CallbackRequest(
            id=new_request_id(),
            created_at=now,
            status="pending",
            delete_after=now + timedelta(days=retention_days),
            **values,
        )
        with self.engine.begin() as connection:
            connection.execute(callback_requests.insert().values(**_row(request)))
            connection.execute(
                outbox.insert().values(
                    request_id=request.id,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        logger.info("Call-back request %s stored and queued for email", request.id)
        return request

    def get_request(self, request_id: str) -> Optional[CallbackRequest]:
        """One request by id, or None."""
        with self.engine.connect() as connection:
            row = (
                connection.execute(
                    sa.select(callback_requests).where(callback_requests.c.id == request_id)
                )
                .mappings()
                .first()
            )
        return _request(row) if row else None

    def list_requests(self, status: Optional[str] = None) -> List[CallbackRequest]:
        """Requests, oldest first, optionally only those with one status."""
        query = sa.select(callback_requests).order_by(callback_requests.c.created_at)
        if status is not None:
            if status not in STATUSES:
                raise ValueError(f"status must be one of {', '.join(STATUSES)}")
            query = query.where(callback_requests.c.status == status)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_request(row) for row in rows]

    def delivery(self, request_id: str) -> Optional[Delivery]:
        """Where the email of one request stands, or None if there is no such request."""
        with self.engine.connect() as connection:
            row = (
                connection.execute(sa.select(outbox).where(outbox.c.request_id == request_id))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return Delivery(
            status=row["status"],
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"],
            last_error=row["last_error"],
            sent_at=row["sent_at"],
        )

    def mark_handled(self, request_id: str, now: Optional[datetime] = None) -> bool:
        """Marks a request handled; an email not yet sent is no longer sent.

        Returns:
            False if there is no such request.
        """
        now = now or utc_now()
        with self.engine.begin() as connection:
            changed = connection.execute(
                callback_requests.update()
                .where(callback_requests.c.id == request_id)
                .values(status="handled", handled_at=now)
            ).rowcount
            connection.execute(
                outbox.update()
                .where(outbox.c.request_id == request_id, outbox.c.status == "pending")
                .values(status="cancelled", claimed_until=None, claim_token=None)
            )
        if changed:
            logger.info("Call-back request %s marked handled", request_id)
        return bool(changed)

    def delete_requests(self, request_ids: Sequence[str]) -> int:
        """Deletes these requests and their outbox rows (a visitor's erasure); returns how many.

        An email already sent stays with the practice; nothing of it is kept here.
        """
        ids = [str(i) for i in request_ids if i]
        if not ids:
            return 0
        with self.engine.begin() as connection:
            connection.execute(outbox.delete().where(outbox.c.request_id.in_(ids)))
            deleted = connection.execute(
                callback_requests.delete().where(callback_requests.c.id.in_(ids))
            ).rowcount
        logger.info("Deleted %d call-back request(s) at the visitor's request", deleted)
        return int(deleted)

    def delete_expired(self, now: Optional[datetime] = None) -> int:
        """Deletes every request past its ``delete_after``, with its outbox row.

        Returns:
            How many requests were deleted.
        """
        now = now or utc_now()
        expired = sa.select(callback_requests.c.id).where(callback_requests.c.delete_after <= now)
        with self.engine.begin() as connection:
            ids = list(connection.execute(expired).scalars())
            undelivered = list(
                connection.execute(
                    expired.where(callback_requests.c.status == "pending")
                ).scalars()
            )
            if ids:
                connection.execute(outbox.delete().where(outbox.c.request_id.in_(ids)))
                connection.execute(
                    callback_requests.delete().where(callback_requests.c.id.in_(ids))
                )
        for request_id in undelivered:
            logger.warning(
                "Call-back request %s reached its delete date before its email was sent",
                request_id,
            )
        if ids:
            logger.info("Deleted %d expired call-back request(s)", len(ids))
        return len(ids)


def _one_line(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def _clean(details: CallbackDetails, consent_text: str) -> dict:
    """The details as they will be stored; raises DetailsError for anything unusable."""
    if details.contact_method not in CONTACT_METHODS:
        raise DetailsError(f"contact_method must be one of {', '.join(CONTACT_METHODS)}")
    contact = (details.contact or "").strip()
    if not contact or len(contact) > 254 or any(ch.isspace() for ch in contact):
        raise DetailsError("contact must be the normalised value from check_contact")
    if not isinstance(details.voicemail_ok, bool):
        raise DetailsError("voicemail_ok must be True or False")
    alias = _one_line(details.alias)
    best_times = _one_line(details.best_times)
    note = (details.note or "").strip() or None
    summary = details.consented_summary()
    for name, value, limit in (
        ("alias", alias, MAX_ALIAS_CHARS),
        ("best_times", best_times, MAX_BEST_TIMES_CHARS),
        ("note", note, MAX_NOTE_CHARS),
        ("reflection_summary", summary, MAX_SUMMARY_CHARS),
        ("consent_text", consent_text.strip(), MAX_CONSENT_CHARS),
    ):
        if value is not None and len(value) > limit:
            raise DetailsError(f"{name} is longer than {limit} characters")
    if not best_times:
        raise DetailsError("best_times is required")
    return {
        "alias": alias,
        "contact_method": details.contact_method,
        "contact": contact,
        "voicemail_ok": details.voicemail_ok,
        "best_times": best_times,
        "note": note,
        "reflection_summary": summary,
        "consent_text": consent_text.strip(),
    }


def _row(request: CallbackRequest) -> dict:
    return {name: getattr(request, name) for name in callback_requests.c.keys()}


def _request(row: Mapping[str, Any]) -> CallbackRequest:
    return CallbackRequest(**{name: row[name] for name in callback_requests.c.keys()})
