"""Fills the domain's responses with the practice's details and the right crisis lines.

Configured in endpoints.yml (`nlg: type: attune.nlg.PracticeNLG`), so it runs inside the Rasa
server: crisis replies and the way to a therapist need no action server. It reads
`practice.yml` and the crisis registry once, at start-up, and a broken practice file stops
the server with a message that names the field.

After any risk message in a conversation it adds a "Get help now" button to every later reply
that has none, so help stays one tap away even after "I'm fine".
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Text

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from attune import speedups
from attune.handoff.hours import open_status
from attune.practice import Practice, load_practice, template_variables
from attune.safety.resources import crisis_template_variables, load_registry
from attune.safety.taxonomy import HELP_BUTTON as GET_HELP_BUTTON
from attune.safety.taxonomy import RISK_INTENT_PREFIX


class PracticeNLG(TemplatedNaturalLanguageGenerator):
    """Domain responses, filled from the practice configuration and crisis registry."""

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        domain: Optional[Domain] = None,
        practice: Optional[Practice] = None,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        """Loads and validates the practice file and the registry."""
        speedups.apply()
        super().__init__((domain or Domain.empty()).responses)
        self.practice = practice or load_practice()
        registry = load_registry()
        self._clock = clock
        self._fixed_variables: Dict[Text, Text] = {
            **template_variables(self.practice),
            **crisis_template_variables(registry, self.practice),
            "max_message_chars": str(self.practice.limits.max_message_chars),
        }

    def variables(self) -> Dict[Text, Text]:
        """Every placeholder a response may use, as of now."""
        variables = dict(self._fixed_variables)
        variables["open_status"] = open_status(
            self.practice, self._clock(), variables["crisis_line_primary"]
        )
        return variables

    async def generate(
        self,
        utter_action: Text,
        tracker: DialogueStateTracker,
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        """Renders a response; after a crisis turn, keeps help one tap away."""
        response = await super().generate(
            utter_action, tracker, output_channel, **{**self.variables(), **kwargs}
        )
        if response is not None and crisis_seen(tracker):
            response = with_help_button(response)
        return response


def crisis_seen(tracker: DialogueStateTracker) -> bool:
    """Whether any message of this conversation carried risk."""
    return any(
        isinstance(event, UserUttered)
        and (event.intent_name or "").startswith(RISK_INTENT_PREFIX)
        for event in tracker.events
    )


def with_help_button(response: Dict[Text, Any]) -> Dict[Text, Any]:
    """The response with a "Get help now" button, unless it already offers one."""
    buttons: List[Dict[Text, Any]] = list(response.get("buttons") or [])
    if any(button.get("payload") == GET_HELP_BUTTON["payload"] for button in buttons):
        return response
    response = copy.deepcopy(response)
    response["buttons"] = buttons + [dict(GET_HELP_BUTTON)]
    return response
