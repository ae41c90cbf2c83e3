"""How the crisis registry's lines are written in replies: which lines each kind of crisis
lists, best first, and the words, placeholders and banner that carry them.

The registry itself (``crisis_resources.yml``, read and checked by
``attune/safety/resources.py``) holds the lines; this module picks the lines for a region
and kind of crisis (:func:`resources_for`) and writes them as plain text that works in a chat
bubble and in an SMS: the lists and sentences of the responses' placeholders
(:func:`crisis_template_variables`), the website's banner (:func:`banner`), and which lines a
rendered reply named, for the safety audit (:func:`resources_named_in`). Pure logic, no Rasa
imports.

Run ``python -m attune.check crisis-lines --country CA --subdivision ON`` to review
what each kind of crisis message would show.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from attune.safety.resources import CATEGORIES, Registry, Resource
from attune.validation import closest

# Categories whose template variable (crisis_lines_<category>) the bot's words use: the
# registry's, but the general lines and the poison centre (named in sentences instead).
TEMPLATE_CATEGORIES: Tuple[str, ...] = tuple(c for c in CATEGORIES if c not in ("general", "poison", "lgbtq"))
# Someone may be in danger right now: the emergency number goes first.
EMERGENCY_FIRST: Tuple[str, ...] = ("emergency", "harm_others", "poison")


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
        for young people, named; "" where the registry has none), ``lgbtq_lines``
        (the lines run by and for 2SLGBTQ+ people, named; "" where there are none) and
        ``crisis_text_options``
        (the lines that take texts or chats), and ``abuse_lines_for_everyone`` (the abuse
        lines whose audience is everyone, and the emergency number).
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
    # Abuse lines for anyone, whatever their gender (a man told "those lines are for women").
    variables["abuse_lines_for_everyone"] = format_lines(
        [r for r in resources_for(registry, country, subdivision, "abuse")
         if r.is_emergency or "everyone" in r.audience])
    variables["poison_help"] = poison_help(registry, country, subdivision)
    youth = [r for r in resources_for(registry, country, subdivision, "suicide")
             if "youth" in r.audience and not r.is_emergency]
    variables["crisis_line_youth"] = named_contact(youth[0]) if youth else ""
    # Lines run by and for 2SLGBTQ+ people, for a visitor who says they are one or asks.
    lgbtq = [r for r in resources_for(registry, country, subdivision, "lgbtq")
             if "lgbtq" in r.categories and not r.is_emergency]
    variables["lgbtq_lines"] = ", and ".join(named_contact(r) for r in lgbtq)
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
        # Lines for some visitors only (run by and for 2SLGBTQ+ people) are not "the lines
        # that answer in Spanish" for everyone who asks.
        if (resource.is_emergency or not resource.is_crisis_line or "poison" in resource.categories
                or "lgbtq" in resource.categories):
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
