"""The practice's facts: practice.yml validation, the values and variations the answers use,
and each answer as the NLG renders it, including "I don't have that detail"."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from attune.facts import (
    FACT_RESPONSES,
    MISSING_RESPONSE,
    fact_response,
    fact_variables,
    join_choices,
)
from attune.nlg import GET_HELP_BUTTON, PracticeNLG
from attune.check import facts_given, main, practice_warnings
from attune.paths import REPO_ROOT
from attune.practice import (
    Facts,
    Practice,
    PracticeConfigError,
    load_practice,
)
from attune.safety.resources import load_registry

from .test_practice import VALID

DOMAIN = Domain.load(str(REPO_ROOT / "domain.yml"))
DOMAIN_YAML = yaml.safe_load((REPO_ROOT / "domain.yml").read_text())
RULES = yaml.safe_load((REPO_ROOT / "data" / "rules" / "practice_facts.yml").read_text())["rules"]

FACTS: Dict[str, Any] = {
    "fees": {"session": "$150 for 50 minutes", "sliding_scale": "from $70, based on income"},
    "insurance": {
        "coverage": "Many workplace health plans cover our sessions.",
        "direct_billing": ["Green Shield Canada", "Sun Life"],
    },
    "session_formats": ["online", "in_person"],
    "clients": {"see": ["teens", "individuals", "couples"], "youngest_age": 13},
    "languages": ["English", "Punjabi"],
    "accessibility": "Step-free entrance and an elevator.",
    "free_consultation": "a free 15-minute phone call",
    "cancellation": {"notice_hours": 48, "late_fee": "half the session fee"},
}

# Each fact intent, its answer, and a value of the example practice the answer must show.
ANSWERS = {
    "ask_fees": ("utter_fees", "$150 for 50 minutes"),
    "ask_sliding_scale": ("utter_sliding_scale", "from $70, based on income"),
    "ask_insurance": ("utter_insurance", "Green Shield Canada and Sun Life"),
    "ask_session_formats": ("utter_session_formats", "in person at our office or online by video"),
    "ask_clients": ("utter_clients", "adults on their own, couples and teens from age 13"),
    "ask_languages": ("utter_languages", "English and Punjabi"),
    "ask_accessibility": ("utter_accessibility", "Step-free entrance and an elevator."),
    "ask_free_consultation": ("utter_free_consultation", "a free 15-minute phone call"),
    "ask_cancellation": ("utter_cancellation", "48 hours"),
}


@pytest.fixture
def write(tmp_path: Path) -> Callable[[Any], Path]:
    def _write(config: Any) -> Path:
        path = tmp_path / "practice.yml"
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return path

    return _write


def with_facts(**changes: Any) -> Dict[str, Any]:
    """VALID plus FACTS, with top-level fact settings replaced (None deletes one)."""
    data = {**copy.deepcopy(VALID), **copy.deepcopy(FACTS)}
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def problems_for(write: Callable[[Any], Path], data: Any) -> str:
    with pytest.raises(PracticeConfigError) as caught:
        load_practice(write(data))
    return str(caught.value)


# --------------------------------------------------------------------------- validation


def test_the_shipped_example_gives_every_fact() -> None:
    given, missing = facts_given(load_practice().facts)
    assert missing == []
    assert len(given) == 9


def test_facts_are_optional(write) -> None:
    facts = load_practice(write(VALID)).facts
    assert facts == Facts()
    assert facts_given(facts)[0] == []


def test_every_fact_is_read(write) -> None:
    facts = load_practice(write(with_facts())).facts
    assert facts.fee_session == "$150 for 50 minutes"
    assert facts.sliding_scale == "from $70, based on income"
    assert facts.direct_billing == ("Green Shield Canada", "Sun Life")
    assert facts.session_formats == ("in_person", "online"), "kept in the order the assistant says them"
    assert facts.clients == ("individuals", "couples", "teens")
    assert facts.youngest_age == 13
    assert facts.languages == ("English", "Punjabi")
    assert facts.cancellation_notice_hours == 48


def test_no_means_not_offered(write) -> None:
    text = yaml.safe_dump(with_facts(), sort_keys=False)
    text = text.replace("sliding_scale: from $70, based on income", "sliding_scale: no")
    text = text.replace("free_consultation: a free 15-minute phone call", "free_consultation: no")
    data = yaml.safe_load(text)
    data["insurance"]["direct_billing"] = "no"
    data["cancellation"]["late_fee"] = False
    facts = load_practice(write(data)).facts
    assert facts.sliding_scale is False
    assert facts.free_consultation is False
    assert facts.direct_billing is False
    assert facts.cancellation_late_fee is False


@pytest.mark.parametrize(
    "changes, field, expected",
    [
        ({"fees": {"session": 160}}, "fees.session", "must be"),
        ({"fees": {"session": "x", "sliding_scal": "no"}}, "fees.sliding_scal", "did you mean sliding_scale"),
        ({"fees": {"sliding_scale": True}}, "fees.sliding_scale", "was read as yes"),
        ({"fees": "$160"}, "fees", "group of settings"),
        ({"insurance": {"coverage": "Plans cover it."}}, "insurance.direct_billing", "is missing"),
        ({"insurance": {"direct_billing": "no"}}, "insurance.coverage", "is missing"),
        ({"insurance": {"coverage": "x", "direct_billing": [1, 2]}}, "insurance.direct_billing", "must be"),
        ({"session_formats": ["online", "zoom"]}, "session_formats", "must be a list from in_person"),
        ({"session_formats": ["onlin"]}, "session_formats", "did you mean online"),
        ({"session_formats": []}, "session_formats", "must be"),
        ({"clients": ["couples"]}, "clients", "group of settings"),
        ({"clients": {"youngest_age": 12}}, "clients.see", "is missing"),
        ({"clients": {"see": ["couple"]}}, "clients.see", "did you mean couples"),
        ({"clients": {"see": ["teens"], "youngest_age": 99}}, "clients.youngest_age", "whole number"),
        ({"languages": False}, "languages", "must be"),
        ({"languages": ["English", "x" * 61]}, "languages", "over 60 characters"),
        ({"accessibility": " ".join(["word"] * 31)}, "accessibility", "31 words long"),
        ({"free_consultation": True}, "free_consultation", "was read as yes"),
        ({"cancellation": {"late_fee": "the full fee"}}, "cancellation.notice_hours", "is missing"),
        ({"cancellation": {"notice_hours": "24h"}}, "cancellation.notice_hours", "whole number"),
        ({"cancellation": {"notice_hours": 24, "fee": "x"}}, "cancellation.fee", "settings here are notice_hours"),
    ],
)
def test_each_problem_names_its_field(write, changes: Dict[str, Any], field: str, expected: str) -> None:
    problems = problems_for(write, with_facts(**changes))
    line = next((p for p in problems.splitlines() if f": {field} " in p), "")
    assert line, problems
    assert expected in line or expected in problems


def test_a_single_language_or_format_may_be_written_without_brackets(write) -> None:
    facts = load_practice(write(with_facts(languages="English", session_formats="online"))).facts
    assert facts.languages == ("English",)
    assert facts.session_formats == ("online",)


def test_check_names_the_facts_left_out(write, capsys) -> None:
    path = write(with_facts(languages=None, accessibility=None))
    assert main(["practice", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Not given (the assistant says to ask you): languages, accessibility" in out


# --------------------------------------------------------------------------- values and variations


def test_fact_values_read_naturally(write) -> None:
    variables = fact_variables(load_practice(write(with_facts())).facts)
    for _response, shown in ANSWERS.values():
        assert shown in variables.values() or any(shown in v for v in variables.values())
    assert variables["cancellation_notice"] == "48 hours"
    assert join_choices(("in person", "online", "by phone")) == "in person, online or by phone"


def test_no_value_is_given_for_a_fact_left_out() -> None:
    assert fact_variables(Facts()) == {}


@pytest.mark.parametrize("response", sorted(FACT_RESPONSES))
def test_every_fact_left_out_gets_the_missing_answer(response: str) -> None:
    assert fact_response(response, Facts()) == MISSING_RESPONSE


@pytest.mark.parametrize(
    "facts, response, expected",
    [
        (Facts(sliding_scale=False), "utter_sliding_scale", "utter_sliding_scale__no"),
        (Facts(free_consultation=False), "utter_free_consultation", "utter_free_consultation__no"),
        (Facts(insurance_coverage="x", direct_billing=False), "utter_insurance", "utter_insurance__no"),
        (Facts(insurance_coverage="x", direct_billing=("A",)), "utter_insurance", "utter_insurance"),
        (Facts(cancellation_notice_hours=24), "utter_cancellation", "utter_cancellation__notice_only"),
        (
            Facts(cancellation_notice_hours=24, cancellation_late_fee=False),
            "utter_cancellation",
            "utter_cancellation__no",
        ),
        (Facts(), "utter_welcome", "utter_welcome"),
    ],
)
def test_the_variation_follows_what_the_practice_said(facts: Facts, response: str, expected: str) -> None:
    assert fact_response(response, facts) == expected
    assert expected in DOMAIN_YAML["responses"]


def test_every_fact_intent_has_its_rule_inside_and_outside_the_exercise() -> None:
    answered = {}
    for rule in RULES:
        intent, action = rule["steps"][0]["intent"], rule["steps"][1]["action"]
        inside = bool(rule.get("condition"))
        answered[(intent, inside)] = action
    for intent, (response, _shown) in ANSWERS.items():
        assert answered[(intent, False)] == response
        assert answered[(intent, True)] == response
    assert answered[("ask_hours", False)] == "utter_therapist_hours"


def test_a_fact_question_inside_the_exercise_is_never_kept_as_an_answer() -> None:
    not_an_answer = DOMAIN_YAML["slots"]["reflection_closeness"]["mappings"][1]["not_intent"]
    assert set(ANSWERS) | {"ask_hours"} <= set(not_an_answer)


# --------------------------------------------------------------------------- the answers, rendered


def tracker_with(*intents: str) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    events += [UserUttered("...", intent={"name": name, "confidence": 1.0}) for name in intents]
    return DialogueStateTracker.from_events("visitor", events)


def nlg_for(practice: Practice) -> PracticeNLG:
    return PracticeNLG(
        domain=DOMAIN, practice=practice, clock=lambda: datetime(2026, 11, 24, 17, tzinfo=timezone.utc)
    )


@pytest.fixture
def full(write) -> Practice:
    return load_practice(write(with_facts()))


@pytest.mark.parametrize("intent", sorted(ANSWERS))
async def test_each_answer_says_the_practices_fact(full: Practice, intent: str) -> None:
    response, shown = ANSWERS[intent]
    text = (await nlg_for(full).generate(response, tracker_with(intent), "rest"))["text"]
    assert shown in text
    assert "{" not in text
    assert "I don't have that detail" not in text


@pytest.mark.parametrize("intent", sorted(ANSWERS))
async def test_a_fact_left_out_gets_an_honest_answer_and_the_way_to_ask(write, intent: str) -> None:
    practice = load_practice(write(VALID))
    response, _shown = ANSWERS[intent]
    reply = await nlg_for(practice).generate(response, tracker_with(intent), "rest")
    text = reply["text"]
    assert text.startswith("I don't have that detail")
    assert practice.contact.phone in text and practice.contact.email in text
    assert practice.booking_url in text
    assert "{" not in text
    assert {"title": "Ask for a call-back", "payload": "/request_callback"} in reply["buttons"]


async def test_not_offered_is_said_plainly(full: Practice) -> None:
    facts = replace(full.facts, sliding_scale=False, free_consultation=False, direct_billing=False,
                    cancellation_late_fee=False)
    nlg = nlg_for(replace(full, facts=facts))
    said = {
        name: (await nlg.generate(name, tracker_with(), "rest"))["text"]
        for name in ("utter_sliding_scale", "utter_free_consultation", "utter_insurance", "utter_cancellation")
    }
    assert "doesn't have a sliding scale" in said["utter_sliding_scale"]
    assert "doesn't offer a free first consultation" in said["utter_free_consultation"]
    assert "don't bill insurers directly" in said["utter_insurance"]
    assert "no charge for cancelling late" in said["utter_cancellation"]


async def test_a_late_fee_left_out_is_promised_neither_way(full: Practice) -> None:
    practice = replace(full, facts=replace(full.facts, cancellation_late_fee=None))
    text = (await nlg_for(practice).generate("utter_cancellation", tracker_with(), "rest"))["text"]
    assert "48 hours" in text
    assert "charge" not in text


async def test_after_a_risk_message_a_fact_answer_still_offers_get_help_now(full: Practice) -> None:
    reply = await nlg_for(full).generate("utter_fees", tracker_with("risk_suicide", "ask_fees"), "rest")
    assert [b for b in reply["buttons"] if b["payload"] == GET_HELP_BUTTON["payload"]]


async def test_the_longest_facts_allowed_still_fit_one_bubble(full: Practice) -> None:
    """Practice words of 30 words (the most check allows) keep each answer at 60 words or fewer."""
    longest = " ".join(["word"] * 30)
    facts = replace(full.facts, fee_session=longest, sliding_scale=longest, insurance_coverage=longest,
                    direct_billing=("Green Shield Canada", "Sun Life", "Manulife", "Canada Life"),
                    accessibility=longest, free_consultation=longest, cancellation_late_fee=longest)
    nlg = nlg_for(replace(full, facts=facts))
    for name in FACT_RESPONSES:
        text = (await nlg.generate(name, tracker_with(), "rest"))["text"]
        assert len(text.split()) <= 60, name


async def test_after_a_crisis_reply_a_fact_answer_adds_this_kinds_lines(full: Practice) -> None:
    """ "They have other language?" after a crisis reply may be about the lines."""
    tracker = tracker_with("risk_abuse", "ask_languages")
    tracker.update(SlotSet("crisis_kind", "abuse"))
    text = (await nlg_for(full).generate("utter_languages", tracker, "rest"))["text"]
    assert "English and Punjabi" in text
    assert "help lines" in text and "1-866-863-0511" in text, "the abuse line, for an abuse disclosure"
    quiet = tracker_with("risk_suicide", "ask_fees")
    assert "help lines" not in (await nlg_for(full).generate("utter_fees", quiet, "rest"))["text"].split(".")[0]


async def test_without_a_crisis_a_fact_answer_has_no_lines(full: Practice) -> None:
    text = (await nlg_for(full).generate("utter_languages", tracker_with("ask_languages"), "rest"))["text"]
    assert "help lines" not in text


def test_check_warns_about_practice_words_the_assistant_avoids(write) -> None:
    practice = load_practice(write(with_facts(accessibility="Not for crazy people, sorry.")))
    warnings = practice_warnings(practice, load_registry())
    assert any(w.startswith("accessibility uses 'crazy'") for w in warnings)
    assert not any("replies avoid" in w for w in practice_warnings(load_practice(), load_registry()))


def test_every_fact_answer_keeps_a_person_and_help_now_one_tap_away() -> None:
    names = [n for n in DOMAIN_YAML["responses"] if n.split("__")[0] in FACT_RESPONSES] + [MISSING_RESPONSE]
    for name in names:
        for variation in DOMAIN_YAML["responses"][name]:
            payloads = {button["payload"] for button in variation.get("buttons") or []}
            assert "/request_crisis_help" in payloads, name
            assert payloads & {"/request_human", "/request_callback"}, name


async def test_after_a_crisis_somewhere_without_lines_a_fact_answer_says_how_to_find_local_ones(full: Practice) -> None:
    tracker = tracker_with("risk_suicide", "ask_languages")
    tracker.update(SlotSet("visitor_region", "unknown"))
    text = (await nlg_for(full).generate("utter_languages", tracker, "rest"))["text"]
    assert "help lines" in text and "findahelpline.com" in text.lower()
