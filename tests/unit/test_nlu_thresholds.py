"""What the threshold report counts as a visitor's outcome (evaluation/nlu_thresholds.py): the
figures behind config.yml's fallback and soft-net thresholds are only as good as this."""

from __future__ import annotations

import pytest

from evaluation.nlu_thresholds import Held, fallback_outcome, fallback_table, risk_guess, soft_net_table


def held(true, *ranking, text="why do I pull away from people"):
    return Held(text, true, tuple(ranking))


def test_a_confident_right_guess_is_an_answer_and_a_wrong_one_a_neighbouring_topic():
    assert fallback_outcome(held("ask_push_pull", ("ask_push_pull", 0.8), ("greet", 0.1)), 0.3) == "right"
    wrong = held("ask_push_pull", ("ask_causes", 0.8), ("ask_push_pull", 0.1))
    assert fallback_outcome(wrong, 0.3) == "neighbouring topic"


def test_below_the_threshold_the_right_topic_can_still_be_one_tap_away():
    item = held("ask_push_pull", ("ask_causes", 0.28), ("ask_push_pull", 0.2), ("greet", 0.1))
    assert fallback_outcome(item, 0.25) == "neighbouring topic"
    assert fallback_outcome(item, 0.3) == "rephrase, right topic one tap away"


def test_a_greeting_is_never_a_topic_button_so_its_rephrase_is_a_plain_one():
    assert fallback_outcome(held("greet", ("greet", 0.2), ("thank", 0.1)), 0.3) == "rephrase"


def test_two_guesses_within_the_ambiguity_margin_fall_back():
    item = held("ask_push_pull", ("ask_push_pull", 0.42), ("ask_causes", 0.40))
    assert fallback_outcome(item, 0.3) == "rephrase, right topic one tap away"
    assert fallback_outcome(item, 0.3, ambiguity=0.0) == "right"


def test_the_classifiers_own_unknown_words_fallback_is_a_rephrase_whatever_the_threshold():
    item = held("greet", ("nlu_fallback", 1.0), ("greet", 0.5), ("thank", 0.2), text="heyyo")
    assert fallback_outcome(item, 0.0) == "rephrase"


def test_an_unconfirmed_risk_guess_gives_way_to_the_next_intent_only_when_it_is_confident():
    confident = held("ask_push_pull", ("risk_self_harm", 0.55), ("ask_push_pull", 0.45))
    unsure = held("ask_push_pull", ("risk_self_harm", 0.6), ("ask_push_pull", 0.3))
    assert fallback_outcome(confident, 0.3) == "right"
    assert fallback_outcome(unsure, 0.3) == "rephrase, right topic one tap away"


def test_the_fallback_table_counts_everyday_messages_only_and_sums_to_one():
    items = [held("ask_push_pull", ("ask_push_pull", 0.9)), held("greet", ("greet", 0.2)),
             held("risk_suicide", ("risk_suicide", 0.9), text="i want to end it all")]
    (row,) = fallback_table(items, [0.3])
    assert row["messages"] == 2
    assert row["right"] == pytest.approx(0.5) and row["rephrase"] == pytest.approx(0.5)
    assert row["right within one tap"] == pytest.approx(0.5)


def test_the_soft_net_counts_risk_guesses_at_the_threshold_on_messages_of_three_words_or_more():
    items = [
        held("risk_suicide", ("greet", 0.5), ("risk_suicide", 0.4), text="i want to end it all"),
        held("risk_suicide", ("risk_suicide", 0.9), text="kms"),  # too short for the soft net
        held("ask_push_pull", ("ask_push_pull", 0.5), ("risk_self_harm", 0.45)),
        held("greet", ("greet", 0.9), text="hello there you"),
    ]
    assert risk_guess(items[0]) == 0.4 and risk_guess(items[3]) == 0.0
    low, high = soft_net_table(items, [0.4, 0.5])
    assert (low["risk examples"], low["risk reached"], low["everyday reached"]) == (2, 0.5, 1)
    assert (high["risk reached"], high["everyday reached"]) == (0.0, 0)
