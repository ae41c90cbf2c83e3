"""A long message is read to its end: the encoder reads about 170 words at once, so a longer
message is also read in windows that reach its last line, and so are two messages read
together and the long messages the risk model learns from."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from attune.safety import context
from attune.safety.risk_model import ModelVerdict, RiskModel, Thresholds, decide
from attune.safety.windows import MAX_WINDOWS, WHOLE_WORDS, WINDOW_WORDS, extra_windows, last_reading
from training.risk_model.examples import Example, composed

T = Thresholds(crisis=0.6, check_in=0.3, immediate=0.5, long=0.7)
STORY = ("we met at a friends birthday and for a while it was easy, he texted every morning and "
         "i stopped checking my phone all the time. then he started going quiet for days. ")
LAST_LINE = "anyway i have the pills here and i am going to take them tonight"


def scores(risk=0.0, **others):
    base = {"risk": risk, "suicide": 0.0, "self_harm": 0.0, "abuse": 0.0, "harm_others": 0.0,
            "immediate_danger": 0.0, "other": 0.0, "child": 0.0}
    base.update(others)
    return base


def long_message(words: int) -> str:
    story = (STORY * 40).split()
    return " ".join(story[: words - len(LAST_LINE.split())]) + " " + LAST_LINE


def test_a_message_the_encoder_reads_whole_gets_no_extra_reading():
    assert extra_windows(long_message(WHOLE_WORDS)) == []
    assert last_reading("i'm fine, just tired") == "i'm fine, just tired"


def test_the_last_line_of_a_message_at_the_practices_limit_is_read():
    from attune.nlu.sentence_encoder import shared_encoder

    text = long_message(390)  # about 2,000 characters: the practice's default limit
    assert len(text) >= 1900
    tokenizer = shared_encoder()._tokenizer
    # The whole reading alone (256 word pieces, cut at the end) stops long before the last line ...
    assert len(tokenizer.encode(text, 10_000)) > 256 + len(tokenizer.encode(LAST_LINE, 10_000))
    # ... the first window ends with it, and fits in what the encoder reads.
    windows = extra_windows(text)
    assert windows[0].endswith(LAST_LINE)
    assert all(len(tokenizer.encode(w, 10_000)) <= 256 for w in windows)


@pytest.mark.parametrize("words", [171, 250, 340, 450])
def test_the_whole_reading_and_the_windows_together_cover_every_word(words):
    text = " ".join(f"w{n}" for n in range(words))
    covered = set(range(WHOLE_WORDS))
    for window in extra_windows(text):
        covered |= {int(w[1:]) for w in window.split()}
    assert covered >= set(range(words))
    assert all(len(w.split()) <= WINDOW_WORDS for w in extra_windows(text))


def test_a_pasted_wall_of_text_costs_a_bounded_number_of_readings():
    windows = extra_windows(" ".join(["word"] * 50_000))
    assert len(windows) == MAX_WINDOWS


def test_risk_in_the_last_window_gets_the_crisis_reply_at_the_long_message_threshold():
    model = RiskModel(("risk",), np.zeros((1, 2)), np.zeros(1), T)
    text = long_message(300)
    readings = model.readings(text)
    assert readings[0] == text and readings[1].endswith(LAST_LINE)
    found = model.verdict([scores(0.1)] + [scores(0.95, suicide=0.9)] + [scores(0.1)] * (len(readings) - 2),
                          readings)
    assert found.intent == "risk_suicide" and found.read == "window"
    # A window is weighed as a long message: below the `long` threshold it is no crisis.
    found = model.verdict([scores(0.1), scores(0.65, suicide=0.9)] + [scores(0.1)] * (len(readings) - 2),
                          readings)
    assert found.intent is None


class FakeModel:
    thresholds = T

    def scores(self, vectors):
        return [scores(0.95, suicide=0.9)]

    def verdict(self, readings, texts=None, lexicon=None, two_turns=False):
        return ModelVerdict(readings[0], decide(readings[0], T), "two_turns")


class Encoder:
    def __init__(self):
        self.seen = []

    def encode(self, texts):
        self.seen.extend(texts)
        return np.zeros((len(texts), 2))


def test_a_short_message_after_a_long_one_is_still_read_with_it():
    previous = SimpleNamespace(text=" ".join((STORY * 20).split()[:200]),
                               parse_data={"risk": {"model": {"risk": 0.3}}})
    data = {"text": "anyway. i have the pills here", "intent": {"name": "chitchat", "confidence": 0.7},
            "intent_ranking": [], "risk": {"model": {"risk": 0.2}}}
    encoder = Encoder()
    assert context.read_together(data, previous, FakeModel(), encoder) == "risk_suicide"
    assert encoder.seen[0].endswith("going quiet for days. we met anyway. i have the pills here")


def example(text, risk, group="relationship", source="t1.jsonl", turns=1, suicide=0.0):
    return Example(text, [risk, suicide, 0, 0, 0, 0, 0, 0], [1.0] * 8, -1, group, source, turns)


def test_composed_long_messages_come_from_the_training_part_only_and_carry_its_labels():
    fillers = [example(f"filler number {n} about my boyfriend going quiet again tonight", 0.0) for n in range(40)]
    held_out = [example("held out message never to be seen in training", 0.0),
                example("held out risk i want to die tonight", 1.0, "explicit", suicide=1.0)]
    risks = [example(f"risk {n} i want to end it", 1.0, "explicit", suicide=1.0) for n in range(5)]
    negated = [example("i'm not suicidal just exhausted", 0.0, "negated")]
    nlu = [example("book a session", 0.0, "book", "nlu:book")]
    pool = fillers + held_out + risks + negated + nlu
    training = [i for i, e in enumerate(pool) if e not in held_out]
    made = composed(pool, training, 50, seed=3)
    assert len(made) == 50
    for e in made:
        assert "held out" not in e.text and "not suicidal" not in e.text and "book a session" not in e.text
        assert 2 <= e.text.count("filler number") and len(e.text.split()) <= WHOLE_WORDS
        has_risk = "i want to end it" in e.text
        assert (e.group == "composed_risk") == has_risk
        assert e.targets[:2] == ([1.0, 1.0] if has_risk else [0.0, 0.0])
    assert 15 <= sum(e.group == "composed_risk" for e in made) <= 25
    # The same seed composes the same messages: training is reproducible.
    assert [e.text for e in composed(pool, training, 50, seed=3)] == [e.text for e in made]
