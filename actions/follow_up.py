"""Follow-ups that name no topic, answered on the topic just discussed (attune/follow_up.py)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from attune.follow_up import KIND_OF_INTENT, TOPIC_OF_INTENT, follow_up_responses
from attune.topics import likeliest_topics


class ActionFollowUp(Action):
    """Answers "is that bad?", "an example?", "why?", "my partner?" or "what do I do?" on the
    topic in `last_topic`; after a crisis with no topic since, the gentle check-in; with no
    topic at all, asks what the visitor meant, offering the likeliest topics."""

    def name(self) -> Text:
        """Action name used in the domain."""
        return "action_follow_up"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Sends the follow-up's answer by response name."""
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        kind = KIND_OF_INTENT.get(intent, "why")
        topic = tracker.get_slot("last_topic") if tracker.get_slot("on_topic") else None
        events: List[Dict[Text, Any]] = []
        unclear = _topic_of_unclear_message(tracker, least=UNCLEAR_OVER_HELD)
        if topic and unclear and unclear != topic:
            # "is that anxious or just jealousy?" was not understood, then "is that bad?": the
            # visitor's latest words were about the unclear message's likeliest topic.
            topic = unclear
            events = [SlotSet("last_topic", unclear)]
        names = follow_up_responses(kind, topic, domain.get("responses") or {})
        if kind == "what_to_do" and tracker.get_slot("crisis_kind"):
            # After a crisis reply, "what do I do now" is about the crisis even when a topic
            # came up since ("are you a real person?"): the crisis next step, with its line.
            names = ["utter_next_step"]
        if not names and tracker.get_slot("crisis_kind"):
            names = ["utter_unsure_after_crisis"]
        if not names:
            # "why tho" right after a message that was not understood (the clarifying question
            # offered topics): the likeliest of them is what the visitor asks about.
            guess = _topic_of_unclear_message(tracker)
            if guess:
                names = follow_up_responses(kind, guess, domain.get("responses") or {})
                events = [SlotSet("last_topic", guess), SlotSet("on_topic", True)] if names else []
        if not names:
            ranking = tracker.latest_message.get("intent_ranking") or []
            dispatcher.utter_message(response="utter_ask_rephrase", buttons=likeliest_topics(ranking))
            return []
        for name in names:
            dispatcher.utter_message(response=name)
        return events


# Readings that leave what a message was about unclear: not understood, or told like an answer
# to the exercise when none was running ("i want people when they're far away and lose interest
# up close", then "why tho").
UNCLEAR_READINGS = frozenset({"nlu_fallback", "share_reflection"})
# A message not understood overrides the topic held before it when its likeliest topic was
# read with at least this confidence.
UNCLEAR_OVER_HELD = 0.3


def _topic_of_unclear_message(tracker: Tracker, least: float = 0.0) -> Optional[Text]:
    """The topic (a `last_topic` value) of the likeliest intent of the visitor's message
    before this one, when that message was not understood (`UNCLEAR_READINGS`) and that
    intent's confidence is at least `least`."""
    said = [event for event in tracker.events if event.get("event") == "user"]
    if len(said) < 2:
        return None
    parse = said[-2].get("parse_data") or {}
    if (parse.get("intent") or {}).get("name") not in UNCLEAR_READINGS:
        return None
    ranking = parse.get("intent_ranking") or []
    offered = [b["payload"].lstrip("/") for b in likeliest_topics(ranking, limit=1)]
    weights = {str(e.get("name")): float(e.get("confidence") or 0.0) for e in ranking}
    return next((TOPIC_OF_INTENT[intent] for intent in offered
                 if intent in TOPIC_OF_INTENT and intent != "request_human" and weights.get(intent, 0.0) >= least),
                None)
