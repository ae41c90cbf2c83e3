"""The prepared validator accepts and rejects exactly what Rasa's own check does; remembered
event classes are the ones Rasa's own look-up finds."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.utils.common import all_subclasses
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from attune import speedups


def test_valid_action_results_pass_and_malformed_ones_are_rejected():
    speedups.apply()
    action = RemoteAction("action_x", None)
    assert action._validate_action_result({"events": [], "responses": [{"text": "hi"}]})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": "not a list", "responses": []})


def test_every_event_name_resolves_to_the_class_rasa_finds_and_unknown_names_as_before():
    speedups.apply()
    for event_class in all_subclasses(Event):
        assert Event.resolve_by_type(event_class.type_name) is event_class
        assert Event.resolve_by_type(event_class.type_name) is event_class, "remembered"
    assert Event.resolve_by_type("topic") is None, "Rasa's old topic events are skipped"
    assert Event.resolve_by_type("no_such_event", ActionExecuted) is ActionExecuted
    with pytest.raises(ValueError, match="no_such_event"):
        Event.resolve_by_type("no_such_event")
    event = Event.from_parameters({"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}})
    assert isinstance(event, UserUttered) and event.text == "hi"
