"""Delivers stored call-back requests by email, retrying until the mail server answers.

Each request has one outbox row. A worker claims a due row with a single conditional UPDATE
(``status='pending'`` and no live claim), so when two workers run at once only one of them
sends; then it sends the email and records the result. A failure is counted and the next try
scheduled with exponential backoff (30 s, 1 min, 2 min ... at most 1 h, with jitter), so
nothing is lost while the mail server is down. A worker that dies mid-send holds its claim for
``CLAIM_SECONDS``; after that another worker retries (the only case in which an email can go
out twice; the repeated Message-ID lets mail programs fold the copies).

Run it from the command line::

    python -m attune.handoff.outbox --once      # send what is due, then stop
    python -m attune.handoff.outbox --loop      # keep sending every 30 s (Ctrl-C stops)
"""

from __future__ import annotations

import argparse
import logging
import random
import secrets
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, List, Optional, Sequence

import sqlalchemy as sa

from attune.handoff.store import (
    CallbackDetails,
    CallbackRequest,
    CallbackStore,
    DEFAULT_RETENTION_DAYS,
    callback_requests,
    outbox,
    utc_now,
)

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600
CLAIM_SECONDS = 300  # longer than any SMTP conversation (timeout 10 s per step)
DEFAULT_INTERVAL_SECONDS = 30
BATCH_SIZE = 20


def retry_delay(attempts: int, rng: Optional[random.Random] = None) -> timedelta:
    """How long to wait after ``attempts`` failed tries: doubling from 30 s, at most 1 h.

    The jitter (75% to 100% of the step) keeps several workers from retrying in lockstep.
    """
    step = min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)
    return timedelta(seconds=step * (rng or random).uniform(0.75, 1.0))


@dataclass
class DeliveryReport:
    """What one pass of the outbox did (request ids only)."""

    sent: List[str] = field(default_factory=list)
    failed: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class Submission:
    """A stored request and whether its email has already reached the mail server."""

    request: CallbackRequest
    delivered: bool


class Outbox:
    """Sends the emails of stored requests; safe to run in several workers at once."""

    def __init__(
        self,
        store: CallbackStore,
        send: Callable[[CallbackRequest], None],
        rng: Optional[random.Random] = None,
    ) -> None:
        """
        Args:
            store: where requests and outbox rows live.
            send: sends one request's email and raises on failure (``Mailer.send``).
            rng: random source for the retry jitter (for tests).
        """
        self.store = store
        self.send = send
        self.rng = rng or random.Random()

    def submit(
        self,
        details: CallbackDetails,
        *,
        consent_given: bool,
        consent_text: str,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        now: Optional[datetime] = None,
    ) -> Submission:
        """Stores a consented request, then tries to email it straight away.

        ``delivered`` is False when the mail server could not take it: the request is safe
        in the database and the worker keeps retrying, so the visitor can be told that.

        Raises:
            ConsentRequired: without a yes; nothing is stored or sent.
            DetailsError: the details cannot be stored; nothing is stored or sent.
        """
        request = self.store.save_request(
            details,
            consent_given=consent_given,
            consent_text=consent_text,
            retention_days=retention_days,
            now=now,
        )
        return Submission(request=request, delivered=self.deliver(request.id, now=now))

    def deliver_due(
        self, now: Optional[datetime] = None, limit: int = BATCH_SIZE
    ) -> DeliveryReport:
        """Tries every due email once (at most ``limit``) and reports what happened."""
        now = now or utc_now()
        report = DeliveryReport()
        with self.store.engine.connect() as connection:
            due = list(
                connection.execute(
                    sa.select(outbox.c.request_id)
                    .where(_is_due(now))
                    .order_by(outbox.c.next_attempt_at)
                    .limit(limit)
                ).scalars()
            )
        for request_id in due:
            outcome = self._deliver_claimed(request_id, now)
            if outcome is True:
                report.sent.append(request_id)
            elif outcome is False:
                report.failed.append(request_id)
        return report

    def deliver(self, request_id: str, now: Optional[datetime] = None) -> bool:
        """Tries one request's email now if it is due; True once it has been sent."""
        now = now or utc_now()
        outcome = self._deliver_claimed(request_id, now)
        if outcome is None:
            delivery = self.store.delivery(request_id)
            return delivery is not None and delivery.status == "sent"
        return outcome

    def run_worker(
        self, stop_event: threading.Event, interval: float = DEFAULT_INTERVAL_SECONDS
    ) -> None:
        """Delivers due emails every ``interval`` seconds until ``stop_event`` is set."""
        while not stop_event.is_set():
            try:
                self.deliver_due()
            except Exception:  # a database hiccup must not end the worker
                logger.exception("Outbox pass failed; trying again in %s s", interval)
            stop_event.wait(interval)

    def start_worker_thread(
        self, interval: float = DEFAULT_INTERVAL_SECONDS
    ) -> "tuple[threading.Thread, threading.Event]":
        """Runs ``run_worker`` in a daemon thread; set the returned event to stop it."""
        stop_event = threading.Event()
        thread = threading.Thread(
            target=self.run_worker, args=(stop_event, interval), name="attune-outbox", daemon=True
        )
        thread.start()
        return thread, stop_event

    # ---- one email

    def _claim(self, request_id: str, now: datetime) -> Optional[str]:
        """Claims a due row for this worker; returns the claim token, or None if not ours."""
        token = secrets.token_hex(16)
        with self.store.engine.begin() as connection:
            claimed = connection.execute(
                outbox.update()
                .where(outbox.c.request_id == request_id, _is_due(now))
                .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), claim_token=token)
            ).rowcount
        return token if claimed == 1 else None

    def _deliver_claimed(self, request_id: str, now: datetime) -> Optional[bool]:
        """True if sent, False if the try failed, None if not due or claimed by another worker."""
        token = self._claim(request_id, now)
        if token is None:
            return None
        request = self.store.get_request(request_id)
        if request is None:  # deleted between the claim and now
            return None
        try:
            self.send(request)
        except Exception as error:  # noqa: BLE001 - any failure: keep the email and retry
            self._record_failure(request_id, token, now, _error_kind(error))
            return False
        self._record_sent(request_id, token)
        return True

    def _record_sent(self, request_id: str, token: str) -> None:
        sent_at = utc_now()
        with self.store.engine.begin() as connection:
            connection.execute(
                outbox.update()
                .where(outbox.c.request_id == request_id, outbox.c.claim_token == token)
                .values(
                    status="sent",
                    sent_at=sent_at,
                    attempts=outbox.c.attempts + 1,
                    claimed_until=None,
                    claim_token=None,
                    last_error=None,
                )
            )
            connection.execute(
                callback_requests.update()
                .where(
                    callback_requests.c.id == request_id,
                    callback_requests.c.status == "pending",
                )
                .values(status="delivered", delivered_at=sent_at)
            )
        logger.info("Call-back request %s emailed to the practice", request_id)

    def _record_failure(self, request_id: str, token: str, now: datetime, kind: str) -> None:
        with self.store.engine.begin() as connection:
            attempts = connection.execute(
                sa.select(outbox.c.attempts).where(outbox.c.request_id == request_id)
            ).scalar_one() + 1
            next_attempt_at = now + retry_delay(attempts, self.rng)
            connection.execute(
                outbox.update()
                .where(outbox.c.request_id == request_id, outbox.c.claim_token == token)
                .values(
                    attempts=attempts,
                    next_attempt_at=next_attempt_at,
                    claimed_until=None,
                    claim_token=None,
                    last_error=kind[:200],
                )
            )
        logger.warning(
            "Call-back request %s: email try %d failed (%s); next try at %s UTC",
            request_id,
            attempts,
            kind,
            f"{next_attempt_at:%H:%M:%S}",
        )


def _is_due(now: datetime) -> sa.sql.ColumnElement:
    return sa.and_(
        outbox.c.status == "pending",
        outbox.c.next_attempt_at <= now,
        sa.or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now),
    )


def _error_kind(error: BaseException) -> str:
    """The kind of failure and SMTP code, never the server's text (it may echo addresses)."""
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__}" + (f" (SMTP {code})" if code else "")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command line: deliver due call-back emails once or in a loop."""
    from attune.handoff.mailer import Mailer, SmtpConfigError
    from attune.practice import PracticeConfigError, load_practice

    parser = argparse.ArgumentParser(
        prog="python -m attune.handoff.outbox",
        description="Email stored call-back requests to the practice.",
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true", help="send what is due, then stop")
    mode.add_argument("--loop", action="store_true", help="keep sending until Ctrl-C")
    parser.add_argument(
        "--interval", type=float, default=DEFAULT_INTERVAL_SECONDS, help="seconds between passes"
    )
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        mailer = Mailer(load_practice())
    except (PracticeConfigError, SmtpConfigError) as error:
        print(error)
        return 1
    box = Outbox(CallbackStore(args.database_url), mailer.send)
    if args.once:
        report = box.deliver_due()
        print(f"Sent {len(report.sent)}, failed {len(report.failed)} (failed ones are retried).")
        return 0 if not report.failed else 2
    stop_event = threading.Event()
    try:
        box.run_worker(stop_event, args.interval)
    except KeyboardInterrupt:
        stop_event.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
