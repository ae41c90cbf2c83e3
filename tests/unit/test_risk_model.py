"""The risk model: how scores become replies, how a long or two-part message is read, and
that the shipped weights are the ones the repository's data and command produced."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from attune.safety import context
from attune.safety.corpus import fingerprint, read_corpus
from attune.safety.risk_model import (
    MODEL_DIR,
    SECOND_DIR,
    SECOND_OPINION_FROM,
    ModelVerdict,
    RiskModel,
    Thresholds,
    combine,
    decide,
    graver,
    shared_risk_model,
    split_sentences,
    wants_second_opinion,
)

ROOT = Path(__file__).parents[2]
T = Thresholds(crisis=0.6, check_in=0.3, immediate=0.5, past_check_in=0.05)


def scores(risk=0.0, **others):
    base = {"risk": risk, "suicide": 0.0, "self_harm": 0.0, "abuse": 0.0, "harm_others": 0.0,
            "immediate_danger": 0.0, "other": 0.0, "child": 0.0}
    base.update(others)
    return base


@pytest.mark.parametrize("given,expected", [
    (scores(0.1, suicide=0.9), None),
    (scores(0.4, suicide=0.9), "risk_check_in"),
    (scores(0.9, suicide=0.9), "risk_suicide"),
    (scores(0.9, abuse=0.8, suicide=0.3), "risk_abuse"),
    (scores(0.9, abuse=0.8, child=0.7), "risk_child_abuse"),
    (scores(0.9, suicide=0.9, other=0.8), "risk_third_party"),
    (scores(0.9, suicide=0.9, immediate_danger=0.7), "risk_emergency"),
    (scores(0.9, harm_others=0.9), "risk_harm_others"),
])
def test_scores_become_the_reply_a_visitor_gets(given, expected):
    assert decide(given, T) == expected


def verdict(**kw):
    """A verdict whose probability of risk (both readers weighed) is `risk`."""
    s = scores(**kw)
    return ModelVerdict(s, None, "whole", p=s["risk"])


def test_a_word_list_match_with_enough_weight_keeps_the_lists_own_routing():
    # A child's disclosure matched by the lists is answered with the youth lines.
    assert combine("risk_child_abuse", verdict(risk=0.9, abuse=0.9, child=0.1), T) == "risk_child_abuse"


def test_a_medical_emergency_in_plain_words_stands_whatever_both_readers_weigh():
    # "we've all got headaches and feel dizzy since we turned the heater on": the model read
    # no risk at all (0.01); the word lists' `medical_now` match is the emergency reply.
    quiet = verdict(risk=0.01)
    assert combine("risk_emergency", quiet, T, "medical_now") == "risk_emergency"
    # Other emergency phrases still need some weight ("I can't breathe when he doesn't text").
    assert combine("risk_emergency", quiet, T, "medical") is None


def test_means_laid_out_stands_whatever_both_readers_weigh():
    # "are you a bot? because i've got the pills lined up": the model read 0.43 (the question
    # about bots came first); the word lists' `means_ready` match is the emergency reply.
    assert combine("risk_emergency", verdict(risk=0.43, immediate_danger=0.19), T, "means_ready") == "risk_emergency"
    assert combine("risk_emergency", verdict(risk=0.43, immediate_danger=0.19), T, "in_progress") != "risk_emergency"


def test_a_word_list_match_the_readers_weigh_as_no_risk_is_set_aside():
    # "this commute is killing me": the phrase matched, the meaning has no risk.
    assert combine("risk_suicide", verdict(risk=0.01), T) is None


def test_the_emergency_first_reply_needs_danger_now():
    panic = verdict(risk=0.7, suicide=0.2, abuse=0.1, immediate_danger=0.1)
    assert combine("risk_emergency", panic, T) == "risk_suicide"
    overdose = verdict(risk=0.95, suicide=0.9, immediate_danger=0.9)
    assert combine("risk_emergency", overdose, T) == "risk_emergency"


def test_negated_risk_gets_the_check_in_unless_the_model_reads_current_risk():
    assert combine("risk_check_in", verdict(risk=0.1), T) == "risk_check_in"
    assert combine("risk_check_in", verdict(risk=0.9, suicide=0.9), T) == "risk_suicide"
    # "I'm not gonna kill him lol": read as negated by the lists, no risk at all by the model.
    assert combine("risk_check_in", verdict(risk=0.01), T) is None


def test_the_model_alone_can_give_the_crisis_reply_and_the_graver_decision_wins():
    assert combine(None, verdict(risk=0.9, self_harm=0.9), T) == "risk_self_harm"
    assert combine("risk_suicide", verdict(risk=0.9, suicide=0.9, immediate_danger=0.9), T) == "risk_emergency"
    assert combine("risk_abuse", None, T) == "risk_abuse", "without a model the word lists decide"


def test_graver_orders_none_check_in_crisis_and_emergency():
    assert graver(None, "risk_check_in") == "risk_check_in"
    assert graver("risk_check_in", "risk_abuse") == "risk_abuse"
    assert graver("risk_abuse", "risk_emergency") == "risk_emergency"
    assert graver("risk_abuse", "risk_suicide") == "risk_abuse"


def test_a_long_message_is_read_sentence_by_sentence_and_the_last_line_counts():
    model = RiskModel(("risk",), np.zeros((1, 2)), np.zeros(1), replace(T, sentence=0.9))
    text = "We met at work two years ago and it was lovely at first. " * 4 + "I am done, tonight."
    readings = model.readings(text)
    assert readings[0] == text and readings[-1] == "I am done, tonight."
    found = model.verdict([scores(0.1), scores(0.05), scores(0.95, suicide=0.9)])
    assert found.intent == "risk_suicide" and found.read == "sentence"
    # A sentence is one more chance to cross a threshold: it answers only from its own.
    assert model.verdict([scores(0.1), scores(0.85, suicide=0.9)]).intent is None


def test_a_short_message_is_read_whole_only():
    model = RiskModel(("risk",), np.zeros((1, 2)), np.zeros(1), T)
    assert model.readings("i can't do this anymore. goodbye.") == ["i can't do this anymore. goodbye."]


def test_sentences_of_a_very_long_message_keep_the_start_and_the_end():
    parts = split_sentences(" ".join(f"Sentence {n}." for n in range(40)))
    assert parts[0] == "Sentence 0." and parts[-1] == "Sentence 39." and len(parts) == 12


class FakeModel:
    thresholds = T

    def __init__(self, joined_scores):
        self.joined_scores = joined_scores

    def scores(self, vectors):
        return [self.joined_scores]

    def verdict(self, readings, texts=None, lexicon=None, two_turns=False):
        return ModelVerdict(readings[0], decide(readings[0], T), "whole")


class FakeEncoder:
    def __init__(self):
        self.seen = []

    def encode(self, texts):
        self.seen.extend(texts)
        return np.zeros((len(texts), 2))


def parse(text, risk=0.0, intent="ask_height"):
    return {"text": text, "intent": {"name": intent, "confidence": 0.8},
            "intent_ranking": [{"name": intent, "confidence": 0.8}],
            "risk": {"model": {"risk": risk}}}


def test_risk_spread_over_two_messages_is_caught_when_they_are_read_together():
    previous = SimpleNamespace(text="what's the tallest building downtown", parse_data=parse("", 0.05))
    data = parse("asking for me. i'm done.", risk=0.2)
    encoder = FakeEncoder()
    decided = context.read_together(data, previous, FakeModel(scores(0.95, suicide=0.9)), encoder)
    assert decided == "risk_suicide"
    assert data["intent"]["name"] == "risk_suicide" and data["risk"]["source"] == "two_turns"
    assert encoder.seen == ["what's the tallest building downtown\nasking for me. i'm done."]


def test_two_messages_without_any_trace_of_risk_are_not_read_again():
    previous = SimpleNamespace(text="hi", parse_data=parse("", 0.001))
    encoder = FakeEncoder()
    assert context.read_together(parse("what does a session cost", 0.001), previous,
                                 FakeModel(scores(0.99, suicide=0.9)), encoder) is None
    assert encoder.seen == []


def test_a_follow_up_to_a_message_that_already_got_a_crisis_reply_is_read_alone():
    # "what do i do" after "my friend wants to kill herself": the follow-up is answered, not
    # the crisis reply repeated.
    previous = SimpleNamespace(text="my friend told me she wants to kill herself",
                               parse_data={**parse("", 0.99, intent="risk_third_party")})
    encoder = FakeEncoder()
    data = parse("what do i do", 0.05, intent="ask_next_step")
    assert context.read_together(data, previous, FakeModel(scores(0.99, suicide=0.9, other=0.9)), encoder) is None
    assert data["intent"]["name"] == "ask_next_step" and encoder.seen == []


def test_a_message_that_already_got_a_crisis_reply_is_left_alone():
    data = parse("i want to die", 0.99, intent="risk_suicide")
    previous = SimpleNamespace(text="x", parse_data=parse("", 0.9))
    assert context.read_together(data, previous, FakeModel(scores(0.99, immediate_danger=0.9)), FakeEncoder()) is None


# ------------------------------------------------------------------------- the shipped model

META = json.loads((MODEL_DIR / "risk_model.json").read_text())


def test_the_shipped_weights_were_trained_on_the_data_in_this_repository():
    files = [ROOT / name for name in META["data_files"]]
    current = (sorted((ROOT / "data" / "risk").glob("*.jsonl"))
               + sorted((ROOT / "training" / "risk_model" / "nlu_snapshot").glob("*.yml")))
    assert sorted(files) == sorted(current), "data files were added or removed: run `make risk-model`"
    assert fingerprint(files) == META["data_sha256"], "the training data changed: run `make risk-model`"


def test_the_shipped_weights_are_the_ones_the_metadata_describes():
    from attune.nlu.sentence_encoder import file_fingerprint

    assert file_fingerprint(MODEL_DIR / "risk_model.safetensors") == META["weights_sha256"]
    assert set(META["thresholds"]) >= {"crisis", "check_in", "immediate", "past_check_in"}
    assert len(META["stacker"]["weights"]) == len(META["outputs"]) + 9


@pytest.mark.parametrize("text,expected", [
    ("i want to kill myself", "crisis"),
    ("I've been cutting again, my arms are a mess", "crisis"),
    ("what does a first session cost?", "none"),
    ("I burnt the toast again lol", "none"),
])
def test_the_shipped_model_reads_clear_messages_as_a_person_would(text, expected):
    from attune.nlu.sentence_encoder import shared_encoder

    model = shared_risk_model()
    found = model.verdict(model.scores(shared_encoder().encode(model.readings(text))))
    got = "none" if found.intent is None else ("check_in" if found.intent == "risk_check_in" else "crisis")
    assert got == expected


# ------------------------------------------------------------------------- the corpora

SEALED = sorted((ROOT / "tests" / "safety" / "sealed").glob("*.jsonl"))
# The sealed sets as their writers left them (sha256). Never edited: they are read only by
# `make safety-sealed`.
SEALED_SHA256 = {
    "sealed_a_first_contact.jsonl": "20bdb2852df74b533ccdd1ce83797227fa5eb47b712b1795d76ea11b1ae2b9fa",
    "sealed_b_night_chat.jsonl": "a2776150ab1c5b2b2486b6519d660add2c3d8a383dd65be0005831a6dbc2cc42",
    "sealed_c_personas.jsonl": "bb97cb30740608420b482bc1ad6ce2e34a602f67310c43a992747ee771e10721",
    "sealed_d_messaging.jsonl": "69754f76fe6a8b1ed072e20a4768fdded1887145446051adb5db88e0052193e3",
}


def test_the_sealed_sets_are_unchanged_since_their_writers_finished():
    import hashlib

    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SEALED} == SEALED_SHA256


@pytest.mark.parametrize("path", sorted((ROOT / "data" / "risk").glob("*.jsonl")) + SEALED, ids=lambda p: p.name)
def test_every_corpus_reads_and_names_its_origin(path):
    corpus = read_corpus(path)
    assert corpus.origin and "written" in corpus.origin[0]
    assert len(corpus.items) >= 300


def tracker_with(*intents):
    from rasa.shared.core.events import UserUttered

    return SimpleNamespace(events=[UserUttered("x", {"name": name, "confidence": 1.0}) for name in intents])


@pytest.mark.parametrize("intent,confidence,expected", [
    ("feeling_calmer", 0.36, "unsure_after_crisis"),  # "i'm feeling sick" after an overdose
    ("nlu_fallback", 0.3, "unsure_after_crisis"),
    ("feeling_calmer", 0.9, "feeling_calmer"),
    ("risk_suicide", 0.4, "risk_suicide"),
    # A teaching topic needs more after a crisis reply ("he said hed text 988 if it gets bad.
    # is that enough??" read as reassurance at 0.75).
    ("ask_reassurance", 0.75, "unsure_after_crisis"),
    ("ask_reassurance", 0.97, "ask_reassurance"),
])
def test_after_a_crisis_reply_an_unsure_reading_is_not_guessed_at(intent, confidence, expected):
    data = {"text": "i'm feeling sick", "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}]}
    context.unsure_after_crisis(data, tracker_with("risk_emergency"))
    assert data["intent"]["name"] == expected


@pytest.mark.parametrize("text,expected", [
    ("you cant help me. no one can. this isnt a thing that gets fixed", "unsure_after_crisis"),
    ("nobody can help me with this", "unsure_after_crisis"),
    ("still dont think anyone can help. but ok", "unsure_after_crisis"),
    # Asked in so many words, the opt-out stands.
    ("stop sending numbers, no one can help me", "stop_hotlines"),
    ("please stop", "stop_hotlines"),
])
def test_after_a_crisis_reply_no_one_can_help_is_not_asking_to_stop_the_numbers(text, expected):
    # Read as "stop sending numbers" (0.6), it got "Okay. I won't keep sending numbers", and
    # every reply after it went without a line.
    data = {"text": text, "intent": {"name": "stop_hotlines", "confidence": 0.6},
            "intent_ranking": [{"name": "stop_hotlines", "confidence": 0.6}]}
    context.unsure_after_crisis(data, tracker_with("risk_emergency"))
    assert data["intent"]["name"] == expected


def test_without_a_crisis_reply_or_for_a_button_the_reading_stands():
    data = {"text": "i'm feeling sick", "intent": {"name": "feeling_calmer", "confidence": 0.36}}
    assert not context.unsure_after_crisis(data, tracker_with("greet", "risk_check_in"))
    button = {"text": "/confirm_safe", "intent": {"name": "confirm_safe", "confidence": 0.5}}
    assert not context.unsure_after_crisis(button, tracker_with("risk_suicide"))


def read_by_model(text, intent, ranking, source="model"):
    """A message the risk model read as `intent`, with the intent classifier's `ranking` below."""
    return {"text": text, "intent": {"name": intent, "confidence": 1.0},
            "intent_ranking": [{"name": intent, "confidence": 1.0}]
            + [{"name": name, "confidence": c} for name, c in ranking],
            "risk": {"source": source, "model": {"risk": 0.9}}}


def test_refusing_the_ambulance_after_an_overdose_gets_the_refusal_answer_not_another_crisis_list():
    data = read_by_model("nooo not calling an ambulance my roomate will freak out", "risk_suicide",
                         [("refuse_hospital", 1.0), ("cant_call", 0.0)])
    assert context.within_crisis(data, tracker_with("risk_emergency")) == "refuse_hospital"
    assert data["intent"]["name"] == "refuse_hospital"
    # What the model read is kept with the message (labels only), for the audit.
    assert data["risk"]["within_crisis"] == {"read": "risk_suicide", "answered": "refuse_hospital"}


def test_in_a_conversation_about_someone_else_the_models_suicide_reading_stays_about_them():
    data = read_by_model("she said her daughter is simply dramatic", "risk_suicide", [("greet", 0.2)])
    assert context.within_crisis(data, tracker_with("risk_third_party")) == "risk_third_party"


@pytest.mark.parametrize("read", ["risk_abuse", "risk_harm_others", "risk_check_in"])
def test_for_a_helper_every_kind_the_model_reads_stays_about_the_person_they_help(read):
    # "He replied! Says he's in bed and 'fine'" read as abuse; "what if asking puts the idea in
    # his head" read as the visitor's own low mood.
    data = read_by_model("he replied, says he's fine", read, [("greet", 0.1)])
    assert context.within_crisis(data, tracker_with("risk_third_party")) == "risk_third_party"


@pytest.mark.parametrize("read", ["risk_suicide", "risk_abuse"])
def test_after_an_emergency_what_the_model_reads_keeps_the_emergency_reply(read):
    # "i just wanted it all to stop"; "she's telling me don't call anyone" read as abuse.
    data = read_by_model("shes telling me dont call anyone", read, [("greet", 0.1)])
    assert context.within_crisis(data, tracker_with("risk_emergency")) == "risk_emergency"


def test_after_a_crisis_reply_the_check_in_is_the_same_crisis_again_not_if_those_feelings_come_back():
    data = read_by_model("everything just feels heavy", "risk_check_in", [("greet", 0.1)])
    assert context.within_crisis(data, tracker_with("risk_suicide")) == "risk_suicide"


def test_a_follow_up_read_together_with_the_refusal_before_it_is_answered_as_that_follow_up():
    # "im not going to the hospital" then "what else can i do then": read as one, risk again.
    data = read_by_model("what else can i do then", "risk_suicide", [("ask_next_step", 0.89)], "two_turns")
    assert context.within_crisis(data, tracker_with("risk_emergency", "refuse_hospital")) == "ask_next_step"


@pytest.mark.parametrize("case", [
    # The word lists' own reading ("I want to die too") is the visitor's own: it stands.
    dict(source=None, intents=("risk_third_party",), ranking=[("refuse_hospital", 0.9)], subcategory="explicit"),
    # Outside a helper's conversation, every reading of the word lists stands.
    dict(source=None, intents=("risk_suicide",), ranking=[("refuse_hospital", 0.9)]),
    # No crisis reply yet: a first message is never re-read.
    dict(source="model", intents=("greet",), ranking=[("refuse_hospital", 0.9)]),
    # Danger happening now always gets the emergency reply.
    dict(source="model", intents=("risk_suicide",), ranking=[("refuse_hospital", 0.9)], intent="risk_emergency"),
    # The classifier is unsure it is a follow-up.
    dict(source="model", intents=("risk_suicide",), ranking=[("cant_call", 0.2)]),
    # A follow-up whose answer has no line (feeling calmer) never replaces a risk reading.
    dict(source="model", intents=("risk_suicide",), ranking=[("feeling_calmer", 0.95)]),
    # Numbers declined: "I can't call" would point to the button alone; the risk reply keeps a line.
    dict(source="model", intents=("risk_suicide", "stop_hotlines"), ranking=[("cant_call", 0.9)]),
    # New risk ("is there anyone who can come tonight"): a crisis reply, whatever the classifier says.
    dict(source="model", intents=("risk_emergency",), ranking=[("refuse_hospital", 1.0)], entities=["soon"]),
])
def test_a_risk_reading_stands_when_the_crisis_so_far_does_not_explain_it(case):
    intent = case.get("intent", "risk_suicide")
    data = read_by_model("...", intent, case["ranking"], case["source"])
    data["entities"] = [{"entity": name, "value": "yes"} for name in case.get("entities", [])]
    data["risk"]["subcategory"] = case.get("subcategory")
    assert context.within_crisis(data, tracker_with(*case["intents"])) is None
    assert data["intent"]["name"] == intent


@pytest.mark.parametrize("text", ["no im not safe. happy now?", "i dont feel safe", "not really safe tbh",
                                  "it's not safe to talk here", "i feel unsafe"])
def test_after_a_crisis_reply_saying_one_is_not_safe_is_never_read_as_safe(text):
    data = {"text": text, "intent": {"name": "confirm_safe", "confidence": 0.9},
            "intent_ranking": [{"name": "confirm_safe", "confidence": 0.9}]}
    assert context.says_not_safe(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == "not_safe"


def test_not_safe_read_as_safe_is_answered_as_not_safe_even_before_any_crisis_reply():
    # "no im not safe. happy now?" after a first message the risk readers missed.
    data = {"text": "no im not safe. happy now?", "intent": {"name": "confirm_safe", "confidence": 0.8}}
    assert context.says_not_safe(data, tracker_with("nlu_fallback"))
    assert data["intent"]["name"] == "not_safe"
    # Read as anything else before a crisis reply, the risk readers answer it.
    other = {"text": "i'm not safe", "intent": {"name": "greet", "confidence": 0.5}}
    assert not context.says_not_safe(other, tracker_with("greet"))


@pytest.mark.parametrize("text,earlier", [
    ("yes im safe", ("risk_suicide",)),
    ("is it safe to take two advil", ("risk_suicide",)),
])
def test_safe_or_a_question_about_safety_is_left_alone(text, earlier):
    data = {"text": text, "intent": {"name": "confirm_safe", "confidence": 0.9}}
    assert not context.says_not_safe(data, tracker_with(*earlier))
    assert data["intent"]["name"] == "confirm_safe"


def test_beside_a_helpers_conversation_the_word_lists_looser_readings_stay_about_the_other_person():
    # "hes in his room. should i take his phone away" matched a rule about control.
    data = read_by_model("should i take his phone away", "risk_harm_others", [("ask_next_step", 0.57)], None)
    assert context.within_crisis(data, tracker_with("risk_third_party")) == "ask_next_step"
    # A plain first-person statement of the word lists is the visitor's own.
    own = read_by_model("i want to kill myself too", "risk_suicide", [("greet", 0.1)], None)
    own["risk"]["subcategory"] = "explicit"
    assert context.within_crisis(own, tracker_with("risk_third_party")) is None


def test_after_a_crisis_suicide_and_self_harm_readings_of_the_model_are_the_same_risk_again():
    # After "no more numbers", switching between the two would bring the whole list back.
    data = read_by_model("its just been a bad week", "risk_self_harm", [("greet", 0.1)])
    assert context.within_crisis(data, tracker_with("risk_suicide", "stop_hotlines")) == "risk_suicide"


def test_a_risk_reading_that_names_where_the_visitor_is_gets_that_places_lines():
    data = read_by_model("I'm in Ontario if that matters", "risk_suicide", [("share_location", 0.3)])
    data["entities"] = [{"entity": "region", "value": "CA-ON"}]
    assert context.within_crisis(data, tracker_with("risk_suicide")) == "share_location"


@pytest.mark.parametrize("intent,confidence", [("stop_hotlines", 0.9), ("request_human", 0.3)])
def test_after_a_crisis_naming_a_place_is_read_as_saying_where_one_is(intent, confidence):
    data = {"text": "those are canadian numbers arent they. im in manchester",
            "intent": {"name": intent, "confidence": confidence},
            "entities": [{"entity": "region", "value": "GB-ENG"}]}
    assert context.says_where(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == "share_location"


def test_a_confident_reading_or_no_crisis_keeps_its_intent_when_a_place_is_named():
    confident = {"text": "how do i book, im in toronto", "intent": {"name": "request_human", "confidence": 0.95},
                 "entities": [{"entity": "region", "value": "CA-ON"}]}
    assert not context.says_where(confident, tracker_with("risk_suicide"))
    first = {"text": "im in manchester", "intent": {"name": "stop_hotlines", "confidence": 0.9},
             "entities": [{"entity": "region", "value": "GB-ENG"}]}
    assert not context.says_where(first, tracker_with("greet"))


def test_a_follow_up_to_a_message_answered_within_the_crisis_is_read_alone():
    # "we're in dublin, 911 wont work here" (risk, answered with that place's lines), then
    # "do i keep messaging him": not read together into a new emergency.
    earlier = {**parse("", 0.9, intent="share_location"), "risk": {"model": {"risk": 0.9},
               "within_crisis": {"read": "risk_suicide", "answered": "share_location"}}}
    previous = SimpleNamespace(text="we're in dublin, 911 wont work here", parse_data=earlier)
    encoder = FakeEncoder()
    data = parse("do i keep messaging him or leave it", 0.2, intent="ask_next_step")
    assert context.read_together(data, previous, FakeModel(scores(0.99, immediate_danger=0.9)), encoder) is None
    assert encoder.seen == []


def test_inside_a_form_a_risk_reading_keeps_its_risk_intent():
    # The call-back form's free-text slots never take a risk message; the safety policy answers it.
    data = read_by_model("nooo not calling an ambulance", "risk_suicide", [("refuse_hospital", 1.0)])
    tracker = tracker_with("risk_emergency")
    tracker.active_loop_name = "callback_form"
    assert context.within_crisis(data, tracker) is None
    assert data["intent"]["name"] == "risk_suicide"


@pytest.mark.parametrize("text,intent", [
    ("I appreciate the numbers. I am not a man who telephones strangers.", "stop_hotlines"),
    ("dont really wanna ring anyone, my voice goes when i cry and its embarrassing", "share_feeling"),
    ("he checks my call log. if i call a hotline he'll see it", "nlu_fallback"),
    # Refusing to call is not asking for no more numbers: the lines stay for later risk.
    ("no way im calling some hotline they just read off a script", "stop_hotlines"),
])
def test_after_a_crisis_saying_one_will_not_or_cannot_call_gets_the_lines_that_take_texts(text, intent):
    data = {"text": text, "intent": {"name": intent, "confidence": 0.8}}
    assert context.says_cant_call(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == "cant_call"


@pytest.mark.parametrize("text,intent,earlier", [
    ("i won't call an ambulance", "refuse_hospital", ("risk_emergency",)),  # its own answer fits
    ("i don't want to call anyone", "stop_hotlines", ("greet",)),  # no crisis reply yet
    ("if i call my sister she will know what to do", "inform", ("risk_suicide",)),
])
def test_calling_words_that_already_have_a_fitting_answer_are_left_alone(text, intent, earlier):
    data = {"text": text, "intent": {"name": intent, "confidence": 0.8}}
    assert not context.says_cant_call(data, tracker_with(*earlier))
    assert data["intent"]["name"] == intent


@pytest.mark.parametrize("text", [
    "does 988 even work here with my canadian phone",
    "988 is that the same down here",
    "you gave me 988 is that alberta too or just ontario",
    "those canadian numbers don't help me here",
])
def test_after_a_crisis_asking_whether_the_lines_work_here_gets_the_lines_of_where_one_is(text):
    data = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.4}}
    assert context.asks_if_lines_work_here(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == "share_location"
    # Read so by the classifier, but unsure: still answered, not met with a shrug.
    unsure = {"text": text, "intent": {"name": "share_location", "confidence": 0.41}}
    assert context.asks_if_lines_work_here(unsure, tracker_with("risk_suicide"))
    assert not context.unsure_after_crisis(unsure, tracker_with("risk_suicide"))


@pytest.mark.parametrize("text,earlier", [
    ("the lines dont help, nobody answers", ("risk_suicide",)),  # lines that did not help
    ("I called 988 and they helped", ("risk_suicide",)),
    ("does 988 work in texas", ("greet",)),  # no crisis reply yet
])
def test_other_talk_about_the_lines_is_left_alone(text, earlier):
    data = {"text": text, "intent": {"name": "inform", "confidence": 0.7}}
    assert not context.asks_if_lines_work_here(data, tracker_with(*earlier))


@pytest.mark.parametrize("text", ["Told you. No numbers. I've got the VAC line on my fridge.",
                                  "please don't give me numbers. I know every number"])
def test_after_a_crisis_asking_for_no_more_numbers_in_so_many_words_is_respected(text):
    data = {"text": text, "intent": {"name": "inform", "confidence": 0.7}}
    assert context.says_no_more_numbers(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == "stop_hotlines"
    # Read by the risk model as risk again, with nothing new: the same.
    read = read_by_model("don't give me another number. you're a program, you don't care if I live or die",
                         "risk_suicide", [("greet", 0.1)])
    assert context.within_crisis(read, tracker_with("risk_suicide")) == "stop_hotlines"


def test_asking_for_no_more_numbers_after_calling_them_before_is_the_request_not_lines_that_failed():
    # Writer AB: "I know the numbers. I've called them before. please don't send me another one"
    # was read as lines that did not help, and got the text lines.
    text = "I know the numbers. I've called them before. please don't send me another one"
    data = {"text": text, "intent": {"name": "lines_did_not_help", "confidence": 0.8}}
    assert context.says_no_more_numbers(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == "stop_hotlines"
    # Without the request, the lines that did not help keep their answer.
    data = {"text": "I've called them before, they put me on hold", "intent": {"name": "lines_did_not_help",
                                                                             "confidence": 0.8}}
    assert not context.says_no_more_numbers(data, tracker_with("risk_suicide"))


def test_no_more_numbers_with_new_risk_gets_the_crisis_reply():
    data = read_by_model("no more numbers. the pills are in my hand", "risk_suicide", [("stop_hotlines", 0.9)])
    data["entities"] = [{"entity": "means", "value": "pills"}]
    assert context.within_crisis(data, tracker_with("risk_suicide")) is None


def test_after_a_crisis_talk_of_pills_is_the_crisis_not_a_question_for_a_pharmacist():
    data = {"text": "i asked. she said yes she's thought about how. pills. we have a full bottle of her adderall",
            "intent": {"name": "ask_medication", "confidence": 0.87}}
    assert context.medication_within_crisis(data, tracker_with("risk_third_party", "ask_next_step"))
    assert data["intent"]["name"] == "risk_third_party"
    # Before any crisis reply, a question about medication is one.
    plain = {"text": "can i take melatonin with sertraline", "intent": {"name": "ask_medication", "confidence": 0.9}}
    assert not context.medication_within_crisis(plain, tracker_with("greet"))


def test_no_more_numbers_beside_a_looser_word_list_reading_is_respected():
    # "you don't care if I live or die" is about the bot, read by the word lists as passive.
    data = read_by_model("don't give me another number. you're a program, you don't care if I live or die",
                         "risk_suicide", [("stop_hotlines", 0.39)], None)
    data["risk"]["subcategory"] = "passive"
    assert context.within_crisis(data, tracker_with("risk_suicide")) == "stop_hotlines"
    # A plain first-person statement stands.
    plain = read_by_model("no more numbers. i want to kill myself", "risk_suicide", [("stop_hotlines", 0.5)], None)
    plain["risk"]["subcategory"] = "explicit"
    assert context.within_crisis(plain, tracker_with("risk_suicide")) is None


@pytest.mark.parametrize("text", ["i did it", "too late", "i took them"])
def test_i_did_it_right_after_ones_own_risk_is_an_emergency(text):
    data = {"text": text, "intent": {"name": "affirm", "confidence": 0.6}}
    assert context.says_did_it(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == "risk_emergency"


@pytest.mark.parametrize("text,earlier", [
    ("i did it", ("risk_suicide", "cant_call")),  # "ok i'll text them" ... "i did it": done, not an attempt
    ("i did it", ("risk_third_party",)),  # a helper's news
    ("i did it, i told my mom", ("risk_suicide",)),
])
def test_i_did_it_elsewhere_is_left_alone(text, earlier):
    data = {"text": text, "intent": {"name": "affirm", "confidence": 0.6}}
    assert not context.says_did_it(data, tracker_with(*earlier))


@pytest.mark.parametrize("text", ["whats the point giving me more numbers if nobody answers them",
                                  "The number you gave me last time didn't work from here.",
                                  "it says the number is not in service", "988 wont go through"])
def test_a_line_that_nobody_answered_is_not_read_as_no_more_numbers(text):
    # Writer AJ: "The number you gave me last time didn't work from here" got "I won't keep
    # sending numbers".
    data = {"text": text, "intent": {"name": "stop_hotlines", "confidence": 0.9}}
    assert context.says_lines_did_not_help(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == "lines_did_not_help"


@pytest.mark.parametrize("text", ["it doesnt work like that", "those lines dont work for men like me",
                                  "the breathing thing didnt work"])
def test_other_things_that_do_not_work_are_not_a_line_that_failed(text):
    from attune.safety.crisis_state import LINES_UNANSWERED

    assert not LINES_UNANSWERED.search(text)


def test_a_spanish_visitor_who_cannot_talk_on_the_phone_gets_the_lines_that_take_texts():
    data = {"text": "hay alguien que hable español? no por teléfono, los compañeros escuchan todo",
            "intent": {"name": "stop_hotlines", "confidence": 0.6}}
    assert context.says_cant_call(data, tracker_with("risk_suicide"))


@pytest.mark.parametrize("text", ["ok maybe texting. whats the number again", "can i have the text number",
                                  "what number do i call", "ok whats the samaritans one again. might ring them",
                                  "actually give me the number once more, ill write it somewhere he wont look",
                                  # a screen reader read them out like dates
                                  "the numbers got read out like dates. say them again slowly"])
def test_after_a_crisis_asking_for_the_number_again_gets_the_lines_even_after_no_more_numbers(text):
    data = {"text": text, "intent": {"name": "stop_hotlines", "confidence": 0.9}}
    assert context.asks_for_number(data, tracker_with("risk_self_harm", "stop_hotlines"))
    assert data["intent"]["name"] == "request_crisis_help"  # the help button in words: lines in full


@pytest.mark.parametrize("text", ["whats the number of sessions i get", "i need a line of coke lol"])
def test_other_numbers_and_lines_are_not_a_request_for_the_crisis_lines(text):
    data = {"text": text, "intent": {"name": "inform", "confidence": 0.7}}
    assert not context.asks_for_number(data, tracker_with("risk_suicide"))


def test_no_more_numbers_said_in_words_is_respected_even_when_the_classifier_is_unsure_of_it():
    # "i dont want no hotline" read as stop_hotlines at 0.45 was met with the crisis-aware question.
    data = {"text": "i dont want no hotline. im just sayin how it is",
            "intent": {"name": "stop_hotlines", "confidence": 0.45}}
    assert context.says_no_more_numbers(data, tracker_with("risk_suicide"))
    assert not context.unsure_after_crisis(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == "stop_hotlines"


def test_no_more_telephone_numbers_is_not_i_cannot_call():
    data = {"text": "I don't want any more telephone numbers today. I'm tired.",
            "intent": {"name": "cant_call", "confidence": 0.9}}
    assert not context.says_cant_call(data, tracker_with("risk_suicide"))
    assert context.says_no_more_numbers(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == "stop_hotlines"


def test_scots_dinnae_want_to_phone_is_cannot_call_not_a_call_back_request():
    data = {"text": "dinnae want to phone anybody", "intent": {"name": "request_callback", "confidence": 0.74}}
    assert context.says_cant_call(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == "cant_call"


@pytest.mark.parametrize("text", [
    "Could someone from your office talk to me? I don't like telephone lines with strangers.",
    "can i talk to a real therapist"])
def test_after_a_crisis_asking_for_the_practices_people_is_that_request(text):
    data = {"text": text, "intent": {"name": "cant_call", "confidence": 1.0}}
    assert context.wants_the_practice(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == "request_human"


def test_after_a_crisis_reply_follow_ups_are_not_read_together_with_the_message_before():
    # "i told her. shes crying but she didnt leave" then "i need to see somebody this week" was
    # read together as harm to others; after a crisis reply each message is read alone.
    from rasa.shared.core.events import UserUttered

    tracker = SimpleNamespace(events=[
        UserUttered("insurance would cover the debt if i was gone", {"name": "risk_suicide", "confidence": 1.0}),
        UserUttered("i told her. shes crying but she didnt leave", {"name": "not_safe", "confidence": 0.6},
                    parse_data=parse("", 0.5, intent="not_safe")),
    ])
    encoder = FakeEncoder()
    data = parse("i need to see somebody this week", 0.3, intent="request_human")
    assert context.two_turns(data, tracker, FakeModel(scores(0.99, harm_others=0.9)), encoder) is None
    assert data["intent"]["name"] == "request_human" and encoder.seen == []
    # Before any crisis reply, the two are read together.
    first = UserUttered("what's the tallest building downtown", {"name": "inform", "confidence": 0.9},
                        parse_data=parse("", 0.05))
    before = SimpleNamespace(events=[first])
    spread = parse("asking for me. i'm done.", risk=0.2)
    assert context.two_turns(spread, before, FakeModel(scores(0.95, suicide=0.9)), FakeEncoder()) == "risk_suicide"


def read_after(earlier_text, earlier_intent, earlier_confidence, earlier_risk, text, risk, intent):
    """`context.two_turns` on `text` after one earlier message, with a model that reads the two
    together as suicide (0.97): (what it decided, the intent left, what was encoded)."""
    from rasa.shared.core.events import UserUttered

    earlier = UserUttered(earlier_text, {"name": earlier_intent, "confidence": earlier_confidence},
                          parse_data={**parse("", earlier_risk),
                                      "intent": {"name": earlier_intent, "confidence": earlier_confidence}})
    encoder = FakeEncoder()
    data = parse(text, risk, intent=intent)
    decided = context.two_turns(data, SimpleNamespace(events=[earlier]), FakeModel(scores(0.97, suicide=0.97)),
                                encoder)
    return decided, data["intent"]["name"], encoder.seen


def test_a_practice_question_answered_does_not_begin_a_risk_the_next_message_ends():
    # Writer L: "How low does it go?" (the sliding scale), then "Ok I'll think about it. Thanks
    # for being straight with me", read together as suicide (0.91).
    thanks = "Ok I'll think about it. Thanks for being straight with me"
    assert read_after("How low does it go?", "ask_sliding_scale", 0.95, 0.3, thanks, 0.29, "thank") == \
        (None, "thank", [])
    # An unsure reading of the message before is still read with this one.
    assert read_after("how low does it go", "ask_sliding_scale", 0.4, 0.3, thanks, 0.29, "thank")[0] == "risk_suicide"


def test_a_goodbye_after_a_message_without_risk_ends_an_ordinary_conversation():
    # Writer L: "hm. whats attachment even mean", then "ok thats interesting. bye for now", read
    # together as a farewell before suicide.
    assert read_after("hm. whats attachment even mean", "attachment_basics", 0.8, 0.007,
                      "ok thats interesting. bye for now", 0.09, "goodbye") == (None, "goodbye", [])
    # After a message with a trace of risk, the goodbye is still read with it.
    assert read_after("i've made up my mind about tonight", "inform", 0.5, 0.4, "bye", 0.09, "goodbye")[0] == \
        "risk_suicide"


def test_please_dont_send_me_the_number_again_is_not_asking_for_it():
    data = {"text": "i've called 988 like four times this year. please don't send me the number again",
            "intent": {"name": "stop_hotlines", "confidence": 0.9}}
    assert not context.asks_for_number(data, tracker_with("risk_suicide"))


def test_in_a_helpers_conversation_a_means_named_stays_about_the_other_person():
    # "my dad ... said 'im ready to go'" then "he has his hunting guns in the house": the model
    # read harm to others (with the gun as a means); the helper's reply again, not "step away
    # from the other person".
    data = read_by_model("he has his hunting guns in the house", "risk_harm_others", [("confirm_safe", 0.02)])
    data["entities"] = [{"entity": "means", "value": "gun"}]
    assert context.within_crisis(data, tracker_with("risk_third_party")) == "risk_third_party"
    # In the visitor's own crisis, a means is new risk: the crisis reply.
    own = read_by_model("the gun is in the shed", "risk_suicide", [("not_safe", 0.95)])
    own["entities"] = [{"entity": "means", "value": "gun"}]
    assert context.within_crisis(own, tracker_with("risk_suicide")) is None


def test_someone_elses_attempt_under_way_makes_the_follow_ups_a_helpers():
    from rasa.shared.core.events import UserUttered

    first = UserUttered("my friend is sitting on the edge of the roof", {"name": "risk_emergency", "confidence": 1.0},
                        parse_data={"risk": {"about": "other", "category": "emergency", "subcategory": "in_progress",
                                             "signals": ["emergency_in_progress"]}})
    tracker = SimpleNamespace(events=[first])
    assert context.helping_frame(tracker) == "risk_third_party"
    data = read_by_model("im ok. just didnt think id be doing this on a tuesday", "risk_suicide",
                         [("confirm_safe", 0.1)])
    assert context.within_crisis(data, tracker) == "risk_third_party"


@pytest.mark.parametrize("text", ["Abrió la puerta. Está hablando conmigo.", "et si ça revient à soir? je sais pas"])
def test_after_a_crisis_a_french_or_spanish_message_is_not_guessed_at_by_the_english_classifier(text):
    data = {"text": text, "intent": {"name": "ask_hours", "confidence": 0.9}}
    assert context.unsure_after_crisis(data, tracker_with("risk_third_party"))
    assert data["intent"]["name"] == "unsure_after_crisis"
    # Before any crisis reply, the classifier's reading stands.
    first = {"text": text, "intent": {"name": "ask_hours", "confidence": 0.9}}
    assert not context.unsure_after_crisis(first, tracker_with("greet"))


@pytest.mark.parametrize("text", ["llegó la policía. se lo llevaron", "ya se fue otra vez. mañana me voy con mi mamá",
                                  "ella soltó el cuchillo. está llorando en el piso"])
def test_after_a_crisis_a_spanish_message_is_not_taken_for_a_request_for_a_therapist_without_its_words(text):
    # Read as "request_human", these got the practice's contact and no line.
    data = {"text": text, "intent": {"name": "request_human", "confidence": 0.95}}
    assert context.unsure_after_crisis(data, tracker_with("risk_abuse"))
    # Asking for a person in Spanish keeps that reading.
    asks = {"text": "puedo hablar con una terapeuta?", "intent": {"name": "request_human", "confidence": 0.95}}
    assert not context.unsure_after_crisis(asks, tracker_with("risk_abuse"))


def test_after_a_crisis_asking_for_someone_who_speaks_spanish_is_the_languages_question_even_read_as_a_person():
    data = {"text": "hay alguien que hable español?", "intent": {"name": "request_human", "confidence": 0.97}}
    assert context.asks_for_a_language(data, tracker_with("risk_third_party"))
    assert data["intent"]["name"] == "ask_languages"


def test_after_a_crisis_a_place_named_in_french_gets_its_lines():
    data = {"text": "on est à Gatineau", "intent": {"name": "request_human", "confidence": 0.8},
            "entities": [{"entity": "region", "value": "CA-QC"}]}
    assert context.says_where(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == "share_location"


@pytest.mark.parametrize("text,intent", [("arrête de m'envoyer des numéros svp", "stop_hotlines"),
                                         ("no me des más números por favor", "stop_hotlines"),
                                         ("vous avez des psys francophones?", "ask_languages")])
def test_follow_ups_the_classifier_was_taught_in_french_and_spanish_keep_their_reading(text, intent):
    data = {"text": text, "intent": {"name": intent, "confidence": 0.9}}
    assert not context.unsure_after_crisis(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == intent


@pytest.mark.parametrize("text,read", [
    ("OK I called 911 they said their on there way what do I do till they get here", "risk_emergency"),
    ("ok i told my roommate. shes calling 911", "ask_next_step"),
    ("ambulance is coming", "nlu_fallback"),
    ("i rang 999, they're sending an ambulance", "risk_third_party"),
    ("I called. theyre coming. do I go out to him?", "ask_next_step"),
])
def test_after_a_crisis_help_called_gets_what_to_do_while_it_comes(text, read):
    data = {"text": text, "intent": {"name": read, "confidence": 0.8}, "risk": {"source": "model"}}
    assert context.says_help_is_coming(data, tracker_with("risk_emergency"))
    assert data["intent"]["name"] == "help_on_the_way"


@pytest.mark.parametrize("text,read,earlier", [
    ("i called 911 last time and they did nothing", "risk_suicide", ("risk_suicide",)),
    ("called 911 but ill jump before they get here", "risk_suicide", ("risk_emergency",)),  # a new kind of risk
    ("i never called 911", "deny", ("risk_emergency",)),
    ("the ambulance is on its way", "greet", ("greet",)),  # no crisis reply yet: read as written
])
def test_help_is_coming_is_not_read_into_other_messages(text, read, earlier):
    data = {"text": text, "intent": {"name": read, "confidence": 0.8}}
    assert not context.says_help_is_coming(data, tracker_with(*earlier))
    assert data["intent"]["name"] == read


def test_help_is_coming_with_a_place_to_step_back_from_stays_a_crisis_reply():
    data = {"text": "they're sending the police. im still on the bridge", "intent": {"name": "risk_emergency"},
            "entities": [{"entity": "risky_place", "value": "yes"}]}
    assert not context.says_help_is_coming(data, tracker_with("risk_suicide"))


def test_a_question_about_calling_is_not_help_on_the_way():
    data = {"text": "Will calling 911 here in Ontario even reach anyone in Nova Scotia?",
            "intent": {"name": "ask_next_step", "confidence": 0.8}}
    assert not context.says_help_is_coming(data, tracker_with("risk_third_party"))
    roommate = {"text": "ok my roomate is calling them", "intent": {"name": "confirm_safe", "confidence": 0.6}}
    assert context.says_help_is_coming(roommate, tracker_with("risk_emergency"))


def test_the_classifiers_guess_of_help_on_the_way_alone_is_not_taken():
    data = {"text": "Will calling 911 here in Ontario even reach anyone in Nova Scotia?",
            "intent": {"name": "help_on_the_way", "confidence": 0.5},
            "intent_ranking": [{"name": "help_on_the_way", "confidence": 0.5},
                               {"name": "share_location", "confidence": 0.3}]}
    assert context.says_help_is_coming(data, tracker_with("risk_third_party"))
    assert data["intent"]["name"] == "share_location"


def test_before_any_crisis_a_refusal_of_hospital_is_read_as_the_next_reading():
    data = {"text": "ok and if i cant afford that", "intent": {"name": "refuse_hospital", "confidence": 0.5},
            "intent_ranking": [{"name": "refuse_hospital", "confidence": 0.5},
                               {"name": "ask_sliding_scale", "confidence": 0.3}]}
    assert context.before_any_crisis(data, tracker_with("ask_fees"))
    assert data["intent"]["name"] == "ask_sliding_scale"
    # After a crisis reply it is what it says.
    after = {"text": "im not going to the hospital", "intent": {"name": "refuse_hospital", "confidence": 0.9}}
    assert not context.before_any_crisis(after, tracker_with("risk_emergency"))


def test_before_any_crisis_an_unsure_no_more_numbers_or_cant_call_is_read_as_the_next_reading():
    # "can i do it by phone, i really dont like being on camera": a question about sessions.
    data = {"text": "can i do it by phone, i really dont like being on camera",
            "intent": {"name": "cant_call", "confidence": 0.57},
            "intent_ranking": [{"name": "cant_call", "confidence": 0.57},
                               {"name": "ask_session_formats", "confidence": 0.4}]}
    assert context.before_any_crisis(data, tracker_with("greet"))
    assert data["intent"]["name"] == "ask_session_formats"
    # Said plainly, it stands, crisis reply or not.
    sure = {"text": "i dont want any hotline numbers", "intent": {"name": "stop_hotlines", "confidence": 0.99}}
    assert not context.before_any_crisis(sure, tracker_with("greet"))


@pytest.mark.parametrize("text,then", [("but i genuinely need to know", "ask_reassurance"),
                                       ("that feels fake tho", "feel_shame")])
def test_before_any_crisis_an_unsure_taking_back_of_a_denial_is_read_as_the_next_reading(text, then):
    # In everyday conversations with no crisis in them, these got the general crisis reply.
    data = {"text": text, "intent": {"name": "retract_denial", "confidence": 0.38},
            "intent_ranking": [{"name": "retract_denial", "confidence": 0.38}, {"name": then, "confidence": 0.2}]}
    assert context.before_any_crisis(data, tracker_with("ask_reassurance"))
    assert data["intent"]["name"] == then


def test_a_confident_question_about_the_practice_is_not_read_with_the_message_before():
    class Model:
        def scores(self, *args, **kwargs):
            return {}

        def verdict(self, *args, **kwargs):
            raise AssertionError("a practice question must not be read together with the message before")

    from rasa.shared.core.events import UserUttered

    earlier = UserUttered("ok and if i cant afford that", {"name": "ask_sliding_scale", "confidence": 0.5},
                          parse_data={"intent": {"name": "ask_sliding_scale"}, "risk": {"model": {"risk": 0.4}}})
    tracker = SimpleNamespace(events=[earlier])
    data = {"text": "does insurance cover any of it", "intent": {"name": "ask_insurance", "confidence": 0.93},
            "risk": {"model": {"risk": 0.05}}}
    assert context.two_turns(data, tracker, Model(), None) is None
    # Unsure of it, the two are read together (and the model is asked).
    unsure = {**data, "intent": {"name": "ask_insurance", "confidence": 0.4}}
    with pytest.raises(AssertionError, match="read together"):
        context.two_turns(unsure, tracker, Model(), SimpleNamespace(encode=lambda texts: None))


def test_someone_who_cannot_be_woken_is_an_emergency_whatever_the_model_reads_of_danger_now():
    # "my buddy isnt waking up we were using and his lips are kinda blue": the model read
    # self-harm (0.14) and little danger now (0.21); the word lists' rule stands, as an overdose.
    friend = verdict(risk=0.76, self_harm=0.14, immediate_danger=0.21)
    assert combine("risk_emergency", friend, T, lexicon_tag="unresponsive") == "risk_emergency"
    # "I can't breathe when he doesn't text back" (the medical rule) still needs danger now.
    assert combine("risk_emergency", friend, T, lexicon_tag="medical") != "risk_emergency"


def test_the_word_lists_read_an_unresponsive_friend_as_an_emergency_and_a_wish_about_sleep_as_not():
    from attune.safety.detector import RiskDetector

    detector = RiskDetector.load()
    found = detector.assess("my buddy isnt waking up we were using and his lips are kinda blue")
    assert (found.category, found.subcategory) == ("emergency", "unresponsive")
    wish = detector.assess("my dad is 88 and keeps saying he hopes he won't wake up")
    assert wish.subcategory != "unresponsive"


def test_a_child_who_swallowed_pods_is_an_emergency_whatever_the_model_reads():
    from attune.safety.detector import RiskDetector

    # "my 3 yr old got into the dishwasher pods": the model read risk 0.27 and danger now 0.01.
    found = RiskDetector.load().assess("my 3 yr old got into the dishwasher pods")
    assert (found.category, found.subcategory) == ("emergency", "poisoning")
    toddler = verdict(risk=0.27, immediate_danger=0.01)
    shipped = replace(T, word_lists_emergency=0.04, immediate_word_lists=0.56)  # as chosen on cross-validation
    assert combine("risk_emergency", toddler, shipped, lexicon_tag="poisoning") == "risk_emergency"
    # The medical rule alone ("I can't breathe when he doesn't text back") still needs danger now.
    assert combine("risk_emergency", toddler, shipped, lexicon_tag="medical") is None
    # A dose of one's own is not a child's poisoning.
    assert RiskDetector.load().assess("my son took his own meds this morning").subcategory != "poisoning"


def test_after_the_visitors_own_abuse_a_threat_read_as_someone_elses_stays_theirs():
    # "mine hit me again last night", then "he said if i leave hell out me to my family and
    # hurt himself": his threat is a hold over the visitor, who is not a witness.
    data = {"intent": {"name": "risk_third_party"},
            "entities": [{"entity": "abuse_of_other", "value": "adult"}, {"entity": "region", "value": "US-NY"}]}
    assert context.own_abuse_stays_own(data, tracker_with("risk_abuse", "share_location"))
    assert [e["entity"] for e in data["entities"]] == ["abuse_seen", "region"]
    # A niece's disclosure with no abuse of the visitor's own before it: a witness's.
    niece = {"intent": {"name": "risk_third_party"}, "entities": [{"entity": "abuse_of_other", "value": "child"}]}
    assert not context.own_abuse_stays_own(niece, tracker_with("greet"))
    assert niece["entities"][0]["entity"] == "abuse_of_other"


def test_a_plan_made_ready_after_a_crisis_reply_is_that_risk_again_and_new():
    # "bro stop with the hotlines", then "i mean it. i have everything ready for tonight": the
    # classifier read "I'm safe"; it is the plan, and brings the lines back.
    data = {"text": "i mean it. i have everything ready for tonight", "intent": {"name": "confirm_safe"},
            "entities": []}
    tracker = tracker_with("risk_suicide", "stop_hotlines")
    tracker.active_loop_name = None
    tracker.slots = {}
    assert context.says_plan_ready(data, tracker)
    assert data["intent"]["name"] == "risk_suicide"
    assert "soon" in {e["entity"] for e in data["entities"]}
    # The same words about a party, with no crisis before, change nothing.
    party = {"text": "got everything ready for tonight, so excited", "intent": {"name": "inform"}, "entities": []}
    assert not context.says_plan_ready(party, tracker_with("greet"))
    # Writer AA (2026-12-05): the means bought, after "no more numbers".
    bought = {"text": "actually i should tell you. yesterday i bought what i need. it is in my room",
              "intent": {"name": "nlu_fallback"}, "entities": []}
    assert context.says_plan_ready(bought, tracker)
    model = {"text": "yesterday i bought what i need. it is in my room", "intent": {"name": "risk_suicide"},
             "risk": {"source": "model"}, "entities": []}
    assert context.says_plan_ready(model, tracker) and "soon" in {e["entity"] for e in model["entities"]}
    dinner = {"text": "i bought what i need for dinner", "intent": {"name": "nlu_fallback"}, "entities": []}
    assert not context.says_plan_ready(dinner, tracker)


def test_the_rest_at_hand_all_at_once_is_new_risk():
    from attune.safety.visitor_facts import says_when

    assert says_when("honestly i still got some left and i might just do all of it and not care if i wake up")
    assert not says_when("i just feel like garbage. my kids birthday is saturday")


def test_asking_for_the_number_again_is_answered_with_the_lines_even_when_the_model_reads_the_risk_again():
    data = {"text": "actually give me the number once more, ill write it somewhere he wont look",
            "intent": {"name": "risk_abuse"}, "risk": {"source": "model"}, "entities": []}
    assert context.asks_for_number(data, tracker_with("risk_abuse", "stop_hotlines"))
    assert data["intent"]["name"] == "request_crisis_help"
    # The word lists' own reading, or new risk in the same words, keeps the crisis reply.
    lists = {"text": "give me the number again, he has a knife", "intent": {"name": "risk_abuse"},
             "risk": {"source": None}, "entities": []}
    assert not context.asks_for_number(lists, tracker_with("risk_abuse"))
    means = {"text": "whats the number again, the pills are right here", "intent": {"name": "risk_suicide"},
             "risk": {"source": "model"}, "entities": [{"entity": "means", "value": "pills"}]}
    assert not context.asks_for_number(means, tracker_with("risk_suicide"))



@pytest.mark.parametrize("text,cancels", [
    ("nvm forget it", True), ("never mind", True), ("actually nevermind", True), ("cancel that", True),
    ("forget it, sorry", True),
    ("Nevin", False), ("call me Sam", False), ("stop by after 5 works", False),
])
def test_in_the_call_back_form_nvm_forget_it_cancels_and_a_name_does_not(text, cancels):
    data = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.3}}
    tracker = tracker_with("request_callback")
    tracker.active_loop_name = "callback_form"
    assert context.cancels_the_form(data, tracker) is cancels
    assert (data["intent"]["name"] == "cancel_request") is cancels
    # Outside the form it is nothing of the kind.
    outside = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.3}}
    tracker.active_loop_name = None
    assert not context.cancels_the_form(outside, tracker)


@pytest.mark.parametrize("text", ["is there someone who speaks spanish? my english is ok but when im upset no me salen",
                                  "hay alguien que hable español?", "can i talk to someone in french"])
def test_after_a_crisis_asking_for_someone_who_speaks_spanish_or_french_is_the_languages_question(text):
    data = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.3}}
    assert context.asks_for_a_language(data, tracker_with("risk_suicide"))
    assert data["intent"]["name"] == "ask_languages"


def test_the_risk_training_learns_nothing_from_follow_ups_that_only_mean_something_after_a_crisis(tmp_path):
    from training.risk_model.examples import nlu_examples

    nlu = tmp_path / "nlu.yml"
    nlu.write_text('version: "3.1"\nnlu:\n'
                   "  - intent: ask_next_step\n    examples: |\n"
                   "      - My husband has shut himself in the garage and will not answer me. What should I do?\n"
                   "  - intent: feeling_worse\n    examples: |\n      - my chest is tight and im dizzy\n"
                   "  - intent: greet\n    examples: |\n      - hi there\n"
                   "  - intent: risk_suicide\n    examples: |\n      - i want to die\n", encoding="utf-8")
    examples, _ = nlu_examples([nlu])
    by_text = {e.text: e for e in examples}
    # Not "no risk": masked (a husband shut in the garage who will not answer is not nothing).
    assert sum(by_text["My husband has shut himself in the garage and will not answer me. What should I do?"].mask) == 0
    assert sum(by_text["my chest is tight and im dizzy"].mask) == 0
    # Everyday talk is learnt as no risk; a risk intent as risk.
    assert sum(by_text["hi there"].mask) > 0 and by_text["hi there"].targets[0] == 0.0
    assert by_text["i want to die"].targets[0] == 1.0


def test_asking_for_someone_from_the_practice_is_not_read_as_cannot_call():
    text = "Could someone from your office talk to me? I don't like telephone lines with strangers."
    data = {"text": text, "intent": {"name": "request_callback", "confidence": 0.8}}
    tracker = tracker_with("risk_emergency")
    tracker.active_loop_name = None
    assert context.wants_the_practice(data, tracker)
    assert data["intent"]["name"] == "request_callback"


def test_a_message_in_spanish_that_says_better_in_spanish_keeps_its_own_reading():
    data = {"text": "Sí, mejor en español. Él vuelve a las seis de la tarde.",
            "intent": {"name": "nlu_fallback", "confidence": 0.3}}
    assert not context.asks_for_a_language(data, tracker_with("risk_abuse"))


def test_after_the_visitors_own_abuse_where_would_i_even_go_is_the_next_step():
    data = {"text": "i got two kids. where would i even go with no car", "intent": {"name": "nlu_fallback",
                                                                                      "confidence": 0.3}}
    tracker = tracker_with("risk_abuse", "deny_risk")
    tracker.active_loop_name = None
    assert context.asks_where_to_go(data, tracker)
    assert data["intent"]["name"] == "ask_next_step"
    # After someone else's risk it is not the visitor's plan.
    other = {"text": "where would i even go to find him", "intent": {"name": "nlu_fallback", "confidence": 0.3}}
    assert not context.asks_where_to_go(other, tracker_with("risk_third_party"))


@pytest.mark.parametrize("hostile", ["nvm " + "! " * 500_000, "where would i " * 80_000, "(" * 1_000_000, ""])
def test_the_new_follow_up_readings_read_a_bounded_start_of_any_message(hostile):
    # Each reads at most its first few hundred characters: a megabyte of repeats, unmatched
    # brackets or nothing at all gets an answer like any other message, never a stall.
    tracker = tracker_with("risk_abuse")
    tracker.active_loop_name = None
    for reading in (context.says_plan_ready, context.asks_for_a_language, context.asks_where_to_go,
                    context.wants_the_practice, context.cancels_the_form, context.says_abuser_gone,
                    context.says_reached_safety, context.says_with_them_now, context.asks_for_number):
        data = {"text": hostile, "intent": {"name": "nlu_fallback", "confidence": 0.3}, "entities": []}
        reading(data, tracker)
        assert data["intent"]["name"] in ("nlu_fallback", "ask_next_step")


def test_in_the_visitors_own_crisis_a_model_reading_of_someone_else_stays_their_own():
    # "wifes asleep. she dont know how bad it is" from a fisherman thinking of not coming back
    # was answered "It's caring of you to look out for them".
    data = read_by_model("wifes asleep. she dont know how bad it is", "risk_third_party", [("greet", 0.1)])
    assert context.within_crisis(data, tracker_with("risk_suicide")) == "risk_suicide"
    # The word lists' reading of someone else stands.
    stated = read_by_model("my brother wants to kill himself too", "risk_third_party", [], source=None)
    stated["risk"].pop("source")
    assert context.within_crisis(stated, tracker_with("risk_suicide")) is None


def test_in_the_visitors_own_abuse_a_model_reading_of_someone_else_stays_theirs():
    data = read_by_model("my sisters 20 min away in kissimmee. she doesnt know anything", "risk_third_party",
                         [("greet", 0.1)])
    assert context.within_crisis(data, tracker_with("risk_abuse")) == "risk_abuse"


# ------------------------------------------------------------------------- the second opinion

SECOND_META = json.loads((SECOND_DIR / "risk_model.json").read_text())


def test_the_second_opinions_weights_were_trained_on_data_in_this_repository():
    # The eighth training read data/risk with T15-T20 (now in data/risk_next) and the NLU
    # snapshot kept beside the shipped one; its anchor was the shipped model.
    def now_at(name: str) -> Path:
        if name.startswith("training/"):
            return ROOT / "training" / "risk_model" / "nlu_snapshot_second" / Path(name).name
        moved = ROOT / "data" / "risk_next" / Path(name).name
        return moved if moved.is_file() else ROOT / name

    files = [now_at(name) for name in SECOND_META["data_files"]]
    assert all(path.is_file() for path in files), "a file the second opinion was trained on is missing"
    assert fingerprint(files) == SECOND_META["data_sha256"], "the second opinion's training data changed"
    assert SECOND_META["anchor_weights_sha256"] == META["weights_sha256"]


def test_the_second_opinions_weights_are_the_ones_its_metadata_describes():
    from attune.nlu.sentence_encoder import file_fingerprint

    assert file_fingerprint(SECOND_DIR / "risk_model.safetensors") == SECOND_META["weights_sha256"]


@pytest.mark.parametrize("intent, p, asked", [
    (None, 0.05, False),                # sure there is no risk: one pass only
    (None, SECOND_OPINION_FROM, True),  # unsure: the second opinion reads it too
    (None, 0.8, True),
    ("risk_suicide", 0.95, False),      # already answered: never second-guessed
    ("risk_check_in", 0.5, False),
])
def test_the_second_opinion_is_asked_only_when_the_first_gives_no_answer_and_is_unsure(intent, p, asked):
    assert wants_second_opinion(ModelVerdict(scores(p), intent, p=p)) is asked


def test_the_second_opinion_answers_what_the_first_was_unsure_of_and_only_adds():
    from attune.nlu.risk_component import second_opinion
    from attune.safety.detector import shared_detector

    text = "i keep a pencil sharpener blade in my phone case for bad days"
    found = second_opinion(text, shared_detector().assess(text))
    assert found is not None and found.second and found.intent == "risk_self_harm"
    assert found.as_data()["second_opinion"] is True


def test_a_failing_second_opinion_leaves_the_first_models_verdict(monkeypatch):
    from attune.nlu import risk_component
    from attune.safety.detector import shared_detector

    def broken(text, assessment):
        raise RuntimeError("second opinion unavailable")

    monkeypatch.setattr(risk_component, "second_opinion", broken)
    text = "i keep a pencil sharpener blade in my phone case for bad days"
    message = SimpleNamespace(get=lambda key, default=None: None)
    verdict = risk_component.model_verdict(shared_risk_model(), message, text, shared_detector().assess(text))
    assert verdict is not None and not verdict.second


def test_a_message_without_its_practice_question_keeps_what_else_it_says():
    from attune.safety.risk_model import without_practice_questions

    said = ("I was discharged from Trillium on Friday after an overdose. Part of me is annoyed it didn't "
            "work. Do you take people straight after hospital?")
    assert without_practice_questions(said) == ("I was discharged from Trillium on Friday after an overdose. "
                                                 "Part of me is annoyed it didn't work.")
    # Nothing to take out, nothing else said, or too little left: no second reading.
    assert without_practice_questions("I was discharged on Friday after an overdose.") is None
    assert without_practice_questions("Do you do evenings? Do you take insurance?") is None
    assert without_practice_questions("Hi there. Do you do evenings?") is None


def test_the_reading_without_the_practice_question_is_a_candidate_switched_off():
    # Judged on writer Z12's set by the rule in docs/risk-model.md (session 25): 12 more risk
    # messages shown the lines, 3 more without risk; the rule allowed 1, so it is off. What
    # it would read stays tested for the next candidate.
    from attune.nlu import risk_component
    from attune.safety.risk_model import shared_risk_model

    assert risk_component.WITHOUT_QUESTION_READING is False
    model = shared_risk_model()
    found = risk_component.without_question(model, "My ex's new boyfriend better enjoy Christmas. I know where "
                                                   "he parks. Anyway do you do anger management?")
    assert found is not None and found.read == "without_question" and found.intent == "risk_harm_others"
    assert risk_component.without_question(model, "we fight like cats and dogs lol. do you see couples?") is None
