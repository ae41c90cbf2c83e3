"""The risk component: the word lists and the risk model decide together; without the model,
the classifier's soft net only ever adds a gentle check-in."""

from __future__ import annotations

from typing import Optional

import pytest
from rasa.shared.nlu.training_data.message import Message

from attune.nlu.risk_component import RiskDetectorComponent, is_wordy
from attune.safety.detector import RiskAssessment


class FakeDetector:
    def __init__(self, intent: Optional[str]) -> None:
        self.intent = intent

    def assess(self, text: str) -> RiskAssessment:
        category = {"risk_suicide": "suicide", "risk_harm_others": "harm_others"}.get(self.intent or "")
        return RiskAssessment(category, None, "self", "current", ("fake",) if category else ())

    assess_remembered = assess


def component(intent: Optional[str], use_model: bool = False) -> RiskDetectorComponent:
    config = {**RiskDetectorComponent.get_default_config(), "use_model": use_model}
    return RiskDetectorComponent(config, None, None, detector=FakeDetector(intent))


def message(text: str, ranking) -> Message:
    return Message({"text": text, "intent": dict(ranking[0]), "intent_ranking": [dict(r) for r in ranking]})


def test_a_risk_message_overrides_any_prediction_with_full_confidence():
    [m] = component("risk_suicide").process([message("i want to die", [{"name": "greet", "confidence": 0.9}])])
    assert m.get("intent") == {"name": "risk_suicide", "confidence": 1.0}
    assert m.get("risk")["category"] == "suicide" and "i want to die" not in str(m.get("risk"))


def test_the_classifiers_own_risk_guess_is_dropped_when_the_detector_disagrees():
    ranking = [{"name": "risk_harm_others", "confidence": 0.5}, {"name": "greet", "confidence": 0.46}]
    [m] = component(None).process([message("I'd kill for a coffee", ranking)])
    assert m.get("intent")["name"] == "greet"
    assert all(not r["name"].startswith("risk_") for r in m.get("intent_ranking"))


def test_a_confident_classifier_guess_gets_only_the_gentle_check_in():
    ranking = [{"name": "risk_suicide", "confidence": 0.93}, {"name": "greet", "confidence": 0.03}]
    [m] = component(None).process([message("everything feels pointless and heavy lately", ranking)])
    assert m.get("intent")["name"] == "risk_check_in"
    assert m.get("risk")["source"] == "classifier"


@pytest.mark.parametrize("text", ["416-979-1234", "robin@gmail.com", "Sam", "evenings"])
def test_form_answers_that_are_not_sentences_never_trip_the_soft_net(text):
    ranking = [{"name": "risk_emergency", "confidence": 0.95}, {"name": "greet", "confidence": 0.01}]
    [m] = component(None).process([message(text, ranking)])
    assert not m.get("intent")["name"].startswith("risk_")


@pytest.mark.parametrize("text,expected",
                         [("call me at 416-979-1234 please", True), ("416 979 1234", False), ("ok", False)])
def test_wordiness(text, expected):
    assert is_wordy(text) is expected



# ------------------------------------------------------------------ with the trained model


def test_the_model_catches_what_the_word_lists_miss():
    text = "I found homes for both dogs, left a letter for each of my kids in the desk, and Saturday is the day."
    [m] = component(None, use_model=True).process([message(text, [{"name": "greet", "confidence": 0.4}])])
    assert m.get("intent")["name"].startswith("risk_"), "the crisis lines are shown"
    assert m.get("risk")["source"] == "model" and text not in str(m.get("risk"))


def test_a_word_list_match_on_an_idiom_is_set_aside_when_the_model_reads_no_risk():
    ranking = [{"name": "ask_booking", "confidence": 0.6}]
    [m] = component("risk_suicide", use_model=True).process(
        [message("can I book an evening session, this commute is killing me", ranking)]
    )
    assert m.get("intent")["name"] == "ask_booking"


def test_panic_about_a_partner_gets_no_alarm():
    ranking = [{"name": "ask_anxious_attachment", "confidence": 0.7}]
    [m] = component(None, use_model=True).process(
        [message("when he doesn't text back I panic, my chest gets tight and I can't breathe", ranking)]
    )
    assert not m.get("intent")["name"].startswith("risk_")


def test_a_failing_model_never_skips_the_word_lists(monkeypatch):
    import attune.nlu.risk_component as risk_component

    def broken(*args, **kwargs):
        raise RuntimeError("model failure")

    monkeypatch.setattr(risk_component, "model_verdict", broken)
    [m] = component("risk_suicide", use_model=True).process(
        [message("i want to die", [{"name": "greet", "confidence": 0.9}])]
    )
    assert m.get("intent") == {"name": "risk_suicide", "confidence": 1.0}


@pytest.mark.parametrize("text,target", [
    ("i'm so close to shaking the baby, he won't stop screaming", "child"),
    ("i'm scared i'll hurt my son, i can't take it anymore", "child"),
    ("i'm going to hurt my coworker tomorrow", "someone"),
    # The children are only mentioned, not in the writer's care now: no "put the child down".
    ("wife left and took the kids to her mama's and i'm going to shoot him", "someone"),
    # Unwanted images of harming one's own baby: reassurance and the doctor, not "put the child down" first.
    ("I keep getting these flashes of dropping my baby down the stairs. I would NEVER do it", "intrusive"),
    # At the edge now (hours of screaming): the safe step first, whatever the thought is called.
    ("my baby has been screaming for hours and I had the thought of throwing her. I'm terrified of myself",
     "child"),
])
def test_harm_to_others_says_whether_a_child_in_the_writers_care_is_at_risk(text, target):
    # A parent at the edge gets the immediate safe step first (domain.yml, harm_target: child).
    [m] = component("risk_harm_others").process([message(text, [{"name": "greet", "confidence": 0.5}])])
    assert m.get("intent")["name"] == "risk_harm_others"
    assert [e["value"] for e in m.get("entities") if e["entity"] == "harm_target"] == [target]


def test_no_harm_target_for_other_kinds_of_risk():
    [m] = component("risk_suicide").process([message("i want to die, the baby deserves better",
                                                     [{"name": "greet", "confidence": 0.5}])])
    assert not [e for e in m.get("entities") or [] if e["entity"] == "harm_target"]


def _verdict(**scores: float):
    from attune.safety.risk_model import ModelVerdict

    return ModelVerdict(scores={"risk": 1.0, **scores})


def test_someone_else_being_abused_is_marked_for_the_witness_not_offered_the_victims_line():
    from attune.nlu.risk_component import ABUSE_OF_OTHER_ENTITY, ABUSE_SEEN_ENTITY, _facts

    # "my niece is 9 and she just told me a family friend touches her": the model alone reads it.
    niece = _facts("my niece told me", "risk_third_party", _verdict(abuse=0.99, other=1.0, child=0.98), [])
    assert (ABUSE_OF_OTHER_ENTITY, "child") in niece
    assert not any(name == ABUSE_SEEN_ENTITY for name, _ in niece)
    # An elderly mother struck by her carer: an adult.
    mother = _facts("my mother", "risk_third_party", _verdict(abuse=0.99, other=0.97, child=0.05), [])
    assert (ABUSE_OF_OTHER_ENTITY, "adult") in mother
    # A friend's suicidal message is not abuse, whatever else the model reads weakly.
    friend = _facts("my friend", "risk_third_party", _verdict(suicide=0.99, abuse=0.3, other=1.0), [])
    assert not any(name == ABUSE_OF_OTHER_ENTITY for name, _ in friend)
    # Abused and wanting to die: the helper's steps for her life come first.
    both = _facts("she wants to die", "risk_third_party", _verdict(suicide=0.9, abuse=0.95, other=1.0), [])
    assert not any(name == ABUSE_OF_OTHER_ENTITY for name, _ in both)


def test_a_child_who_swallowed_something_is_not_an_abuse_disclosure():
    from attune.nlu.risk_component import ABUSE_SEEN_ENTITY, _facts

    # "my 2 yr old got into my purse and i think she swallowed one of my pills": the model read
    # child abuse; every reply after it offered "If someone is hurting you, Kids Help Phone".
    text = "my 2 yr old got into my purse and i think she swallowed one of my pills"
    found = _facts(text, "risk_emergency", _verdict(abuse=0.9, child=0.9, immediate_danger=0.9),
                   ["emergency_ingestion"])
    assert not any(name == ABUSE_SEEN_ENTITY for name, _ in found)
    # The word lists' own reading of abuse still counts ("he made her swallow the pills").
    forced = _facts(text, "risk_emergency", _verdict(abuse=0.9, child=0.9), ["emergency_ingestion", "abuse_physical"])
    assert (ABUSE_SEEN_ENTITY, "child") in forced


def test_an_emergency_is_a_witnessed_one_only_when_it_reads_as_someone_elses():
    from attune.nlu.risk_component import ABUSE_OF_OTHER_ENTITY, _facts

    # "I can hear the little boy next door screaming and something hitting the wall".
    neighbour = _facts("next door", "risk_emergency",
                       _verdict(abuse=0.98, immediate_danger=0.98, other=0.82, child=0.91), [])
    assert (ABUSE_OF_OTHER_ENTITY, "child") in neighbour
    # "he's hitting me right now": the visitor's own; "my dad is beating my mom right now, im
    # upstairs": as much the visitor's danger as another's, so not a witness's.
    own = _facts("me", "risk_emergency", _verdict(abuse=0.99, immediate_danger=0.99, other=0.0), ["abuse_physical"])
    home = _facts("home", "risk_emergency", _verdict(abuse=0.99, immediate_danger=1.0, other=0.51), ["abuse_physical"])
    assert not any(name == ABUSE_OF_OTHER_ENTITY for name, _ in own + home)


@pytest.mark.parametrize("text,child,expected", [
    # A young visitor in the house where a parent is being hurt is at risk too.
    ("my stepdad has been drinking all day and he just threw my mom into the counter. im upstairs", 0.9, True),
    # Writer X (2026-12-04), typed without the apostrophe: got the witness's steps.
    ("my moms boyfriend is drunk and throwing stuff. im in my closet with my little brother. im 13", 0.9, True),
    # An adult's elderly mother, a mother-in-law, a niece: the visitor is the witness.
    ("the personal support worker who comes to my mother's home is striking her", 0.05, False),
    ("my mother in law, her son shouts at her and does not give her food", 0.6, False),
    ("my niece told me a family friend touches her", 0.98, False),
])
def test_abuse_in_a_young_visitors_own_home_is_their_own(text, child, expected):
    from attune.nlu.risk_component import _young_in_that_home

    verdict = _verdict(abuse=0.99, other=0.9, child=child)
    assert _young_in_that_home(text, "risk_third_party", verdict) is expected
