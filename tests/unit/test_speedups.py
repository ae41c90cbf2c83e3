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


def test_a_graph_is_computed_as_dask_computes_it_each_node_once():
    import dask

    calls = []

    def node(name):
        def call(*inputs):
            calls.append(name)
            return name, [value for _, value in inputs]
        return call

    graph = {
        "tokenize": (node("tokenize"), "__message__"),
        "classify": (node("classify"), "tokenize", "provider"),
        "provider": (node("provider"),),
        "risk": (node("risk"), "classify", "tokenize"),
        "__message__": ("__message__", ["a message"]),
        "unused": (node("unused"), "provider"),
    }
    theirs = dask.get(graph, ["risk", "classify"])
    theirs_calls = sorted(calls)
    calls.clear()
    done = {}
    ours = tuple(speedups.graph_value(key, graph, done) for key in ["risk", "classify"])
    assert ours == theirs
    assert sorted(calls) == ["classify", "provider", "risk", "tokenize"]
    assert speedups.graph_value("unused", graph, done) and sorted(calls) == theirs_calls
    # A name that is no key of the graph is handed on as it is, as dask does.
    assert speedups.graph_value("x", {"x": (lambda *a: a, "not-a-key")}, {}) == dask.get(
        {"x": (lambda *a: a, "not-a-key")}, "x") == ("not-a-key",)


def test_the_model_graph_runner_answers_as_with_dask(monkeypatch):
    from rasa.engine.runner.dask import DaskGraphRunner

    speedups.apply()
    runner = DaskGraphRunner.__new__(DaskGraphRunner)
    needs = {"a": (), "b": ("a",)}
    schema_nodes = {name: type("Node", (), {"needs": {f"i{i}": n for i, n in enumerate(names)}})
                    for name, names in needs.items()}

    class Schema:
        target_names = ["b"]
        nodes = schema_nodes

        def minimal_graph_schema(self, targets):
            return self

    def instantiated(name):
        return lambda *inputs: (name, [v for _, v in inputs] or None)

    runner._graph_schema = Schema()
    runner._instantiated_nodes = {name: instantiated(name) for name in needs}
    assert runner.run(inputs={"x": 1}) == {"b": [None]}
    assert runner.run(targets=["a", "b"]) == {"a": None, "b": [None]}
