"""Contact details typed by a visitor are removed before anything is stored."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import Event, SlotSet, UserUttered

from attune.privacy.redact import EMAIL_MARK, PHONE_MARK, redact_event, redact_text


@pytest.mark.parametrize("text", [
    "email me at jo.smith+work@example.co.uk please",
    "my number is 416-555-0142",
    "call (416) 555 0142 later",
    "text +1 416 555 0142",
    "reach me: 4165550142",
    "UK: +44 20 7946 0958",
])
def test_contact_details_are_removed(text):
    redacted = redact_text(text)
    assert "@" not in redacted.replace(EMAIL_MARK, "")
    assert not any(ch.isdigit() for ch in redacted.replace(PHONE_MARK, ""))


@pytest.mark.parametrize("text", [
    "call or text 9-8-8", "I was born in 1994", "we met 3 years ago", "ran 5 kms", "911",
])
def test_short_numbers_and_ordinary_words_are_kept(text):
    assert redact_text(text) == text


def test_user_event_text_parse_data_and_entities_are_redacted_but_labels_kept():
    event = UserUttered(
        "I'm sam@example.com",
        intent={"name": "greet", "confidence": 0.9},
        entities=[{"entity": "email", "value": "sam@example.com"}],
        parse_data={"text": "I'm sam@example.com", "intent": {"name": "greet"}},
    ).as_dict()
    redacted = redact_event(event)
    assert "sam@example.com" not in str(redacted)
    assert redacted["parse_data"]["intent"]["name"] == "greet"
    assert isinstance(Event.from_parameters(redacted), UserUttered)


def test_slot_values_are_redacted():
    redacted = redact_event(SlotSet("callback_contact", "416-555-0142").as_dict())
    assert redacted["value"] == PHONE_MARK


def test_bot_replies_that_repeat_a_contact_are_redacted_too():
    consent = {"event": "bot", "text": "I'll email your number +1 416-979-1234 to the practice."}
    assert "979-1234" not in redact_event(consent)["text"]


def test_action_events_are_untouched():
    event = {"event": "action", "name": "utter_greet"}
    assert redact_event(event) is event


def test_a_consent_question_keeps_no_contact_in_its_stored_metadata():
    consent = {
        "event": "bot",
        "text": "May I send sam@example.com to the practice?",
        "data": {"buttons": [{"title": "Yes", "payload": "/affirm"}]},
        "metadata": {"utter_action": "utter_ask_callback_consent",
                     "consent": "Call-back to sam@example.com, note: call +1 416 979 1234"},
    }
    stored = redact_event(consent)
    assert "sam@example.com" not in str(stored) and "979 1234" not in str(stored)
    assert stored["metadata"]["utter_action"] == "utter_ask_callback_consent"
