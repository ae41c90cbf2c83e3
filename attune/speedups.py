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
"""

from __future__ import annotations

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
    strings, numbers and tuples: equal reprs are equal states). States that hold the visitor's
    words (Rasa's reading by text, before the one by intent) are not remembered: no words are
    kept, and the same words rarely come twice.
    """
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.nlu.constants import ACTION_TEXT, TEXT

    find = RulePolicy._get_possible_keys
    lock = threading.Lock()

    def get_possible_keys(self: Any, lookup: Dict[Text, Text], states: List[Any]) -> Set[Text]:
        remembered: Optional[Dict[Tuple[int, str], Tuple[Any, Set[Text]]]] = self.__dict__.get(_REMEMBERED_KEYS)
        if remembered is None:
            with lock:
                remembered = self.__dict__.setdefault(_REMEMBERED_KEYS, {})
        if any(TEXT in sub or ACTION_TEXT in sub for state in states for sub in state.values()):
            return find(self, lookup, states)  # words: not remembered, and never seen twice
        key = (id(lookup), repr(states))
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


_REMEMBERED_KEYS = "_attune_possible_keys"
