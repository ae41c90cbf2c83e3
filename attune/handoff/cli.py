"""Call-back requests for the practice: list them, read one, mark it handled, purge old ones.

::

    python -m attune.handoff.cli list [--status pending|delivered|handled]
    python -m attune.handoff.cli show ID
    python -m attune.handoff.cli handled ID
    python -m attune.handoff.cli purge

``list`` shows no names or contacts, so it is safe on a shared screen; ``show`` prints one
request in full. Times are in the practice's time zone.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone, tzinfo
from typing import List, Optional, Sequence

from attune.handoff.contacts import format_phone
from attune.handoff.store import STATUSES, CallbackRequest, CallbackStore, Delivery

_METHODS = {"email": "email", "call": "phone call", "text": "text message"}


def _zone() -> tuple[tzinfo, str]:
    """The practice's time zone, or UTC if practice.yml cannot be read."""
    try:
        from attune.practice import load_practice

        hours = load_practice().hours
        return hours.zone, hours.time_zone
    except Exception:  # the list is still useful without practice.yml
        return timezone.utc, "UTC"


def _when(moment: Optional[datetime], zone: tzinfo) -> str:
    return f"{moment.astimezone(zone):%a %-d %b %Y %H:%M}" if moment else "-"


def _email_state(request: CallbackRequest, delivery: Optional[Delivery], zone: tzinfo) -> str:
    if delivery is None or delivery.status == "sent":
        return "emailed" if request.delivered_at else "-"
    if delivery.status == "cancelled":
        return "not emailed (handled first)"
    if delivery.attempts == 0:
        return "waiting to be emailed"
    tries = "1 try" if delivery.attempts == 1 else f"{delivery.attempts} tries"
    return (
        f"NOT EMAILED YET after {tries} ({delivery.last_error}); "
        f"next try {_when(delivery.next_attempt_at, zone)}"
    )


def format_list(store: CallbackStore, status: Optional[str], zone: tzinfo, zone_name: str) -> str:
    """One line per request: id, when, status, how to reach them; no personal details."""
    requests = store.list_requests(status)
    label = f"{status.capitalize()} call-back requests" if status else "Call-back requests"
    if not requests:
        return f"No {label.lower()}."
    lines = [f"{label}: {len(requests)} (times in {zone_name})", ""]
    lines.append(f"{'ID':<26} {'Received':<22} {'Status':<10} {'Reach by':<13} Email")
    for request in requests:
        lines.append(
            f"{request.id:<26} {_when(request.created_at, zone):<22} {request.status:<10} "
            f"{_METHODS[request.contact_method]:<13} "
            f"{_email_state(request, store.delivery(request.id), zone)}"
        )
    lines += ["", "To read one: python -m attune.handoff.cli show ID"]
    return "\n".join(lines)


def format_request(
    request: CallbackRequest, delivery: Optional[Delivery], zone: tzinfo, zone_name: str
) -> str:
    """Everything stored for one request."""
    contact = (
        request.contact if request.contact_method == "email" else format_phone(request.contact)
    )
    if request.contact_method == "call":
        message = "OK to leave a voicemail" if request.voicemail_ok else "do NOT leave a voicemail"
    else:
        message = (
            "messages may name the practice"
            if request.voicemail_ok
            else "keep messages discreet (no practice name, no reason)"
        )
    lines = [
        f"Call-back request {request.id} (times in {zone_name})",
        f"  Received:    {_when(request.created_at, zone)}",
        f"  Status:      {request.status}",
        f"  Email:       {_email_state(request, delivery, zone)}",
        f"  Name to use: {request.alias or '(not given)'}",
        f"  Reach by:    {_METHODS[request.contact_method]}: {contact}",
        f"  Messages:    {message}",
        f"  Best times:  {request.best_times}",
    ]
    if request.note:
        lines += ["  Note:", *(f"    {line}" for line in request.note.splitlines())]
    if request.reflection_summary:
        lines += [
            "  Reflection summary (shared with separate consent):",
            *(f"    {line}" for line in request.reflection_summary.splitlines()),
        ]
    lines += [
        f"  Handled:     {_when(request.handled_at, zone)}",
        f"  Deleted on:  {_when(request.delete_after, zone)}",
        f'  They agreed to: "{request.consent_text}"',
    ]
    return "\n".join(lines)


def _ids_as_values(argv: List[str]) -> List[str]:
    """`show -abc`: an id made before ids were kept from starting with "-" is still an id."""
    for index, word in enumerate(argv[:-1]):
        following = argv[index + 1]
        if word in ("show", "handled") and following.startswith("-") and following not in ("-h", "--help", "--"):
            return argv[:index + 1] + ["--"] + argv[index + 1:]
    return argv


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs one command; exit code 1 when a request id is not found."""
    parser = argparse.ArgumentParser(
        prog="python -m attune.handoff.cli", description="Call-back requests from the assistant."
    )
    parser.add_argument("--database-url", default=None, help="default: ATTUNE_DATABASE_URL")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="list requests (no names or contacts shown)")
    listing.add_argument("--status", choices=STATUSES)
    commands.add_parser("show", help="show one request in full").add_argument("id")
    commands.add_parser("handled", help="mark a request as dealt with").add_argument("id")
    commands.add_parser("purge", help="delete requests past their delete date")
    args = parser.parse_args(_ids_as_values(list(sys.argv[1:] if argv is None else argv)))

    store = CallbackStore(args.database_url)
    zone, zone_name = _zone()
    if args.command == "list":
        print(format_list(store, args.status, zone, zone_name))
        return 0
    if args.command == "purge":
        count = store.delete_expired()
        print(f"Deleted {count} request{'s' if count != 1 else ''} past their delete date.")
        return 0
    request = store.get_request(args.id)
    if request is None:
        print(f"No call-back request with id {args.id}. `list` shows the ids.")
        return 1
    if args.command == "show":
        print(format_request(request, store.delivery(request.id), zone, zone_name))
        return 0
    store.mark_handled(request.id)
    deleted_on = _when(request.delete_after, zone)
    print(f"Marked {request.id} as handled. It will be deleted on {deleted_on}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
