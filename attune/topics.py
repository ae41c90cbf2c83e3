"""The topics Attune can offer as buttons, by intent. Pure data, no Rasa imports.

Used by the low-confidence fallback to offer the likeliest topics. Intents missing here
(greetings, risk intents, yes/no) are never offered as a topic.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

TOPIC_TITLES: Dict[str, str] = {
    "learn_attachment": "Learn about attachment patterns",
    "start_reflection": "Reflect on my patterns",
    "request_human": "Talk to a therapist",
    "request_crisis_help": "I need help now",
    "ask_privacy": "What do you keep?",
}

HUMAN_PATH = {"title": "Talk to a therapist", "payload": "/request_human"}
SOMETHING_ELSE = {"title": "Something else", "payload": "/help"}


def likeliest_topics(ranking: Sequence[Dict], limit: int = 2) -> List[Dict[str, str]]:
    """Buttons for the `limit` likeliest known topics, then the human path and "something else".

    Args:
        ranking: the intent ranking of the last message, best first
            (`[{"name": ..., "confidence": ...}, ...]`).
        limit: how many topics to offer at most.
    """
    buttons: List[Dict[str, str]] = []
    for entry in ranking:
        name: Optional[str] = entry.get("name")
        if name == "request_human":
            continue  # always offered below
        if name in TOPIC_TITLES:
            buttons.append({"title": TOPIC_TITLES[name], "payload": f"/{name}"})
        if len(buttons) == limit:
            break
    return buttons + [HUMAN_PATH, SOMETHING_ELSE]
