"""The call-back form's actions: checks, sealing, consent and honest outcomes."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from cryptography.fernet import Fernet
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import (
    ActionAskCallbackConsent,
    ActionSubmitCallback,
    ValidateCallbackForm,
    method_from_text,
)
from attune.handoff.sealed import seal, unseal
from attune.handoff.store import CallbackStore


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("ATTUNE_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("ATTUNE_DATABASE_URL", f"sqlite:///{tmp_path / 'attune.db'}")
    monkeypatch.setenv("ATTUNE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ATTUNE_SMTP_PORT", "9")  # nothing listens: delivery fails
    monkeypatch.setenv("ATTUNE_SMTP_TIMEOUT", "1")


def tracker(**slots: Any) -> Tracker:
    return Tracker("visitor", slots, {"intent": {"name": "affirm"}}, [], False, None,
                   {"name": "callback_form"}, "action_listen")


FILLED: Dict[str, Any] = {
    "callback_alias": "Robin",
    "callback_method": "email",
    "callback_voicemail_ok": True,
    "callback_best_times": "weekday evenings",
    "callback_note": "skipped",
}


@pytest.mark.parametrize("text,method", [
    ("email", "email"), ("Phone call", "call"), ("text message", "text"), ("please call me", "call"),
    ("SMS", "text"), ("carrier pigeon", None), (None, None),
])
def test_method_from_words_and_buttons(text, method):
    assert method_from_text(text) == method


def test_a_valid_email_is_sealed_in_its_slot():
    result = ValidateCallbackForm().validate_callback_contact(
        "Robin@Gmail.com", CollectingDispatcher(), tracker(callback_method="email"), {}
    )
    assert result["callback_contact"].startswith("sealed:")
    assert unseal(result["callback_contact"]) == "Robin@gmail.com", "the domain is normalised"


@pytest.mark.parametrize("step, text", [("callback_alias", "how long is the wait usually"),
                                        ("callback_method", "how soon do they get back to people?")])
def test_a_question_about_the_wait_is_answered_not_kept_as_an_answer(step, text):
    # Writer AJ: "how long is the wait usually", asked at the name step after a crisis reply,
    # was kept as the visitor's name.
    dispatcher = CollectingDispatcher()
    validate = getattr(ValidateCallbackForm(), f"validate_{step}")
    assert validate(text, dispatcher, tracker(), {})[step] is None
    assert [m["response"] for m in dispatcher.messages] == ["utter_callback_when"]


@pytest.mark.parametrize("text", ["Sam", "text me", "Dr. Long"])
def test_an_answer_is_not_read_as_a_question_about_the_wait(text):
    dispatcher = CollectingDispatcher()
    assert ValidateCallbackForm().validate_callback_alias(text, dispatcher, tracker(), {})["callback_alias"] == text
    assert not dispatcher.messages


def test_a_malformed_number_is_asked_again_with_an_example():
    dispatcher = CollectingDispatcher()
    result = ValidateCallbackForm().validate_callback_contact(
        "12", dispatcher, tracker(callback_method="call"), {}
    )
    assert result["callback_contact"] is None and result["callback_contact_tries"] == 1
    [message] = dispatcher.messages
    assert message["response"] == "utter_callback_contact_invalid" and message["example"]


def test_after_three_bad_tries_the_form_ends_and_offers_the_booking_link():
    dispatcher = CollectingDispatcher()
    result = ValidateCallbackForm().validate_callback_contact(
        "nope", dispatcher, tracker(callback_method="email", callback_contact_tries=2), {}
    )
    assert result["requested_slot"] is None
    assert dispatcher.messages[0]["response"] == "utter_callback_contact_give_up"


async def test_consent_question_names_exactly_what_is_sent():
    dispatcher = CollectingDispatcher()
    await ActionAskCallbackConsent().run(
        dispatcher, tracker(**FILLED, callback_contact=seal("robin@gmail.com")), {}
    )
    consent = dispatcher.messages[0]["consent"]
    assert "robin@gmail.com" in consent and "Robin" in consent and "30 days" in consent


async def test_refused_consent_stores_nothing(tmp_path):
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitCallback().run(
        dispatcher, tracker(**FILLED, callback_contact=seal("robin@gmail.com"), callback_consent=False), {}
    )
    assert dispatcher.messages[0]["response"] == "utter_callback_not_sent"
    assert CallbackStore().list_requests() == []
    assert all(event["value"] is None for event in events), "the form forgets what was typed"


async def test_consented_request_is_stored_and_the_visitor_told_when_email_is_down():
    dispatcher = CollectingDispatcher()
    await ActionSubmitCallback().run(
        dispatcher, tracker(**FILLED, callback_contact=seal("robin@gmail.com"), callback_consent=True), {}
    )
    [request] = CallbackStore().list_requests()
    assert request.contact == "robin@gmail.com"
    assert dispatcher.messages[0]["response"] == "utter_callback_saved_not_sent_yet"


def test_a_number_in_the_consented_note_reaches_the_practice_as_written():
    from actions.handoff import ValidateCallbackForm, details_from
    from attune.handoff.sealed import seal

    validated = ValidateCallbackForm().validate_callback_note(
        "call my work line 416-555-0142 after 5", None, None, {}
    )
    assert "416-555-0142" not in validated["callback_note"], "stored sealed, never in the clear"

    class Slots:
        def __init__(self, values):
            self.values = values

        def get_slot(self, name):
            return self.values.get(name)

    tracker = Slots({"callback_contact": seal("kim@example.org"), "callback_method": "email",
                     "callback_note": validated["callback_note"]})
    assert details_from(tracker).note == "call my work line 416-555-0142 after 5"


def test_request_ids_never_start_with_a_dash_that_the_command_line_would_read_as_an_option(monkeypatch):
    import secrets

    from attune.handoff import store

    tokens = iter(["-dp64irZHwVi2oB7PjCYEOWh", "_x" + "a" * 22, "Ab" + "c" * 22])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: next(tokens))
    assert store.new_request_id() == "Ab" + "c" * 22


def test_an_older_id_starting_with_a_dash_is_still_read_as_an_id():
    from attune.handoff.cli import _ids_as_values

    assert _ids_as_values(["--database-url", "x", "show", "-dp64"]) == ["--database-url", "x", "show", "--", "-dp64"]
    assert _ids_as_values(["show", "abc"]) == ["show", "abc"]
    assert _ids_as_values(["show", "--help"]) == ["show", "--help"]
