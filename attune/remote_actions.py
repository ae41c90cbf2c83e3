"""When the action server cannot be reached, the visitor is told so, and a form lets go.

Rasa logs a failed custom action and carries on with the action's events lost: the exercise or
the call-back form then stops mid-way and the visitor is left waiting for a question that never
comes. Installed once when the Rasa server loads Attune's NLG (attune/nlg.py), this wraps
`RemoteAction.run`: when the action server cannot run an action, the visitor gets
`utter_actions_unavailable` (what still works: booking, the practice's phone, the crisis line)
and an active form is closed, so their next message is read afresh. A rejection by the action
server itself (a form's validation saying "not this slot") is not a failure and passes through.
Crisis replies never reach here: they need no action server.
"""

from __future__ import annotations

import logging
from typing import Any, List

logger = logging.getLogger(__name__)

UNAVAILABLE_RESPONSE = "utter_actions_unavailable"
_installed = False


def install() -> None:
    """Wraps RemoteAction.run once per process."""
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
    from rasa.shared.core.constants import REQUESTED_SLOT
    from rasa.shared.core.events import ActiveLoop, SlotSet
    from rasa.shared.exceptions import RasaException

    original = RemoteAction.run

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except RasaException:
            logger.error("The action server could not run %s; the visitor was told.", self.name())
            message = await nlg.generate(UNAVAILABLE_RESPONSE, tracker, output_channel.name())
            events: List[Any] = [create_bot_utterance(dict(message))] if message else []
            if tracker.active_loop_name:
                events += [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
            return events

    RemoteAction.run = run
    _installed = True
