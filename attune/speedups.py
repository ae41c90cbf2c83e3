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
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

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
