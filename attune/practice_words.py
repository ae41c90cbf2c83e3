"""The practice's details in the assistant's words: the placeholders of its responses.

``template_variables`` gives every response the practice's name, therapists, booking link,
contact details, office hours and the rest from ``practice.yml`` (``{practice_name}``,
``{therapist_names}``, ``{office_hours}``, ...); the NLG (``attune/nlg.py``) fills them in.
``join_names`` writes a list of names the way a sentence does. Pure logic, no Rasa imports.
"""

from __future__ import annotations

from typing import Dict, Sequence

from attune.handoff.hours import hours_summary
from attune.practice import Practice


def join_names(names: Sequence[str]) -> str:
    """``Ana``, ``Ana and Sam``, ``Ana, Sam and Priya``."""
    names = list(names)
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def template_variables(practice: Practice) -> Dict[str, str]:
    """Plain strings the bot's responses may use, e.g. ``{practice_name}``."""
    return {
        "practice_name": practice.name,
        "practice_short_name": practice.display_name,
        "therapist_names": join_names([t.name for t in practice.therapists]),
        "booking_url": practice.booking_url,
        "contact_email": practice.contact.email,
        "contact_phone": practice.contact.phone,
        "office_hours": hours_summary(practice),
        "reply_time": practice.hours.reply_time,
        "quick_exit_url": practice.quick_exit_url,
        "retention_days": str(practice.retention_days),
    }
