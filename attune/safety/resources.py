"""The crisis registry: its lines, read and checked.

The registry (``crisis_resources.yml`` next to this module) is the single source
of crisis lines. This module reads it into frozen dataclasses (:class:`Registry`,
:class:`Country`, :class:`Resource`, ...) and rejects anything malformed with messages a
practice can act on, each naming the entry and field. Which lines a reply lists, and how
they are written: ``attune/safety/lines.py``.

Run ``python -m attune.check crisis-lines --country CA --subdivision ON`` to review
what each kind of crisis message would show.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

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
    # Lines run by and for 2SLGBTQ+ people: added when the visitor says they are 2SLGBTQ+ or
    # asks for such a line, never listed in a crisis reply by themselves.
    "lgbtq",
)
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
