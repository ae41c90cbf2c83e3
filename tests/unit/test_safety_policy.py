"""The SafetyPolicy answers risk first, in any state, with the turn written in the rules."""

from __future__ import annotations

from typing import List

import pytest
from rasa.shared.core.constants import (
    ACTION_DEACTIVATE_LOOP_NAME,
    ACTION_EXTRACT_SLOTS,
    ACTION_LISTEN_NAME,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from attune.policies.safety_policy import (
    SafetyRulesError,
    crisis_turns_from_trackers,
    next_crisis_action,
)

TURNS = {"risk_suicide": ["utter_crisis_suicide", "utter_ask_safe_now"]}


def tracker_after(events: List[Event]) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("visitor", [ActionExecuted(ACTION_LISTEN_NAME)] + events)


def said(intent: str) -> List[Event]:
    return [UserUttered("...", intent={"name": intent, "confidence": 1.0}), ActionExecuted(ACTION_EXTRACT_SLOTS)]


def test_first_step_of_a_crisis_turn_is_the_resources():
    assert next_crisis_action(tracker_after(said("risk_suicide")), TURNS) == "utter_crisis_suicide"


def test_the_turn_continues_with_the_question_then_listens():
    tracker = tracker_after(said("risk_suicide") + [ActionExecuted("utter_crisis_suicide")])
    assert next_crisis_action(tracker, TURNS) == "utter_ask_safe_now"
    tracker.update(ActionExecuted("utter_ask_safe_now"))
    assert next_crisis_action(tracker, TURNS) == ACTION_LISTEN_NAME


def test_inside_a_form_the_turn_closes_the_form_before_listening():
    tracker = tracker_after(
        [ActiveLoop("reflection_form")]
        + said("risk_suicide")
        + [ActionExecuted("utter_crisis_suicide"), ActionExecuted("utter_ask_safe_now")]
    )
    assert next_crisis_action(tracker, TURNS) == ACTION_DEACTIVATE_LOOP_NAME
    tracker.update(ActionExecuted(ACTION_DEACTIVATE_LOOP_NAME))
    tracker.update(ActiveLoop(None))
    assert next_crisis_action(tracker, TURNS) == ACTION_LISTEN_NAME


def test_inside_a_form_the_first_step_is_still_the_resources_not_the_form():
    tracker = tracker_after([ActiveLoop("reflection_form")] + said("risk_suicide"))
    assert next_crisis_action(tracker, TURNS) == "utter_crisis_suicide"


@pytest.mark.parametrize("intent", ["greet", "request_human", "nlu_fallback"])
def test_other_messages_are_left_to_other_policies(intent: str):
    assert next_crisis_action(tracker_after(said(intent)), TURNS) is None


def test_the_policy_steps_aside_once_something_else_has_run():
    tracker = tracker_after(said("risk_suicide") + [ActionExecuted("utter_greet")])
    assert next_crisis_action(tracker, TURNS) is None


def rule_tracker(intent: str, actions: List[str]) -> TrackerWithCachedStates:
    events: List[Event] = [ActionExecuted("..."), UserUttered(intent={"name": intent})]
    events += [ActionExecuted(name) for name in actions] + [ActionExecuted(ACTION_LISTEN_NAME)]
    return TrackerWithCachedStates.from_events("rule", events, domain=Domain.empty(), is_rule_tracker=True)


def test_turns_are_read_from_the_safety_rules():
    trackers = [
        rule_tracker("risk_abuse", ["utter_crisis_abuse", "utter_ask_safe_to_talk"]),
        rule_tracker("greet", ["utter_welcome"]),
        rule_tracker("request_crisis_help", ["utter_crisis_general"]),
    ]
    turns = crisis_turns_from_trackers(trackers, {"request_crisis_help"})
    assert turns == {
        "risk_abuse": ["utter_crisis_abuse", "utter_ask_safe_to_talk"],
        "request_crisis_help": ["utter_crisis_general"],
    }


def test_two_rules_answering_one_risk_intent_differently_stop_training():
    trackers = [
        rule_tracker("risk_abuse", ["utter_crisis_abuse"]),
        rule_tracker("risk_abuse", ["utter_crisis_suicide"]),
    ]
    with pytest.raises(SafetyRulesError):
        crisis_turns_from_trackers(trackers, set())
