"""Every change Attune makes to Rasa 3.6.21 while it runs, installed from this one place.

- `attune.log_privacy`: conversation content never reaches the logs;
- `attune.speedups`: the action server's answers checked with a prepared validator, and
  `attune.model_thread`: reading messages and choosing actions beside the event loop;
- `attune.remote_actions`: when the action server cannot be reached, the visitor is told;
- `install_risk_context()`: every parsed message read again in its conversation's light
  (`attune.safety.context`: two messages together, follow-ups after a crisis reply);
- `attune.profiling`: stage timers, only when ATTUNE_PROFILE_FILE is set (`make bench-profile`);
  otherwise nothing is wrapped.

`install()` runs when Rasa creates Attune's channels (`rasa run`) and its tracker store (also
`rasa shell`, which uses Rasa's own command-line channel); each part installs itself once per
process, so the order Rasa loads them in does not matter. The risk component installs the
reading in context itself (`install_risk_context`), when its configuration uses the risk model.
"""

from __future__ import annotations

from typing import Any, Dict, Text

from attune import log_privacy, profiling, remote_actions, speedups

_context_installed = False


def install() -> None:
    """Installs every patch (each once per process)."""
    log_privacy.install()
    speedups.apply()
    remote_actions.install()
    profiling.install()  # last: it times the methods the others replace


def install_risk_context() -> None:
    """Wraps Rasa's MessageProcessor.parse_message (once per process) so that every parsed
    message is read in its conversation's light, beside the event loop like the parse."""
    global _context_installed
    if _context_installed:
        return
    from rasa.core.processor import MessageProcessor

    from attune import model_thread
    from attune.safety.context import read_in_context

    model_thread.install()  # first: this wrapper reads what the model threads parsed
    original = MessageProcessor.parse_message

    async def parse_message(self: Any, message: Any, tracker: Any = None,
                            only_output_properties: bool = True) -> Dict[Text, Any]:
        parse_data = await original(self, message, tracker, only_output_properties)
        if tracker is not None:
            # An encoder pass: beside the event loop too.
            await model_thread.in_model_thread(read_in_context, parse_data, tracker)
        return parse_data

    MessageProcessor.parse_message = parse_message
    _context_installed = True
