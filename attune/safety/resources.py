"""Crisis resource registry: load, validate, select and format crisis lines.

The registry (``crisis_resources.yml`` next to this module) is the single source
of crisis lines. This module reads it, rejects anything malformed with messages a
practice can act on, picks the lines for a region and kind of crisis, and writes
them as plain text that works in a chat bubble and in an SMS.

Run ``python -m attune.check crisis-lines --country CA --subdivision ON`` to review
what each kind of crisis message would show.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from attune.validation import closest, is_https_url, read_yaml

DEFAULT_REGISTRY_PATH = Path(__file__).with_name("crisis_resources.yml")

CATEGORIES: Tuple[str, ...] = (
    "suicide",
    "self_harm",
    "abuse",
    "child_abuse",
    "harm_others",
    "emergency",
    "third_party",
    "check_in",
    "general",
    "poison",
)
# Categories whose template variable (crisis_lines_<category>) the bot's words use.
TEMPLATE_CATEGORIES: Tuple[str, ...] = (
    "suicide",
    "self_harm",
    "abuse",
    "child_abuse",
    "harm_others",
    "emergency",
    "third_party",
    "check_in",
)
# Someone may be in danger right now: the emergency number goes first.
EMERGENCY_FIRST: Tuple[str, ...] = ("emergency", "harm_others", "poison")
CONTACT_KINDS: Tuple[str, ...] = ("call", "text", "tty", "chat")
NON_CRISIS_MARKER = "not crisis support"
# A verification_note starting with this makes `python -m attune.check practice` warn.
UNVERIFIED_MARKER = "MUST BE VERIFIED BEFORE LAUNCH"

_RESOURCE_REQUIRED = (
    "id",
    "name",
    "contacts",
    "hours",
    "available_24_7",
    "languages",
    "audience",
    "categories",
    "is_crisis_line",
    "last_verified",
    "source",
    "verification_note",
)
_RESOURCE_OPTIONAL = ("primary", "label", "listed_first_for")
_CONTACT_KEYS = ("kind", "value", "note")
_NUMBER_RE = re.compile(r"^\+?[0-9](?:[0-9 \-]*[0-9])?$")
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class LineContact:
    """One way to reach a crisis line or service: a number to call or text, a TTY, a chat."""

    kind: str
    value: str
    note: Optional[str] = None

    @property
    def digits(self) -> str:
        """The number as dialled (digits and a leading +), for tel: and sms: links."""
        return ("+" if self.value.startswith("+") else "") + re.sub(r"\D", "", self.value)

    @property
    def href(self) -> str:
        """A link a browser or phone can open: tel:, sms: or the chat address."""
        if self.kind == "chat":
            return self.value
        scheme = "sms" if self.kind == "text" else "tel"
        return f"{scheme}:{self.digits}"

    @property
    def keyword(self) -> Optional[str]:
        """The word to text (e.g. CONNECT), read from the note, if there is one."""
        if self.kind != "text" or not self.note:
            return None
        match = re.search(r"\btext\s+([A-Z][A-Z0-9]*)\s+to\b", self.note, flags=re.IGNORECASE)
        return match.group(1) if match else None


@dataclass(frozen=True)
class Resource:
    """One crisis line or support service."""

    id: str
    name: str
    contacts: Tuple[LineContact, ...]
    hours: str
    available_24_7: bool
    languages: Tuple[str, ...]
    audience: Tuple[str, ...]
    categories: Tuple[str, ...]
    is_crisis_line: bool
    last_verified: date
    source: str
    verification_note: str
    region: str
    primary: bool = False
    label: Optional[str] = None
    listed_first_for: Tuple[str, ...] = ()

    @property
    def is_emergency(self) -> bool:
        """True for the emergency-services entry (9-1-1, 999, ...)."""
        return "emergency" in self.categories

    def first(self, kind: str) -> Optional[LineContact]:
        """The first contact of a kind (call, text, tty, chat), if any."""
        return next((c for c in self.contacts if c.kind == kind), None)


@dataclass(frozen=True)
class Subdivision:
    """A province, state or nation with its own (possibly no) local lines."""

    code: str
    name: str
    resources: Tuple[Resource, ...] = ()


@dataclass(frozen=True)
class Country:
    """A country: national lines plus its known subdivisions."""

    code: str
    name: str
    resources: Tuple[Resource, ...]
    subdivisions: Mapping[str, Subdivision] = field(default_factory=dict, hash=False)

    @property
    def primary(self) -> Resource:
        """The general crisis line (validated: exactly one)."""
        return next(r for r in self.resources if r.primary)

    @property
    def emergency(self) -> Resource:
        """The emergency-services entry (validated: exactly one)."""
        return next(r for r in self.resources if r.is_emergency)

    @property
    def emergency_call(self) -> LineContact:
        """The emergency entry's number to call (validated: it has one)."""
        call = self.emergency.first("call")
        assert call is not None
        return call


@dataclass(frozen=True)
class Directory:
    """A directory of crisis lines in most countries: offered to a visitor somewhere the
    registry has no lines for."""

    name: str
    url: str
    last_verified: Optional[date]
    source: str
    verification_note: str


@dataclass(frozen=True)
class Registry:
    """All crisis resources, by country, and the directory for everywhere else."""

    countries: Mapping[str, Country] = field(hash=False)
    source_path: Optional[Path] = None
    international: Optional[Directory] = None

    def all_resources(self) -> List[Resource]:
        """Every resource, national ones first, in file order."""
        found: List[Resource] = []
        for country in self.countries.values():
            found.extend(country.resources)
            for sub in country.subdivisions.values():
                found.extend(sub.resources)
        return found

    def locate(
        self, country: str, subdivision: Optional[str] = None
    ) -> Tuple[Country, Optional[Subdivision]]:
        """Look up a region, raising :class:`ValueError` naming the known codes."""
        code = (country or "").strip().upper()
        if code not in self.countries:
            raise ValueError(
                f"no crisis lines for country {country!r}; the registry has "
                f"{', '.join(sorted(self.countries))}"
            )
        found = self.countries[code]
        if not subdivision:
            return found, None
        sub_code = subdivision.strip().upper()
        if sub_code not in found.subdivisions:
            raise ValueError(
                f"{sub_code!r} is not a subdivision of {code} in the registry; known: "
                f"{', '.join(sorted(found.subdivisions))}"
            )
        return found, found.subdivisions[sub_code]


class RegistryError(ValueError):
    """The crisis registry is malformed. ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        header = (
            f"the crisis registry has {len(self.problems)} problems:\n"
            if len(self.problems) > 1
            else ""
        )
        super().__init__(header + "\n".join(self.problems))


# --------------------------------------------------------------------------- loading


def load_registry(path: Optional[Path] = None) -> Registry:
    """Load and validate the crisis registry.

    Args:
        path: registry file; defaults to ``crisis_resources.yml`` next to this module.

    Raises:
        RegistryError: listing every problem, each naming the entry and field.
    """
    path = Path(path) if path else DEFAULT_REGISTRY_PATH
    label = path.name
    data, problem = read_yaml(path)
    if problem:
        raise RegistryError([f"{label} {problem}"])
    return _RegistryParser(label).parse(data, path)


class _RegistryParser:
    """Turns the YAML tree into a :class:`Registry`, collecting every problem."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: List[str] = []
        self.ids: Dict[str, str] = {}

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{self.label}: {where} {message}")

    def parse(self, data: Any, path: Path) -> Registry:
        if not isinstance(data, dict):
            raise RegistryError([f"{self.label} must be a mapping with a 'countries' section"])
        for key in data:
            if key not in ("schema_version", "countries", "international"):
                self.fail(
                    str(key),
                    "is not a registry setting (expected schema_version, countries, international)",
                )
        if data.get("schema_version") != 1:
            self.fail("schema_version", f"must be 1 (got {data.get('schema_version')!r})")
        raw_countries = data.get("countries")
        countries: Dict[str, Country] = {}
        if not isinstance(raw_countries, dict) or not raw_countries:
            self.fail("countries", "must list at least one country, like CA:")
        else:
            for code, body in raw_countries.items():
                country = self._country(code, body)
                if country:
                    countries[country.code] = country
        international = self._directory(data.get("international"))
        if self.problems:
            raise RegistryError(self.problems)
        return Registry(countries=countries, source_path=path, international=international)

    def _directory(self, raw: Any) -> Optional[Directory]:
        if raw is None:
            return None
        where = "international"
        if not isinstance(raw, dict):
            self.fail(where, "must have a name, url, last_verified, source and verification_note")
            return None
        self._unknown(raw, ("name", "url", "last_verified", "source", "verification_note"), where)
        name = self._text(raw, "name", where)
        url = raw.get("url")
        if not is_https_url(url):
            self.fail(f"{where}.url", "must be an https:// address")
        source = raw.get("source")
        if not is_https_url(source):
            self.fail(f"{where}.source", "must be an https:// address")
        note = self._text(raw, "verification_note", where)
        verified = self._date(raw.get("last_verified"), f"{where}.last_verified")
        if not (name and is_https_url(url) and is_https_url(source) and note):
            return None
        return Directory(name=name, url=str(url), last_verified=verified, source=str(source),
                         verification_note=note)

    def _country(self, code: Any, body: Any) -> Optional[Country]:
        where = f"countries.{code}"
        if not (isinstance(code, str) and re.fullmatch(r"[A-Z]{2}", code)):
            self.fail(where, "must be a two-letter country code in capitals, like CA")
            return None
        if not isinstance(body, dict):
            self.fail(where, "must have a name and resources")
            return None
        self._unknown(body, ("name", "resources", "subdivisions"), where)
        name = self._text(body, "name", where)
        before = len(self.problems)
        resources = self._resources(body.get("resources"), where, code)
        # A broken entry was dropped; counting emergency/primary entries now would
        # only add confusing follow-on errors.
        resources_complete = len(self.problems) == before
        subs: Dict[str, Subdivision] = {}
        raw_subs = body.get("subdivisions") or {}
        if not isinstance(raw_subs, dict):
            self.fail(f"{where}.subdivisions", "must map codes to {name: ...}")
            raw_subs = {}
        for sub_code, sub_body in raw_subs.items():
            sub = self._subdivision(code, sub_code, sub_body)
            if sub:
                subs[sub.code] = sub

        if not resources_complete:
            return None
        emergencies = [r for r in resources if r.is_emergency]
        if len(emergencies) != 1:
            self.fail(
                where,
                "must have exactly one emergency entry (category emergency); "
                f"found {len(emergencies)}",
            )
        primaries = [r for r in resources if r.primary]
        if len(primaries) != 1:
            self.fail(
                where,
                "must have exactly one primary crisis line (primary: true); "
                f"found {len(primaries)}",
            )
        for item in primaries:
            if not item.is_crisis_line or item.is_emergency:
                self.fail(
                    f"{where} {item.id}",
                    "is marked primary, so it must be a crisis line, not emergency services",
                )
            if not (item.first("call") or item.first("text")):
                self.fail(
                    f"{where} {item.id}", "is marked primary, so it needs a call or text contact"
                )
        for item in emergencies:
            if not item.first("call"):
                self.fail(
                    f"{where} {item.id}", "is the emergency entry, so it needs a call contact"
                )
        return Country(code=code, name=name or code, resources=tuple(resources), subdivisions=subs)

    def _subdivision(self, country: str, code: Any, body: Any) -> Optional[Subdivision]:
        where = f"countries.{country}.subdivisions.{code}"
        if not (isinstance(code, str) and re.fullmatch(r"[A-Z0-9]{1,3}", code)):
            self.fail(where, "must be a subdivision code in capitals, like ON (in quotes)")
            return None
        if not isinstance(body, dict):
            self.fail(where, "must be like {name: Ontario}")
            return None
        self._unknown(body, ("name", "resources"), where)
        name = self._text(body, "name", where)
        resources = self._resources(body.get("resources") or [], where, f"{country}-{code}")
        for item in resources:
            if item.is_emergency or item.primary:
                self.fail(
                    f"{where} {item.id}",
                    "is a local entry, so it cannot be the emergency entry or the primary line "
                    "(those belong to the country)",
                )
        return Subdivision(code=code, name=name or code, resources=tuple(resources))

    def _resources(self, raw: Any, where: str, region: str) -> List[Resource]:
        if not isinstance(raw, list):
            self.fail(
                f"{where}.resources", "must be a list of resources (each starting with '- id:')"
            )
            return []
        found = []
        for number, item in enumerate(raw, start=1):
            resource = self._resource(item, f"{where}.resources[{number}]", region)
            if resource:
                found.append(resource)
        return found

    def _resource(self, raw: Any, where: str, region: str) -> Optional[Resource]:
        if not isinstance(raw, dict):
            self.fail(where, "must be a mapping of fields (id, name, contacts, ...)")
            return None
        rid = raw.get("id")
        if isinstance(rid, str) and rid:
            where = f"{where} ({rid})"
        self._unknown(raw, _RESOURCE_REQUIRED + _RESOURCE_OPTIONAL, where)
        for key in _RESOURCE_REQUIRED:
            if key not in raw or raw[key] is None:
                self.fail(f"{where}.{key}", "is missing")
        start = len(self.problems)

        if "id" in raw:
            if not (isinstance(rid, str) and _ID_RE.match(rid)):
                self.fail(
                    f"{where}.id",
                    f"must be lower case letters, digits and dashes, like ca-988 (got {rid!r})",
                )
            elif rid in self.ids:
                self.fail(f"{where}.id", f"{rid!r} is already used by {self.ids[rid]}")
            else:
                self.ids[rid] = where
        name = self._text(raw, "name", where, required=False)
        hours = self._text(raw, "hours", where, required=False)
        note = self._text(raw, "verification_note", where, required=False)
        label = self._text(raw, "label", where, required=False)
        flags = {}
        for key in ("available_24_7", "is_crisis_line", "primary"):
            value = raw.get(key, False)
            if not isinstance(value, bool):
                self.fail(f"{where}.{key}", f"must be true or false (got {value!r})")
            flags[key] = value is True
        languages = self._word_list(raw, "languages", where)
        audience = self._word_list(raw, "audience", where)
        categories = self._categories(raw, "categories", where, required=True)
        first_for = self._categories(raw, "listed_first_for", where, required=False)
        for category in first_for:
            if category not in categories:
                self.fail(
                    f"{where}.listed_first_for",
                    f"names {category!r}, which is not in its categories",
                )
        contacts = self._contacts(raw.get("contacts"), where)
        verified = self._date(raw.get("last_verified"), f"{where}.last_verified")
        source = raw.get("source")
        if "source" in raw and not is_https_url(source):
            self.fail(f"{where}.source", f"must be the provider's https:// page (got {source!r})")
        if "is_crisis_line" in raw and raw["is_crisis_line"] is False:
            if not label or NON_CRISIS_MARKER not in label.lower():
                self.fail(
                    f"{where}.label",
                    f"must say '{NON_CRISIS_MARKER}' because is_crisis_line is false, "
                    "like 'weekday legal help, not crisis support'",
                )
            if "emergency" in categories:
                self.fail(f"{where}.is_crisis_line", "must be true for the emergency entry")

        if len(self.problems) > start or any(
            key not in raw or raw[key] is None for key in _RESOURCE_REQUIRED
        ):
            return None
        assert isinstance(rid, str)  # else its problem was recorded above
        return Resource(
            id=rid,
            name=name or "",
            contacts=contacts,
            hours=hours or "",
            available_24_7=flags["available_24_7"],
            languages=languages,
            audience=audience,
            categories=categories,
            is_crisis_line=flags["is_crisis_line"],
            last_verified=verified or date.min,
            source=str(source),
            verification_note=note or "",
            region=region,
            primary=flags["primary"],
            label=label,
            listed_first_for=first_for,
        )

    def _contacts(self, raw: Any, where: str) -> Tuple[LineContact, ...]:
        where = f"{where}.contacts"
        if raw is None:
            return ()
        if not isinstance(raw, list) or not raw:
            self.fail(where, "must be a list like [{kind: call, value: '1-800-555-0100'}]")
            return ()
        found = []
        for number, item in enumerate(raw, start=1):
            at = f"{where}[{number}]"
            if not isinstance(item, dict):
                self.fail(at, "must be like {kind: call, value: '1-800-555-0100'}")
                continue
            self._unknown(item, _CONTACT_KEYS, at)
            kind, value, note = item.get("kind"), item.get("value"), item.get("note")
            if kind not in CONTACT_KINDS:
                hint = closest(str(kind), CONTACT_KINDS)
                self.fail(
                    f"{at}.kind",
                    f"must be one of {', '.join(CONTACT_KINDS)} (got {kind!r})"
                    + (f"; did you mean {hint}?" if hint else ""),
                )
                continue
            if not isinstance(value, str):
                self.fail(
                    f"{at}.value",
                    f"must be text in quotes, like '1-800-555-0100' (got {value!r}; "
                    "unquoted numbers lose leading zeros)",
                )
                continue
            value = value.strip()
            if kind == "chat":
                if not is_https_url(value):
                    self.fail(
                        f"{at}.value", f"must be an https:// address for chat (got {value!r})"
                    )
                    continue
            elif not _NUMBER_RE.match(value) or not 3 <= len(re.sub(r"\D", "", value)) <= 15:
                self.fail(
                    f"{at}.value",
                    "must be a number written with digits, spaces and dashes only, like "
                    f"'1-800-668-6868', so phones can tap it (got {value!r}); put words in note",
                )
                continue
            if note is not None and not (isinstance(note, str) and note.strip()):
                self.fail(f"{at}.note", f"must be text (got {note!r})")
                continue
            if kind == "text" and note and value not in note:
                self.fail(
                    f"{at}.note",
                    f"is shown instead of the number, so it must contain {value!r}, "
                    f"like 'text CONNECT to {value}' (got {note!r})",
                )
                continue
            found.append(LineContact(kind=kind, value=value, note=note.strip() if note else None))
        return tuple(found)

    def _categories(
        self, raw: Dict[str, Any], key: str, where: str, required: bool
    ) -> Tuple[str, ...]:
        value = raw.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or (required and not value):
            self.fail(f"{where}.{key}", f"must be a list like [suicide, self_harm] (got {value!r})")
            return ()
        good = []
        for item in value:
            if item in CATEGORIES:
                good.append(item)
            else:
                hint = closest(str(item), CATEGORIES)
                self.fail(
                    f"{where}.{key}",
                    f"has unknown category {item!r}"
                    + (f" (did you mean {hint}?)" if hint else f"; use {', '.join(CATEGORIES)}"),
                )
        return tuple(good)

    def _word_list(self, raw: Dict[str, Any], key: str, where: str) -> Tuple[str, ...]:
        value = raw.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not (
            isinstance(value, list)
            and value
            and all(isinstance(v, str) and v.strip() for v in value)
        ):
            self.fail(
                f"{where}.{key}", f"must be a list of words like [English, French] (got {value!r})"
            )
            return ()
        return tuple(v.strip() for v in value)

    def _text(
        self, raw: Dict[str, Any], key: str, where: str, required: bool = True
    ) -> Optional[str]:
        value = raw.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", "is missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where}.{key}", f"must be text (got {value!r})")
            return None
        return " ".join(value.split())

    def _date(self, value: Any, where: str) -> Optional[date]:
        if value is None:
            return None
        if isinstance(value, str):
            with contextlib.suppress(ValueError):  # reported just below
                value = date.fromisoformat(value.strip())
        if not isinstance(value, date):
            self.fail(where, f"must be a date like 2026-11-01 (got {value!r})")
            return None
        if value > date.today():
            self.fail(where, f"is in the future ({value}); use the date the entry was checked")
            return None
        return value

    def _unknown(self, raw: Dict[str, Any], allowed: Sequence[str], where: str) -> None:
        for key in raw:
            if key not in allowed:
                hint = closest(str(key), allowed)
                self.fail(
                    f"{where}.{key}",
                    "is not a known field"
                    + (f" (did you mean {hint}?)" if hint else f"; use {', '.join(allowed)}"),
                )


# --------------------------------------------------------------------------- selection


def resources_for(
    registry: Registry, country: str, subdivision: Optional[str], category: str
) -> List[Resource]:
    """The lines to show for one kind of crisis in one region, best first.

    National and local entries that serve ``category`` are included, plus, always,
    the country's general crisis line and emergency number. Order: the emergency
    number first for ``emergency`` and ``harm_others``; then lines marked
    ``listed_first_for`` the category (domestic-violence lines for ``abuse``, youth
    lines for ``child_abuse``); then the general crisis line; then other crisis
    lines; then the emergency number (if not first); services that are not
    crisis support come last. Ties keep file order.

    Raises:
        ValueError: unknown category, country or subdivision.
    """
    if category not in CATEGORIES:
        hint = closest(category, CATEGORIES)
        raise ValueError(
            f"unknown crisis category {category!r}" + (f" (did you mean {hint}?)" if hint else "")
        )
    found, sub = registry.locate(country, subdivision)
    pool = list(found.resources) + list(sub.resources if sub else ())
    # An emergency may be an overdose or a poisoning: the poison centre comes with it.
    chosen = [r for r in pool if category in r.categories or r.primary or r.is_emergency
              or (category == "emergency" and "poison" in r.categories)]

    def rank(item: Tuple[int, Resource]) -> Tuple[int, int]:
        position, resource = item
        if resource.is_emergency:
            group = 0 if category in EMERGENCY_FIRST else 4
        elif category in ("emergency", "poison") and "poison" in resource.categories:
            group = 1
        elif not resource.is_crisis_line:
            group = 5
        elif category in resource.listed_first_for:
            group = 1
        elif resource.primary:
            group = 2
        else:
            group = 3
        return group, position

    return [r for _, r in sorted(enumerate(chosen), key=rank)]


# --------------------------------------------------------------------------- formatting


def _join_or(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " or " + parts[-1]


def contact_phrase(resource: Resource) -> str:
    """How to reach a resource in words, e.g. ``call or text 9-8-8``.

    Numbers are kept exactly as written in the registry (digits, spaces, dashes),
    which phones recognise and make tappable.
    """
    texts = [c for c in resource.contacts if c.kind == "text"]
    merged = set()
    parts = []
    for contact in resource.contacts:
        if contact.kind == "call":
            twin = next(
                (
                    t
                    for t in texts
                    if t.value == contact.value and not t.note and id(t) not in merged
                ),
                None,
            )
            if twin is not None and not contact.note:
                merged.add(id(twin))
                parts.append(f"call or text {contact.value}")
            else:
                parts.append(
                    f"call {contact.value}" + (f" ({contact.note})" if contact.note else "")
                )
    for contact in resource.contacts:
        if contact.kind == "text" and id(contact) not in merged:
            parts.append(contact.note or f"text {contact.value}")
        elif contact.kind == "tty":
            parts.append(f"TTY {contact.value}" + (f" ({contact.note})" if contact.note else ""))
        elif contact.kind == "chat":
            parts.append(
                f"chat at {contact.value}" + (f" ({contact.note})" if contact.note else "")
            )
    return _join_or(parts)


def format_line(resource: Resource, bullet: str = "• ") -> str:
    """One resource as one plain-text line, e.g. ``• 9-8-8 ...: call or text 9-8-8 (24/7)``."""
    name = resource.name + (f" ({resource.label})" if resource.label else "")
    when = " (24/7)" if resource.available_24_7 else f", {resource.hours}"
    return f"{bullet}{name}: {contact_phrase(resource)}{when}"


def format_lines(resources: Sequence[Resource], bullet: str = "• ") -> str:
    """Resources as plain text for chat and SMS: one line per resource.

    Args:
        resources: usually the result of :func:`resources_for`.
        bullet: line prefix. "•" is outside the basic SMS alphabet and makes an SMS
            use more segments; an SMS channel may pass ``"- "`` instead.
    """
    return "\n".join(format_line(r, bullet) for r in resources)


def region_resources(registry: Registry, code: str) -> List[Resource]:
    """Every resource of a region ("CA-ON", "IE"): the country's, then the subdivision's; none
    for a code the registry does not know."""
    country, _, subdivision = code.partition("-")
    try:
        found, sub = registry.locate(country, subdivision or None)
    except ValueError:
        return []
    return list(found.resources) + list(sub.resources if sub else ())


def resources_named_in(text: str, resources: Sequence[Resource]) -> List[str]:
    """The ids of the resources a rendered reply names, in the order they first appear: by
    name, or by a number to call or text standing on its own ("call 9-1-1 now"). This is what
    the safety audit records: what the visitor was shown, not what a reply would have listed."""
    first_seen: Dict[str, int] = {}
    for resource in resources:
        places = [text.find(resource.name)]
        for contact in resource.contacts:
            if contact.kind in ("call", "text") and len(contact.digits.lstrip("+")) >= 3:
                found = re.search(rf"(?<![\w-]){re.escape(contact.value)}(?![\w-])", text)
                places.append(found.start() if found else -1)
        seen = [p for p in places if p >= 0]
        if seen and resource.id not in first_seen:
            first_seen[resource.id] = min(seen)
    return sorted(first_seen, key=lambda rid: first_seen[rid])


RegionLike = Union[str, Tuple[str, Optional[str]], Sequence[Optional[str]], Any]


def _region_of(where: RegionLike) -> Tuple[str, Optional[str]]:
    """Accept a Practice (anything with .region), (country, subdivision) or 'CA-ON'."""
    region = getattr(where, "region", None)
    if region is not None:
        return region.country, getattr(region, "subdivision", None)
    if isinstance(where, str):
        country, _, sub = where.partition("-")
        return country, sub or None
    if isinstance(where, (tuple, list)) and 1 <= len(where) <= 2:
        return where[0], (where[1] if len(where) == 2 else None)
    raise TypeError(f"expected a Practice, (country, subdivision) or 'CA-ON', got {where!r}")


def crisis_template_variables(registry: Registry, where: RegionLike) -> Dict[str, str]:
    """Plain strings for the bot's crisis responses in a region.

    Args:
        registry: the loaded registry.
        where: a Practice, a ``(country, subdivision)`` pair, or ``"CA-ON"``.

    Returns:
        ``crisis_lines_<category>`` for each of :data:`TEMPLATE_CATEGORIES`, plus
        ``emergency_number`` (e.g. ``9-1-1``), ``crisis_line_primary`` (e.g.
        ``call or text 9-8-8``), ``crisis_line_primary_name``, ``crisis_line_abuse`` and
        ``crisis_line_child_abuse`` (the first line for that kind, named, for a sentence),
        ``poison_help`` (the poison centre, named), ``crisis_line_youth`` (the first line
        for young people, named; "" where the registry has none) and ``crisis_text_options``
        (the lines that take texts or chats).
    """
    country, subdivision = _region_of(where)
    found, _ = registry.locate(country, subdivision)
    variables = {
        f"crisis_lines_{category}": format_lines(
            resources_for(registry, country, subdivision, category)
        )
        for category in TEMPLATE_CATEGORIES
    }
    variables["emergency_number"] = found.emergency_call.value
    variables["crisis_line_primary"] = contact_phrase(found.primary)
    variables["crisis_line_primary_name"] = found.primary.name
    for category in ("abuse", "child_abuse"):
        first = next(r for r in resources_for(registry, country, subdivision, category) if not r.is_emergency)
        variables[f"crisis_line_{category}"] = named_contact(first)
    variables["poison_help"] = poison_help(registry, country, subdivision)
    youth = [r for r in resources_for(registry, country, subdivision, "suicide")
             if "youth" in r.audience and not r.is_emergency]
    variables["crisis_line_youth"] = named_contact(youth[0]) if youth else ""
    variables["lines_in_french"] = lines_in_language(registry, country, subdivision, "French")
    variables["lines_in_spanish"] = lines_in_language(registry, country, subdivision, "Spanish")
    variables["crisis_text_options"] = text_options(registry, country, subdivision)
    return variables


def lines_in_language(registry: Registry, country: str, subdivision: Optional[str], language: str) -> str:
    """The region's crisis lines that answer in `language` (a registry language name, e.g.
    "French"), as "• name: numbers" lines with no English words; "" when there are none."""
    found, sub = registry.locate(country, subdivision)
    lines = []
    for resource in list(found.resources) + list(sub.resources if sub else ()):
        if resource.is_emergency or not resource.is_crisis_line or "poison" in resource.categories:
            continue
        if language.lower() not in [name.lower() for name in resource.languages]:
            continue
        numbers = []
        for contact in resource.contacts:
            if contact.kind in ("call", "text") and contact.value not in numbers:
                numbers.append(contact.value)
        if numbers:
            lines.append(f"• {resource.name}: {' / '.join(numbers)}")
    return "\n".join(lines)


def named_contact(resource: Resource) -> str:
    """A line by name with how to reach it, e.g. ``Kids Help Phone (call 1-800-668-6868 or
    text CONNECT to 686868)``: one line inside a sentence."""
    return f"{resource.name} ({contact_phrase(resource)})"


def poison_help(registry: Registry, country: str, subdivision: Optional[str]) -> str:
    """Who gives advice about something swallowed, in a sentence: the region's poison centre,
    else the emergency number."""
    for resource in resources_for(registry, country, subdivision, "poison"):
        if "poison" in resource.categories and not resource.is_emergency:
            return named_contact(resource)
    found, _ = registry.locate(country, subdivision)
    return f"Emergency services ({found.emergency_call.value})"


# The kinds of line a person who cannot call is offered.
_QUIET_CATEGORIES = ("suicide", "abuse", "child_abuse", "general")


def text_options(registry: Registry, country: str, subdivision: Optional[str], bullet: str = "• ") -> str:
    """The crisis lines of a region that take texts or chats, with only those ways to reach
    them; a plain sentence when there are none."""
    found, sub = registry.locate(country, subdivision)
    lines = []
    for resource in list(found.resources) + list(sub.resources if sub else ()):
        quiet = [c for c in resource.contacts if c.kind in ("text", "chat")]
        if not quiet or resource.is_emergency or not resource.is_crisis_line:
            continue
        if not (resource.primary or set(resource.categories) & set(_QUIET_CATEGORIES)):
            continue
        ways = [c.note or f"text {c.value}" if c.kind == "text" else f"chat at {c.value}" for c in quiet]
        when = " (24/7)" if resource.available_24_7 else f", {resource.hours}"
        lines.append(f"{bullet}{resource.name}: {_join_or(ways)}{when}")
    if not lines:
        return (f"None of the lines I know here take texts yet. If you can, call "
                f"{contact_phrase(found.primary)}, or {found.emergency_call.value} in an emergency.")
    return "\n".join(lines)


def banner(registry: Registry, country: str, subdivision: Optional[str] = None) -> Dict[str, Any]:
    """What the website's always-visible crisis banner needs (JSON-serialisable).

    Returns:
        ``primary_name``, ``primary_action`` ("call or text 9-8-8"), ``primary_tel``
        (``tel:`` link or None), ``primary_sms`` (``sms:`` link or None),
        ``primary_sms_keyword`` (word to text or None), ``primary_available_24_7``,
        ``emergency_number``, ``emergency_tel`` and a one-line ``text``.
    """
    found, _ = registry.locate(country, subdivision)
    primary, emergency_call = found.primary, found.emergency_call
    call, text = primary.first("call"), primary.first("text")
    action = contact_phrase(primary)
    return {
        "primary_name": primary.name,
        "primary_action": action,
        "primary_tel": call.href if call else None,
        "primary_sms": text.href if text else None,
        "primary_sms_keyword": text.keyword if text else None,
        "primary_available_24_7": primary.available_24_7,
        "emergency_number": emergency_call.value,
        "emergency_tel": emergency_call.href,
        "text": (
            f"In crisis? {primary.name}: {action}"
            + (" (24/7)" if primary.available_24_7 else "")
            + f". Emergency: {emergency_call.value}."
        ),
    }
