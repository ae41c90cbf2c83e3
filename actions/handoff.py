"""The call-back request form: validation, the consent question, and sending.

Thin on purpose: contact checks, storage and delivery live in `attune.handoff`, the words in
domain.yml. The contact is kept sealed in its slot (`attune.handoff.sealed`) and opened only
to send the request the visitor agreed to.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from attune.handoff.contacts import check_contact, contact_example
from attune.handoff.mailer import Mailer, consent_text
from attune.handoff.outbox import Outbox, Submission
from attune.handoff.sealed import PREFIX as SEALED_PREFIX
from attune.handoff.sealed import mask, seal, unseal
from attune.handoff.store import CallbackDetails, CallbackStore
from attune.practice import Practice, load_practice
from attune.reflection import QUESTION_SLOTS, answered_count, build_summary

SKIPPED = "skipped"
# Asked in the form instead of an answer: "how long is the wait usually" was kept as the
# visitor's name (writer AJ, a call-back asked for after a crisis reply). Bounded: fixed words.
WAIT_QUESTION = re.compile(
    r"\bhow\s+(?:long|soon|quickly|fast)\b|\bwhen\s+(?:will|would|do|does|can)\s+(?:they|someone|somebody|you|"
    r"the\s+\w+)\b|\bwait(?:ing)?\s+(?:time|list)\b|\bhow\s+long\s+(?:is\s+)?the\s+wait\b",
    re.IGNORECASE,
)
# The ids of the call-back requests this conversation sent (deleted with it on request).
REQUEST_IDS_SLOT = "callback_request_ids"
CALLBACK_SLOTS = (
    "callback_alias",
    "callback_method",
    "callback_contact",
    "callback_contact_tries",
    "callback_voicemail_ok",
    "callback_best_times",
    "callback_note",
    "callback_share_summary",
    "callback_consent",
)
METHOD_WORDS = {
    "email": "email", "e-mail": "email", "mail": "email",
    "call": "call", "phone call": "call", "phone": "call", "a call": "call", "call me": "call",
    "text": "text", "text message": "text", "sms": "text", "a text": "text", "texting": "text",
}


def method_from_text(text: Any) -> Optional[Text]:
    """The contact method a visitor chose, in their words or from a button."""
    if not isinstance(text, str):
        return None
    words = " ".join(text.lower().replace(".", " ").split())
    if words in METHOD_WORDS:
        return METHOD_WORDS[words]
    for phrase, method in METHOD_WORDS.items():
        if f" {phrase} " in f" {words} ":
            return method
    return None


def reflection_summary(tracker: Tracker) -> Optional[Text]:
    """The visitor's reflection summary, if they answered any question."""
    answers = {slot: tracker.get_slot(slot) for slot in QUESTION_SLOTS}
    return build_summary(answers) if answered_count(answers) else None


def optional_text(value: Any) -> Optional[Text]:
    """An optional answer: None when skipped or empty."""
    if not isinstance(value, str) or value == SKIPPED or not value.strip():
        return None
    return value.strip()


def details_from(tracker: Tracker) -> Optional[CallbackDetails]:
    """What the form collected, with the contact unsealed; None if anything is missing."""
    contact = unseal(tracker.get_slot("callback_contact"))
    method = tracker.get_slot("callback_method")
    if not contact or method not in ("email", "call", "text"):
        return None
    summary = reflection_summary(tracker)
    return CallbackDetails(
        contact_method=method,
        contact=contact,
        voicemail_ok=bool(tracker.get_slot("callback_voicemail_ok")),
        best_times=optional_text(tracker.get_slot("callback_best_times")) or "any time",
        alias=optional_text(tracker.get_slot("callback_alias")),
        note=optional_text(opened(tracker.get_slot("callback_note"))),
        reflection_summary=summary,
        share_summary=bool(summary and tracker.get_slot("callback_share_summary")),
    )


def opened(value: Any) -> Any:
    """A sealed slot value opened; any other value as it is."""
    return unseal(value) if isinstance(value, str) and value.startswith(SEALED_PREFIX) else value


def cleared_slots() -> List[EventType]:
    """Forgets everything the form collected."""
    return [SlotSet(slot, None) for slot in CALLBACK_SLOTS]


class ValidateCallbackForm(FormValidationAction):
    """Checks each answer; the contact is checked for its method and sealed."""

    def name(self) -> Text:
        """Action name used in the domain."""
        return "validate_callback_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        """Asks about sharing the reflection summary only when there is one."""
        if reflection_summary(tracker) is None:
            return [slot for slot in domain_slots if slot != "callback_share_summary"]
        return domain_slots

    def validate_callback_alias(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Any short name, or skipped. A question about the wait is answered, and the name
        asked again."""
        text = optional_text(value)
        if text and WAIT_QUESTION.search(text[:200]):
            dispatcher.utter_message(response="utter_callback_when")
            return {"callback_alias": None}
        return {"callback_alias": " ".join(text.split())[:40] if text else SKIPPED}

    def validate_callback_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Email, a phone call or a text message."""
        method = method_from_text(value)
        if method is None and WAIT_QUESTION.search(str(value or "")[:200]):
            dispatcher.utter_message(response="utter_callback_when")
        elif method is None:
            dispatcher.utter_message(response="utter_callback_method_unclear")
        return {"callback_method": method}

    def validate_callback_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """A valid email or number for the chosen method; three tries, then the booking link."""
        if isinstance(value, str) and value.startswith("sealed:"):
            return {"callback_contact": value}
        practice = load_practice()
        method = tracker.get_slot("callback_method") or "email"
        tries = int(tracker.get_slot("callback_contact_tries") or 0) + 1
        check = check_contact(method, value if isinstance(value, str) else "", practice.region.country, tries)
        if check.value is not None:  # check.ok
            return {"callback_contact": seal(check.value), "callback_contact_tries": None}
        if check.give_up:
            dispatcher.utter_message(response="utter_callback_contact_give_up")
            return {**{slot: None for slot in CALLBACK_SLOTS}, "requested_slot": None}
        dispatcher.utter_message(response="utter_callback_contact_invalid", example=check.example)
        return {"callback_contact": None, "callback_contact_tries": tries}

    def validate_callback_best_times(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Free text, kept short, or skipped."""
        text = optional_text(value)
        return {"callback_best_times": text[:200] if text else SKIPPED}

    def validate_callback_note(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Free text, kept short and sealed like the contact, or skipped.

        The stored conversation would otherwise redact a number the visitor chose to put in
        the note, and the practice would get "[phone number removed]".
        """
        text = optional_text(value)
        return {"callback_note": seal(text[:500]) if text else SKIPPED}


class ActionAskCallbackContact(Action):
    """Asks for the email address or the number, with an example for the practice's country."""

    def name(self) -> Text:
        """Action name used in the domain."""
        return "action_ask_callback_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Sends the question for the chosen method."""
        method = tracker.get_slot("callback_method") or "email"
        country = load_practice().region.country
        response = "utter_ask_callback_email" if method == "email" else "utter_ask_callback_number"
        dispatcher.utter_message(response=response, example=contact_example(method, country))
        return []


class ActionAskCallbackConsent(Action):
    """Says exactly what will be sent, to whom, and how long it is kept; then asks."""

    def name(self) -> Text:
        """Action name used in the domain."""
        return "action_ask_callback_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Sends the consent question built from the collected answers."""
        details = details_from(tracker)
        if details is None:
            dispatcher.utter_message(response="utter_callback_contact_give_up")
            return cleared_slots() + [ActiveLoop(None)]
        dispatcher.utter_message(
            response="utter_ask_callback_consent", consent=consent_text(details, load_practice())
        )
        return []


class ActionSubmitCallback(Action):
    """Stores and sends the request if the visitor agreed; otherwise stores nothing."""

    def name(self) -> Text:
        """Action name used in the domain."""
        return "action_submit_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Submits through the outbox and tells the visitor honestly what happened."""
        details = details_from(tracker)
        if tracker.get_slot("callback_method") is None:
            return cleared_slots()  # the form ended early and has said why
        if not tracker.get_slot("callback_consent") or details is None:
            dispatcher.utter_message(response="utter_callback_not_sent")
            return cleared_slots()
        practice = load_practice()
        result = await asyncio.to_thread(submit, details, practice)
        dispatcher.utter_message(
            response="utter_callback_sent" if result.delivered else "utter_callback_saved_not_sent_yet",
            contact_hint=mask(details.contact),
        )
        # The request's id (random, nothing personal) stays with the conversation, so that
        # "delete my conversation" deletes the request too (attune/tracker_store.py).
        sent = list(tracker.get_slot(REQUEST_IDS_SLOT) or [])
        return cleared_slots() + [SlotSet(REQUEST_IDS_SLOT, sent + [result.request.id])]


def submit(details: CallbackDetails, practice: Practice) -> Submission:
    """Stores the request and tries its email once."""
    outbox = Outbox(CallbackStore(), Mailer(practice).send)
    return outbox.submit(
        details,
        consent_given=True,
        consent_text=consent_text(details, practice),
        retention_days=practice.retention_days,
    )


class ActionCancelCallback(Action):
    """Cancels the request and forgets what was entered."""

    def name(self) -> Text:
        """Action name used in the domain."""
        return "action_cancel_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Clears the form's slots and closes it."""
        dispatcher.utter_message(response="utter_callback_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + cleared_slots()
