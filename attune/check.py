"""The practice's check command: is the configuration ready, and what will visitors be shown?

    python -m attune.check practice [PATH]                  # practice.yml: a summary, or every problem
    python -m attune.check crisis-lines [--country CA] [--subdivision ON]
                                                            # each kind of crisis reply's lines, and
                                                            # where every entry came from

Exit code 0 when all is well, 1 when the file or the registry has a problem.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Optional, Sequence

from attune.practice import PracticeConfigError, load_practice, summary_text
from attune.safety.resources import RegistryError, load_registry, review_text


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
