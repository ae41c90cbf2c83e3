"""The safety event log: when crisis help was shown, for the practice's audit.

Each row says when, which kind of risk, on which channel, and which resources the reply
named, as the NLG rendered it (`attune.nlg`, recorded by `attune.brokers`).
Never the message text, never a conversation id, never a contact detail: the log can be kept
and shared with a supervisor without exposing anyone.

It is kept in Attune's own database (`attune/database.py`). `python -m attune.safety.audit`
prints the log.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, List, Optional, Sequence

import sqlalchemy as sa

from attune.database import database_url, without_parameters

_metadata = sa.MetaData()
safety_events = sa.Table(
    "attune_safety_events",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("intent", sa.String(64), nullable=False),
    sa.Column("subcategory", sa.String(64)),
    sa.Column("channel", sa.String(64)),
    sa.Column("resources", sa.Text, nullable=False),  # JSON list of registry ids
)


@dataclass(frozen=True)
class SafetyEvent:
    """One crisis reply, as the practice sees it."""

    occurred_at: datetime
    intent: str
    subcategory: Optional[str]
    channel: Optional[str]
    resources: Sequence[str]


class SafetyAuditLog:
    """Reads and writes the safety event table."""

    def __init__(self, url: Optional[str] = None) -> None:
        """Connects and creates the table if it is missing."""
        self.engine = without_parameters(sa.create_engine(url or database_url(), future=True))
        _metadata.create_all(self.engine, tables=[safety_events])

    def record(self, event: SafetyEvent) -> None:
        """Appends one event."""
        with self.engine.begin() as connection:
            connection.execute(
                safety_events.insert().values(
                    occurred_at=event.occurred_at,
                    intent=event.intent[:64],
                    subcategory=(event.subcategory or None) and event.subcategory[:64],
                    channel=(event.channel or None) and event.channel[:64],
                    resources=json.dumps(list(event.resources)),
                )
            )

    def events(self, since: Optional[datetime] = None) -> List[SafetyEvent]:
        """Every event, oldest first, optionally since a moment."""
        query = sa.select(safety_events).order_by(safety_events.c.occurred_at)
        if since is not None:
            query = query.where(safety_events.c.occurred_at >= since)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            SafetyEvent(
                occurred_at=row["occurred_at"],
                intent=row["intent"],
                subcategory=row["subcategory"],
                channel=row["channel"],
                resources=json.loads(row["resources"]),
            )
            for row in rows
        ]


def format_events(events: Iterable[SafetyEvent]) -> str:
    """A plain table for the practice."""
    lines = ["time (UTC)            kind                 channel     resources shown"]
    for event in events:
        moment = event.occurred_at
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        kind = event.intent + (f"/{event.subcategory}" if event.subcategory else "")
        lines.append(
            f"{moment.astimezone(timezone.utc):%Y-%m-%d %H:%M}      {kind:<20} "
            f"{(event.channel or '-'):<11} {', '.join(event.resources)}"
        )
    if len(lines) == 1:
        lines.append("(no crisis replies recorded)")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Prints the safety event log."""
    parser = argparse.ArgumentParser(description="Show when crisis help was shown.")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    print(format_events(SafetyAuditLog(args.database_url).events()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
