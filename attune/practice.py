"""The practice configuration: the one file (``practice.yml``) a practice edits.

``load_practice`` reads and checks it and returns frozen dataclasses. Every problem
is collected and reported together, each naming the setting by its dotted path
and showing the expected form with an example, so a non-programmer can fix the
file without reading code. List entries are counted from 1: ``therapists[2].name``
is the second therapist's name.

What the rest of Attune makes of the file lives with its use: office hours (open now, next
opening, the hours in words) in ``attune/handoff/hours.py``; the responses' placeholders in
``attune/practice_words.py`` and ``attune/facts.py``; the check command's summary and
warnings in ``attune/check.py``.

Check a file from the command line::

    python -m attune.check practice [PATH]
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

from attune.paths import REPO_ROOT
from attune.safety.resources import Registry, load_registry
from attune.validation import closest, is_https_url, read_yaml

PRACTICE_FILE_ENV = "ATTUNE_PRACTICE_FILE"

DAYS: Tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_RETENTION_DAYS = 30
DEFAULT_QUICK_EXIT_URL = "https://www.theweathernetwork.com"
DEFAULT_ALLOWED_ORIGINS: Tuple[str, ...] = ("http://localhost:8080", "http://127.0.0.1:8080")
DEFAULT_MAX_MESSAGE_CHARS = 2000
DEFAULT_MESSAGES_PER_MINUTE = 30
DEFAULT_REPLY_TIME = "within one business day"

_TOP_KEYS = (
    "name",
    "short_name",
    "therapists",
    "region",
    "booking_url",
    "contact",
    "hours",
    "retention_days",
    "quick_exit_url",
    "website",
    "limits",
    # Optional answers to common questions (see Facts below).
    "fees",
    "insurance",
    "session_formats",
    "clients",
    "languages",
    "accessibility",
    "free_consultation",
    "cancellation",
)
# What a practice may list under session_formats and clients.see, in the order the assistant
# names them.
SESSION_FORMATS: Tuple[str, ...] = ("in_person", "online", "phone")
CLIENT_GROUPS: Tuple[str, ...] = ("individuals", "couples", "families", "teens", "children")
# A fact written in the practice's words is said inside one bubble: keep it short.
MAX_FACT_WORDS = 30
_DOMAIN_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL_RE = re.compile(
    rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*\.[A-Za-z]{{2,}}$"
)
_PHONE_RE = re.compile(r"^\+?[0-9 ().\-]+?(?:\s*(?:ext\.?|x)\s*[0-9]{1,6})?$", re.IGNORECASE)
_RANGE_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})\s*$")
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Therapist:
    """A therapist people can be handed to."""

    name: str
    pronouns: Optional[str] = None
    focus: Optional[str] = None


@dataclass(frozen=True)
class Region:
    """Where the practice works; decides which crisis lines are shown."""

    country: str
    subdivision: Optional[str] = None


@dataclass(frozen=True)
class PracticeContact:
    """How people reach the practice (not for emergencies)."""

    email: str
    phone: str
    address: Optional[str] = None


@dataclass(frozen=True)
class OpeningRange:
    """One opening period in a day, in minutes after local midnight (end may be 1440)."""

    start: int
    end: int

    def contains(self, minute: int) -> bool:
        """Whether the practice is open at this minute of the day."""
        return self.start <= minute < self.end

    def label(self) -> str:
        """Like ``9:00-17:00``."""
        return f"{_clock(self.start)}-{_clock(self.end)}"


@dataclass(frozen=True)
class Hours:
    """Office hours: a weekly pattern (Monday first) in one time zone.

    Whether the practice is open, when it opens next and how the hours are said:
    ``attune/handoff/hours.py``.
    """

    time_zone: str
    weekly: Tuple[Tuple[OpeningRange, ...], ...]
    reply_time: str = DEFAULT_REPLY_TIME

    @property
    def zone(self) -> ZoneInfo:
        """The practice's time zone."""
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class Website:
    """Settings for the website chat widget."""

    allowed_origins: Tuple[str, ...] = DEFAULT_ALLOWED_ORIGINS


@dataclass(frozen=True)
class Limits:
    """Guards on incoming messages."""

    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    messages_per_minute: int = DEFAULT_MESSAGES_PER_MINUTE


@dataclass(frozen=True)
class Facts:
    """Optional answers to the questions visitors ask before booking.

    None means the practice did not say, and the assistant says it does not have that detail.
    For ``sliding_scale``, ``direct_billing``, ``free_consultation`` and
    ``cancellation_late_fee``, False means the practice said it does not offer it.
    """

    fee_session: Optional[str] = None
    sliding_scale: Union[str, bool, None] = None
    insurance_coverage: Optional[str] = None
    direct_billing: Union[Tuple[str, ...], bool, None] = None
    session_formats: Optional[Tuple[str, ...]] = None
    clients: Optional[Tuple[str, ...]] = None
    youngest_age: Optional[int] = None
    languages: Optional[Tuple[str, ...]] = None
    accessibility: Optional[str] = None
    free_consultation: Union[str, bool, None] = None
    cancellation_notice_hours: Optional[int] = None
    cancellation_late_fee: Union[str, bool, None] = None


@dataclass(frozen=True)
class Practice:
    """The whole, validated practice configuration."""

    name: str
    therapists: Tuple[Therapist, ...]
    region: Region
    booking_url: str
    contact: PracticeContact
    hours: Hours
    short_name: Optional[str] = None
    retention_days: int = DEFAULT_RETENTION_DAYS
    quick_exit_url: str = DEFAULT_QUICK_EXIT_URL
    website: Website = Website()
    limits: Limits = Limits()
    facts: Facts = Facts()
    source_path: Optional[Path] = None

    @property
    def display_name(self) -> str:
        """The short name if there is one, else the full name."""
        return self.short_name or self.name


class PracticeConfigError(ValueError):
    """``practice.yml`` has problems; ``problems`` lists every one, each naming its setting."""

    def __init__(self, problems: Sequence[str], label: str = "practice.yml") -> None:
        self.problems = list(problems)
        header = (
            f"{label} has {len(self.problems)} problems to fix:\n" if len(self.problems) > 1 else ""
        )
        super().__init__(header + "\n".join(self.problems))


# --------------------------------------------------------------------------- loading


def default_practice_path() -> Path:
    """``$ATTUNE_PRACTICE_FILE`` if set, else ``practice.yml`` at the repository root."""
    configured = os.environ.get(PRACTICE_FILE_ENV)
    return Path(configured) if configured else REPO_ROOT / "practice.yml"


def load_practice(path: Optional[Path] = None, *, registry: Optional[Registry] = None) -> Practice:
    """Read and validate the practice file.

    Args:
        path: the file; defaults to :func:`default_practice_path`.
        registry: crisis registry used to check the region (default: the shipped one).

    Raises:
        PracticeConfigError: listing every problem found.
        RegistryError: the crisis registry itself is broken.
    """
    path = Path(path) if path else default_practice_path()
    label = path.name
    data, problem = read_yaml(path)
    if problem:
        raise PracticeConfigError([f"{label} {problem}"], label)
    return _PracticeParser(label, registry or load_registry()).parse(data, path)


class _PracticeParser:
    """Turns the YAML tree into a :class:`Practice`, collecting every problem."""

    def __init__(self, label: str, registry: Registry) -> None:
        self.label = label
        self.registry = registry
        self.problems: List[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{self.label}: {where} {message}")

    def bad(self, where: str, expected: str, value: Any, hint: Optional[str] = None) -> None:
        """Record 'where must be <expected> (got value; did you mean hint?)'."""
        suggestion = f"; did you mean {hint}?" if hint else ""
        self.fail(where, f"must be {expected} (got {_shown(value)}{suggestion})")

    def parse(self, data: Any, path: Path) -> Practice:
        if data is None:
            raise PracticeConfigError(
                [f"{self.label} is empty; start from the example practice.yml"], self.label
            )
        if not isinstance(data, dict):
            raise PracticeConfigError(
                [f"{self.label} must be a list of settings like 'name: Harbourlight Counselling'"],
                self.label,
            )
        self.unknown(data, _TOP_KEYS, "")
        name = self.text(
            data, "name", "name", "the practice's name, like Harbourlight Counselling", max_len=100
        )
        short_name = self.text(
            data,
            "short_name",
            "short_name",
            "a short name, like Harbourlight",
            required=False,
            max_len=40,
        )
        therapists = self.therapists(data.get("therapists"))
        region = self.region(data.get("region"))
        booking_url = self.https(data, "booking_url", "booking_url", "https://www.example.ca/book")
        contact = self.contact(data.get("contact"))
        hours = self.hours(data.get("hours"))
        retention = self.integer(
            data, "retention_days", "retention_days", 1, 365, DEFAULT_RETENTION_DAYS
        )
        quick_exit = self.https(
            data, "quick_exit_url", "quick_exit_url", DEFAULT_QUICK_EXIT_URL, DEFAULT_QUICK_EXIT_URL
        )
        website = self.website(data.get("website"))
        limits = self.limits(data.get("limits"))
        facts = self.facts(data)
        if self.problems:
            raise PracticeConfigError(self.problems, self.label)
        assert name is not None  # a missing or unusable name is one of the problems
        return Practice(
            name=name,
            short_name=short_name,
            therapists=therapists,
            region=region,
            booking_url=booking_url,
            contact=contact,
            hours=hours,
            retention_days=retention,
            quick_exit_url=quick_exit,
            website=website,
            limits=limits,
            facts=facts,
            source_path=path,
        )

    # ---- sections

    def section(
        self, raw: Any, where: str, example: str, required: bool = True
    ) -> Optional[Dict[str, Any]]:
        if raw is None:
            if required:
                self.fail(where, f"is missing; add it, for example:\n    {example}")
            return None
        if not isinstance(raw, dict):
            self.fail(
                where,
                f"must be a group of settings, indented under '{where}:', "
                f"for example:\n    {example}",
            )
            return None
        return raw

    def therapists(self, raw: Any) -> Tuple[Therapist, ...]:
        example = "therapists:\n      - name: Ana Silva"
        if raw is None:
            self.fail(
                "therapists",
                f"is missing; list at least one therapist, for example:\n    {example}",
            )
            return ()
        if not isinstance(raw, list) or not raw:
            self.fail(
                "therapists",
                f"must be a list with at least one therapist, for example:\n    {example}",
            )
            return ()
        found = []
        for number, item in enumerate(raw, start=1):
            where = f"therapists[{number}]"
            if isinstance(item, str):
                self.fail(where, f"must be written as '- name: {item}' (got {_shown(item)})")
                continue
            if not isinstance(item, dict):
                self.bad(where, "a therapist like '- name: Ana Silva'", item)
                continue
            self.unknown(item, ("name", "pronouns", "focus"), where)
            name = self.text(item, "name", f"{where}.name", "a name like Ana Silva", max_len=80)
            pronouns = self.text(
                item,
                "pronouns",
                f"{where}.pronouns",
                "words like she/her",
                required=False,
                max_len=30,
            )
            focus = self.text(
                item,
                "focus",
                f"{where}.focus",
                "a few words like couples and attachment",
                required=False,
                max_len=200,
            )
            if name:
                found.append(Therapist(name=name, pronouns=pronouns, focus=focus))
        return tuple(found)

    def region(self, raw: Any) -> Region:
        section = self.section(raw, "region", 'region:\n      country: CA\n      subdivision: "ON"')
        if section is None:
            return Region("")
        self.unknown(section, ("country", "subdivision"), "region")
        known = ", ".join(sorted(self.registry.countries))
        country = section.get("country")
        if country is None:
            self.fail(
                "region.country",
                "is missing; use a two-letter country code like CA "
                f"(Attune has crisis lines for {known})",
            )
            return Region("")
        if not isinstance(country, str) or not re.fullmatch(r"[A-Za-z]{2}", country.strip()):
            self.bad(
                "region.country",
                f"a two-letter country code like CA (Attune has crisis lines for {known})",
                country,
            )
            return Region("")
        code = country.strip().upper()
        if code not in self.registry.countries:
            self.fail(
                "region.country",
                f"is {code}, but the crisis registry has no lines for it yet (it has {known}); "
                "add that country's verified crisis lines to "
                "attune/safety/crisis_resources.yml first",
            )
            return Region(code)
        sub = section.get("subdivision")
        if sub is None or (isinstance(sub, str) and not sub.strip()):
            return Region(code)
        subs = self.registry.countries[code].subdivisions
        if isinstance(sub, bool):
            self.fail(
                "region.subdivision",
                'was read as yes/no; put the code in quotes, like subdivision: "ON"',
            )
            return Region(code)
        if not isinstance(sub, str) or sub.strip().upper() not in subs:
            if not subs:
                self.fail(
                    "region.subdivision",
                    f"must be left out: the registry lists no subdivisions for {code}",
                )
                return Region(code)
            example = {"CA": "ON", "US": "NY", "GB": "SCT", "AU": "NSW"}.get(code, sorted(subs)[0])
            self.bad(
                "region.subdivision",
                f"a {self.registry.countries[code].name} province or state code like {example} "
                f"(known: {', '.join(sorted(subs))})",
                sub,
                closest(str(sub).upper(), list(subs)),
            )
            return Region(code)
        return Region(code, sub.strip().upper())

    def contact(self, raw: Any) -> PracticeContact:
        section = self.section(
            raw, "contact", "contact:\n      email: hello@example.ca\n      phone: 416-555-0142"
        )
        if section is None:
            return PracticeContact("", "")
        self.unknown(section, ("email", "phone", "address"), "contact")
        email = self.text(
            section, "email", "contact.email", "an email address like hello@example.ca"
        )
        if email and not _EMAIL_RE.match(email):
            self.bad("contact.email", "an email address like hello@example.ca", email)
        phone_raw = section.get("phone")
        phone = None
        if phone_raw is None:
            self.fail("contact.phone", "is missing; add a phone number like 416-555-0142")
        elif isinstance(phone_raw, int) and not isinstance(phone_raw, bool):
            self.fail("contact.phone", f'must be in quotes, like "416-555-0142" (got {phone_raw})')
        elif (
            not isinstance(phone_raw, str)
            or not _PHONE_RE.match(phone_raw.strip())
            or not 7 <= _digit_count(phone_raw) <= 15
        ):
            self.bad(
                "contact.phone", "a phone number with 7 to 15 digits, like 416-555-0142", phone_raw
            )
        else:
            phone = " ".join(phone_raw.split())
        address = self.text(
            section, "address", "contact.address", "a street address", required=False, max_len=300
        )
        return PracticeContact(email=email or "", phone=phone or "", address=address)

    def hours(self, raw: Any) -> Hours:
        section = self.section(
            raw,
            "hours",
            'hours:\n      time_zone: America/Toronto\n      weekly:\n        mon: ["09:00-17:00"]',
        )
        empty = Hours("UTC", ((),) * 7)
        if section is None:
            return empty
        self.unknown(section, ("time_zone", "weekly", "reply_time"), "hours")
        zone = self.time_zone(section.get("time_zone"))
        reply = self.text(
            section,
            "reply_time",
            "hours.reply_time",
            "plain words like within one business day",
            required=False,
            max_len=120,
        )
        weekly_raw = section.get("weekly")
        if weekly_raw is None:
            self.fail(
                "hours.weekly",
                'is missing; add the opening times for each day, like mon: ["09:00-17:00"]',
            )
            return empty
        if not isinstance(weekly_raw, dict):
            self.bad(
                "hours.weekly", 'days with opening times, like mon: ["09:00-17:00"]', weekly_raw
            )
            return empty
        self.unknown(weekly_raw, DAYS, "hours.weekly")
        weekly = tuple(self.day(weekly_raw.get(day), f"hours.weekly.{day}") for day in DAYS)
        return Hours(time_zone=zone or "UTC", weekly=weekly, reply_time=reply or DEFAULT_REPLY_TIME)

    def time_zone(self, raw: Any) -> Optional[str]:
        expected = "a time zone name like America/Toronto"
        if raw is None:
            self.fail("hours.time_zone", f"is missing; add {expected}")
            return None
        if not isinstance(raw, str) or not raw.strip():
            self.bad("hours.time_zone", expected, raw)
            return None
        key = raw.strip()
        try:
            ZoneInfo(key)
        except Exception:  # ZoneInfoNotFoundError, ValueError, OSError: all mean "not a zone"
            self.bad("hours.time_zone", expected, raw, closest(key, sorted(available_timezones())))
            return None
        return key

    def day(self, raw: Any, where: str) -> Tuple[OpeningRange, ...]:
        expected = (
            'a list of opening times like ["09:00-17:00"] or ["09:00-12:00", "13:00-17:00"], '
            "or closed"
        )
        if raw is None or raw == [] or (isinstance(raw, str) and raw.strip().lower() == "closed"):
            return ()
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            self.bad(where, expected, raw)
            return ()
        ranges = []
        for item in raw:
            parsed = self.opening_range(item, where, expected)
            if parsed:
                ranges.append(parsed)
        ranges.sort(key=lambda r: r.start)
        for earlier, later in zip(ranges, ranges[1:], strict=False):
            if later.start < earlier.end:
                self.fail(
                    where,
                    f"has overlapping times {earlier.label()} and {later.label()}; merge them",
                )
                return ()
        return tuple(ranges)

    def opening_range(self, raw: Any, where: str, expected: str) -> Optional[OpeningRange]:
        match = _RANGE_RE.match(raw) if isinstance(raw, str) else None
        if not match:
            self.bad(where, expected, raw)
            return None
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
            self.fail(
                where,
                f"has a time that does not exist in {raw!r}; use 24-hour times from 00:00 to 24:00",
            )
            return None
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if start >= end:
            self.fail(
                where,
                f"has {raw!r}, which must start before it ends (24-hour times, like 09:00-17:00; "
                "hours past midnight go on the next day)",
            )
            return None
        return OpeningRange(start, end)

    def website(self, raw: Any) -> Website:
        section = self.section(
            raw,
            "website",
            'website:\n      allowed_origins: ["https://www.example.ca"]',
            required=False,
        )
        if section is None:
            return Website()
        self.unknown(section, ("allowed_origins",), "website")
        origins = section.get("allowed_origins")
        if origins is None:
            return Website()
        if isinstance(origins, str):
            origins = [origins]
        expected = 'a list of website addresses like ["https://www.example.ca"]'
        if not isinstance(origins, list) or not origins:
            self.bad("website.allowed_origins", expected, origins)
            return Website()
        good = []
        for number, origin in enumerate(origins, start=1):
            where = f"website.allowed_origins[{number}]"
            problem = _origin_problem(origin)
            if problem:
                self.fail(where, f"{problem} (got {_shown(origin)})")
            else:
                good.append(origin.strip())
        return Website(allowed_origins=tuple(good))

    def limits(self, raw: Any) -> Limits:
        section = self.section(
            raw, "limits", "limits:\n      max_message_chars: 2000", required=False
        )
        if section is None:
            return Limits()
        self.unknown(section, ("max_message_chars", "messages_per_minute"), "limits")
        return Limits(
            max_message_chars=self.integer(
                section,
                "max_message_chars",
                "limits.max_message_chars",
                200,
                10000,
                DEFAULT_MAX_MESSAGE_CHARS,
            ),
            messages_per_minute=self.integer(
                section,
                "messages_per_minute",
                "limits.messages_per_minute",
                1,
                600,
                DEFAULT_MESSAGES_PER_MINUTE,
            ),
        )

    # ---- the practice's facts (all optional)

    def facts(self, data: Dict[str, Any]) -> Facts:
        fee_session: Optional[str] = None
        sliding_scale: Union[str, bool, None] = None
        fees = self.section(
            data.get("fees"), "fees", 'fees:\n      session: "$160 for 50 minutes"', required=False
        )
        if fees is not None:
            self.unknown(fees, ("session", "sliding_scale"), "fees")
            fee_session = self.fact_text(
                fees, "session", "fees.session", "a few words like $160 for 50 minutes"
            )
            sliding_scale = self.text_or_no(
                fees,
                "sliding_scale",
                "fees.sliding_scale",
                "a few words like from $80 a session, based on income",
            )
        coverage: Optional[str] = None
        billing: Union[Tuple[str, ...], bool, None] = None
        insurance = self.section(
            data.get("insurance"),
            "insurance",
            'insurance:\n      coverage: "Many workplace health plans cover our sessions."'
            "\n      direct_billing: no",
            required=False,
        )
        if insurance is not None:
            self.unknown(insurance, ("coverage", "direct_billing"), "insurance")
            coverage = self.fact_text(
                insurance,
                "coverage",
                "insurance.coverage",
                "a sentence like: Many workplace health plans cover our sessions.",
                required=True,
            )
            billing = self.names_or_no(
                insurance,
                "direct_billing",
                "insurance.direct_billing",
                "a list of insurers like [Green Shield Canada, Sun Life], or no",
            )
            if billing is None and "direct_billing" not in insurance:
                self.fail(
                    "insurance.direct_billing",
                    "is missing; list the insurers you bill directly, like "
                    "[Green Shield Canada, Sun Life], or write: no",
                )
        formats = self.choices(data, "session_formats", "session_formats", SESSION_FORMATS)
        see: Optional[Tuple[str, ...]] = None
        youngest: Optional[int] = None
        clients = self.section(
            data.get("clients"),
            "clients",
            "clients:\n      see: [individuals, couples]",
            required=False,
        )
        if clients is not None:
            self.unknown(clients, ("see", "youngest_age"), "clients")
            see = self.choices(clients, "see", "clients.see", CLIENT_GROUPS)
            if see is None and "see" not in clients:
                self.fail(
                    "clients.see",
                    f"is missing; list whom you see, from {', '.join(CLIENT_GROUPS)}",
                )
            if clients.get("youngest_age") is not None:
                youngest = self.integer(clients, "youngest_age", "clients.youngest_age", 3, 25, 13)
        languages = self.names_or_no(
            data, "languages", "languages", "a list of languages like [English, French]",
            allow_no=False,
        )
        accessibility = self.fact_text(
            data,
            "accessibility",
            "accessibility",
            "a sentence like: Step-free entrance and an elevator to our floor.",
        )
        consultation = self.text_or_no(
            data,
            "free_consultation",
            "free_consultation",
            "a few words like a free 15-minute phone call, or no",
        )
        notice: Optional[int] = None
        late_fee: Union[str, bool, None] = None
        cancellation = self.section(
            data.get("cancellation"),
            "cancellation",
            'cancellation:\n      notice_hours: 24\n      late_fee: "the full session fee"',
            required=False,
        )
        if cancellation is not None:
            self.unknown(cancellation, ("notice_hours", "late_fee"), "cancellation")
            if cancellation.get("notice_hours") is None:
                self.fail(
                    "cancellation.notice_hours",
                    "is missing; add how many hours' notice you ask for, like notice_hours: 24",
                )
            else:
                notice = self.integer(
                    cancellation, "notice_hours", "cancellation.notice_hours", 1, 336, 24
                )
            late_fee = self.text_or_no(
                cancellation,
                "late_fee",
                "cancellation.late_fee",
                "a few words like the full session fee, or no",
            )
        return Facts(
            fee_session=fee_session,
            sliding_scale=sliding_scale,
            insurance_coverage=coverage,
            direct_billing=billing,
            session_formats=formats,
            clients=see,
            youngest_age=youngest,
            languages=languages if isinstance(languages, tuple) else None,
            accessibility=accessibility,
            free_consultation=consultation,
            cancellation_notice_hours=notice,
            cancellation_late_fee=late_fee,
        )

    def fact_text(
        self, raw: Dict[str, Any], key: str, where: str, expected: str, required: bool = False
    ) -> Optional[str]:
        """Words the assistant says as they are: plain text, at most MAX_FACT_WORDS words."""
        value = self.text(raw, key, where, expected, required=required, max_len=400)
        if value is not None and len(value.split()) > MAX_FACT_WORDS:
            self.fail(
                where,
                f"is {len(value.split())} words long; keep it to {MAX_FACT_WORDS} words or fewer "
                "(the assistant says it in one short message)",
            )
            return None
        return value

    def text_or_no(
        self, raw: Dict[str, Any], key: str, where: str, expected: str
    ) -> Union[str, bool, None]:
        """A few words describing what is offered, or no (False); None when left out."""
        value = raw.get(key)
        if value is False:
            return False
        if value is True:
            self.fail(where, f"was read as yes; write what you offer instead, like: {expected}")
            return None
        if isinstance(value, str) and value.strip().lower() in ("no", "none", "n/a"):
            return False
        return self.fact_text(raw, key, where, expected)

    def names_or_no(
        self,
        raw: Dict[str, Any],
        key: str,
        where: str,
        expected: str,
        allow_no: bool = True,
    ) -> Union[Tuple[str, ...], bool, None]:
        """A list of short names (insurers, languages), or no (False) if allowed."""
        value = raw.get(key)
        if value is None:
            return None
        if allow_no and (
            value is False or (isinstance(value, str) and value.strip().lower() in ("no", "none"))
        ):
            return False
        if isinstance(value, str):
            value = [value]
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(item, str) and item.strip() for item in value)
        ):
            self.bad(where, expected, value)
            return None
        names = tuple(" ".join(item.split()) for item in value)
        too_long = [name for name in names if len(name) > 60]
        if too_long:
            self.fail(where, f"has a name over 60 characters ({too_long[0]!r}); shorten it")
            return None
        if len(names) > 12:
            self.fail(where, f"lists {len(names)} names; keep it to 12 or fewer")
            return None
        return names

    def choices(
        self, raw: Dict[str, Any], key: str, where: str, allowed: Sequence[str]
    ) -> Optional[Tuple[str, ...]]:
        """A list of words from ``allowed``, kept in the order of ``allowed``."""
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        expected = f"a list from {', '.join(allowed)}, like [{', '.join(allowed[:2])}]"
        if not isinstance(value, list) or not value:
            self.bad(where, expected, value)
            return None
        chosen = []
        for item in value:
            word = str(item).strip().lower().replace(" ", "_").replace("-", "_")
            if word not in allowed:
                self.bad(where, expected, item, closest(word, list(allowed)))
                return None
            chosen.append(word)
        return tuple(word for word in allowed if word in chosen)

    # ---- values

    def text(
        self,
        raw: Dict[str, Any],
        key: str,
        where: str,
        expected: str,
        required: bool = True,
        max_len: int = 200,
    ) -> Optional[str]:
        value = raw.get(key)
        if value is None:
            if required:
                self.fail(where, f"is missing; add {expected}")
            return None
        if not isinstance(value, str) or not value.strip():
            self.bad(where, expected, value)
            return None
        value = " ".join(value.split())
        if len(value) > max_len:
            self.fail(where, f"is {len(value)} characters long; keep it under {max_len}")
            return None
        return value

    def https(
        self, raw: Dict[str, Any], key: str, where: str, example: str, default: Optional[str] = None
    ) -> str:
        value = raw.get(key)
        if value is None:
            if default is None:
                self.fail(
                    where, f"is missing; add a web address starting with https://, like {example}"
                )
            return default or ""
        if not (isinstance(value, str) and is_https_url(value.strip())):
            self.bad(where, f"a web address starting with https://, like {example}", value)
            return default or ""
        return value.strip()

    def integer(
        self, raw: Dict[str, Any], key: str, where: str, low: int, high: int, default: int
    ) -> int:
        value = raw.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.bad(where, f"a whole number from {low} to {high}, like {default}", value)
            return default
        return value

    def unknown(self, raw: Dict[str, Any], allowed: Sequence[str], prefix: str) -> None:
        for key in raw:
            if key in allowed:
                continue
            hint = closest(str(key), allowed)
            self.fail(
                f"{prefix}.{key}" if prefix else str(key),
                "is not a setting Attune knows, probably a typo"
                + (
                    f" (did you mean {hint}?)"
                    if hint
                    else f"; the settings here are {', '.join(allowed)}"
                ),
            )


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes/no"
    return repr(value)


def _digit_count(value: str) -> int:
    main_part = re.split(r"(?i)\s*(?:ext\.?|x)\s*", value)[0]
    return len(re.sub(r"\D", "", main_part))


def _origin_problem(origin: Any) -> Optional[str]:
    """Why a value is not a usable CORS origin, or None if it is."""
    expected = "must be a website address like https://www.example.ca"
    if (
        not isinstance(origin, str)
        or not origin.strip()
        or any(ch.isspace() for ch in origin.strip())
    ):
        return expected
    origin = origin.strip()
    if origin == "*":
        return expected + " (a * would let any website embed the chat)"
    parts = urlsplit(origin)
    try:
        _ = parts.port  # raises for a port that is not a number
    except ValueError:
        return expected + " (the port after : must be a number)"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return expected
    if parts.path or parts.query or parts.fragment:
        return expected + ", with nothing after the domain (no / at the end)"
    if parts.scheme == "http" and parts.netloc.split(":")[0] not in _LOCAL_HOSTS:
        return expected + ", using https:// (plain http:// is only for localhost testing)"
    return None


def _clock(minute: int) -> str:
    return f"{minute // 60}:{minute % 60:02d}"
