"""Deletes conversations older than the practice's retention period. Run it daily.

    python -m attune.privacy.retention            # uses practice.yml's retention_days
    python -m attune.privacy.retention --dry-run  # only counts

A conversation is deleted whole once its latest message is older than `retention_days`
(practice.yml, default 30); call-back requests are deleted once past their own delete-after
date (the same period from when they were made). The tracker store is the one endpoints.yml configures. Meant for a
daily timer (README, "Deployment": a systemd timer or cron line is given there).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import List, Optional, Sequence

import sqlalchemy as sa

from attune.paths import REPO_ROOT
from attune.privacy import sqlite



def tracker_store_url(endpoints: Path = REPO_ROOT / "endpoints.yml") -> str:
    """The tracker store's database URL, from endpoints.yml and the environment."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.core.utils import read_endpoints_from_path

    os.environ.setdefault("ATTUNE_TRACKER_DB", str(REPO_ROOT / "var" / "tracker.db"))
    os.environ.setdefault("ATTUNE_ACTIONS_PORT", "5055")
    config = read_endpoints_from_path(str(endpoints)).tracker_store
    kwargs = dict(config.kwargs)
    return str(
        SQLTrackerStore.get_db_url(
            dialect=kwargs.get("dialect", "sqlite"),
            host=kwargs.get("url"),
            port=kwargs.get("port"),
            db=kwargs.get("db", "rasa.db"),
            username=kwargs.get("username"),
            password=kwargs.get("password"),
            login_db=kwargs.get("login_db"),
            query=kwargs.get("query"),
        )
    )


def expired_conversations(engine: sa.engine.Engine, cutoff: datetime) -> List[str]:
    """Conversations whose latest event is older than `cutoff`."""
    events = sa.table("events", sa.column("sender_id"), sa.column("timestamp"))
    query = (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.func.max(events.c.timestamp) < cutoff.timestamp())
    )
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(query)]


def delete_conversations(engine: sa.engine.Engine, sender_ids: Sequence[str]) -> int:
    """Deletes every event of the given conversations; returns how many events."""
    events = sa.table("events", sa.column("sender_id"))
    deleted = 0
    with engine.begin() as connection:
        for start in range(0, len(sender_ids), 500):
            chunk = list(sender_ids[start : start + 500])
            deleted += connection.execute(events.delete().where(events.c.sender_id.in_(chunk))).rowcount
    return deleted


def purge(url: str, retention_days: int, now: Optional[datetime] = None, dry_run: bool = False) -> int:
    """Deletes expired conversations; returns how many conversations."""
    engine = sqlite.harden(sa.create_engine(url, future=True))
    if not sa.inspect(engine).has_table("events"):
        return 0
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=retention_days)
    expired = expired_conversations(engine, cutoff)
    if not dry_run:
        delete_conversations(engine, expired)
        sqlite.forget(engine)
    return len(expired)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command line entry point."""
    from attune.practice import load_practice

    parser = argparse.ArgumentParser(description="Delete conversations past the retention period.")
    parser.add_argument("--tracker-url", default=None, help="default: from endpoints.yml")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    days = load_practice().retention_days
    count = purge(args.tracker_url or tracker_store_url(), days, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    print(f"Retention {days} days: {verb} {count} conversation(s).")
    if not args.dry_run:
        from attune.handoff.store import CallbackStore

        requests = CallbackStore().delete_expired()
        print(f"Deleted {requests} call-back request(s) past their retention date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
