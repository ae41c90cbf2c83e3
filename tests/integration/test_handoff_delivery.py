"""Call-back requests end to end: stored with consent, emailed for real, never lost.

A real SMTP server (aiosmtpd) listens on loopback; the store runs on SQLite and on a real
PostgreSQL server (see conftest.py).
"""

from __future__ import annotations

import email
import email.policy
import logging
import random
import threading
from datetime import datetime, timedelta, timezone
from typing import Iterator, List

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from attune.handoff import cli
from attune.handoff.contacts import check_contact
from attune.handoff.mailer import SUBJECT, Mailer, SmtpConfigError, SmtpSettings, consent_text
from attune.handoff.outbox import Outbox, retry_delay
from attune.handoff.store import (
    CallbackDetails,
    CallbackStore,
    ConsentRequired,
    DetailsError,
    callback_requests,
    outbox,
)
from attune.practice import load_practice
from tools.stack import free_port

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
SUMMARY = "When someone pulls away, I tend to reach out more and worry it is my fault."
NOTE = "I'd like to talk about my relationship. Evenings are easier."


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: List[email.message.EmailMessage] = []
        self.recipients: List[List[str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that can be started late and stopped."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="module")
def practice():
    return load_practice()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """An SMTP server that is NOT yet running (call start())."""
    server = SmtpServer(free_port())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def store(handoff_db_url: str) -> Iterator[CallbackStore]:
    store = CallbackStore(handoff_db_url)
    yield store
    store.engine.dispose()


def make_outbox(store: CallbackStore, practice, smtp: SmtpServer) -> Outbox:
    mailer = Mailer(practice, SmtpSettings(host="127.0.0.1", port=smtp.port, timeout=5))
    return Outbox(store, mailer.send, rng=random.Random(7))


def details(**changes) -> CallbackDetails:
    values = dict(
        contact_method="call",
        contact=check_contact("call", "(416) 979-1234", "CA").value,
        voicemail_ok=False,
        best_times="weekday evenings after 6",
        alias="Robin",
        note=NOTE,
        reflection_summary=SUMMARY,
        share_summary=False,
    )
    values.update(changes)
    return CallbackDetails(**values)


def submit(box: Outbox, practice, request_details: CallbackDetails, now=NOW):
    return box.submit(
        request_details,
        consent_given=True,
        consent_text=consent_text(request_details, practice),
        retention_days=practice.retention_days,
        now=now,
    )


def row_counts(store: CallbackStore) -> tuple:
    with store.engine.connect() as connection:
        return tuple(
            connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (callback_requests, outbox)
        )


# --------------------------------------------------------------------------- delivery


def test_a_consented_request_reaches_the_practice_as_a_real_email(store, practice, smtp):
    smtp.start()
    submission = submit(make_outbox(store, practice, smtp), practice, details())

    assert submission.delivered
    [message] = smtp.inbox.messages
    assert smtp.inbox.recipients == [["hello@harbourlight.example"]]
    assert message["To"] == "hello@harbourlight.example"
    assert message["Subject"] == SUBJECT
    assert "Robin" not in message["Subject"] and "416" not in message["Subject"]
    body = message.get_content()
    assert "Robin" in body
    assert "Phone call" in body
    assert "+1 416-979-1234" in body
    assert "do not leave a voicemail" in body.lower()
    assert "weekday evenings after 6" in body
    assert NOTE in body
    assert submission.request.id in body
    stored = store.get_request(submission.request.id)
    assert stored.status == "delivered"
    assert stored.delivered_at is not None


def test_the_summary_is_neither_stored_nor_sent_without_its_own_consent(store, practice, smtp):
    smtp.start()
    box = make_outbox(store, practice, smtp)
    without = submit(box, practice, details(share_summary=False))
    with_it = submit(box, practice, details(share_summary=True, alias="Sam"))

    first, second = (m.get_content() for m in smtp.inbox.messages)
    assert SUMMARY not in first
    assert "reflective exercise" not in first
    assert store.get_request(without.request.id).reflection_summary is None
    assert "reflection" not in without.request.consent_text
    assert SUMMARY in second
    assert "summary of your reflection" in with_it.request.consent_text
    assert store.get_request(with_it.request.id).reflection_summary == SUMMARY


def test_the_email_carries_only_what_the_visitor_gave(store, practice, smtp):
    smtp.start()
    plain = details(alias=None, note=None, contact_method="email",
                    contact="robin@gmail.com", voicemail_ok=True)
    submit(make_outbox(store, practice, smtp), practice, plain)

    body = smtp.inbox.messages[0].get_content()
    assert "(not given)" in body
    assert "Their note" not in body
    assert "robin@gmail.com" in body
    assert "416" not in body.split("-- ")[0]


def test_nothing_is_lost_while_the_mail_server_is_down(store, practice, smtp):
    box = make_outbox(store, practice, smtp)  # nothing listens on smtp.port yet

    submission = submit(box, practice, details())

    assert not submission.delivered
    request_id = submission.request.id
    assert store.get_request(request_id).status == "pending"
    delivery = store.delivery(request_id)
    assert delivery.attempts == 1
    assert delivery.last_error == "ConnectionRefusedError"
    assert NOW + timedelta(seconds=20) < delivery.next_attempt_at <= NOW + timedelta(seconds=30)
    # Still down a bit later: another failed try, and a longer wait before the next.
    assert box.deliver_due(delivery.next_attempt_at).failed == [request_id]
    later = store.delivery(request_id)
    assert later.attempts == 2
    assert later.next_attempt_at - delivery.next_attempt_at > timedelta(seconds=40)
    assert box.deliver_due(later.next_attempt_at - timedelta(seconds=1)).failed == []  # not due

    smtp.start()
    report = box.deliver_due(later.next_attempt_at)

    assert report.sent == [request_id]
    [message] = smtp.inbox.messages
    assert "Robin" in message.get_content()
    assert store.get_request(request_id).status == "delivered"
    assert box.deliver_due(later.next_attempt_at + timedelta(hours=2)).sent == []
    assert len(smtp.inbox.messages) == 1


def test_retries_wait_longer_each_time_up_to_an_hour():
    rng = random.Random(1)
    waits = [retry_delay(attempts, rng).total_seconds() for attempts in range(1, 12)]
    assert 22.5 <= waits[0] <= 30
    assert 45 <= waits[1] <= 60
    assert all(later > earlier for earlier, later in zip(waits[:6], waits[1:7]))
    assert max(waits) <= 3600
    assert waits[-1] >= 2700


def test_two_workers_at_once_send_each_email_once(store, handoff_db_url, practice, smtp):
    smtp.start()
    saved = [
        store.save_request(
            details(alias=f"Visitor {n}"),
            consent_given=True,
            consent_text=consent_text(details(alias=f"Visitor {n}"), practice),
            now=NOW,
        ).id
        for n in range(6)
    ]
    second_store = CallbackStore(handoff_db_url)
    workers = [make_outbox(store, practice, smtp), make_outbox(second_store, practice, smtp)]
    start = threading.Barrier(2)
    reports = [None, None]

    def work(index: int) -> None:
        start.wait()
        reports[index] = workers[index].deliver_due(NOW)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    second_store.engine.dispose()

    sent = reports[0].sent + reports[1].sent
    assert sorted(sent) == sorted(saved)
    assert len(smtp.inbox.messages) == len(saved)
    ids_in_mail = [m["Message-ID"] for m in smtp.inbox.messages]
    assert len(set(ids_in_mail)) == len(saved)
    assert {r.status for r in store.list_requests()} == {"delivered"}


# --------------------------------------------------------------------------- consent


def test_refused_consent_stores_and_sends_nothing(store, practice, smtp):
    smtp.start()
    box = make_outbox(store, practice, smtp)
    request_details = details()

    for answer in (False, None, "yes"):
        with pytest.raises(ConsentRequired):
            box.submit(
                request_details,
                consent_given=answer,
                consent_text=consent_text(request_details, practice),
                now=NOW,
            )
    with pytest.raises(ConsentRequired):
        box.submit(request_details, consent_given=True, consent_text="  ", now=NOW)

    assert row_counts(store) == (0, 0)
    box.deliver_due(NOW + timedelta(days=1))
    assert smtp.inbox.messages == []


def test_cancelling_the_form_at_the_consent_question_leaves_no_trace(store, practice, smtp):
    smtp.start()
    box = make_outbox(store, practice, smtp)
    # Everything the form does before the consent answer...
    contact = check_contact("text", "416 979 1234", "CA", attempt=2)
    collected = details(contact_method="text", contact=contact.value, share_summary=True)
    question = consent_text(collected, practice)
    assert "+1 416-979-1234" in question
    # ...then the visitor cancels instead of answering: the form never submits.
    box.deliver_due(NOW + timedelta(days=1))

    assert row_counts(store) == (0, 0)
    assert smtp.inbox.messages == []


def test_details_the_store_cannot_take_store_nothing(store, practice):
    for bad in (
        details(contact_method="fax"),
        details(contact=""),
        details(best_times="   "),
        details(note="x" * 501),
        details(alias="A" * 41),
    ):
        with pytest.raises(DetailsError):
            store.save_request(bad, consent_given=True, consent_text="OK to send", now=NOW)
    assert row_counts(store) == (0, 0)


def test_the_consent_question_says_what_goes_to_whom_and_for_how_long(practice):
    question = consent_text(details(share_summary=True, voicemail_ok=False), practice)
    assert "the name Robin" in question
    assert "+1 416-979-1234 for a call" in question
    assert "not leave a voicemail" in question
    assert "your best times" in question
    assert "your note" in question
    assert "summary of your reflection" in question
    assert "Harbourlight Counselling at hello@harbourlight.example" in question
    assert f"{practice.retention_days} days" in question
    assert len(consent_text(details(), practice).split()) <= 60


# --------------------------------------------------------------------------- practice side


def test_the_practice_lists_reads_and_closes_requests(
    store, handoff_db_url, practice, smtp, capsys
):
    box = make_outbox(store, practice, smtp)  # mail server down: stays pending
    request_id = submit(box, practice, details()).request.id

    assert cli.main(["--database-url", handoff_db_url, "list", "--status", "pending"]) == 0
    listing = capsys.readouterr().out
    assert request_id in listing
    assert "NOT EMAILED YET after 1 try" in listing
    for private in ("Robin", "416", "979", "evenings", "relationship"):
        assert private not in listing

    assert cli.main(["--database-url", handoff_db_url, "show", request_id]) == 0
    shown = capsys.readouterr().out
    assert "Robin" in shown and "+1 416-979-1234" in shown and NOTE in shown

    assert cli.main(["--database-url", handoff_db_url, "handled", request_id]) == 0
    capsys.readouterr()
    assert store.get_request(request_id).status == "handled"
    assert store.delivery(request_id).status == "cancelled"
    smtp.start()
    assert box.deliver_due(NOW + timedelta(days=1)).sent == []

    cli.main(["--database-url", handoff_db_url, "list", "--status", "pending"])
    assert "No pending call-back requests." in capsys.readouterr().out
    assert cli.main(["--database-url", handoff_db_url, "show", "no-such-id"]) == 1


def test_requests_are_deleted_after_the_retention_days(store, practice, smtp):
    smtp.start()
    box = make_outbox(store, practice, smtp)
    old = submit(box, practice, details(), now=NOW - timedelta(days=31)).request
    recent = submit(box, practice, details(alias="Sam"), now=NOW - timedelta(days=2)).request
    assert old.delete_after == old.created_at + timedelta(days=practice.retention_days)

    assert store.delete_expired(NOW) == 1

    assert store.get_request(old.id) is None
    assert store.delivery(old.id) is None
    assert [r.id for r in store.list_requests()] == [recent.id]


def test_logs_name_request_ids_but_no_personal_details(store, practice, smtp, caplog):
    caplog.set_level(logging.DEBUG, logger="attune")
    box = make_outbox(store, practice, smtp)
    request = submit(box, practice, details(share_summary=True), now=NOW).request
    smtp.start()
    box.deliver_due(NOW + timedelta(minutes=5))
    store.mark_handled(request.id)
    store.delete_expired(NOW + timedelta(days=60))

    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("attune"))
    assert request.id in logged
    for private in ("Robin", "4169791234", "416-979", "evenings", NOTE, SUMMARY):
        assert private not in logged


# --------------------------------------------------------------------------- settings


def test_smtp_settings_come_from_the_environment(practice):
    submission_port = SmtpSettings.from_env({"ATTUNE_SMTP_HOST": "mail.example.ca",
                                             "ATTUNE_SMTP_PORT": "587",
                                             "ATTUNE_SMTP_USER": "bot@example.ca"})
    assert (submission_port.host, submission_port.port, submission_port.starttls) == (
        "mail.example.ca", 587, True)
    assert not SmtpSettings.from_env({"ATTUNE_SMTP_PORT": "587",
                                      "ATTUNE_SMTP_STARTTLS": "false"}).starttls
    assert SmtpSettings.from_env({"ATTUNE_SMTP_PORT": "465"}).implicit_tls
    local = SmtpSettings.from_env({})
    assert (local.host, local.port, local.starttls) == ("localhost", 25, False)
    with pytest.raises(SmtpConfigError, match="ATTUNE_SMTP_PORT"):
        SmtpSettings.from_env({"ATTUNE_SMTP_PORT": "smtp"})
    assert Mailer(practice, submission_port).sender == "bot@example.ca"


def test_requests_can_go_to_another_address(store, practice, smtp, monkeypatch):
    monkeypatch.setenv("ATTUNE_HANDOFF_TO", "intake@harbourlight.example")
    smtp.start()
    submit(make_outbox(store, practice, smtp), practice, details())
    assert smtp.inbox.recipients == [["intake@harbourlight.example"]]
