"""Attune's own database (call-back requests, the outbox, the safety event log).

Storage goes through SQLAlchemy, so the same code writes to the default SQLite file or to
PostgreSQL (`ATTUNE_DATABASE_URL`). Rasa's conversations live elsewhere (the tracker store).
"""

from __future__ import annotations

import os

from attune.paths import REPO_ROOT


def database_url() -> str:
    """Attune's own database: ATTUNE_DATABASE_URL, or a SQLite file under var/."""
    url = os.environ.get("ATTUNE_DATABASE_URL")
    if url:
        return url
    path = REPO_ROOT / "var" / "attune.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"
