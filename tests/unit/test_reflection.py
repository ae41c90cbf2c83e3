"""The reflective exercise: its logic, its actions, and that risk is never kept as an answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa.core.actions.action import ActionExtractSlots
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.reflection import (
    ActionPauseReflection,
    ActionReflectionSummary,
    ActionResetReflection,
    ActionResumeReflection,
    ActionStartReflectionWithAnswer,
    ValidateReflectionForm,
)
from attune.reflection import (
    AWAY,
    BOTH,
    QUESTION_SLOTS,
    SKIPPED,
    TOWARD,
    UNCLEAR,
    answered_count,
    build_summary,
    choose_acknowledgement,
    detect_tendency,
    is_skip,
)

REPO = Path(__file__).resolve().parents[2]
DOMAIN_YAML = yaml.safe_load((REPO / "domain.yml").read_text())
FORM = "reflection_form"
# Answered first in any state, so never kept as an answer in any form.
SAFETY_INTENTS = {i for i in DOMAIN_YAML["intents"] if str(i).startswith("risk_")} | {"request_crisis_help"}
# The exercise's own controls, never kept as an answer to a reflection question.
CONTROL_INTENTS = {"skip_question", "stop_reflection", "pause_reflection", "resume_reflection"}


# --------------------------------------------------------------------------- tendency


@pytest.mark.parametrize(
    "answer,tendency",
    [
        ("I usually pull away and go quiet", AWAY),
        ("I need space, so I withdraw", AWAY),
        ("I shut down", AWAY),
        ("I move toward them and text a lot", TOWARD),
        ("I want reassurance all the time", TOWARD),
        ("I reach out more and more", TOWARD),
        ("I go back and forth", BOTH),
        ("I fluctuate, honestly", BOTH),
        ("first I get closer, then I pull away", BOTH),
        ("it depends on the person", BOTH),
        ("I don't pull away, I get closer", TOWARD),
        ("I never reach out, I go quiet", AWAY),
        ("I feel warm", UNCLEAR),
        ("", UNCLEAR),
        (None, UNCLEAR),
        (SKIPPED, UNCLEAR),
    ],
)
def test_the_first_answer_gives_the_direction_of_movement(answer: Optional[str], tendency: str):
    assert detect_tendency(answer) == tendency


# --------------------------------------------------------------------------- skip


@pytest.mark.parametrize("answer", ["skip", "Pass", "I'd rather not say", "rather not answer", "next question"])
def test_skip_phrases_count_as_skipping(answer: str):
    assert is_skip(answer)


@pytest.mark.parametrize(
    "answer",
    [
        "I pull away",
        "I'd rather not say how I feel about my mum, but I think it's fear of being left out",
        "",
    ],
)
def test_real_answers_are_not_skips(answer: str):
    assert not is_skip(answer)


# --------------------------------------------------------------------------- acknowledgement


def test_a_short_answer_is_reflected_back_word_for_word():
    ack = choose_acknowledgement("  I feel scared  and small ")
    assert ack.response == "utter_reflection_ack_quote"
    assert ack.values == {"answer": "I feel scared and small"}


def test_a_long_answer_gets_a_plain_thank_you_not_a_long_quote():
    ack = choose_acknowledgement("word " * 40)
    assert ack.response == "utter_reflection_ack_long"
    assert ack.values == {}


@pytest.mark.parametrize("answer", [SKIPPED, "skip", None])
def test_a_skipped_question_gets_a_no_pressure_reply(answer: Optional[str]):
    assert choose_acknowledgement(answer).response == "utter_reflection_ack_skipped"


def test_every_acknowledgement_is_a_domain_response_with_the_values_it_uses():
    for answer in ["short", "word " * 40, SKIPPED]:
        ack = choose_acknowledgement(answer)
        for variation in DOMAIN_YAML["responses"][ack.response]:
            for name in ack.values:
                assert "{" + name + "}" in variation["text"]


# --------------------------------------------------------------------------- summary


def test_the_summary_shows_their_own_words_and_marks_skipped_questions():
    summary = build_summary(
        {
            "reflection_closeness": "I pull away",
            "reflection_feelings": SKIPPED,
            "reflection_protection": "my heart",
            "reflection_curiosity": None,
        }
    )
    lines = summary.splitlines()
    assert len(lines) == 4
    assert "“I pull away”" in lines[0]
    assert "(skipped)" in lines[1]
    assert "“my heart”" in lines[2]
    assert "(skipped)" in lines[3]


def test_a_long_answer_is_shortened_in_the_summary():
    summary = build_summary({"reflection_closeness": "ab " * 100})
    assert summary.splitlines()[0].count("ab") == 30
    assert "…" in summary


def test_answered_count_ignores_skipped_questions():
    assert answered_count({"reflection_closeness": "x", "reflection_feelings": SKIPPED}) == 1


# --------------------------------------------------------------------------- the domain


def _form_slot_mappings(only: Optional[str] = None) -> List[Dict[str, Any]]:
    mappings = []
    for name, form in DOMAIN_YAML["forms"].items():
        if only and name != only:
            continue
        for slot in form["required_slots"]:
            for mapping in DOMAIN_YAML["slots"][slot]["mappings"]:
                mappings.append({"form": name, "slot": slot, **mapping})
    return mappings


ANSWER_SLOTS = {m["slot"] for m in _form_slot_mappings()}


def test_the_form_asks_the_four_questions_in_order():
    assert tuple(DOMAIN_YAML["forms"][FORM]["required_slots"]) == QUESTION_SLOTS
    for slot in QUESTION_SLOTS:
        assert f"utter_ask_{slot}" in DOMAIN_YAML["responses"]


@pytest.mark.parametrize(
    "mapping",
    [m for m in _form_slot_mappings() if m["type"] == "from_text"],
    ids=lambda m: m["slot"],
)
def test_no_risk_message_can_become_an_answer_in_any_form(mapping: Dict[str, Any]):
    assert len(SAFETY_INTENTS) == 9  # eight risk_* intents and the "I need help now" button
    missing = SAFETY_INTENTS - set(mapping.get("not_intent") or [])
    assert missing == set(), f"{mapping['slot']} would keep these as answers: {sorted(missing)}"


@pytest.mark.parametrize(
    "mapping",
    [m for m in _form_slot_mappings(FORM) if m["type"] == "from_text"],
    ids=lambda m: m["slot"],
)
def test_skip_pause_stop_and_continue_are_never_kept_as_reflection_answers(mapping: Dict[str, Any]):
    missing = CONTROL_INTENTS - set(mapping.get("not_intent") or [])
    assert missing == set(), f"{mapping['slot']} would keep these as answers: {sorted(missing)}"


@pytest.mark.parametrize("mapping", _form_slot_mappings(FORM), ids=lambda m: f"{m['slot']}-{m['type']}")
def test_each_answer_fills_only_the_question_asked(mapping: Dict[str, Any]):
    assert mapping["conditions"] == [{"active_loop": FORM, "requested_slot": mapping["slot"]}]


@pytest.mark.parametrize("question", ["utter_ask_reflection_feelings", "utter_ask_reflection_protection"])
def test_later_questions_have_wording_for_each_direction_and_a_general_one(question: str):
    variations = DOMAIN_YAML["responses"][question]
    conditions = [v.get("condition") for v in variations]
    values = {c[0]["value"] for c in conditions if c}
    assert values == {TOWARD, AWAY, BOTH}
    assert None in conditions  # the general wording, for "unclear" or a skipped first answer


def test_every_question_offers_skip_pause_and_stop():
    for slot in QUESTION_SLOTS:
        for variation in DOMAIN_YAML["responses"][f"utter_ask_{slot}"]:
            payloads = {b["payload"] for b in variation["buttons"]}
            assert {"/skip_question", "/pause_reflection", "/stop_reflection"} <= payloads


def test_before_starting_the_visitor_is_told_what_is_kept_and_how_to_stop():
    text = " ".join(
        DOMAIN_YAML["responses"][name][0]["text"]
        for name in ("utter_reflection_intro", "utter_reflection_ground_rules")
    ).lower()
    for words in ("no right or wrong", "skip", "pause", "stop", "only to you", "{retention_days}"):
        assert words in text


# --------------------------------------------------------------------------- slot filling, as Rasa does it


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO / "domain.yml"))


async def _extract(domain: Domain, intent: str, text: str, requested: str) -> List[SlotSet]:
    tracker = DialogueStateTracker.from_events(
        "visitor",
        [
            ActionExecuted("action_listen"),
            ActiveLoop(FORM),
            SlotSet("requested_slot", requested),
            ActionExecuted("action_listen"),
            UserUttered(text, intent={"name": intent, "confidence": 1.0}),
        ],
        slots=domain.slots,
    )
    events = await ActionExtractSlots(None).run(
        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain
    )
    # Only answer slots matter here; other slots (e.g. a note that crisis lines were shown) may be set.
    return [e for e in events if isinstance(e, SlotSet) and e.key in ANSWER_SLOTS]


@pytest.mark.parametrize(
    "intent,text",
    [
        ("risk_suicide", "i want to die"),
        ("risk_self_harm", "i want to cut again"),
        ("risk_abuse", "he hits me when i pull away"),
        ("risk_check_in", "i used to hurt myself"),
        ("request_crisis_help", "i need help now"),
        ("pause_reflection", "can we take a break"),
        ("ask_anxious_attachment", "what is anxious attachment"),
    ],
)
async def test_a_risk_or_other_message_inside_the_exercise_sets_no_answer(domain: Domain, intent: str, text: str):
    assert await _extract(domain, intent, text, "reflection_feelings") == []


async def test_an_answer_fills_only_the_question_asked(domain: Domain):
    events = await _extract(domain, "share_reflection", "scared, mostly", "reflection_feelings")
    assert [(e.key, e.value) for e in events] == [("reflection_feelings", "scared, mostly")]


async def test_skip_stores_skipped_for_the_question_asked(domain: Domain):
    events = await _extract(domain, "skip_question", "skip", "reflection_protection")
    assert [(e.key, e.value) for e in events] == [("reflection_protection", SKIPPED)]


# --------------------------------------------------------------------------- actions


def sdk_tracker(slots: Dict[str, Any]) -> Tracker:
    return Tracker(
        sender_id="visitor",
        slots=slots,
        latest_message={"text": "", "intent": {"name": "share_reflection"}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": FORM},
        latest_action_name="action_listen",
    )


def test_the_first_answer_is_acknowledged_and_sets_the_wording():
    dispatcher = CollectingDispatcher()
    result = ValidateReflectionForm().validate_reflection_closeness(
        "I pull away", dispatcher, sdk_tracker({}), {}
    )
    assert result == {"reflection_closeness": "I pull away", "reflection_tendency": AWAY}
    assert dispatcher.messages[0]["response"] == "utter_reflection_ack_quote"
    assert dispatcher.messages[0]["answer"] == "I pull away"


def test_a_typed_skip_is_kept_as_skipped_and_acknowledged_gently():
    dispatcher = CollectingDispatcher()
    result = ValidateReflectionForm().validate_reflection_feelings(
        "I'd rather not say", dispatcher, sdk_tracker({}), {}
    )
    assert result == {"reflection_feelings": SKIPPED}
    assert dispatcher.messages[0]["response"] == "utter_reflection_ack_skipped"


def test_an_empty_answer_asks_again():
    dispatcher = CollectingDispatcher()
    result = ValidateReflectionForm().validate_reflection_protection("   ", dispatcher, sdk_tracker({}), {})
    assert result == {"reflection_protection": None}
    assert dispatcher.messages == []


async def test_the_summary_action_shows_their_answers_in_the_summary_response():
    dispatcher = CollectingDispatcher()
    slots = dict(zip(QUESTION_SLOTS, ["I pull away", "fear", SKIPPED, "lighter"]))
    await ActionReflectionSummary().run(dispatcher, sdk_tracker(slots), {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_reflection_summary"
    assert "“I pull away”" in message["summary"] and "(skipped)" in message["summary"]


async def test_a_new_exercise_starts_from_the_first_question():
    slots = {**dict.fromkeys(QUESTION_SLOTS, "x"), "reflection_tendency": AWAY, "reflection_paused": True}
    events = await ActionResetReflection().run(CollectingDispatcher(), sdk_tracker(slots), {})
    cleared = {e["name"]: e["value"] for e in events}
    assert cleared == {**dict.fromkeys(QUESTION_SLOTS), "reflection_tendency": None, "reflection_paused": False}


async def test_pause_and_resume_keep_the_answers_and_toggle_the_pause():
    slots = {"reflection_closeness": "I pull away"}
    paused = await ActionPauseReflection().run(CollectingDispatcher(), sdk_tracker(slots), {})
    assert [(e["name"], e["value"]) for e in paused] == [("reflection_paused", True)]
    dispatcher = CollectingDispatcher()
    resumed = await ActionResumeReflection().run(dispatcher, sdk_tracker(slots), {})
    assert [(e["name"], e["value"]) for e in resumed] == [("reflection_paused", False)]
    assert dispatcher.messages[0]["response"] == "utter_reflection_resuming"


# --------------------------------------------------------------------------- at "Shall we start?"


def offer_tracker(text: str, slots: Dict[str, Any]) -> Tracker:
    return Tracker(
        sender_id="visitor",
        slots=slots,
        latest_message={"text": text, "intent": {"name": "share_reflection"}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def test_an_answer_typed_at_the_offer_is_kept_as_the_first_answer():
    dispatcher = CollectingDispatcher()
    slots = {**dict.fromkeys(QUESTION_SLOTS, "old"), "reflection_paused": True}
    events = await ActionStartReflectionWithAnswer().run(
        dispatcher, offer_tracker("  i pull away when people get close ", slots), {}
    )
    values = {e["name"]: e["value"] for e in events}
    assert values["reflection_closeness"] == "i pull away when people get close"
    # The other answers of an earlier round are cleared; the form acknowledges this one.
    assert all(values[slot] is None for slot in QUESTION_SLOTS[1:])
    assert values["reflection_paused"] is False
    assert [m["response"] for m in dispatcher.messages] == ["utter_reflection_first_answer_taken"]


async def test_a_button_at_the_offer_is_not_kept_as_an_answer():
    dispatcher = CollectingDispatcher()
    events = await ActionStartReflectionWithAnswer().run(dispatcher, offer_tracker("/share_reflection", {}), {})
    assert all(e["name"] != "reflection_closeness" or e["value"] is None for e in events)
    assert dispatcher.messages == []


def test_at_the_offer_skip_stop_and_pause_are_a_not_now_and_an_answer_starts_the_exercise():
    rules = yaml.safe_load((REPO / "data" / "rules" / "reflection.yml").read_text())["rules"]
    at_offer = [r for r in rules if r["steps"][0] == {"action": "utter_reflection_ground_rules"}]
    said = {}
    for rule in at_offer:
        step = rule["steps"][1]
        for intent in [s["intent"] for s in step["or"]] if "or" in step else [step["intent"]]:
            said[intent] = rule["steps"][2]["action"]
    for intent in ("deny", "skip_question", "stop_reflection", "pause_reflection"):
        assert said[intent] == "utter_reflection_not_now"
    assert said["share_reflection"] == "action_start_reflection_with_answer"
    assert said["affirm"] == "action_reset_reflection"
