"""Performance fixes for Rasa 3.6.21, applied once when the Rasa server loads Attune's plug-ins.

Rasa checks every action server response against its JSON schema with `jsonschema.validate`,
which rebuilds a validator from the schema on every call: 30-77 ms per custom action or form
step on these machines (measured, docs/performance.md). The same check with a validator built
once is identical in what it accepts and rejects, and costs well under a millisecond.

Rasa turns every stored event back into its class with `Event.resolve_by_type`, which walks
every subclass of `Event` (and asks `inspect` whether each is abstract) for every event: more
than half of a conversation's retrieve (4.3 -> 1.9 ms for a 30-turn conversation, measured
with `make bench-store`). The class found for a name is remembered; an unknown name is looked up
Rasa's way each time, so it resolves (or fails) exactly as before.

Rasa's RulePolicy tries every rule against the conversation's last states, in Python, for every
prediction (about three a message): the rules that apply to states seen before are remembered,
the very same answer (`_remember_rule_keys`).

Rasa runs its model graph (the NLU pipeline once a message, the policies once a prediction)
through dask's scheduler, which costs about 0.2 ms a run to plan eight nodes on one thread: the
same nodes are called in dependency order directly (`_run_graphs_in_order`).
"""

from __future__ import annotations

import json
import threading
from typing import Any, Dict, List, Optional, Set, Text, Tuple

from attune import model_thread

_applied = False


def apply() -> None:
    """Replaces RemoteAction's result check with one using a prepared validator (once)."""
    global _applied
    if _applied:
        return
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    spec = RemoteAction.action_response_format_spec()
    validator = validator_for(spec)(spec)

    def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        try:
            validator.validate(result)
            return True
        except ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, make sure your "
                f"response from the Action endpoint is valid. See {DOCS_BASE_URL}/custom-actions"
            )
            raise error

    RemoteAction._validate_action_result = validate_action_result
    _remember_event_classes()
    _remember_rule_keys()
    _run_graphs_in_order()
    model_thread.install()
    _applied = True


def _remember_event_classes() -> None:
    """`Event.resolve_by_type` with the classes it found remembered by name."""
    from rasa.shared.core.events import Event

    resolve = Event.resolve_by_type
    found: Dict[Text, Any] = {}

    def resolve_by_type(type_name: Text, default: Optional[Any] = None) -> Optional[Any]:
        known = found.get(type_name)
        if known is not None:
            return known
        try:
            event_class = resolve(type_name)
        except ValueError:
            if default is not None:
                return default
            raise
        if event_class is not None:
            found[type_name] = event_class
        return event_class

    Event.resolve_by_type = staticmethod(resolve_by_type)


# Conversation states whose applicable rules one policy remembers (then it starts afresh).
REMEMBERED_STATES = 4096


def _remember_rule_keys() -> None:
    """`RulePolicy._get_possible_keys` remembered by the conversation states it was given.

    It tries every rule against the last states of the conversation, one state at a time, in
    Python: about 1 ms per prediction with Attune's rules, three predictions a message. What it
    returns depends only on the rules (fixed once the model is loaded) and the states, so the
    answer for states seen before is that same answer, the very same set object: Rasa picks
    the longest rule from it, and among rules of one length the first in the set's order, so
    even that order is the one Rasa computed. States are told apart by their `repr` (plain
    strings, numbers and tuples: equal reprs are equal states).

    Rasa first reads the message by its text, then by its intent. A rule compares only what it
    names, so when no rule names a text (Attune's rules name intents), the visitor's words are
    never compared: such states are remembered with the words left out of the key (no words
    are kept), and the answer is the one the same states with any words get. When a rule does
    name a text, states with words are not remembered.
    """
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.nlu.constants import ACTION_TEXT, TEXT

    find = RulePolicy._get_possible_keys
    lock = threading.Lock()
    words = (TEXT, ACTION_TEXT)

    def with_words(states: List[Any]) -> bool:
        return any(word in sub for state in states for sub in state.values() for word in words)

    def rules_name_words(self: Any, lookup: Dict[Text, Text]) -> bool:
        named: Dict[int, Tuple[Any, bool]] = self.__dict__.setdefault(_RULES_NAME_WORDS, {})
        entry = named.get(id(lookup))
        if entry is None or entry[0] is not lookup:
            entry = (lookup, any(with_words(json.loads(key)) for key in lookup))
            named[id(lookup)] = entry
        return entry[1]

    def get_possible_keys(self: Any, lookup: Dict[Text, Text], states: List[Any]) -> Set[Text]:
        remembered: Optional[Dict[Tuple[int, str], Tuple[Any, Set[Text]]]] = self.__dict__.get(_REMEMBERED_KEYS)
        if remembered is None:
            with lock:
                remembered = self.__dict__.setdefault(_REMEMBERED_KEYS, {})
        shown = states
        if with_words(states):
            if rules_name_words(self, lookup):
                return find(self, lookup, states)
            shown = [{kind: {name: WORDS_LEFT_OUT if name in words else value for name, value in sub.items()}
                      for kind, sub in state.items()} for state in states]
        key = (id(lookup), repr(shown))
        known = remembered.get(key)
        if known is not None and known[0] is lookup:
            return known[1]
        possible = find(self, lookup, states)
        with lock:
            if len(remembered) >= REMEMBERED_STATES:
                remembered.clear()
            remembered[key] = (lookup, possible)
        return possible

    RulePolicy._get_possible_keys = get_possible_keys


# What stands for the visitor's words in a remembered state's key.
WORDS_LEFT_OUT = "<words>"
_RULES_NAME_WORDS = "_attune_rules_name_words"
_REMEMBERED_KEYS = "_attune_possible_keys"


def _run_graphs_in_order() -> None:
    """`DaskGraphRunner.run` without dask: each node of the run's graph called once, after the
    nodes it needs, with their outputs, as `dask.get` on one thread calls them.

    A graph's tasks are `(node, *needed)`, where each needed name is another task or an input
    (`(name, value)`, handed on as it is); a name that is neither passes through as it is, as
    in dask. Only the scheduling is gone: the nodes, their inputs and the outputs returned are
    the same; an exception from a node reaches the caller as dask re-raises it.
    """
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    def run(self: Any, inputs: Optional[Dict[Text, Any]] = None,
            targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        graph = self._build_dask_graph(self._graph_schema.minimal_graph_schema(run_targets))
        if inputs:
            self._add_inputs_to_graph(inputs, graph)
        try:
            done: Dict[Text, Any] = {}
            outputs = dict(graph_value(target, graph, done) for target in run_targets)
            for key in graph:  # dask runs every task of the graph (the minimal one: all needed)
                graph_value(key, graph, done)
            return outputs
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error

    DaskGraphRunner.run = run


def graph_value(key: Text, graph: Dict[Text, Any], done: Dict[Text, Any]) -> Any:
    """The value of `key` in a dask-style graph: a task `(callable, *arguments)` called with its
    arguments' values (an argument that names another key is that key's value), else the entry
    itself. Each key is computed once (`done`)."""
    if key in done:
        return done[key]
    task = graph[key]
    if type(task) is tuple and task and callable(task[0]):
        arguments = [graph_value(a, graph, done) if isinstance(a, str) and a in graph else a for a in task[1:]]
        value = task[0](*arguments)
    else:
        value = task
    done[key] = value
    return value
