"""The practice's office hours: whether it is open, when it opens next, and how its hours
and its open-or-closed status are said.

Every opening-hours computation is here, over the weekly pattern ``practice.yml`` gives
(``attune/practice.py`` reads and checks it into :class:`~attune.practice.Hours`). The
responses' ``{office_hours}`` is :func:`hours_summary` and ``{open_status}`` is
:func:`open_status`. Pure logic, no Rasa imports.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import List, Optional, Tuple
from zoneinfo import ZoneInfo

from attune.practice import Practice

DAY_LABELS: Tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NEXT_OPENING_HORIZON = timedelta(days=14)


def _local(practice: Practice, at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at must be timezone-aware, e.g. datetime.now(timezone.utc)")
    return at.astimezone(practice.hours.zone)


def is_open(practice: Practice, at: datetime) -> bool:
    """Whether ``at`` (timezone-aware) falls inside the practice's office hours."""
    local = _local(practice, at)
    minute = local.hour * 60 + local.minute
    return any(r.contains(minute) for r in practice.hours.weekly[local.weekday()])


def _wall_time(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The moment a local wall-clock time happens (a time skipped by DST moves forward)."""
    naive = datetime.combine(day, time(0)) + timedelta(minutes=minute)
    return naive.replace(tzinfo=zone).astimezone(timezone.utc).astimezone(zone)


def next_opening(practice: Practice, at: datetime) -> Optional[datetime]:
    """When the practice is next open, in its own time zone.

    Returns ``at`` itself (in practice time) when open now, the start of the next
    opening period otherwise, or None if nothing opens within 14 days.
    """
    local = _local(practice, at)
    if is_open(practice, at):
        return local
    zone = practice.hours.zone
    moment = at.timestamp()
    horizon = moment + NEXT_OPENING_HORIZON.total_seconds()
    for offset in range(NEXT_OPENING_HORIZON.days + 1):
        day = local.date() + timedelta(days=offset)
        for opening in practice.hours.weekly[day.weekday()]:
            start = _wall_time(day, opening.start, zone)
            # Compare instants, not wall times: Python compares same-zone datetimes naively.
            if moment < start.timestamp() <= horizon:
                return start
    return None


def _zone_label(time_zone: str) -> str:
    city = time_zone.split("/")[-1].replace("_", " ")
    return city if city.upper() in ("UTC", "GMT") else f"{city} time"


def hours_summary(practice: Practice) -> str:
    """Office hours in a few words, e.g. ``Mon-Fri 9:00-17:00, Sat 10:00-14:00 (Toronto time)``."""
    weekly = practice.hours.weekly
    runs: List[Tuple[int, int]] = []
    for index, ranges in enumerate(weekly):
        if runs and weekly[runs[-1][1]] == ranges and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    parts = []
    for first, last in runs:
        if not weekly[first]:
            continue
        days = DAY_LABELS[first] if first == last else f"{DAY_LABELS[first]}-{DAY_LABELS[last]}"
        parts.append(f"{days} {' and '.join(r.label() for r in weekly[first])}")
    zone = _zone_label(practice.hours.time_zone)
    if not parts:
        return f"no regular office hours ({zone})"
    return f"{', '.join(parts)} ({zone})"


def open_status(practice: Practice, now: datetime, crisis_line_primary: str, after_crisis: bool = False) -> str:
    """One or two sentences: open now, or when they reply and what to do if it can't wait.
    After a crisis reply the line stays named when the practice is open too."""
    if is_open(practice, now):
        status = "We're open right now, so you may reach someone by phone."
        return f"{status} If it can't wait, you can {crisis_line_primary}, any time." if after_crisis else status
    reopening = next_opening(practice, now)
    when = ""
    if reopening is not None:
        when = f" We open again {reopening.strftime('%A at %-H:%M')}."
    return (
        f"We're closed right now.{when} We usually reply {practice.hours.reply_time}. "
        f"If it can't wait, you can {crisis_line_primary}, any time."
    )
