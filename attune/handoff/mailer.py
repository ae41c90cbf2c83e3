"""The call-back email to the practice, and the consent wording that promises what it holds.

Both come from the same fields, so the visitor agrees to exactly what is sent: the name to
use, how to reach them, whether a voicemail or message is safe, the best times, the note if
they wrote one and the reflection summary only with its separate consent. The subject holds
no personal details, because subjects show in notification previews.

SMTP settings come from the environment:

- ``ATTUNE_SMTP_HOST`` (default ``localhost``), ``ATTUNE_SMTP_PORT`` (default 25; 465 means
  TLS from the start),
- ``ATTUNE_SMTP_USER`` and ``ATTUNE_SMTP_PASSWORD`` (log in only when a user is set),
- ``ATTUNE_SMTP_STARTTLS`` (``true``/``false``; default true on port 587),
- ``ATTUNE_SMTP_FROM`` (default: the user if it is an address, else the practice's address),
- ``ATTUNE_SMTP_TIMEOUT`` in seconds (default 10),
- ``ATTUNE_HANDOFF_TO``: send somewhere other than ``contact.email`` in ``practice.yml``.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import List, Mapping, Optional

from attune.handoff.contacts import format_phone
from attune.handoff.store import CallbackDetails, CallbackRequest
from attune.practice import Practice

logger = logging.getLogger(__name__)

SUBJECT = "New call-back request (Attune)"
_LOOPBACK = ("localhost", "127.0.0.1", "::1")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class SmtpConfigError(ValueError):
    """An ``ATTUNE_SMTP_*`` setting cannot be used; the message names it."""


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the mail server."""

    host: str = "localhost"
    port: int = 25
    user: Optional[str] = None
    password: Optional[str] = None
    starttls: bool = False
    implicit_tls: bool = False
    sender: Optional[str] = None
    timeout: float = 10.0

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "SmtpSettings":
        """Reads the ``ATTUNE_SMTP_*`` variables (see the module docstring)."""
        env = os.environ if environ is None else environ
        port_text = env.get("ATTUNE_SMTP_PORT", "").strip() or "25"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SmtpConfigError(
                f"ATTUNE_SMTP_PORT must be a port number like 587, not {port_text!r}"
            )
        port = int(port_text)
        starttls_text = env.get("ATTUNE_SMTP_STARTTLS", "").strip().lower()
        if starttls_text in _TRUE:
            starttls = True
        elif starttls_text in _FALSE:
            starttls = False
        elif not starttls_text:
            starttls = port == 587
        else:
            raise SmtpConfigError("ATTUNE_SMTP_STARTTLS must be true or false")
        timeout_text = env.get("ATTUNE_SMTP_TIMEOUT", "").strip() or "10"
        try:
            timeout = float(timeout_text)
        except ValueError:
            raise SmtpConfigError(
                "ATTUNE_SMTP_TIMEOUT must be a number of seconds, like 10"
            ) from None
        return cls(
            host=env.get("ATTUNE_SMTP_HOST", "").strip() or "localhost",
            port=port,
            user=env.get("ATTUNE_SMTP_USER") or None,
            password=env.get("ATTUNE_SMTP_PASSWORD") or None,
            starttls=starttls and port != 465,
            implicit_tls=port == 465,
            sender=env.get("ATTUNE_SMTP_FROM", "").strip() or None,
            timeout=timeout,
        )


def recipient(practice: Practice, environ: Optional[Mapping[str, str]] = None) -> str:
    """Where call-back requests go: ``ATTUNE_HANDOFF_TO`` or the practice's contact email."""
    env = os.environ if environ is None else environ
    return env.get("ATTUNE_HANDOFF_TO", "").strip() or practice.contact.email


# --------------------------------------------------------------------------- words


def _reach_phrase(method: str, contact: str) -> str:
    if method == "email":
        return f"your email address {contact}"
    shown = format_phone(contact)
    return f"your number {shown} for " + ("a call" if method == "call" else "texts")


def _message_phrase(method: str, ok: bool) -> str:
    if method == "call":
        return "that it's OK to leave a voicemail" if ok else "that we should not leave a voicemail"
    return "that messages may name the practice" if ok else "that messages must stay discreet"


def consent_text(details: CallbackDetails, practice: Practice, to: Optional[str] = None) -> str:
    """The consent question: exactly what is sent, to whom, how, and how long it is kept.

    The text lists the same fields ``build_message`` puts in the email. Store the text the
    visitor said yes to with the request (``CallbackStore.save_request``).
    """
    parts: List[str] = []
    if details.alias and details.alias.strip():
        parts.append(f"the name {' '.join(details.alias.split())}")
    parts.append(_reach_phrase(details.contact_method, details.contact))
    parts.append(_message_phrase(details.contact_method, details.voicemail_ok))
    parts.append("your best times")
    if details.note and details.note.strip():
        parts.append("your note")
    if details.consented_summary():
        parts.append("the summary of your reflection")
    listed = ", ".join(parts[:-1]) + " and " + parts[-1]
    return (
        f"I'll email {listed} to {practice.name} at {to or recipient(practice)}. "
        f"This assistant keeps a copy for {practice.retention_days} days, then deletes it. "
        "Is it OK to send this?"
    )


def _voicemail_line(method: str, ok: bool) -> str:
    if method == "call":
        return "Yes, it is OK to leave a voicemail." if ok else "NO - do not leave a voicemail."
    if ok:
        return "Yes, messages may say they are from the practice."
    return "NO - it may not be safe: keep messages discreet (no practice name, no reason)."


_METHOD_LABELS = {
    "email": "Email",
    "call": "Phone call",
    "text": "Text message",
}


def message_body(request: CallbackRequest, practice: Practice) -> str:
    """The plain-text email: only what the visitor agreed to send."""
    zone = practice.hours.zone
    received = request.created_at.astimezone(zone)
    contact = (
        request.contact if request.contact_method == "email" else format_phone(request.contact)
    )
    lines = [
        "Someone asked the Attune assistant for a call-back.",
        "",
        f"Name to use:       {request.alias or '(not given)'}",
        f"How to reach them: {_METHOD_LABELS[request.contact_method]}",
        f"Contact:           {contact}",
        f"Voicemail/message: {_voicemail_line(request.contact_method, request.voicemail_ok)}",
        f"Best times:        {request.best_times}",
    ]
    if request.note:
        lines += ["", "Their note:", request.note]
    if request.reflection_summary:
        lines += [
            "",
            "Summary of their reflective exercise (shared with their separate consent):",
            request.reflection_summary,
        ]
    lines += [
        "",
        "-- ",
        f"Received {received:%A %-d %B %Y at %-H:%M} ({practice.hours.time_zone}).",
        f"Request {request.id}. The visitor agreed to this wording:",
        f'"{request.consent_text}"',
        "",
        f"Attune deletes its copy on {request.delete_after.astimezone(zone):%-d %B %Y}. "
        "When it is dealt with, run:",
        f"    python -m attune.handoff.cli handled {request.id}",
        "This is an automated message from the website assistant; "
        "the visitor cannot see replies to it.",
    ]
    return "\n".join(lines) + "\n"


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1] if "@" in address else "attune.invalid"


def build_message(
    request: CallbackRequest,
    practice: Practice,
    *,
    to: str,
    sender: str,
    now: Optional[datetime] = None,
) -> EmailMessage:
    """The email for one request (subject without personal details)."""
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = formataddr((f"Attune for {practice.display_name}", sender))
    message["To"] = to
    message["Date"] = format_datetime(now or datetime.now(timezone.utc))
    # The same id on a rare resend lets mail programs show one message.
    message["Message-ID"] = f"<callback-{request.id}@{_domain(sender)}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies
    message.set_content(message_body(request, practice))
    return message


class Mailer:
    """Sends call-back emails through the configured SMTP server."""

    def __init__(
        self,
        practice: Practice,
        settings: Optional[SmtpSettings] = None,
        to: Optional[str] = None,
    ) -> None:
        """Uses ``SmtpSettings.from_env()`` and ``recipient(practice)`` unless given."""
        self.practice = practice
        self.settings = settings or SmtpSettings.from_env()
        self.to = to or recipient(practice)
        user = self.settings.user or ""
        self.sender = self.settings.sender or (user if "@" in user else self.to)
        if self.settings.user and not (self.settings.starttls or self.settings.implicit_tls):
            if self.settings.host not in _LOOPBACK:
                logger.warning(
                    "SMTP login to %s is not encrypted; set ATTUNE_SMTP_STARTTLS=true "
                    "or use port 465 or 587",
                    self.settings.host,
                )

    def send(self, request: CallbackRequest) -> None:
        """Sends one request's email; raises ``OSError`` or ``smtplib.SMTPException`` on failure."""
        message = build_message(request, self.practice, to=self.to, sender=self.sender)
        settings = self.settings
        context = ssl.create_default_context()
        if settings.implicit_tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with smtp:
            if settings.starttls:
                smtp.starttls(context=context)
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(message)
