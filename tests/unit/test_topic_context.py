"""A message the classifier is unsure of, right after a topic was answered, is answered on that
topic; a sure reading, risk, a crisis, a form and an older topic are left as they are."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import yaml

from attune.patches import last_reply, read_on_topic, read_question_alone
from attune.paths import REPO_ROOT
from attune.topic_context import (CONTINUE_TOPIC, RE_READABLE, question_to_read_alone, re_read,
                                  reading_of_named_pattern, reading_of_thanks, reading_on_topic)

RESPONSES = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def ranking(*pairs):
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def parsed(text, *pairs):
    return {"text": text, "intent": dict(ranking(pairs[0])[0]), "intent_ranking": ranking(*pairs)}


def test_a_question_about_a_ramp_after_the_office_access_stays_on_access():
    # Alone, "is there a ramp at the side door" reads a little like office hours.
    chosen = reading_on_topic("ask_hours", 0.42, ranking(("ask_hours", 0.42), ("ask_accessibility", 0.21)),
                              "accessibility")
    assert chosen == CONTINUE_TOPIC


def test_a_sure_reading_of_another_topic_is_a_new_question():
    # "ok how much is it" after the office's access is a question about the fee.
    assert reading_on_topic("ask_fees", 0.83, ranking(("ask_fees", 0.83), ("ask_accessibility", 0.1)),
                            "accessibility") is None


def test_the_topic_must_keep_some_weight():
    assert reading_on_topic("ask_hours", 0.42, ranking(("ask_hours", 0.42), ("ask_fees", 0.3),
                                                       ("ask_accessibility", 0.02)), "accessibility") is None


@pytest.mark.parametrize("intent", ["risk_suicide", "risk_check_in", "request_crisis_help", "restart",
                                    "delete_conversation", "goodbye", "request_callback", "stop_hotlines",
                                    "stop_reflection"])
def test_risk_commands_and_the_crisis_readings_are_never_re_read(intent):
    assert intent not in RE_READABLE
    assert reading_on_topic(intent, 0.3, ranking((intent, 0.3), ("ask_secure_attachment", 0.29)),
                            "secure_attachment") is None


def test_ok_after_a_pattern_is_more_on_it_but_ok_after_a_price_is_left_alone():
    assert reading_on_topic("affirm", 0.9, ranking(("affirm", 0.9)), "push_pull") == CONTINUE_TOPIC
    assert reading_on_topic("affirm", 0.9, ranking(("affirm", 0.9)), "fees") is None


def test_a_feeling_said_again_gets_more_not_the_same_words_twice():
    assert reading_on_topic("feel_jealous", 0.95, ranking(("feel_jealous", 0.95)), "jealousy") == CONTINUE_TOPIC
    # A practical answer is the answer: asked again, it is given again.
    assert reading_on_topic("ask_insurance", 0.9, ranking(("ask_insurance", 0.9)), "insurance") is None


def test_only_right_after_the_topic_was_answered():
    data = parsed("so do they ever argue?", ("feel_jealous", 0.4), ("ask_secure_attachment", 0.3))
    assert not re_read(data, "secure_attachment", previous_intent="greet")
    assert data["intent"]["name"] == "feel_jealous"
    assert re_read(data, "secure_attachment", previous_intent="ask_secure_attachment")
    assert data["intent"]["name"] == CONTINUE_TOPIC
    assert data["topic_context"]["read_before"] == "feel_jealous"


def test_a_button_is_never_re_read():
    data = parsed("/ask_fees", ("ask_fees", 0.4), ("ask_accessibility", 0.3))
    assert not re_read(data, "accessibility", previous_intent="ask_accessibility")


def visitor_tracker(*intents, slots=None, active_loop=None):
    from rasa.shared.core.events import UserUttered

    values = {"last_topic": "secure_attachment", "on_topic": True, **(slots or {})}
    events = [UserUttered("x", {"name": name, "confidence": 1.0}) for name in intents]
    return SimpleNamespace(events=events, active_loop_name=active_loop, get_slot=values.get)


def test_in_the_conversation_it_follows_the_topic_just_answered():
    data = parsed("is anyone actually like that lol", ("out_of_scope", 0.35), ("ask_secure_attachment", 0.2))
    assert read_on_topic(data, visitor_tracker("ask_secure_attachment"))
    assert data["intent"]["name"] == CONTINUE_TOPIC


def test_never_after_a_crisis_reply_nor_inside_the_call_back_form():
    after_crisis = parsed("is anyone actually like that", ("out_of_scope", 0.35), ("ask_secure_attachment", 0.2))
    assert not read_on_topic(after_crisis, visitor_tracker("risk_suicide", "ask_secure_attachment"))
    assert after_crisis["intent"]["name"] == "out_of_scope"
    in_form = parsed("is anyone actually like that", ("out_of_scope", 0.35), ("ask_secure_attachment", 0.2))
    assert not read_on_topic(in_form, visitor_tracker("ask_secure_attachment", active_loop="callback_form"))


@pytest.mark.parametrize("text", ["i tidy the whole flat and stop answering texts",
                                  "When he gets close I go quiet. I find things to do.",
                                  "i felt calm but also kind of sad? like i wanted both"])
def test_in_the_exercise_an_answer_that_sounds_like_a_topic_is_kept_as_the_answer(text):
    data = parsed(text, ("ask_avoidant_attachment", 0.7), ("share_reflection", 0.2))
    assert read_on_topic(data, visitor_tracker("start_reflection", active_loop="reflection_form"))
    assert data["intent"]["name"] == "share_reflection"


@pytest.mark.parametrize("text", ["is that the avoidant thing", "wait, what's push pull?", "avoidant?",
                                  "so thats the anxious one right?", "tell me about avoidant attachment"])
def test_in_the_exercise_a_question_is_still_answered(text):
    data = parsed(text, ("ask_avoidant_attachment", 0.7), ("share_reflection", 0.2))
    assert not read_on_topic(data, visitor_tracker("start_reflection", active_loop="reflection_form"))
    assert data["intent"]["name"] == "ask_avoidant_attachment"


def test_in_the_exercise_risk_a_fact_and_a_feeling_keep_their_reading():
    for intent in ("risk_self_harm", "ask_fees", "feel_shame", "stop_reflection"):
        data = parsed("i just cant anymore", (intent, 0.7))
        assert not read_on_topic(data, visitor_tracker("start_reflection", active_loop="reflection_form"))


def test_every_more_answer_is_short_and_plain():
    from attune.style import judging_phrases, reading_grade

    more = {name: r[0]["text"] for name, r in RESPONSES.items() if name.startswith("utter_follow_up_more")}
    assert len(more) > 20
    for name, text in more.items():
        assert len(text.split()) <= 60, name
        assert reading_grade(text) <= 8, name
        assert judging_phrases(text) == [], name


def test_the_question_inside_a_feeling_is_read_alone():
    text = "My son won't talk to anyone since the move. He's 15. Do you see teenagers?"
    assert question_to_read_alone(text, "feel_lonely", 0.8) == "Do you see teenagers?"
    # One message that only tells, or asks only, is read whole.
    assert question_to_read_alone("I feel so alone since the move.", "feel_lonely", 0.8) is None
    assert question_to_read_alone("Do you see teenagers?", "ask_clients", 0.4) is None
    # A sure reading of a question is not read again.
    assert question_to_read_alone("He's 15. Do you see teenagers?", "ask_clients", 0.9) is None


async def asked_alone(text, intent, confidence, alone_intent, alone_confidence, tracker=None):
    data = parsed(text, (intent, confidence))
    sent = []

    async def parse(processor, message, tracker, only_output):
        sent.append(message.text)
        return {"text": message.text, "intent": {"name": alone_intent, "confidence": alone_confidence},
                "intent_ranking": ranking((alone_intent, alone_confidence))}

    taken = await read_question_alone(None, SimpleNamespace(sender_id="v"), data, tracker or visitor_tracker(),
                                      parse)
    return taken, data, sent


async def test_a_practical_question_inside_a_feeling_is_answered():
    text = "My son won't talk to anyone since the move. He's 15. Do you see teenagers?"
    taken, data, sent = await asked_alone(text, "feel_lonely", 0.8, "ask_clients", 0.85)
    assert taken and data["intent"]["name"] == "ask_clients"
    assert sent == ["Do you see teenagers?"]


async def test_the_feeling_stays_when_the_question_alone_is_unclear_or_risk():
    text = "My son won't talk to anyone since the move. He's 15. Do you see teenagers?"
    for intent, confidence in (("ask_clients", 0.3), ("risk_suicide", 1.0), ("ask_is_it_bad", 0.9)):
        taken, data, _ = await asked_alone(text, "feel_lonely", 0.8, intent, confidence)
        assert not taken and data["intent"]["name"] == "feel_lonely"


async def test_no_question_is_read_alone_after_a_crisis_reply_or_in_a_form():
    text = "My son won't talk to anyone since the move. He's 15. Do you see teenagers?"
    for tracker in (visitor_tracker("risk_suicide"), visitor_tracker(active_loop="reflection_form")):
        taken, data, sent = await asked_alone(text, "feel_lonely", 0.8, "ask_clients", 0.9, tracker)
        assert not taken and sent == []


def test_a_follow_up_on_a_topic_the_last_reply_offered_is_that_topic():
    # After the shame reply, which offers "Being kinder to myself", "how do i quiet it down"
    # is about self-compassion.
    chosen = reading_on_topic("out_of_scope", 0.45, ranking(("out_of_scope", 0.45), ("ask_self_compassion", 0.3)),
                              "shame", "how do i quiet it down", offered=["ask_self_compassion", "request_human"])
    assert chosen == "ask_self_compassion"


def test_a_short_message_pointing_back_is_about_the_topic_just_discussed():
    # "how many months would it take", read a little like the fees, after change.
    chosen = reading_on_topic("ask_fees", 0.31, ranking(("ask_fees", 0.31), ("ask_change_patterns", 0.05)),
                              "changing_patterns", "how many months would it take")
    assert chosen == CONTINUE_TOPIC
    # Naming no topic of its own, it gives way even when sure ("how long is it" as out of scope).
    assert reading_on_topic("out_of_scope", 0.83, ranking(("out_of_scope", 0.83)), "free_consultation",
                            "how long is it") == CONTINUE_TOPIC
    # Not pointing back, the same weight is too little.
    assert reading_on_topic("ask_fees", 0.31, ranking(("ask_fees", 0.31), ("ask_change_patterns", 0.05)),
                            "changing_patterns", "what do sessions cost for students") is None


def test_more_told_after_a_feeling_is_heard_as_more_of_it():
    assert reading_on_topic("share_reflection", 0.83, ranking(("share_reflection", 0.83)), "jealousy",
                            "it happened again last night") == CONTINUE_TOPIC


def bot_turn(action, buttons=()):
    from rasa.shared.core.events import ActionExecuted, BotUttered

    return [ActionExecuted(action), BotUttered("...", {"buttons": [{"title": "b", "payload": p} for p in buttons]})]


def test_at_shall_we_start_an_answer_starts_the_exercise_with_it():
    from rasa.shared.core.events import ActionExecuted, UserUttered

    events = [UserUttered("can we do it", {"name": "start_reflection", "confidence": 0.9})]
    events += bot_turn("utter_reflection_intro") + bot_turn("utter_reflection_ground_rules", ["/affirm"])
    events += [ActionExecuted("action_listen")]
    tracker = SimpleNamespace(events=events, active_loop_name=None, get_slot={}.get)
    answer = parsed("when he says he loves me i crack a joke", ("nlu_fallback", 0.3), ("feel_jealous", 0.2))
    assert read_on_topic(answer, tracker) and answer["intent"]["name"] == "share_reflection"
    for text, intent in (("yes let's go", "affirm"), ("what happens to my answers?", "ask_privacy")):
        data = parsed(text, (intent, 0.9))
        assert not read_on_topic(data, tracker) and data["intent"]["name"] == intent


def test_the_last_reply_is_read_with_its_buttons():
    from rasa.shared.core.events import ActionExecuted, UserUttered

    events = [UserUttered("i feel awful", {"name": "feel_shame", "confidence": 0.9})]
    events += bot_turn("utter_feeling_shame", ["/ask_self_compassion", "/request_human"])
    events += [ActionExecuted("action_listen")]
    assert last_reply(SimpleNamespace(events=events)) == ("utter_feeling_shame",
                                                          ["ask_self_compassion", "request_human"])


def test_in_the_exercise_a_question_read_as_a_follow_up_is_its_topic():
    data = parsed("is that the anxious one", ("ask_is_it_bad", 0.79), ("ask_anxious_attachment", 0.18))
    assert read_on_topic(data, visitor_tracker("start_reflection", active_loop="reflection_form"))
    assert data["intent"]["name"] == "ask_anxious_attachment"
    # With no topic in sight, it stays as it was (and the exercise keeps it as the answer).
    data = parsed("is that weird", ("ask_is_it_bad", 0.95), ("ask_anxious_attachment", 0.02))
    assert not read_on_topic(data, visitor_tracker("start_reflection", active_loop="reflection_form"))


def test_how_do_i_stop_after_a_pattern_asks_what_helps_not_to_stop_the_exercise():
    assert reading_on_topic("stop_reflection", 0.73, ranking(("stop_reflection", 0.73)), "reassurance",
                            "ok so how do i quit doing that") == "ask_next_step"
    # Said plainly, with no question, it keeps its reading ("nothing to stop" is answered).
    assert reading_on_topic("stop_reflection", 0.9, ranking(("stop_reflection", 0.9)), "reassurance", "stop") is None


def test_more_told_that_leans_to_another_feeling_is_that_feeling():
    # After loneliness, "would that make me too much for people" leans to feeling too much.
    chosen = reading_on_topic("share_reflection", 0.37, ranking(("share_reflection", 0.37), ("feel_too_much", 0.19)),
                              "loneliness", "would that make me too much for people")
    assert chosen == "feel_too_much"


def test_whats_wrong_with_me_after_a_feeling_is_the_feeling_not_a_request_for_a_diagnosis():
    assert reading_on_topic("request_diagnosis", 0.9, ranking(("request_diagnosis", 0.9)), "jealousy",
                            "ugh whats wrong with me") == "feel_shame"
    # Asking for a label in so many words is still declined kindly.
    assert reading_on_topic("request_diagnosis", 0.9, ranking(("request_diagnosis", 0.9)), "jealousy",
                            "just tell me what i have") is None


def test_after_a_message_not_understood_a_topic_its_buttons_offered_is_taken_up():
    data = parsed("how do i quiet it down", ("out_of_scope", 0.45), ("ask_self_compassion", 0.3))
    assert re_read(data, None, previous_intent="nlu_fallback", offered=["feel_shame", "ask_self_compassion"])
    assert data["intent"]["name"] == "ask_self_compassion"


def test_in_the_exercise_an_unsure_control_in_many_words_is_the_answer():
    data = parsed("ok back to it. i think i give too much so they will stay", ("stop_reflection", 0.43),
                  ("resume_reflection", 0.36))
    assert read_on_topic(data, visitor_tracker("start_reflection", active_loop="reflection_form"))
    assert data["intent"]["name"] == "share_reflection"
    # "stop" said plainly still stops.
    data = parsed("i want to stop now", ("stop_reflection", 0.95))
    assert not read_on_topic(data, visitor_tracker("start_reflection", active_loop="reflection_form"))


def test_an_unrelated_question_after_a_practical_answer_stays_its_own():
    # After the languages, "any idea where i can take free english lessons" is out of scope.
    assert reading_on_topic("out_of_scope", 0.45, ranking(("out_of_scope", 0.45), ("ask_languages", 0.3)),
                            "languages", "any idea where i can take free english lessons") is None


@pytest.mark.parametrize("text, intent, pattern", [
    ("my ex says i'm avoidant, what does that even mean", "request_diagnosis", "ask_avoidant_attachment"),
    ("a quiz called me anxiously attached. is that a real thing?", "request_diagnosis", "ask_anxious_attachment"),
    ("my friend thinks i'm anxious and avoidant both, what is that", "request_diagnosis",
     "ask_disorganised_attachment"),
    ("is that the anxious thing?", "ask_is_it_bad", "ask_anxious_attachment"),
])
def test_a_pattern_others_named_or_asked_about_by_name_is_explained(text, intent, pattern):
    assert reading_of_named_pattern(text, intent) == pattern


@pytest.mark.parametrize("text, intent", [
    ("am i avoidant? just tell me", "request_diagnosis"),
    ("is anxious attachment a diagnosis", "request_diagnosis"),
    ("is being avoidant bad?", "ask_is_it_bad"),
])
def test_asking_for_ones_own_label_or_whether_a_pattern_is_bad_keeps_its_answer(text, intent):
    assert reading_of_named_pattern(text, intent) is None


@pytest.mark.parametrize("text", ["Thank you. Good day.", "thx, have a good night", "thanks so much, take care"])
def test_thanks_that_takes_leave_is_a_goodbye(text):
    assert reading_of_thanks(text, "thank") == "goodbye"


def test_plain_thanks_stays_thanks():
    assert reading_of_thanks("thank you, that helps", "thank") is None


@pytest.mark.parametrize("topic, text, expected", [
    ("anxious_attachment", "and the opposite?", "ask_avoidant_attachment"),
    ("avoidant_attachment", "what about the other one", "ask_anxious_attachment"),
])
def test_the_opposite_right_after_one_of_the_mirrored_patterns_is_the_other(topic, text, expected):
    # Writer I: "and the opposite?" after the anxious pattern got more on the anxious pattern.
    data = parsed(text, ("ask_more", 0.6), ("ask_anxious_attachment", 0.2))
    previous = "ask_anxious_attachment" if topic == "anxious_attachment" else "ask_avoidant_attachment"
    assert re_read(data, topic, previous)
    assert data["intent"]["name"] == expected


def test_the_opposite_after_any_other_topic_or_inside_a_sentence_is_left_to_the_classifier():
    data = parsed("and the opposite?", ("ask_more", 0.6))
    re_read(data, "fees", "ask_fees")
    assert data["intent"]["name"] != "ask_avoidant_attachment"
    sentence = parsed("my partner is the opposite of me in every way", ("judge_partner", 0.9))
    re_read(sentence, "anxious_attachment", "ask_anxious_attachment")
    assert sentence["intent"]["name"] == "judge_partner"
