"""The practice file: loading, field-naming validation, office hours and bot variables."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict
from zoneinfo import ZoneInfo

import pytest
import yaml

from attune.check import main
from attune.paths import REPO_ROOT
from attune.handoff.hours import hours_summary, is_open, next_opening
from attune.practice import (
    DEFAULT_ALLOWED_ORIGINS,
    DEFAULT_QUICK_EXIT_URL,
    Practice,
    PracticeConfigError,
    load_practice,
)
from attune.practice_words import join_names, template_variables

TORONTO = ZoneInfo("America/Toronto")
SHIPPED = REPO_ROOT / "practice.yml"

VALID: Dict[str, Any] = {
    "name": "Test Counselling",
    "therapists": [{"name": "Ana Silva"}, {"name": "Sam Lee", "pronouns": "they/them"}],
    "region": {"country": "CA", "subdivision": "ON"},
    "booking_url": "https://booking.example.com/test",
    "contact": {"email": "hello@example.com", "phone": "416-555-0142"},
    "hours": {
        "time_zone": "America/Toronto",
        "weekly": {
            "mon": ["09:00-17:00"],
            "tue": ["09:00-17:00"],
            "wed": ["09:00-17:00"],
            "thu": ["09:00-17:00"],
            "fri": ["09:00-17:00"],
            "sat": ["10:00-14:00"],
            "sun": "closed",
        },
        "reply_time": "within one business day",
    },
}

OTHER_REGIONS = {
    "us-new-york": {
        "region": {"country": "US", "subdivision": "NY"},
        "time_zone": "America/New_York",
    },
    "gb-no-subdivision": {"region": {"country": "GB"}, "time_zone": "Europe/London"},
    "au-nsw": {"region": {"country": "AU", "subdivision": "NSW"}, "time_zone": "Australia/Sydney"},
    "ca-bc": {"region": {"country": "CA", "subdivision": "BC"}, "time_zone": "America/Vancouver"},
}


@pytest.fixture
def write(tmp_path: Path) -> Callable[[Any], Path]:
    """Writes a config (dict or raw text) to tmp_path/practice.yml."""

    def _write(config: Any) -> Path:
        path = tmp_path / "practice.yml"
        text = config if isinstance(config, str) else yaml.safe_dump(config, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def config(**changes: Any) -> Dict[str, Any]:
    """VALID with dotted-path changes; a value of ... deletes the key."""
    data = copy.deepcopy(VALID)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = data
        for key in parents:
            target = target[key]
        if value is ...:
            del target[last]
        else:
            target[last] = value
    return data


def problems_for(write: Callable[[Any], Path], data: Any) -> str:
    with pytest.raises(PracticeConfigError) as caught:
        load_practice(write(data))
    return str(caught.value)


# --------------------------------------------------------------------------- loading


def test_shipped_practice_file_loads_as_an_ontario_practice() -> None:
    practice = load_practice(SHIPPED)
    assert practice.region.country == "CA"
    assert practice.region.subdivision == "ON"
    assert practice.booking_url.startswith("https://")
    assert len(practice.therapists) >= 1


def example_files():
    files = [SHIPPED] + sorted(REPO_ROOT.glob("examples/**/practice*.yml"))
    return [pytest.param(path, id=str(path.relative_to(REPO_ROOT))) for path in files]


@pytest.mark.parametrize("path", example_files())
def test_every_example_practice_file_loads(path: Path) -> None:
    assert isinstance(load_practice(path), Practice)


@pytest.mark.parametrize("name", sorted(OTHER_REGIONS))
def test_practices_in_every_registry_country_load(write, name: str) -> None:
    case = OTHER_REGIONS[name]
    practice = load_practice(
        write(config(region=case["region"], hours__time_zone=case["time_zone"]))
    )
    assert practice.region.country == case["region"]["country"]


def test_optional_settings_fall_back_to_safe_defaults(write) -> None:
    practice = load_practice(write(VALID))
    assert practice.retention_days == 30
    assert practice.quick_exit_url == DEFAULT_QUICK_EXIT_URL
    assert practice.website.allowed_origins == DEFAULT_ALLOWED_ORIGINS
    assert practice.limits.max_message_chars == 2000
    assert practice.limits.messages_per_minute == 30
    assert practice.short_name is None and practice.display_name == "Test Counselling"


def test_default_path_comes_from_environment(write, monkeypatch) -> None:
    path = write(config(name="From The Environment"))
    monkeypatch.setenv("ATTUNE_PRACTICE_FILE", str(path))
    assert load_practice().name == "From The Environment"


def test_unquoted_ontario_code_is_not_read_as_yes(write) -> None:
    text = (
        yaml.safe_dump(config(region=...), sort_keys=False)
        + "region:\n  country: CA\n  subdivision: ON\n"
    )
    assert load_practice(write(text)).region.subdivision == "ON"


# --------------------------------------------------------------------------- validation


def test_bad_email_message_names_field_expected_form_and_value(write) -> None:
    message = problems_for(write, config(contact__email="hello@"))
    assert message == (
        "practice.yml: contact.email must be an email address like hello@example.ca (got 'hello@')"
    )


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"name": ...}, "name is missing"),
        ({"name": 42}, "name must be"),
        ({"therapists": []}, "therapists must be a list with at least one therapist"),
        (
            {"therapists": [{"name": "Ana"}, {"pronouns": "she/her"}]},
            "therapists[2].name is missing",
        ),
        ({"therapists": ["Ana Silva"]}, "therapists[1] must be written as '- name: Ana Silva'"),
        ({"region": ...}, "region is missing"),
        ({"region": {"country": "Canada"}}, "region.country must be a two-letter country code"),
        (
            {"region": {"country": "FR"}},
            "region.country is FR, but the crisis registry has no lines for it",
        ),
        (
            {"region": {"country": "CA", "subdivision": "ONT"}},
            "region.subdivision must be a Canada province",
        ),
        (
            {"region": {"country": "US", "subdivision": "ON"}},
            "region.subdivision must be a United States",
        ),
        (
            {"booking_url": "http://booking.example.com"},
            "booking_url must be a web address starting with https://",
        ),
        ({"booking_url": ...}, "booking_url is missing"),
        ({"contact": ...}, "contact is missing"),
        ({"contact__phone": "12"}, "contact.phone must be a phone number with 7 to 15 digits"),
        ({"contact__phone": 4165550142}, 'contact.phone must be in quotes, like "416-555-0142"'),
        (
            {"hours__time_zone": "Toronto"},
            "hours.time_zone must be a time zone name like America/Toronto",
        ),
        (
            {"hours__weekly__mon": ["17:00-09:00"]},
            "hours.weekly.mon has '17:00-09:00', which must start before it ends",
        ),
        ({"hours__weekly__tue": ["9-5"]}, "hours.weekly.tue must be a list of opening times"),
        (
            {"hours__weekly__wed": ["09:00-25:00"]},
            "hours.weekly.wed has a time that does not exist",
        ),
        (
            {"hours__weekly__thu": ["09:00-13:00", "12:00-17:00"]},
            "hours.weekly.thu has overlapping times",
        ),
        (
            {"hours__weekly__monday": ["09:00-17:00"]},
            "hours.weekly.monday is not a setting Attune knows, probably a typo "
            "(did you mean mon?)",
        ),
        ({"hours__weekly": ...}, "hours.weekly is missing"),
        ({"retention_days": 0}, "retention_days must be a whole number from 1 to 365"),
        ({"retention_days": 400}, "retention_days must be a whole number from 1 to 365"),
        ({"retention_days": True}, "retention_days must be a whole number"),
        (
            {"quick_exit_url": "http://weather.example.com"},
            "quick_exit_url must be a web address starting with https://",
        ),
        (
            {"website": {"allowed_origins": ["https://www.example.ca/"]}},
            "website.allowed_origins[1] must be a website address",
        ),
        (
            {"website": {"allowed_origins": ["*"]}},
            "website.allowed_origins[1] must be a website address",
        ),
        (
            {"website": {"allowed_origins": ["http://www.example.ca"]}},
            "website.allowed_origins[1] must be a website address like "
            "https://www.example.ca, using https://",
        ),
        (
            {"limits": {"max_message_chars": 10}},
            "limits.max_message_chars must be a whole number from 200 to 10000",
        ),
        (
            {"limits": {"messages_per_minute": 0}},
            "limits.messages_per_minute must be a whole number from 1 to 600",
        ),
        ({"limits": {"per_minute": 5}}, "limits.per_minute is not a setting Attune knows"),
        (
            {"bookng_url": "https://x.example.com"},
            "bookng_url is not a setting Attune knows, probably a typo (did you mean booking_url?)",
        ),
    ],
)
def test_each_problem_names_its_field(write, changes: Dict[str, Any], field: str) -> None:
    assert f"practice.yml: {field}" in problems_for(write, config(**changes))


def test_all_problems_are_reported_together(write) -> None:
    data = config(contact__email="nope", hours__time_zone="Mars/Olympus", retention_days=0)
    with pytest.raises(PracticeConfigError) as caught:
        load_practice(write(data))
    problems = caught.value.problems
    assert len(problems) == 3
    assert "3 problems" in str(caught.value)
    for field in ("contact.email", "hours.time_zone", "retention_days"):
        assert any(p.startswith(f"practice.yml: {field} ") for p in problems)


def test_time_zone_typo_gets_a_suggestion(write) -> None:
    assert "did you mean America/Toronto?" in problems_for(
        write, config(hours__time_zone="America/Torronto")
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("name: Test\n  therapists: [\n", "is not valid YAML near line 2"),
        ("name: One\nname: Two\n", "the key 'name' appears twice"),
        ("", "is empty"),
        ("- just\n- a list\n", "must be a list of settings"),
    ],
)
def test_unreadable_files_stop_with_a_clear_message(write, text: str, expected: str) -> None:
    message = problems_for(write, text)
    assert message.startswith("practice.yml ") and expected in message


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(PracticeConfigError, match="practice.yml was not found at"):
        load_practice(tmp_path / "practice.yml")


# --------------------------------------------------------------------------- office hours


@pytest.fixture
def practice(write) -> Practice:
    return load_practice(write(VALID))


def toronto(*args: int) -> datetime:
    return datetime(*args, tzinfo=TORONTO)


@pytest.mark.parametrize(
    "moment, expected",
    [
        (toronto(2026, 11, 23, 10, 0), True),  # Monday morning
        (toronto(2026, 11, 23, 8, 59), False),  # before opening
        (toronto(2026, 11, 23, 17, 0), False),  # closing time is closed
        (toronto(2026, 11, 28, 13, 59), True),  # Saturday
        (toronto(2026, 11, 29, 12, 0), False),  # Sunday
        (datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc), True),  # 10:00 in Toronto
    ],
)
def test_is_open(practice: Practice, moment: datetime, expected: bool) -> None:
    assert is_open(practice, moment) is expected


def test_naive_times_are_refused(practice: Practice) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(practice, datetime(2026, 11, 23, 10, 0))


def test_next_opening_is_now_when_open(practice: Practice) -> None:
    now = toronto(2026, 11, 23, 10, 0)
    assert next_opening(practice, now) == now


def test_next_opening_after_friday_close_is_saturday(practice: Practice) -> None:
    assert next_opening(practice, toronto(2026, 11, 27, 18, 0)) == toronto(2026, 11, 28, 10, 0)


def test_next_opening_skips_the_weekend(practice: Practice) -> None:
    reopening = next_opening(practice, toronto(2026, 11, 28, 15, 0))
    assert reopening == toronto(2026, 11, 30, 9, 0)
    assert reopening.strftime("%A") == "Monday"


def test_next_opening_across_the_autumn_clock_change(practice: Practice) -> None:
    # Clocks go back on Sunday 1 November 2026: Monday's 9:00 is 14:00 UTC, not 13:00.
    reopening = next_opening(practice, toronto(2026, 10, 31, 15, 0))
    assert reopening.astimezone(timezone.utc) == datetime(2026, 11, 2, 14, 0, tzinfo=timezone.utc)
    assert (reopening.hour, reopening.minute) == (9, 0)


def test_same_utc_time_is_open_before_and_closed_after_the_clock_change(practice: Practice) -> None:
    assert is_open(practice, datetime(2026, 10, 26, 13, 30, tzinfo=timezone.utc))  # 9:30 EDT
    assert not is_open(practice, datetime(2026, 11, 2, 13, 30, tzinfo=timezone.utc))  # 8:30 EST


def test_opening_inside_the_spring_gap_moves_to_a_real_time(write) -> None:
    # 8 March 2026: 2:00-3:00 does not exist in Toronto. An opening at 2:30 happens at 3:30 EDT.
    data = config(hours__weekly={"sun": ["02:30-05:00"]})
    practice = load_practice(write(data))
    reopening = next_opening(practice, toronto(2026, 3, 7, 12, 0))
    assert reopening.astimezone(timezone.utc) == datetime(2026, 3, 8, 7, 30, tzinfo=timezone.utc)
    assert is_open(practice, reopening)


def test_no_opening_within_two_weeks_gives_none(write) -> None:
    practice = load_practice(write(config(hours__weekly={"mon": "closed"})))
    assert next_opening(practice, toronto(2026, 11, 23, 10, 0)) is None


def test_next_opening_is_given_in_practice_time(practice: Practice) -> None:
    reopening = next_opening(practice, datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc))
    assert reopening.tzinfo == TORONTO


def test_hours_summary_of_shipped_file() -> None:
    assert (
        hours_summary(load_practice(SHIPPED))
        == "Mon-Fri 9:00-17:00, Sat 10:00-14:00 (Toronto time)"
    )


def test_hours_summary_with_split_days_and_another_zone(write) -> None:
    weekly = {
        "mon": ["09:00-12:00", "13:00-17:00"],
        "tue": ["09:00-12:00", "13:00-17:00"],
        "thu": "12:00-20:00",
    }
    practice = load_practice(
        write(
            config(
                hours__weekly=weekly, hours__time_zone="America/New_York", region={"country": "US"}
            )
        )
    )
    assert (
        hours_summary(practice)
        == "Mon-Tue 9:00-12:00 and 13:00-17:00, Thu 12:00-20:00 (New York time)"
    )


# --------------------------------------------------------------------------- bot words


def test_template_variables_are_plain_strings_for_responses(practice: Practice) -> None:
    variables = template_variables(practice)
    assert set(variables) >= {
        "practice_name",
        "therapist_names",
        "booking_url",
        "contact_email",
        "contact_phone",
        "office_hours",
        "reply_time",
        "quick_exit_url",
    }
    assert all(isinstance(v, str) and v for v in variables.values())
    assert variables["therapist_names"] == "Ana Silva and Sam Lee"
    assert variables["office_hours"] == "Mon-Fri 9:00-17:00, Sat 10:00-14:00 (Toronto time)"
    assert variables["reply_time"] == "within one business day"
    assert variables["retention_days"] == "30"


@pytest.mark.parametrize(
    "names, expected",
    [
        (["Ana"], "Ana"),
        (["Ana", "Sam"], "Ana and Sam"),
        (["Ana", "Sam", "Priya"], "Ana, Sam and Priya"),
    ],
)
def test_therapist_names_read_naturally(names, expected) -> None:
    assert join_names(names) == expected


# --------------------------------------------------------------------------- command line


def test_check_command_prints_summary_for_good_file(capsys) -> None:
    assert main(["practice", str(SHIPPED)]) == 0
    out = capsys.readouterr().out
    assert "practice.yml is OK." in out
    assert "Mon-Fri 9:00-17:00" in out
    assert "9-8-8" in out


def test_check_command_lists_every_problem_for_bad_file(write, capsys) -> None:
    path = write(config(contact__email="hello@", booking_url="ftp://x"))
    assert main(["practice", str(path)]) == 1
    out = capsys.readouterr().out
    assert "contact.email" in out and "booking_url" in out
    assert "is OK" not in out
