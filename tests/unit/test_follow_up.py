"""Follow-ups that name no topic are answered on the topic just discussed; with no topic the
visitor is asked what they meant, and after a crisis the crisis check-in stays."""

from __future__ import annotations

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionSuggestTopics
from actions.follow_up import ActionFollowUp
from attune.follow_up import PATTERNS_AND_FEELINGS, TOPIC_OF_INTENT, TOPIC_RESPONSES, follow_up_responses
from attune.paths import REPO_ROOT

DOMAIN = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
RESPONSES = DOMAIN["responses"]


def tracker(intent: str, slots: dict) -> Tracker:
    message = {"intent": {"name": intent}, "intent_ranking": [{"name": "ask_fees", "confidence": 0.2}],
               "text": "hmm"}
    return Tracker("visitor", slots, message, [], False, None, {}, "action_listen")


async def sent(intent: str, **slots) -> list:
    dispatcher = CollectingDispatcher()
    await ActionFollowUp().run(dispatcher, tracker(intent, slots), {"responses": RESPONSES})
    return dispatcher.messages


def test_an_example_is_the_topics_own():
    assert follow_up_responses("example", "push_pull", RESPONSES) == ["utter_follow_up_example__push_pull"]


def test_patterns_and_feelings_share_one_answer_to_is_it_bad_why_partner_and_what_to_do():
    for kind in ("is_it_bad", "why", "partner", "what_to_do"):
        assert follow_up_responses(kind, "jealousy", RESPONSES) == [f"utter_follow_up_{kind}"]


def test_a_practical_topic_is_answered_again_and_what_to_do_is_the_way_to_book():
    assert follow_up_responses("is_it_bad", "languages", RESPONSES) == ["utter_languages"]
    assert follow_up_responses("what_to_do", "fees", RESPONSES) == list(TOPIC_RESPONSES["booking"])


def test_every_named_response_exists():
    for topic in TOPIC_RESPONSES:
        for kind in ("example", "is_it_bad", "why", "partner", "what_to_do", "more"):
            assert set(follow_up_responses(kind, topic, RESPONSES)) <= set(RESPONSES)
    assert PATTERNS_AND_FEELINGS <= set(TOPIC_RESPONSES)


def test_the_slot_mappings_follow_the_table():
    mappings = DOMAIN["slots"]["last_topic"]["mappings"]
    assert {m["intent"]: m["value"] for m in mappings} == TOPIC_OF_INTENT
    on_topic = {m["intent"]: m["value"] for m in DOMAIN["slots"]["on_topic"]["mappings"]}
    assert all(on_topic[intent] is True for intent in TOPIC_OF_INTENT)
    risks = [i for i in DOMAIN["intents"] if isinstance(i, str) and i.startswith("risk_")]
    assert risks and all(on_topic[intent] is False for intent in risks)


async def test_the_action_answers_on_the_topic():
    messages = await sent("ask_is_it_bad", last_topic="anxious_attachment", on_topic=True)
    assert [m["response"] for m in messages] == ["utter_follow_up_is_it_bad"]


async def test_with_no_topic_it_asks_what_was_meant():
    messages = await sent("ask_example", last_topic=None, on_topic=False)
    assert messages[0]["response"] == "utter_ask_rephrase" and messages[0]["buttons"]


async def test_after_a_crisis_with_no_topic_since_it_is_the_check_in():
    messages = await sent("ask_why", last_topic="push_pull", on_topic=False, crisis_kind="suicide")
    assert [m["response"] for m in messages] == ["utter_unsure_after_crisis"]


async def test_the_fallback_offers_the_topic_just_discussed_first():
    dispatcher = CollectingDispatcher()
    slots = {"last_topic": "languages", "on_topic": True}
    await ActionSuggestTopics().run(dispatcher, tracker("nlu_fallback", slots), {})
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/ask_languages"


async def test_after_a_crisis_what_do_i_do_is_the_crisis_next_step_even_with_a_topic_since():
    # Crisis, then "are you a real person?" (a topic), then "what do I do now": the crisis's
    # next step with its line, not the way to book.
    messages = await sent("ask_next_step", last_topic="bot_identity", on_topic=True, crisis_kind="suicide")
    assert [m["response"] for m in messages] == ["utter_next_step"]
    # Without a crisis, the topic's own answer.
    plain = await sent("ask_next_step", last_topic="anxious_attachment", on_topic=True)
    assert [m["response"] for m in plain] != ["utter_next_step"]


async def test_right_after_a_message_that_was_not_understood_it_answers_on_its_likeliest_topic():
    # "my friend keeps pushing her bf away whenever he's nice to her, why does she do that"
    # got the clarifying question; "why tho" then got it again.
    unclear = {"event": "user", "text": "...", "parse_data": {
        "intent": {"name": "nlu_fallback", "confidence": 0.3},
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3},
                           {"name": "ask_pushing_love_away", "confidence": 0.25},
                           {"name": "ask_push_pull", "confidence": 0.2}]}}
    follow = {"event": "user", "text": "why tho", "parse_data": {"intent": {"name": "ask_why", "confidence": 1.0}}}
    message = {"intent": {"name": "ask_why"}, "intent_ranking": [], "text": "why tho"}
    state = Tracker("visitor", {"last_topic": None, "on_topic": False}, message, [unclear, follow], False, None, {},
                    "action_listen")
    dispatcher = CollectingDispatcher()
    events = await ActionFollowUp().run(dispatcher, state, {"responses": RESPONSES})
    assert [m["response"] for m in dispatcher.messages] == follow_up_responses("why", "pushing_love_away", RESPONSES)
    assert {"event": "slot", "name": "last_topic", "value": "pushing_love_away", "timestamp": None} in events


async def test_more_on_a_pattern_is_new_words_not_the_same_answer_again():
    messages = await sent("continue_topic", last_topic="secure_attachment", on_topic=True)
    assert [m["response"] for m in messages] == ["utter_follow_up_more__secure_attachment"]
    messages = await sent("ask_more", last_topic="self_compassion", on_topic=True)
    assert [m["response"] for m in messages] == ["utter_follow_up_more__self_compassion"]


async def test_more_on_a_practice_fact_is_the_fact_and_where_to_ask():
    messages = await sent("continue_topic", last_topic="accessibility", on_topic=True)
    assert [m["response"] for m in messages] == ["utter_accessibility", "utter_follow_up_more_detail"]


def test_every_pattern_and_feeling_has_more_of_its_own():
    for topic in PATTERNS_AND_FEELINGS:
        assert f"utter_follow_up_more__{topic}" in RESPONSES, topic


async def test_tell_me_more_with_nothing_discussed_asks_what_was_meant():
    messages = await sent("ask_more", last_topic=None, on_topic=False)
    assert messages[0]["response"] == "utter_ask_rephrase" and messages[0]["buttons"]


def told_then(follow_up: str, earlier: dict, slots: dict) -> Tracker:
    events = [{"event": "user", "text": "earlier", "parse_data": earlier},
              {"event": "user", "text": "why tho", "parse_data": {"intent": {"name": follow_up}}}]
    message = {"intent": {"name": follow_up}, "intent_ranking": [], "text": "why tho"}
    return Tracker("visitor", slots, message, events, False, None, {}, "action_listen")


async def test_why_after_a_pattern_told_like_an_exercise_answer_is_answered_on_that_pattern():
    # "i want people when they're far away and lose interest up close" (read as an answer to
    # the exercise, none running), then "why tho": the push and pull, not "say it another way".
    earlier = {"intent": {"name": "share_reflection", "confidence": 0.84},
               "intent_ranking": [{"name": "share_reflection", "confidence": 0.84},
                                  {"name": "ask_push_pull", "confidence": 0.06}]}
    dispatcher = CollectingDispatcher()
    events = await ActionFollowUp().run(dispatcher, told_then("ask_why", earlier, {"on_topic": False}),
                                        {"responses": RESPONSES})
    assert [m["response"] for m in dispatcher.messages] == ["utter_follow_up_why"]
    assert {"event": "slot", "timestamp": None, "name": "last_topic", "value": "push_pull"} in events


async def test_a_follow_up_after_an_unclear_message_follows_that_message_not_an_older_topic():
    earlier = {"intent": {"name": "nlu_fallback", "confidence": 0.3},
               "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3},
                                  {"name": "ask_anxious_attachment", "confidence": 0.46}]}
    slots = {"on_topic": True, "last_topic": "fear_of_abandonment"}
    dispatcher = CollectingDispatcher()
    events = await ActionFollowUp().run(dispatcher, told_then("ask_is_it_bad", earlier, slots),
                                        {"responses": RESPONSES})
    assert [m["response"] for m in dispatcher.messages] == ["utter_follow_up_is_it_bad"]
    assert any(e.get("name") == "last_topic" and e.get("value") == "anxious_attachment" for e in events)


def test_what_to_do_after_a_declined_topic_is_its_own_next_step_not_the_booking_details():
    assert follow_up_responses("what_to_do", "judge_partner", RESPONSES) == ["utter_follow_up_more__judge_partner"]
    assert follow_up_responses("what_to_do", "hours", RESPONSES) == list(TOPIC_RESPONSES["booking"])
