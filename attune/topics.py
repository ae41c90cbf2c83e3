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
    "request_callback": "Ask for a call-back",
    "ask_attachment_systems": "Attachment and exploration",
    "ask_secure_attachment": "Secure attachment",
    "ask_anxious_attachment": "Anxious attachment",
    "ask_avoidant_attachment": "Avoidant attachment",
    "ask_disorganised_attachment": "Disorganised attachment",
    "ask_push_pull": "The push-pull pattern",
    "ask_pushing_love_away": "Why we push love away",
    "ask_reassurance": "Is seeking reassurance okay?",
    "ask_self_compassion": "Self-compassion",
    "ask_change_patterns": "Can patterns change?",
    "ask_causes": "Where patterns come from",
    "ask_counselling": "What counselling is like",
    "ask_therapy_approaches": "Therapy approaches",
    "ask_labels_criticism": "Are labels overused?",
    "ask_patterns_not_diagnosis": "Is it a diagnosis?",
    # what Attune kindly declines: offered too, so a follow-up on one keeps its button
    "ask_medication": "Questions about medication",
    "judge_partner": "Questions about my partner",
    "request_bot_therapist": "Can you be my therapist?",
    "bot_challenge": "Who am I talking to?",
    # the practice's facts (attune/facts.py)
    "ask_fees": "What a session costs",
    "ask_sliding_scale": "Is there a sliding scale?",
    "ask_insurance": "Insurance and billing",
    "ask_session_formats": "Online or in person?",
    "ask_clients": "Who the practice sees",
    "ask_languages": "Languages",
    "ask_accessibility": "Getting into the office",
    "ask_free_consultation": "A free first chat?",
    "ask_cancellation": "Cancelling a session",
    "ask_hours": "Office hours",
    # feelings said first (data/nlu/feelings.yml)
    "feel_shame": "Feeling ashamed",
    "feel_jealous": "Feeling jealous",
    "feel_lonely": "Feeling lonely",
    "feel_fear_of_leaving": "Scared they'll leave",
    "feel_too_much": "Feeling like too much",
    "feel_not_enough": "Not feeling good enough",
}

HUMAN_PATH = {"title": "Talk to a therapist", "payload": "/request_human"}
SOMETHING_ELSE = {"title": "Something else", "payload": "/help"}


def likeliest_topics(ranking: Sequence[Dict], limit: int = 2,
                     first: Optional[str] = None) -> List[Dict[str, str]]:
    """Buttons for the `limit` likeliest known topics, then the human path and "something else".

    Args:
        ranking: the intent ranking of the last message, best first
            (`[{"name": ..., "confidence": ...}, ...]`).
        limit: how many topics to offer at most.
        first: an intent offered before the ranking's, when it is a known topic (the topic
            just discussed: an unclear message is often a follow-up on it).
    """
    buttons: List[Dict[str, str]] = []
    if first in TOPIC_TITLES and first != "request_human":
        buttons.append({"title": TOPIC_TITLES[first], "payload": f"/{first}"})
    for entry in ranking:
        name: Optional[str] = entry.get("name")
        if name == "request_human" or name == first:
            continue  # always offered below, or already first
        if name in TOPIC_TITLES:
            buttons.append({"title": TOPIC_TITLES[name], "payload": f"/{name}"})
        if len(buttons) == limit:
            break
    return buttons + [HUMAN_PATH, SOMETHING_ELSE]
