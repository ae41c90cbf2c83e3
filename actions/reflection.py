"""The reflective exercise: acknowledging each answer, resetting, resuming and the summary.

Thin on purpose: the logic is in `attune.reflection`, the words in domain.yml.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from attune.reflection import (
    QUESTION_SLOTS,
    SKIPPED,
    build_summary,
    choose_acknowledgement,
    detect_tendency,
    is_skip,
)

TENDENCY_SLOT = "reflection_tendency"
PAUSED_SLOT = "reflection_paused"


def _acknowledge(dispatcher: CollectingDispatcher, answer: Any) -> Optional[Text]:
    """Sends the acknowledgement and returns the value to keep (None to ask again)."""
    if not isinstance(answer, str) or not answer.strip():
        return None
    kept = SKIPPED if is_skip(answer) else answer.strip()
    acknowledgement = choose_acknowledgement(kept)
    dispatcher.utter_message(response=acknowledgement.response, **acknowledgement.values)
    return kept


class ValidateReflectionForm(FormValidationAction):
    """Acknowledges each answer without judging it; the first one also sets the wording."""

    def name(self) -> Text:
        """Action name used in the domain."""
        return "validate_reflection_form"

    def validate_reflection_closeness(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[Text, Any]:
        """Keeps the first answer and notes which way it says the visitor moves."""
        kept = _acknowledge(dispatcher, slot_value)
        return {"reflection_closeness": kept, TENDENCY_SLOT: detect_tendency(kept)}

    def validate_reflection_feelings(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[Text, Any]:
        """Keeps the second answer."""
        return {"reflection_feelings": _acknowledge(dispatcher, slot_value)}

    def validate_reflection_protection(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[Text, Any]:
        """Keeps the third answer."""
        return {"reflection_protection": _acknowledge(dispatcher, slot_value)}

    def validate_reflection_curiosity(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[Text, Any]:
        """Keeps the last answer. Its acknowledgement is the summary, so none is sent here."""
        if not isinstance(slot_value, str) or not slot_value.strip():
            return {"reflection_curiosity": None}
        return {"reflection_curiosity": SKIPPED if is_skip(slot_value) else slot_value.strip()}


class ActionResetReflection(Action):
    """Clears earlier answers so that a new exercise starts at the first question."""

    def name(self) -> Text:
        """Action name used in the domain."""
        return "action_reset_reflection"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Unsets the answers, the wording hint and the pause."""
        events: List[EventType] = [
            SlotSet(slot, None)
            for slot in (*QUESTION_SLOTS, TENDENCY_SLOT)
            if tracker.get_slot(slot) is not None
        ]
        if tracker.get_slot(PAUSED_SLOT):
            events.append(SlotSet(PAUSED_SLOT, False))
        return events


class ActionStartReflectionWithAnswer(ActionResetReflection):
    """At "Shall we start?", a visitor who answers straight away ("i pull away when people
    get close") starts the exercise with that as the first answer. The form then acknowledges
    it, as it does every answer, and asks the second question."""

    def name(self) -> Text:
        """Action name used in the domain."""
        return "action_start_reflection_with_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Clears earlier answers and keeps the message as the first answer."""
        events = await super().run(dispatcher, tracker, domain)
        answer = (tracker.latest_message or {}).get("text") or ""
        if not answer.strip() or answer.strip().startswith("/"):
            return events  # a button, not words: the form asks the first question
        dispatcher.utter_message(response="utter_reflection_first_answer_taken")
        return [event for event in events if event.get("name") != "reflection_closeness"] + [
            SlotSet("reflection_closeness", answer.strip())
        ]


class ActionPauseReflection(Action):
    """Marks the exercise as paused, so that "let's continue" picks it up again."""

    def name(self) -> Text:
        """Action name used in the domain."""
        return "action_pause_reflection"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Sets the pause; the answers so far stay as they are."""
        return [SlotSet(PAUSED_SLOT, True)]


class ActionResumeReflection(Action):
    """Picks a paused exercise up at the first unanswered question."""

    def name(self) -> Text:
        """Action name used in the domain."""
        return "action_resume_reflection"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Welcomes the visitor back; the form then asks the next question."""
        dispatcher.utter_message(response="utter_reflection_resuming")
        return [SlotSet(PAUSED_SLOT, False)]


class ActionReflectionSummary(Action):
    """Shows the visitor their own answers, and only to them."""

    def name(self) -> Text:
        """Action name used in the domain."""
        return "action_reflection_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Sends the summary built from the answer slots."""
        answers = {slot: tracker.get_slot(slot) for slot in QUESTION_SLOTS}
        dispatcher.utter_message(response="utter_reflection_summary", summary=build_summary(answers))
        return []
