"""The low-confidence fallback offers the likeliest topics and the human path."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionSuggestTopics
from attune.topics import likeliest_topics


def tracker_with_ranking(ranking):
    return Tracker(
        "visitor", {}, {"intent": {"name": "nlu_fallback"}, "intent_ranking": ranking, "text": "hmm"},
        [], False, None, {}, "action_listen",
    )


def test_offers_the_two_likeliest_known_topics_then_the_human_path_and_something_else():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "start_reflection", "confidence": 0.3},
        {"name": "greet", "confidence": 0.1},
        {"name": "learn_attachment", "confidence": 0.08},
        {"name": "ask_privacy", "confidence": 0.05},
    ]
    payloads = [b["payload"] for b in likeliest_topics(ranking)]
    assert payloads == ["/start_reflection", "/learn_attachment", "/request_human", "/help"]


def test_human_path_is_offered_once_even_when_it_is_the_likeliest_topic():
    payloads = [b["payload"] for b in likeliest_topics([{"name": "request_human", "confidence": 0.4}])]
    assert payloads.count("/request_human") == 1


async def test_action_asks_to_rephrase_with_buttons():
    dispatcher = CollectingDispatcher()
    tracker = tracker_with_ranking([{"name": "learn_attachment", "confidence": 0.4}])
    events = await ActionSuggestTopics().run(dispatcher, tracker, {})
    assert events == []
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_rephrase"
    assert {"title": "Talk to a therapist", "payload": "/request_human"} in message["buttons"]


def test_every_offered_topic_is_an_intent_the_assistant_knows():
    from pathlib import Path

    import yaml

    from attune.topics import TOPIC_TITLES

    intents = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text())["intents"]
    assert set(TOPIC_TITLES) <= set(intents)
