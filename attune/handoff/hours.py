"""Plain-words office-hours status for the "talk to a therapist" reply."""

from __future__ import annotations

from datetime import datetime

from attune.practice import Practice, is_open, next_opening


def open_status(practice: Practice, now: datetime, crisis_line_primary: str) -> str:
    """One or two sentences: open now, or when they reply and what to do if it can't wait."""
    if is_open(practice, now):
        return "We're open right now, so you may reach someone by phone."
    reopening = next_opening(practice, now)
    when = ""
    if reopening is not None:
        when = f" We open again {reopening.strftime('%A at %-H:%M')}."
    return (
        f"We're closed right now.{when} We usually reply {practice.hours.reply_time}. "
        f"If it can't wait, you can {crisis_line_primary}, any time."
    )
