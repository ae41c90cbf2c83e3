"""The practice's check command: is the configuration ready, and what will visitors be shown?

    python -m attune.check practice [PATH]                  # practice.yml: a summary, or every problem
    python -m attune.check crisis-lines [--country CA] [--subdivision ON]
                                                            # each kind of crisis reply's lines, and
                                                            # where every entry came from

``practice`` prints what practice.yml configures (:func:`summary_text`) and what is worth a
look before launch (:func:`practice_warnings`, such as an example address or a crisis entry
unverified or over a year old), or every problem in the file. ``crisis-lines`` prints
the review of a region's lines (:func:`review_text`). Pure logic, no Rasa imports.

Exit code 0 when all is well, 1 when the file or the registry has a problem.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from attune.handoff.hours import hours_summary
from attune.practice import Facts, Practice, PracticeConfigError, load_practice
from attune.practice_words import join_names
from attune.safety.lines import contact_phrase, format_lines, resources_for
from attune.safety.resources import (
    CATEGORIES,
    UNVERIFIED_MARKER,
    Registry,
    RegistryError,
    Resource,
    load_registry,
)
from attune.style import judging_phrases


# --------------------------------------------------------------------------- practice.yml


def practice_warnings(
    practice: Practice, registry: Registry, today: Optional[date] = None
) -> List[str]:
    """Things that load fine but a practice should look at before launch."""
    warnings = []
    placeholders = (".example", "example.com", "example.ca", "example.org")
    for label, value in (
        ("booking_url", practice.booking_url),
        ("contact.email", practice.contact.email),
    ):
        if any(marker in value.lower() for marker in placeholders):
            warnings.append(
                f"{label} still uses an example address ({value}); replace it before launch."
            )
    if re.search(r"555[ .\-]?01\d\d", practice.contact.phone):
        warnings.append(
            f"contact.phone looks like a made-up 555 number ({practice.contact.phone})."
        )
    facts = practice.facts
    own_words: Tuple[Tuple[str, object], ...] = (
        ("fees.session", facts.fee_session),
        ("fees.sliding_scale", facts.sliding_scale),
        ("insurance.coverage", facts.insurance_coverage),
        ("accessibility", facts.accessibility),
        ("free_consultation", facts.free_consultation),
        ("cancellation.late_fee", facts.cancellation_late_fee),
    )
    for label, words in own_words:
        found = judging_phrases(words) if isinstance(words, str) else []
        if found:
            warnings.append(
                f"{label} uses {', '.join(repr(word) for word in found)}, which the assistant's "
                "replies avoid (attune/style.py, and the conversation checks flag it); reword it."
            )
    if not any(practice.hours.weekly):
        warnings.append(
            "hours.weekly has no opening times; the bot will always say the practice is closed."
        )
    country = registry.countries[practice.region.country]
    sub = country.subdivisions.get(practice.region.subdivision or "")
    if practice.region.subdivision and sub is not None and not sub.resources:
        warnings.append(
            f"The crisis registry has no {sub.name}-specific lines; "
            "only national lines will be shown."
        )
    for resource in stale_entries(registry, today or date.today()):
        warnings.append(
            f"Crisis entry {resource.id} was last verified on {resource.last_verified}: "
            "re-check it."
        )
    shown = list(country.resources) + list(sub.resources if sub else ())
    for resource in shown:
        if resource.verification_note.upper().startswith(UNVERIFIED_MARKER):
            warnings.append(
                f"Crisis entry {resource.id} ({resource.name}) must be verified before launch; "
                "see `python -m attune.check crisis-lines`."
            )
    directory = registry.international
    if directory is not None and directory.verification_note.upper().startswith(UNVERIFIED_MARKER):
        warnings.append(
            f"The international directory ({directory.name}, offered to visitors somewhere the "
            "registry has no lines for) must be verified before launch."
        )
    return warnings


def facts_given(facts: Facts) -> Tuple[List[str], List[str]]:
    """The settings of the practice's facts it gave, and the ones it left out."""
    settings = {
        "fees.session": facts.fee_session,
        "fees.sliding_scale": facts.sliding_scale,
        "insurance": facts.insurance_coverage,
        "session_formats": facts.session_formats,
        "clients": facts.clients,
        "languages": facts.languages,
        "accessibility": facts.accessibility,
        "free_consultation": facts.free_consultation,
        "cancellation": facts.cancellation_notice_hours,
    }
    given = [name for name, value in settings.items() if value is not None]
    return given, [name for name in settings if name not in given]


def summary_text(practice: Practice, registry: Registry) -> str:
    """The friendly OK report of ``check``."""
    country = registry.countries[practice.region.country]
    sub = country.subdivisions.get(practice.region.subdivision or "")
    place = country.name + (f", {sub.name}" if sub else "")
    label = practice.source_path.name if practice.source_path else "practice.yml"
    given, missing = facts_given(practice.facts)
    lines = [
        f"{label} is OK.",
        f"  Practice:      {practice.name}"
        + (f" ({practice.short_name})" if practice.short_name else ""),
        f"  Therapists:    {join_names([t.name for t in practice.therapists])}",
        f"  Region:        {place}",
        f"  Office hours:  {hours_summary(practice)}",
        f"  Replies:       {practice.hours.reply_time}",
        f"  Booking:       {practice.booking_url}",
        f"  Contact:       {practice.contact.email}, {practice.contact.phone}",
        f"  Quick exit:    {practice.quick_exit_url}",
        f"  Website chat:  {', '.join(practice.website.allowed_origins)}",
        f"  Conversations are deleted after {practice.retention_days} days.",
        f"  Messages: up to {practice.limits.max_message_chars} characters, "
        f"{practice.limits.messages_per_minute} per minute.",
        f"  Answers about: {', '.join(given) or 'nothing yet'}",
    ]
    if missing:
        lines.append(f"  Not given (the assistant says to ask you): {', '.join(missing)}")
    lines += [
        f"  Crisis line always shown: {country.primary.name}, {contact_phrase(country.primary)}; "
        f"emergency {country.emergency_call.value}.",
    ]
    warnings = practice_warnings(practice, registry)
    if warnings:
        lines += ["", "Worth a look before launch:"] + [f"  - {w}" for w in warnings]
    return "\n".join(lines)


# --------------------------------------------------------------------------- crisis lines


def review_text(registry: Registry, country: str, subdivision: Optional[str], today: date) -> str:
    """The practice's review view: every category's lines, then every entry's provenance."""
    found, sub = registry.locate(country, subdivision)
    place = found.name + (f", {sub.name}" if sub else "")
    out = [f"Crisis lines for {place} ({found.code}{'-' + sub.code if sub else ''})", ""]
    if subdivision and sub is not None and not sub.resources:
        out += [
            f"Note: the registry has no {sub.name}-specific lines; national lines are shown.",
            "",
        ]
    for category in CATEGORIES:
        out.append(f"[{category}]")
        out.append(format_lines(resources_for(registry, country, subdivision, category)))
        out.append("")
    out.append("Entries (check each on its source page before launch):")
    entries = list(found.resources) + list(sub.resources if sub else ())
    stale = {r.id for r in stale_entries(registry, today)}
    for resource in entries:
        age = (today - resource.last_verified).days
        out.append(f"- {resource.id}: {resource.name}")
        out.append(f"    source: {resource.source}")
        out.append(
            f"    last_verified: {resource.last_verified} ({age} days ago)"
            + ("  <-- OVER A YEAR OLD: re-check now" if resource.id in stale else "")
        )
        out.append(f"    verification_note: {resource.verification_note}")
    return "\n".join(out)


def stale_entries(registry: Registry, today: date, max_age_days: int = 365) -> List[Resource]:
    """Entries whose ``last_verified`` is more than ``max_age_days`` before ``today``."""
    limit = today - timedelta(days=max_age_days)
    return [r for r in registry.all_resources() if r.last_verified < limit]


# --------------------------------------------------------------------------- command


def check_practice(path: Optional[Path]) -> int:
    """Prints a summary of practice.yml (0) or every problem in it (1)."""
    try:
        registry = load_registry()
        practice = load_practice(path, registry=registry)
    except (PracticeConfigError, RegistryError) as exc:
        print(exc)
        return 1
    print(summary_text(practice, registry))
    return 0


def check_crisis_lines(
    country: Optional[str], subdivision: Optional[str], registry_path: Optional[Path]
) -> int:
    """Prints the review of a region's crisis lines (0), or why it cannot (1)."""
    try:
        registry = load_registry(registry_path)
    except RegistryError as exc:
        print(exc)
        return 1
    if not country:
        try:
            practice = load_practice(registry=registry)
        except PracticeConfigError as exc:
            print(exc)
            print("Fix practice.yml, or pass --country (and --subdivision).")
            return 1
        country, subdivision = practice.region.country, practice.region.subdivision
    try:
        print(review_text(registry, country, subdivision, date.today()))
    except ValueError as exc:
        print(exc)
        return 1
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command line: ``practice [PATH]`` or ``crisis-lines [--country ..]``."""
    parser = argparse.ArgumentParser(
        prog="python -m attune.check", description="Check the practice's configuration."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    practice = commands.add_parser(
        "practice", help="check practice.yml and print a summary or every problem"
    )
    practice.add_argument("path", nargs="?", type=Path, help="file to check (default: practice.yml)")
    lines = commands.add_parser(
        "crisis-lines",
        help="show what each kind of crisis message would list, and where every entry came from",
    )
    lines.add_argument("--country", help="two-letter code, e.g. CA (default: the practice's region)")
    lines.add_argument("--subdivision", help="province or state code, e.g. ON")
    lines.add_argument("--registry", type=Path, help="registry file (default: the shipped one)")
    args = parser.parse_args(argv)
    if args.command == "practice":
        return check_practice(args.path)
    return check_crisis_lines(args.country, args.subdivision, args.registry)


if __name__ == "__main__":
    sys.exit(main())
