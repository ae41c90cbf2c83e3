"""Attune's own database (call-back requests, the outbox, the safety event log).

Storage goes through SQLAlchemy, so the same code writes to the default SQLite file or to
PostgreSQL (`ATTUNE_DATABASE_URL`). Rasa's conversations live elsewhere (the tracker store).
"""

from __future__ import annotations

import os
from typing import Any

from attune.paths import REPO_ROOT


def without_parameters(engine: Any) -> Any:
    """The engine, with the values of a failed statement kept out of its error messages:
    SQLAlchemy writes them into the exception text ("[parameters: (...)]"), and for a
    conversation or a call-back request they are what the visitor wrote. A failed save is
    logged with its traceback, so the values would reach the log."""
    engine.hide_parameters = True
    return engine


def database_url() -> str:
    """Attune's own database: ATTUNE_DATABASE_URL, or a SQLite file under var/."""
    url = os.environ.get("ATTUNE_DATABASE_URL")
    if url:
        return url
    path = REPO_ROOT / "var" / "attune.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"
