"""Every change Attune makes to Rasa 3.6.21 while it runs, installed from this one place.

- `attune.log_privacy`: conversation content never reaches the logs;
- `attune.speedups`: the action server's answers checked with a prepared validator, and
  `attune.model_thread`: reading messages and choosing actions beside the event loop;
- `attune.remote_actions`: when the action server cannot be reached, the visitor is told.

`install()` runs when Rasa creates Attune's channels (`rasa run`) and its tracker store (also
`rasa shell`, which uses Rasa's own command-line channel); each part installs itself once per
process, so the order Rasa loads them in does not matter. The risk component installs the
two-turn reading of `attune.safety.context` itself, when its configuration uses the risk model.
"""

from __future__ import annotations

from attune import log_privacy, remote_actions, speedups


def install() -> None:
    """Installs every patch (each once per process)."""
    log_privacy.install()
    speedups.apply()
    remote_actions.install()
