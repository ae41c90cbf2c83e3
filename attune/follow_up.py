"""Follow-ups that name no topic ("is that bad?", "give me an example", "why?", "what about my
partner?", "so what do I do?", "tell me more") answered on the topic just discussed. Pure data
and logic, no Rasa imports.

The topic is kept in the slot `last_topic` (domain.yml: set from the intent of every topic
question or feeling); the answer is a response named `utter_follow_up_<kind>__<topic>` when
the domain has one, else the kind's answer for patterns and feelings
(`utter_follow_up_<kind>`), else the topic's own answer again (a practical fact says what
there is to say, and to a question it may not cover, where to ask for more), and for "what do
I do" outside patterns and feelings, the way to book.
"""

from __future__ import annotations

from typing import Container, Dict, List, Optional, Tuple

# The follow-up intents and what they ask for.
KIND_OF_INTENT: Dict[str, str] = {
    "ask_example": "example",
    "ask_is_it_bad": "is_it_bad",
    "ask_why": "why",
    "ask_about_partner": "partner",
    "ask_next_step": "what_to_do",
    "ask_more": "more",
    # set by attune/topic_context.py: an unsure reading right after a topic, about that topic
    "continue_topic": "more",
}

# Topics (the names the everyday evaluation uses) and the responses that answer them.
TOPIC_RESPONSES: Dict[str, Tuple[str, ...]] = {
    "fees": ("utter_fees",),
    "sliding_scale": ("utter_sliding_scale",),
    "insurance": ("utter_insurance",),
    "session_formats": ("utter_session_formats",),
    "clients": ("utter_clients",),
    "languages": ("utter_languages",),
    "accessibility": ("utter_accessibility",),
    "free_consultation": ("utter_free_consultation",),
    "cancellation": ("utter_cancellation",),
    "hours": ("utter_therapist_hours",),
    "booking": ("utter_therapist_contact", "utter_therapist_hours"),
    "privacy": ("utter_privacy", "utter_privacy_handoff"),
    "bot_identity": ("utter_bot_challenge",),
    "bot_as_therapist": ("utter_decline_be_therapist",),
    "attachment_basics": ("utter_learn_attachment", "utter_attachment_topics"),
    "anxious_attachment": ("utter_anxious_attachment",),
    "avoidant_attachment": ("utter_avoidant_attachment",),
    "disorganised_attachment": ("utter_disorganised_attachment",),
    "secure_attachment": ("utter_secure_attachment",),
    "push_pull": ("utter_push_pull",),
    "pushing_love_away": ("utter_pushing_love_away", "utter_pushing_love_away_more"),
    "reassurance": ("utter_reassurance_ok", "utter_reassurance_balance"),
    "self_compassion": ("utter_self_compassion",),
    "changing_patterns": ("utter_change_patterns",),
    "causes": ("utter_attachment_causes",),
    "how_counselling_helps": ("utter_counselling",),
    "therapy_approaches": ("utter_therapy_approaches", "utter_therapy_approaches_more"),
    "not_a_diagnosis": ("utter_patterns_not_diagnosis",),
    "diagnosis_request": ("utter_decline_diagnosis",),
    "medication": ("utter_decline_medication",),
    "judge_partner": ("utter_decline_judge_partner",),
    "shame": ("utter_feeling_shame",),
    "jealousy": ("utter_feeling_jealousy",),
    "loneliness": ("utter_feeling_lonely",),
    "fear_of_abandonment": ("utter_feeling_fear_of_leaving",),
    "too_much": ("utter_feeling_too_much",),
    "not_enough": ("utter_feeling_not_enough",),
}

# The intent that raises each topic (the slot mappings in domain.yml follow this table;
# tests/unit/test_follow_up.py checks that they agree).
TOPIC_OF_INTENT: Dict[str, str] = {
    "ask_fees": "fees", "ask_sliding_scale": "sliding_scale", "ask_insurance": "insurance",
    "ask_session_formats": "session_formats", "ask_clients": "clients", "ask_languages": "languages",
    "ask_accessibility": "accessibility", "ask_free_consultation": "free_consultation",
    "ask_cancellation": "cancellation", "ask_hours": "hours", "request_human": "booking",
    "ask_privacy": "privacy", "bot_challenge": "bot_identity", "request_bot_therapist": "bot_as_therapist",
    "learn_attachment": "attachment_basics", "ask_attachment_systems": "attachment_basics",
    "ask_anxious_attachment": "anxious_attachment", "ask_avoidant_attachment": "avoidant_attachment",
    "ask_disorganised_attachment": "disorganised_attachment", "ask_secure_attachment": "secure_attachment",
    "ask_push_pull": "push_pull", "ask_pushing_love_away": "pushing_love_away",
    "ask_reassurance": "reassurance", "ask_self_compassion": "self_compassion",
    "ask_change_patterns": "changing_patterns", "ask_causes": "causes", "ask_counselling": "how_counselling_helps",
    "ask_therapy_approaches": "therapy_approaches", "ask_patterns_not_diagnosis": "not_a_diagnosis",
    "ask_labels_criticism": "not_a_diagnosis", "request_diagnosis": "diagnosis_request",
    "ask_medication": "medication", "judge_partner": "judge_partner",
    "feel_shame": "shame", "feel_jealous": "jealousy", "feel_lonely": "loneliness",
    "feel_fear_of_leaving": "fear_of_abandonment", "feel_too_much": "too_much", "feel_not_enough": "not_enough",
}

# Patterns and feelings: "is that bad?", "why?", "what about my partner?" and "what do I do?"
# have one honest answer across them (a learned way to stay safe, not a flaw).
PATTERNS_AND_FEELINGS = frozenset({
    "anxious_attachment", "avoidant_attachment", "disorganised_attachment", "push_pull",
    "pushing_love_away", "reassurance", "self_compassion", "shame", "jealousy", "loneliness",
    "fear_of_abandonment", "too_much", "not_enough", "causes", "changing_patterns", "attachment_basics",
    "secure_attachment",
})
BOOKING = TOPIC_RESPONSES["booking"]
# The practice's facts: a question on one that the answer may not cover gets the answer, then
# the way to ask the practice (`MORE_DETAIL`).
PRACTICE_FACTS = frozenset({
    "fees", "sliding_scale", "insurance", "session_formats", "clients", "languages", "accessibility",
    "free_consultation", "cancellation", "hours", "booking",
})
MORE_DETAIL = "utter_follow_up_more_detail"
# What the assistant kindly declines: "so what do I do?" after one gets that answer's next step.
DECLINED = frozenset({"judge_partner", "diagnosis_request", "medication", "bot_as_therapist"})


def intent_for(topic: str) -> Optional[str]:
    """The intent that asks about `topic` (for a button), if any."""
    return next((intent for intent, found in TOPIC_OF_INTENT.items() if found == topic), None)


def follow_up_responses(kind: str, topic: Optional[str], responses: Container[str]) -> List[str]:
    """The responses that answer a follow-up of `kind` on `topic`; empty when there is no
    topic to follow (the caller asks what the visitor meant).

    Args:
        kind: what the follow-up asks for (a value of KIND_OF_INTENT).
        topic: the topic just discussed (slot `last_topic`), or None.
        responses: the response names the domain has.
    """
    if not topic or topic not in TOPIC_RESPONSES:
        return []
    specific = f"utter_follow_up_{kind}__{topic}"
    if specific in responses:
        return [specific]
    general = f"utter_follow_up_{kind}"
    if topic in PATTERNS_AND_FEELINGS and general in responses:
        return [general]
    more = f"utter_follow_up_more__{topic}"
    if kind == "what_to_do" and topic in DECLINED and more in responses:
        # "so should i leave?" after "I can't judge your partner": that answer's next step.
        return [more]
    if kind == "what_to_do":
        return list(BOOKING)
    if kind == "more" and topic in PRACTICE_FACTS and MORE_DETAIL in responses:
        return [*TOPIC_RESPONSES[topic][:1], MORE_DETAIL]
    return list(TOPIC_RESPONSES[topic])
