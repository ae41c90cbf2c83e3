"""The everyday evaluation reads what was answered as its writers meant: a topic's own reply or
follow-up, or a clarifying question offering it; and it keeps the sealed sets to itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation import everyday
from evaluation.everyday import Observed, answered_tags, offered_tags, passes, read_set


@pytest.mark.parametrize("tag,names,payloads,expected", [
    ("fees", ["utter_fees"], [], True),
    ("fees", ["utter_therapist_contact", "utter_therapist_hours"], [], False),
    ("hours", ["utter_therapist_contact", "utter_therapist_hours"], [], True),
    ("booking", ["utter_therapist_contact", "utter_therapist_hours"], [], True),
    # a clarifying question that offers the topic
    ("insurance", ["action_suggest_topics", "utter_ask_rephrase"], ["/ask_insurance", "/request_human"], True),
    ("booking", ["action_suggest_topics", "utter_ask_rephrase"], ["/ask_fees", "/request_human"], True),
    ("fees", ["action_suggest_topics", "utter_ask_rephrase"], ["/ask_insurance", "/request_human"], False),
    # buttons of a reply that is not a clarifying question offer nothing
    ("fees", ["utter_welcome", "utter_menu"], ["/ask_fees"], False),
    # a follow-up answers the topic it follows
    ("anxious_attachment", ["action_follow_up", "utter_follow_up_example__anxious_attachment"], [], True),
    ("avoidant_attachment", ["action_follow_up", "utter_follow_up_example__anxious_attachment"], [], False),
    ("exercise", ["utter_reflection_intro", "utter_reflection_ground_rules"], [], True),
    ("shame", ["utter_feeling_shame"], [], True),
    ("loneliness", ["utter_crisis_general"], [], False),
])
def test_a_reply_passes_when_it_answers_or_offers_the_topic(tag, names, payloads, expected):
    assert passes(tag, Observed(names, payloads)) is expected


def test_a_general_follow_up_answers_the_topic_held_at_the_time():
    assert passes("push_pull", Observed(["action_follow_up", "utter_follow_up_is_it_bad"], [], "push_pull"))
    assert not passes("push_pull", Observed(["action_follow_up", "utter_follow_up_is_it_bad"], [], "shame"))
    assert not passes("push_pull", Observed(["action_follow_up", "utter_follow_up_is_it_bad"], [], None))


def test_tags_are_read_from_names_only():
    assert answered_tags(["utter_follow_up_is_it_bad__push_pull", "utter_push_pull"]) == ["push_pull"]
    assert answered_tags(["utter_follow_up_is_it_bad__no_such_tag"]) == []
    assert offered_tags(["action_suggest_topics"], ['/ask_fees{"x": 1}']) == ["fees"]


def test_every_tag_has_an_answer_and_an_offer_or_is_social():
    assert set(everyday.ANSWERS) >= set(everyday.OFFERS)
    assert not set(everyday.ANSWERS) - set(everyday.OFFERS) - {"greeting", "thanks", "goodbye", "out_of_scope"}


def test_both_kinds_of_set_are_read(tmp_path: Path):
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "m1", "text": "how much is a session", "expect": "fees"}),
        json.dumps({"id": "c1", "situation": "s", "turns": [{"visitor": "hi", "expect": "greeting"},
                                                             {"visitor": "cost?", "expect": "fees"}]}),
    ]))
    first, second = read_set(path)
    assert isinstance(first, everyday.Message) and first.expect == "fees"
    assert isinstance(second, everyday.Conversation) and [t.expect for t in second.turns] == ["greeting", "fees"]
    path.write_text(json.dumps({"id": "m1", "text": "x", "expect": "weather"}))
    with pytest.raises(ValueError):
        read_set(path)


def test_show_is_refused_for_sealed_sets(tmp_path: Path, capsys):
    sealed = everyday.SEALED_DIR / "any.jsonl"
    assert everyday.main(["--show", "--sets", str(sealed)]) == 2
    assert everyday.main(["--show", "--sets", str(tmp_path / "elsewhere.jsonl")]) == 2
    assert "sealed" in capsys.readouterr().err


def test_ci_fails_below_a_floor_or_on_a_judging_word():
    from evaluation.everyday import Report, below_floors
    from evaluation.sealed import Rate

    messages = Report("messages", messages=Rate(hits=85, total=100))
    assert below_floors([messages], 0.88, 0.40) and not below_floors([messages], 0.80, 0.40)
    talks = Report("talks", messages=Rate(hits=80, total=100), conversations=Rate(hits=5, total=10))
    assert not below_floors([talks], 0.88, 0.40)  # turns of conversations have no message floor
    assert below_floors([talks], 0.88, 0.60)
    talks.judging_words = 1
    assert below_floors([talks], 0.88, 0.40)


def test_the_sealed_everyday_sets_are_unchanged_and_read_without_error():
    import hashlib

    from evaluation.everyday import SEALED_DIR, read_set

    paths = sorted(SEALED_DIR.glob("*.jsonl"))
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths} == {
        "sealed_everyday_conversations.jsonl": "c23ffc8fb014b9501e534ad1ea242844f5537016d853270c31cd12fe45252ffa",
        "sealed_everyday_messages.jsonl": "5841a32b5364a3d6a51b6ea76c9dd604127871679323c4fce9dc2c3f3ef19855",
    }
    assert all(len(read_set(path)) >= 60 for path in paths)


def test_the_visitors_own_words_quoted_back_are_not_the_assistants_judging_words():
    from attune.style import judging_phrases
    from evaluation.everyday import said_by_assistant

    visitor = "i usually get clingy and start overthinking everything they say"
    reply = f"Thank you. You wrote: “{visitor}”"
    assert judging_phrases(reply) and not judging_phrases(said_by_assistant(reply, visitor))
    # The assistant's own word still counts.
    assert judging_phrases(said_by_assistant("That sounds clingy.", "i text him a lot"))


def test_the_exercise_summary_quoting_earlier_answers_is_not_the_assistants_judging_words():
    # Writer J: the summary quoted an answer given two turns before ("It may protect me from
    # being seen as weak"), and was counted as the assistant's judging word.
    from attune.style import judging_phrases
    from evaluation.everyday import said_by_assistant

    earlier = "It may protect me from being seen as weak."
    summary = f"• What it might protect: “{earlier}”\\n• Meeting it with curiosity:"
    assert judging_phrases(summary)
    assert not judging_phrases(said_by_assistant(summary, ["hello", earlier, "ok"]))
    assert judging_phrases(said_by_assistant("That sounds weak of you.", ["hello", earlier]))
