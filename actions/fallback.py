"""What Attune does when it is not sure what the visitor meant."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from attune.follow_up import intent_for
from attune.topics import likeliest_topics


class ActionSuggestTopics(Action):
    """Asks to rephrase and offers the likeliest topics (the one just discussed first), the
    human path and "something else"."""

    def name(self) -> Text:
        """Action name used in the domain."""
        return "action_suggest_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Sends the rephrase question with topic buttons."""
        ranking = tracker.latest_message.get("intent_ranking") or []
        topic = tracker.get_slot("last_topic") if tracker.get_slot("on_topic") else None
        first = intent_for(topic) if topic else None
        dispatcher.utter_message(response="utter_ask_rephrase", buttons=likeliest_topics(ranking, first=first))
        return []
