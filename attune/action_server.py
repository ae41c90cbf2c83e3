"""Runs the action server (actions/) bound to one address, 127.0.0.1 by default.

`rasa run actions` always listens on every interface; the action server only ever needs to
be reached by the Rasa server, so Attune starts it through this module instead.
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import List, Optional


def start_outbox_worker() -> None:
    """Retries undelivered call-back emails in the background, when email is configured."""
    if not os.environ.get("ATTUNE_SMTP_HOST"):
        logging.getLogger(__name__).info(
            "ATTUNE_SMTP_HOST is not set: call-back requests are stored and listed by "
            "`python -m attune.handoff.cli list`, but not emailed."
        )
        return
    from attune.handoff.mailer import Mailer
    from attune.handoff.outbox import Outbox
    from attune.handoff.store import CallbackStore
    from attune.practice import load_practice

    Outbox(CallbackStore(), Mailer(load_practice()).send).start_worker_thread()


def main(argv: Optional[List[str]] = None) -> None:
    """Parses the address and serves the `actions` package."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s  %(message)s")
    os.environ["SANIC_HOST"] = args.host
    start_outbox_worker()
    from rasa_sdk.endpoint import run

    run("actions", port=args.port, cors_origins=None)


if __name__ == "__main__":
    main()
