"""Checks the contact a visitor gives for a call-back: an email address or a phone number.

Pure and offline: no DNS or carrier lookups, so a check says "this can be a real address or
number", not "this one exists". A good value comes back normalised (email domain in lower case,
phone numbers in E.164 like ``+14165550123``); a bad one comes back with a short reason code
and a kind, plain message that shows an example, ready for the bot to ask again.

Phone numbers follow the practice's country (``practice.yml`` ``region.country``): Canada and
the US share one plan, the UK and Australia have their own, and any country accepts an
international number that starts with ``+``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

CONTACT_METHODS: Tuple[str, ...] = ("email", "call", "text")
MAX_CONTACT_TRIES = 3  # after this many bad contacts, offer the booking link instead
MAX_EMAIL_CHARS = 254
MAX_TYPED_CHARS = 60  # longer input is not a contact; don't echo or parse it

EMAIL_EXAMPLE = "name@example.com"
_PHONE_EXAMPLES: Dict[str, str] = {
    "CA": "416-555-0123",
    "US": "212-555-0123",
    "GB": "07700 900123",
    "AU": "0491 570 156",
}
_INTERNATIONAL_EXAMPLE = "+1 416-555-0123"

_LOCAL_PART_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# Reserved for examples and tests (RFC 2606, RFC 6761): mail there never reaches anyone.
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org", "localhost")
_RESERVED_TLDS = ("example", "test", "invalid", "localhost")
# Typing slips of big mail providers; these domains never belong to a visitor.
_DOMAIN_TYPOS: Dict[str, str] = {
    "gmial.com": "gmail.com",
    "gmal.com": "gmail.com",
    "gamil.com": "gmail.com",
    "gnail.com": "gmail.com",
    "gmaill.com": "gmail.com",
    "gmai.com": "gmail.com",
    "gmail.co": "gmail.com",
    "hotmial.com": "hotmail.com",
    "hotmal.com": "hotmail.com",
    "hotnail.com": "hotmail.com",
    "yahooo.com": "yahoo.com",
    "yaho.com": "yahoo.com",
    "outlok.com": "outlook.com",
    "outloo.com": "outlook.com",
    "iclod.com": "icloud.com",
    "icoud.com": "icloud.com",
}
_COM_TYPOS = ("con", "cmo", "ocm", "vom", "xom", "comm", "c0m")

_PHONE_CHARS_RE = re.compile(r"^\+?[0-9 ().\-/]+$")


@dataclass(frozen=True)
class ContactCheck:
    """The result of checking one contact.

    Attributes:
        value: the normalised contact when it is usable, else None.
        problem: a short reason code when it is not: ``empty``, ``too_long``, ``format``,
            ``spaces``, ``typo``, ``example``, ``missing_digits``, ``too_many_digits``,
            ``letters``, ``not_mobile`` or ``method``.
        message: what the bot can say to ask again (plain words, with an example).
        example: the example shown, for a response template.
        give_up: this was the last try: offer the booking link instead of asking again.
    """

    value: Optional[str] = None
    problem: Optional[str] = None
    message: str = ""
    example: str = ""
    give_up: bool = False

    @property
    def ok(self) -> bool:
        """Whether the contact can be used."""
        return self.value is not None


def phone_example(country: str) -> str:
    """A made-up number written the way people write numbers in ``country``."""
    return _PHONE_EXAMPLES.get(country.upper(), _INTERNATIONAL_EXAMPLE)


def contact_example(method: str, country: str) -> str:
    """The example shown when asking for a contact by ``method``."""
    return EMAIL_EXAMPLE if method == "email" else phone_example(country)


def check_contact(method: str, text: str, country: str, attempt: int = 1) -> ContactCheck:
    """Checks the contact for a method: ``email``, ``call`` or ``text``.

    Args:
        method: how the visitor wants to be reached.
        text: what they typed.
        country: the practice's two-letter country code, e.g. ``CA``.
        attempt: which try this is, counted from 1; a bad contact on try
            ``MAX_CONTACT_TRIES`` or later comes back with ``give_up`` set.
    """
    if method == "email":
        result = check_email(text)
    elif method in ("call", "text"):
        result = check_phone(text, country, for_texts=method == "text")
    else:
        raise ValueError(f"contact method must be one of {', '.join(CONTACT_METHODS)}")
    if not result.ok and attempt >= MAX_CONTACT_TRIES:
        return ContactCheck(
            problem=result.problem, message=result.message, example=result.example, give_up=True
        )
    return result


# --------------------------------------------------------------------------- email


def check_email(text: str) -> ContactCheck:
    """Checks and normalises an email address (the domain is lower-cased, the name kept)."""

    def bad(problem: str, message: str) -> ContactCheck:
        return ContactCheck(problem=problem, message=message, example=EMAIL_EXAMPLE)

    again = f"Could you type it again, like {EMAIL_EXAMPLE}?"
    value = (text or "").strip().strip("<>").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:].strip()
    value = value.rstrip(".")  # the end of a sentence, not of the address
    if not value:
        return bad("empty", f"I didn't catch an email address. {again}")
    if len(value) > MAX_EMAIL_CHARS:
        return bad("too_long", f"That's longer than an email address can be. {again}")
    if any(ch.isspace() for ch in value):
        return bad("spaces", f"An email address has no spaces in it. {again}")
    if value.count("@") != 1:
        return bad("format", f"That doesn't look like an email address I can use. {again}")
    local, domain = value.split("@")
    domain = domain.lower()
    labels = domain.split(".")
    if (
        not local
        or len(local) > 64
        or not _LOCAL_PART_RE.match(local)
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
        or len(labels) < 2
        or not all(_LABEL_RE.match(label) for label in labels)
        or not re.fullmatch(r"[a-z]{2,63}|xn--[a-z0-9-]+", labels[-1])
    ):
        return bad("format", f"That doesn't look like an email address I can use. {again}")
    if domain in _RESERVED_DOMAINS or labels[-1] in _RESERVED_TLDS or domain.endswith(
        tuple("." + d for d in _RESERVED_DOMAINS)
    ):
        return bad("example", "That looks like the example address. Could you type your own?")
    fixed = _DOMAIN_TYPOS.get(domain)
    if fixed is None and labels[-1] in _COM_TYPOS:
        fixed = ".".join(labels[:-1] + ["com"])
    if fixed is not None:
        return bad(
            "typo",
            f"Just checking: did you mean {local}@{fixed}? If so, could you type it once more?",
        )
    return ContactCheck(value=f"{local}@{domain}")


# --------------------------------------------------------------------------- phone


def check_phone(text: str, country: str, *, for_texts: bool = False) -> ContactCheck:
    """Checks a phone number and returns it in E.164 form, like ``+14165550123``.

    Args:
        text: what the visitor typed, in national or international (``+``) form.
        country: the practice's two-letter country code; decides the national form.
        for_texts: the number will receive text messages, so it must be a mobile
            where the country's numbers show that (UK, Australia).
    """
    country = (country or "").upper()
    ask = _Asker(phone_example(country))
    value = (text or "").strip()
    if not value:
        return ask.bad("empty", "I didn't catch a phone number.")
    if len(value) > MAX_TYPED_CHARS:
        return ask.bad("too_long", "That's longer than a phone number.")
    if not _PHONE_CHARS_RE.match(value):
        if re.search(r"[A-Za-z]", value):
            return ask.bad("letters", "A phone number needs only digits.")
        return ask.bad("format", "That doesn't look like a phone number I can use.")
    digits = re.sub(r"\D", "", value)
    international = value.startswith("+")
    if not international:
        # Dialled with an international prefix: 011 in North America, 00 elsewhere.
        prefix = "011" if country in ("CA", "US") else "00"
        if digits.startswith(prefix) and len(digits) > len(prefix) + 7:
            digits, international = digits[len(prefix) :], True
    if international:
        return _check_international(digits, for_texts, ask)
    national = _NATIONAL_CHECKS.get(country)
    if national is None:
        return ContactCheck(
            problem="format",
            message="Could you type the number with its country code, "
            f"starting with +, like {_INTERNATIONAL_EXAMPLE}?",
            example=_INTERNATIONAL_EXAMPLE,
        )
    return national(digits, for_texts, ask)


def format_phone(e164: str) -> str:
    """An E.164 number written for people, e.g. ``+1 416-555-0123``."""
    if e164.startswith("+1") and len(e164) == 12:
        n = e164[2:]
        return f"+1 {n[:3]}-{n[3:6]}-{n[6:]}"
    if e164.startswith("+44") and len(e164) == 13:
        return f"+44 {e164[3:7]} {e164[7:]}"
    if e164.startswith("+61") and len(e164) == 12:
        n = e164[3:]
        return f"+61 {n[:3]} {n[3:6]} {n[6:]}"
    return e164


class _Asker:
    """Builds the 'please type it again' answers around one example."""

    def __init__(self, example: str) -> None:
        self.example = example

    def bad(self, problem: str, reason: str, ask: Optional[str] = None) -> ContactCheck:
        ask = ask or f"Could you type it again, like {self.example}?"
        return ContactCheck(problem=problem, message=f"{reason} {ask}", example=self.example)

    def missing_digits(self) -> ContactCheck:
        return self.bad(
            "missing_digits",
            "That number seems to be missing some digits.",
            f"Could you type the whole number with the area code, like {self.example}?",
        )

    def too_many_digits(self) -> ContactCheck:
        return self.bad("too_many_digits", "That number has too many digits.")

    def format(self) -> ContactCheck:
        return self.bad("format", "That doesn't look like a phone number I can use.")

    def example_typed(self) -> ContactCheck:
        return ContactCheck(
            problem="example",
            message="That looks like the example number. Could you type your own?",
            example=self.example,
        )

    def not_mobile(self, mobile_example: str) -> ContactCheck:
        return ContactCheck(
            problem="not_mobile",
            message=f"Texts need a mobile number, like {mobile_example}. "
            "Could you type a mobile number, or choose a phone call instead?",
            example=mobile_example,
        )


def _check_international(digits: str, for_texts: bool, ask: _Asker) -> ContactCheck:
    for code, check in (("1", _nanp), ("44", _uk), ("61", _australia)):
        if digits.startswith(code):
            rest = digits[len(code) :]
            # Check the national part the national way ("0" is the national trunk prefix).
            return check(rest if code == "1" else "0" + rest.lstrip("0"), for_texts, ask)
    if len(digits) < 8:
        return ask.missing_digits()
    if len(digits) > 15:
        return ask.too_many_digits()
    return ContactCheck(value="+" + digits)


def _nanp(digits: str, for_texts: bool, ask: _Asker) -> ContactCheck:
    """Canada and the US: 10 digits; area code and exchange start with 2-9."""
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) < 10:
        return ask.missing_digits()
    if len(digits) > 10:
        return ask.too_many_digits()
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    if area[0] in "01" or exchange[0] in "01" or area[1:] == "11":
        return ask.format()
    if exchange == "555" and line.startswith("01"):  # 555-0100 to 0199: fiction only
        return ask.example_typed()
    return ContactCheck(value="+1" + digits)


def _uk(digits: str, for_texts: bool, ask: _Asker) -> ContactCheck:
    """The UK: 0 then 9 or 10 digits; texts need a mobile (07)."""
    if not digits.startswith("0"):
        digits = "0" + digits
    if len(digits) < 10:
        return ask.missing_digits()
    if len(digits) > 11:
        return ask.too_many_digits()
    if digits[1] not in "123578":
        return ask.format()
    if digits.startswith("07700900"):  # Ofcom's range for drama
        return ask.example_typed()
    if for_texts and not (digits.startswith("07") and len(digits) == 11):
        return ask.not_mobile(_PHONE_EXAMPLES["GB"])
    return ContactCheck(value="+44" + digits[1:])


def _australia(digits: str, for_texts: bool, ask: _Asker) -> ContactCheck:
    """Australia: 0 then 9 digits; texts need a mobile (04 or 05)."""
    if not digits.startswith("0"):
        digits = "0" + digits
    if len(digits) < 10:
        return ask.missing_digits()
    if len(digits) > 10:
        return ask.too_many_digits()
    if digits[1] not in "234578":
        return ask.format()
    if digits.startswith("0491570"):  # ACMA's range for fiction
        return ask.example_typed()
    if for_texts and digits[1] not in "45":
        return ask.not_mobile(_PHONE_EXAMPLES["AU"])
    return ContactCheck(value="+61" + digits[1:])


_NATIONAL_CHECKS = {"CA": _nanp, "US": _nanp, "GB": _uk, "AU": _australia}
