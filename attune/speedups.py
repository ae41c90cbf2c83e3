"""Performance fixes for Rasa 3.6.21, applied once when the Rasa server loads Attune's plug-ins.

Rasa checks every action server response against its JSON schema with `jsonschema.validate`,
which rebuilds a validator from the schema on every call: 30-77 ms per custom action or form
step on these machines (measured, docs/performance.md). The same check with a validator built
once is identical in what it accepts and rejects, and costs well under a millisecond.
"""

from __future__ import annotations

from typing import Any, Dict, Text

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
    model_thread.install()
    _applied = True
