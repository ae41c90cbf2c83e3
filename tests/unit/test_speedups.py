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
        # Rasa's own look-up: the first class of that name (rasa.core.test's end-to-end user
        # event, once imported, shares UserUttered's name and is never the one found).
        first = next(c for c in all_subclasses(Event) if c.type_name == event_class.type_name)
        assert Event.resolve_by_type(event_class.type_name) is first
        assert Event.resolve_by_type(event_class.type_name) is first, "remembered"
    assert Event.resolve_by_type("topic") is None, "Rasa's old topic events are skipped"
    assert Event.resolve_by_type("no_such_event", ActionExecuted) is ActionExecuted
    with pytest.raises(ValueError, match="no_such_event"):
        Event.resolve_by_type("no_such_event")
    event = Event.from_parameters({"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}})
    assert isinstance(event, UserUttered) and event.text == "hi"


def _rule(*states):
    import json

    return json.dumps(list(states))


LISTEN = {"prev_action": {"action_name": "action_listen"}}
RULES = {
    _rule({}, {"user": {"intent": "greet"}, **LISTEN}): "utter_greet",
    _rule({"user": {"intent": "greet"}, **LISTEN}): "utter_greet",
    _rule({"user": {"intent": "bye"}, **LISTEN}): "utter_bye",
    _rule({"user": {"intent": "greet"}, **LISTEN}, {"prev_action": {"action_name": "utter_greet"}}): "action_listen",
    _rule({"user": {"intent": "greet"}, **LISTEN}, {"prev_action": {"action_name": "utter_greet"},
                                                   "slots": {"region": (1.0,)}}): "action_listen",
}
STATES = [
    [{}, {"user": {"intent": "greet"}, **LISTEN}],
    [{"user": {"intent": "greet"}, **LISTEN}],
    [{"user": {"intent": "bye"}, **LISTEN}],
    [{"user": {"intent": "greet"}, **LISTEN}, {"prev_action": {"action_name": "utter_greet"}}],
    [{"user": {"intent": "greet"}, **LISTEN}, {"prev_action": {"action_name": "utter_greet"},
                                              "slots": {"region": (1.0,)}}],
    [{"user": {"intent": "other"}, **LISTEN}],
]


def rasas_possible_keys(policy, lookup, states):
    """Rasa 3.6.21's RulePolicy._get_possible_keys."""
    possible_keys = set(lookup.keys())
    for i, state in enumerate(reversed(states)):
        possible_keys = set(filter(lambda _key: policy._is_rule_applicable(_key, i, state), possible_keys))
    return possible_keys


def test_the_applicable_rules_are_rasas_and_states_seen_before_get_the_very_same_answer():
    from rasa.core.policies.rule_policy import RulePolicy

    speedups.apply()
    policy = RulePolicy.__new__(RulePolicy)  # what the look-up reads: the rules, in `lookup`
    for states in STATES:
        first = policy._get_possible_keys(RULES, states)
        assert first == rasas_possible_keys(policy, RULES, states)
        assert policy._get_possible_keys(RULES, [dict(s) for s in states]) is first  # remembered
    other = dict(RULES)
    assert policy._get_possible_keys(other, STATES[0]) is not policy._get_possible_keys(RULES, STATES[0])


def test_the_visitors_words_are_never_kept_and_rules_that_name_words_read_them_each_time():
    from rasa.core.policies.rule_policy import RulePolicy

    speedups.apply()
    policy = RulePolicy.__new__(RulePolicy)
    first = [{}, {"user": {"text": "my words"}, **LISTEN}]
    other = [{}, {"user": {"text": "other words"}, **LISTEN}]
    found = policy._get_possible_keys(RULES, first)
    assert found == rasas_possible_keys(policy, RULES, first) == rasas_possible_keys(policy, RULES, other)
    # No rule names a text: the words are never compared, so any words get that same answer.
    assert policy._get_possible_keys(RULES, other) is found
    assert "my words" not in repr(policy.__dict__) and "other words" not in repr(policy.__dict__)
    by_text = {**RULES, _rule({}, {"user": {"text": "my words"}, **LISTEN}): "utter_greet"}
    answers = [policy._get_possible_keys(by_text, states) for states in (first, other, first)]
    assert answers == [rasas_possible_keys(policy, by_text, s) for s in (first, other, first)]
    assert answers[0] != answers[1] and answers[0] is not answers[2]  # read each time

