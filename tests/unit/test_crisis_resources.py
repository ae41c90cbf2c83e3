"""The crisis registry: schema checks, selection per region and category, formatting."""

from __future__ import annotations

import copy
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
import yaml

from attune.check import main, practice_warnings, stale_entries
from attune.paths import REPO_ROOT
from attune.practice import load_practice
from attune.safety.lines import (
    TEMPLATE_CATEGORIES,
    banner,
    crisis_template_variables,
    format_lines,
    resources_for,
)
from attune.safety.resources import (
    CATEGORIES,
    DEFAULT_REGISTRY_PATH,
    UNVERIFIED_MARKER,
    Registry,
    RegistryError,
    load_registry,
)
from attune.validation import StrictYamlLoader


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def names(registry: Registry, country: str, subdivision, category: str) -> List[str]:
    return [r.name for r in resources_for(registry, country, subdivision, category)]


def text_for(registry: Registry, country: str, subdivision, category: str) -> str:
    return format_lines(resources_for(registry, country, subdivision, category))


# --------------------------------------------------------------------------- freshness


def test_no_registry_entry_is_more_than_a_year_old(registry: Registry) -> None:
    """Fails once any entry goes unverified for a year: re-check it and update last_verified."""
    stale = stale_entries(registry, date.today())
    assert not stale, "re-verify these crisis entries: " + ", ".join(
        f"{r.id} (last verified {r.last_verified})" for r in stale
    )


def test_stale_entries_finds_entries_older_than_the_limit(registry: Registry) -> None:
    oldest = min(r.last_verified for r in registry.all_resources())
    assert stale_entries(registry, oldest + timedelta(days=365)) == []
    assert len(stale_entries(registry, oldest + timedelta(days=366))) >= 1


# --------------------------------------------------------------------------- shipped data


def test_each_country_has_exactly_one_emergency_entry(registry: Registry) -> None:
    for country in registry.countries.values():
        everything = list(country.resources) + [
            r for s in country.subdivisions.values() for r in s.resources
        ]
        assert len([r for r in everything if "emergency" in r.categories]) == 1, country.code


def test_shipped_regions_and_numbers(registry: Registry) -> None:
    assert set(registry.countries) >= {"CA", "US", "GB", "AU"}
    assert banner(registry, "CA")["emergency_number"] == "9-1-1"
    assert banner(registry, "US")["emergency_number"] == "911"
    assert banner(registry, "GB")["emergency_number"] == "999"
    assert banner(registry, "AU")["emergency_number"] == "000"


COMPILED_OFFLINE = date(2026, 11, 1)  # entries compiled from research notes, not re-checked


def test_unverified_helpline_number_is_flagged_until_checked(registry: Registry) -> None:
    awhl = next(r for r in registry.all_resources() if r.name == "Assaulted Women's Helpline")
    if awhl.last_verified == COMPILED_OFFLINE:
        assert awhl.verification_note.startswith(UNVERIFIED_MARKER)
        assert "third-party" in awhl.verification_note


def test_entries_compiled_offline_say_so(registry: Registry) -> None:
    for resource in registry.all_resources():
        if resource.last_verified == COMPILED_OFFLINE:
            assert "not re-checked" in resource.verification_note.lower(), resource.id


def test_practice_check_warns_about_entries_that_must_be_verified(registry: Registry) -> None:
    practice = load_practice(REPO_ROOT / "practice.yml")
    flagged = [
        r for r in registry.all_resources() if r.verification_note.startswith(UNVERIFIED_MARKER)
    ]
    warnings = "\n".join(practice_warnings(practice, registry))
    for resource in flagged:
        if resource.region in ("CA", "CA-ON"):
            assert resource.id in warnings


# --------------------------------------------------------------------------- selection


@pytest.mark.parametrize("category", CATEGORIES)
def test_us_practice_gets_988_and_911_never_canadian_numbers(
    registry: Registry, category: str
) -> None:
    text = text_for(registry, "US", "NY", category)
    assert "call or text 988" in text and "call 911" in text
    assert "9-8-8" not in text and "9-1-1" not in text


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_shows_the_crisis_line_and_emergency_number(
    registry: Registry, category: str
) -> None:
    for country, primary, emergency in [
        ("CA", "9-8-8", "9-1-1"),
        ("US", "988", "911"),
        ("GB", "116 123", "999"),
        ("AU", "13 11 14", "000"),
    ]:
        text = text_for(registry, country, None, category)
        assert primary in text and f"call {emergency}" in text, (country, category)


def test_child_abuse_in_ontario_leads_with_kids_help_phone(registry: Registry) -> None:
    assert names(registry, "CA", "ON", "child_abuse")[0] == "Kids Help Phone"


def test_abuse_in_ontario_puts_domestic_violence_lines_before_the_general_line(
    registry: Registry,
) -> None:
    listed = names(registry, "CA", "ON", "abuse")
    assert listed[0] == "Assaulted Women's Helpline"
    assert listed.index("Talk4Healing") < listed.index("9-8-8 Suicide Crisis Helpline")
    assert listed[-1] == "Legal Aid Ontario"  # not crisis support: last


def test_legal_aid_is_labelled_as_not_crisis_support(registry: Registry) -> None:
    text = text_for(registry, "CA", "ON", "abuse")
    assert (
        "• Legal Aid Ontario (weekday legal help, not crisis support): "
        "call 1-800-668-8258, Mon-Fri 8am-5pm ET" in text.splitlines()
    )


def test_abuse_in_the_us_leads_with_the_domestic_violence_hotline(registry: Registry) -> None:
    listed = names(registry, "US", None, "abuse")
    assert listed[:2] == ["National Domestic Violence Hotline", "988 Suicide & Crisis Lifeline"]


def test_ontario_lines_stay_in_ontario(registry: Registry) -> None:
    text = text_for(registry, "CA", "BC", "abuse")
    assert "Assaulted Women's Helpline" not in text and "Legal Aid Ontario" not in text
    assert "9-8-8" in text


@pytest.mark.parametrize("category", ["emergency", "harm_others"])
@pytest.mark.parametrize("country", ["CA", "US", "GB", "AU"])
def test_emergency_number_comes_first_when_someone_may_be_in_danger(
    registry: Registry, country: str, category: str
) -> None:
    first = resources_for(registry, country, None, category)[0]
    assert "emergency" in first.categories


def test_suicide_lists_crisis_lines_before_the_emergency_number(registry: Registry) -> None:
    listed = names(registry, "CA", "ON", "suicide")
    assert listed[0] == "9-8-8 Suicide Crisis Helpline"
    assert listed[-1] == "Emergency services"


def test_unknown_category_or_region_is_refused(registry: Registry) -> None:
    with pytest.raises(ValueError, match="did you mean suicide"):
        resources_for(registry, "CA", None, "suicde")
    with pytest.raises(ValueError, match="no crisis lines for country 'FR'"):
        resources_for(registry, "FR", None, "suicide")
    with pytest.raises(ValueError, match="not a subdivision of CA"):
        resources_for(registry, "CA", "NY", "suicide")


# --------------------------------------------------------------------------- formatting


def test_format_lines_one_line_per_resource(registry: Registry) -> None:
    lines = text_for(registry, "CA", "ON", "suicide").splitlines()
    assert lines[0] == "• 9-8-8 Suicide Crisis Helpline: call or text 9-8-8 (24/7)"
    assert "• Kids Help Phone: call 1-800-668-6868 or text CONNECT to 686868 (24/7)" in lines
    assert len(lines) == len(resources_for(registry, "CA", "ON", "suicide"))


def test_other_countries_format(registry: Registry) -> None:
    assert (
        "• Samaritans: call 116 123 (24/7)"
        in text_for(registry, "GB", None, "suicide").splitlines()
    )
    assert "• Lifeline: call 13 11 14 or text 0477 13 11 14 (24/7)" in text_for(
        registry, "AU", None, "suicide"
    )
    assert "• Crisis Text Line: text HOME to 741741 (24/7)" in text_for(
        registry, "US", None, "suicide"
    )


def test_numbers_are_written_so_phones_can_tap_them(registry: Registry) -> None:
    for resource in registry.all_resources():
        for contact in resource.contacts:
            if contact.kind in ("call", "text", "tty"):
                assert re.fullmatch(r"\+?\d[\d -]*\d", contact.value), (resource.id, contact.value)


def test_sms_friendly_bullet_can_be_chosen(registry: Registry) -> None:
    text = format_lines(resources_for(registry, "CA", None, "suicide"), bullet="- ")
    assert text.startswith("- 9-8-8") and "•" not in text


# --------------------------------------------------------------------- bot variables and banner


def test_crisis_template_variables_for_the_shipped_practice(registry: Registry) -> None:
    variables = crisis_template_variables(registry, load_practice(REPO_ROOT / "practice.yml"))
    expected = {f"crisis_lines_{c}" for c in TEMPLATE_CATEGORIES} | {
        "emergency_number",
        "crisis_line_primary",
    }
    assert expected <= set(variables)
    # Only the lines answering in French or Spanish may be none (Ontario lists none in Spanish).
    assert all(isinstance(v, str) and (v or k.startswith("lines_in_")) for k, v in variables.items())
    assert variables["emergency_number"] == "9-1-1"
    assert variables["crisis_line_primary"] == "call or text 9-8-8"
    assert variables["crisis_lines_child_abuse"].startswith("• Kids Help Phone")


def test_crisis_template_variables_accept_region_forms(registry: Registry) -> None:
    assert crisis_template_variables(registry, ("US", "NY")) == crisis_template_variables(
        registry, "US-NY"
    )
    assert crisis_template_variables(registry, "GB")["crisis_line_primary"] == "call 116 123"


def test_banner_gives_links_a_phone_can_open(registry: Registry) -> None:
    ca = banner(registry, "CA", "ON")
    assert ca["primary_name"] == "9-8-8 Suicide Crisis Helpline"
    assert (ca["primary_tel"], ca["primary_sms"], ca["emergency_tel"]) == (
        "tel:988",
        "sms:988",
        "tel:911",
    )
    gb = banner(registry, "GB")
    assert (
        gb["primary_tel"] == "tel:116123" and gb["primary_sms"] is None
    )  # Samaritans has no text line
    assert banner(registry, "AU")["primary_sms"] == "sms:0477131114"


# --------------------------------------------------------------------------- schema errors


def shipped_data() -> Dict[str, Any]:
    return yaml.load(DEFAULT_REGISTRY_PATH.read_text(encoding="utf-8"), Loader=StrictYamlLoader)


@pytest.fixture
def broken(tmp_path: Path) -> Callable[[Callable[[Dict[str, Any]], None]], str]:
    """Applies an edit to a copy of the shipped registry and returns the load error."""

    def _broken(edit: Callable[[Dict[str, Any]], None]) -> str:
        data = copy.deepcopy(shipped_data())
        edit(data)
        path = tmp_path / "crisis_resources.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        with pytest.raises(RegistryError) as caught:
            load_registry(path)
        return str(caught.value)

    return _broken


def ca(data: Dict[str, Any], index: int) -> Dict[str, Any]:
    return data["countries"]["CA"]["resources"][index]


def ontario(data: Dict[str, Any], resource_id: str) -> Dict[str, Any]:
    return next(
        r
        for r in data["countries"]["CA"]["subdivisions"]["ON"]["resources"]
        if r["id"] == resource_id
    )


def test_copy_of_shipped_registry_loads(tmp_path: Path) -> None:
    path = tmp_path / "crisis_resources.yml"
    path.write_text(yaml.safe_dump(shipped_data(), sort_keys=False), encoding="utf-8")
    assert load_registry(path).countries["CA"].primary.name == "9-8-8 Suicide Crisis Helpline"


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda d: ca(d, 0).pop("source"), "countries.CA.resources[1] (ca-988).source is missing"),
        (
            lambda d: ca(d, 0).update(categories=["suicide", "selfharm"]),
            "unknown category 'selfharm' (did you mean self_harm?)",
        ),
        (
            lambda d: ca(d, 0).update(contacts=[{"kind": "call", "value": "1-800-SAFE"}]),
            "contacts[1].value must be a number written with digits",
        ),
        (
            lambda d: ca(d, 0).update(contacts=[{"kind": "phone", "value": "988"}]),
            "contacts[1].kind must be one of call, text, tty, chat",
        ),
        (
            lambda d: ca(d, 0).update(contacts=[{"kind": "call", "value": 988}]),
            "contacts[1].value must be text in quotes",
        ),
        (
            lambda d: ca(d, 1)["contacts"][1].update(note="text CONNECT to us"),
            "contacts[2].note is shown instead of the number",
        ),
        (
            lambda d: ca(d, 0).update(last_verified="last spring"),
            "(ca-988).last_verified must be a date like 2026-11-01",
        ),
        (
            lambda d: ca(d, 0).update(last_verified=date.today() + timedelta(days=30)),
            "(ca-988).last_verified is in the future",
        ),
        (
            lambda d: ca(d, 0).update(source="http://988.ca"),
            "(ca-988).source must be the provider's https:// page",
        ),
        (
            lambda d: ca(d, 0).update(availabe_24_7=True),
            "(ca-988).availabe_24_7 is not a known field (did you mean available_24_7?)",
        ),
        (
            lambda d: ca(d, 0).update(available_24_7="yes"),
            "(ca-988).available_24_7 must be true or false",
        ),
        (lambda d: ca(d, 1).update(id="ca-988"), "'ca-988' is already used"),
        (
            lambda d: ca(d, 3).update(categories=["harm_others"]),
            "countries.CA must have exactly one emergency entry (category emergency); found 0",
        ),
        (
            lambda d: ca(d, 2).update(categories=["emergency"]),
            "countries.CA must have exactly one emergency entry (category emergency); found 2",
        ),
        (
            lambda d: ca(d, 0).pop("primary"),
            "countries.CA must have exactly one primary crisis line",
        ),
        (
            lambda d: ontario(d, "on-legal-aid-domestic-abuse").pop("label"),
            "label must say 'not crisis support'",
        ),
        (
            lambda d: ontario(d, "on-legal-aid-domestic-abuse").update(label="legal help"),
            "label must say 'not crisis support'",
        ),
        (
            lambda d: ca(d, 1).update(listed_first_for=["abuse", "suicide"], categories=["abuse"]),
            "listed_first_for names 'suicide'",
        ),
        (
            lambda d: d["countries"].update(ca=d["countries"].pop("CA")),
            "countries.ca must be a two-letter country code in capitals",
        ),
    ],
)
def test_registry_schema_errors_name_entry_and_field(broken, edit, expected: str) -> None:
    assert expected in broken(edit)


def test_registry_reports_every_problem_at_once(broken) -> None:
    def edit(data: Dict[str, Any]) -> None:
        ca(data, 0).pop("source")
        ca(data, 1).update(hours=42)

    message = broken(edit)
    assert "2 problems" in message
    assert "(ca-988).source" in message and "(ca-kids-help-phone).hours" in message


def test_unreadable_registry_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "crisis_resources.yml"
    path.write_text("countries:\n  CA:\n    name: Canada\n   resources: [\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="not valid YAML near line"):
        load_registry(path)


# --------------------------------------------------------------------------- review command


def test_review_command_shows_categories_and_provenance(capsys) -> None:
    assert main(["crisis-lines", "--country", "CA", "--subdivision", "ON"]) == 0
    out = capsys.readouterr().out
    assert "[child_abuse]\n• Kids Help Phone" in out
    assert "source: https://www.awhl.org" in out
    assert "last_verified: " in out and "verification_note: MUST BE VERIFIED BEFORE LAUNCH" in out


def test_review_command_refuses_unknown_region(capsys) -> None:
    assert main(["crisis-lines", "--country", "ZZ"]) == 1
    assert "no crisis lines for country 'ZZ'" in capsys.readouterr().out


def test_lines_for_2slgbtq_people_are_not_offered_as_the_lines_in_a_language():
    # "is there someone who speak spanish" was answered with Trans Lifeline alone.
    from attune.safety.lines import lines_in_language

    registry = load_registry()
    assert "Trans Lifeline" not in lines_in_language(registry, "CA", "ON", "English")
    assert "Trans Lifeline" in crisis_template_variables(registry, "CA-ON")["lgbtq_lines"]
