"""The reflective exercise's logic, with no Rasa imports: tendency, acknowledgement, summary.

The exercise asks four questions from the practice's article (see domain.yml,
`utter_ask_reflection_*`). The visitor's answers are their own words: this module never
interprets them beyond one thing, whether the first answer mentions moving closer, pulling
back, or both, so that later questions can use the visitor's own direction of movement. That
guess only changes wording; it is never shown to the visitor as a label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Text, Tuple

# The form's slots, in the order the questions are asked.
QUESTION_SLOTS: Tuple[Text, ...] = (
    "reflection_closeness",
    "reflection_feelings",
    "reflection_protection",
    "reflection_curiosity",
)
# What a skipped question stores instead of an answer (set by the form's slot mapping).
SKIPPED = "skipped"

TOWARD = "toward"
AWAY = "away"
BOTH = "both"
UNCLEAR = "unclear"
TENDENCIES: Tuple[Text, ...] = (TOWARD, AWAY, BOTH, UNCLEAR)

# Short headings for the summary: the question in a few words, never a judgement.
SUMMARY_HEADINGS: Dict[Text, Text] = {
    "reflection_closeness": "When someone gets close",
    "reflection_feelings": "Feelings just before",
    "reflection_protection": "What it might protect",
    "reflection_curiosity": "Meeting it with curiosity",
}

# Phrases that point one way or the other. Plain lists a practice can review.
_TOWARD_PHRASES = (
    "move toward", "move towards", "moving toward", "moving towards", "go toward",
    "go towards", "lean in", "get closer", "move closer", "come closer", "reach out",
    "reassurance", "reassure", "want more", "hold on", "cling", "text them", "call them",
    "need to know", "seek", "chase", "toward them", "towards them", "toward", "towards",
    "closer",
)
_AWAY_PHRASES = (
    "pull away", "pulling away", "pull back", "back off", "withdraw", "distance",
    "shut down", "shut off", "close off", "run away", "run", "space", "avoid", "retreat",
    "go quiet", "go cold", "ghost", "disappear", "push them away", "push away",
    "away", "independent", "on my own", "by myself",
)
_BOTH_PHRASES = (
    "both", "fluctuate", "back and forth", "push pull", "push-pull", "hot and cold",
    "depends", "mixed", "swing", "switch", "go between", "in between",
)
_NEGATIONS = frozenset({"not", "never", "don't", "dont", "rarely", "can't", "cant", "no"})

# Phrases that mean "I'd rather not answer", even if the intent classifier missed them.
_SKIP_PHRASES = (
    "skip", "pass", "next question", "i'd rather not say", "id rather not say",
    "rather not say", "rather not answer", "prefer not to say", "prefer not to answer",
    "i'd rather not", "don't want to answer", "dont want to answer", "no comment",
    "not sure i want to answer", "i don't want to say", "i dont want to say",
)

# Answers up to this many words are reflected back word for word in the acknowledgement.
QUOTE_MAX_WORDS = 25
# Each answer in the summary is cut to this many words so the bubble stays readable.
SUMMARY_MAX_WORDS = 30


def _normalise(text: Text) -> Text:
    text = text.lower().replace("’", "'")
    return re.sub(r"\s+", " ", re.sub(r"[^a-z' \-]", " ", text)).strip()


def _mentions(text: Text, phrases: Sequence[Text]) -> bool:
    """Whether any phrase occurs as whole words, not right after a negation."""
    for phrase in phrases:
        for match in re.finditer(rf"\b{re.escape(phrase)}\b", text):
            # "I don't pull away" says the opposite; look a few words back for a negation.
            before = text[: match.start()].split()[-3:]
            if not _NEGATIONS.intersection(before):
                return True
    return False


def detect_tendency(answer: Optional[Text]) -> Text:
    """Which way the first answer says the visitor moves when someone gets close.

    Args:
        answer: the visitor's answer to the first question, or None / SKIPPED.

    Returns:
        TOWARD, AWAY, BOTH, or UNCLEAR when the answer does not say (or was skipped).
    """
    if not answer or answer == SKIPPED:
        return UNCLEAR
    text = _normalise(answer)
    if _mentions(text, _BOTH_PHRASES):
        return BOTH
    toward = _mentions(text, _TOWARD_PHRASES)
    away = _mentions(text, _AWAY_PHRASES)
    if toward and away:
        return BOTH
    if toward:
        return TOWARD
    if away:
        return AWAY
    return UNCLEAR


def is_skip(answer: Optional[Text]) -> bool:
    """Whether a typed answer only says "skip" or "I'd rather not say"."""
    if not answer:
        return False
    text = _normalise(answer)
    if text == SKIPPED:
        return True
    # Only short messages: "I'd rather not say how I feel about my mum, but..." is an answer.
    return len(text.split()) <= 7 and _mentions(text, _SKIP_PHRASES)


@dataclass(frozen=True)
class Acknowledgement:
    """Which domain response acknowledges an answer, and the values it needs."""

    response: Text
    values: Dict[Text, Text]


def shorten(text: Text, max_words: int) -> Text:
    """The text cut to at most `max_words` words, marked with an ellipsis if cut."""
    words = text.split()
    if len(words) <= max_words:
        return " ".join(words)
    return " ".join(words[:max_words]) + " …"


def choose_acknowledgement(answer: Optional[Text]) -> Acknowledgement:
    """The acknowledgement after an answer: their words back, or a plain thank-you.

    Short answers are quoted back exactly, so the visitor sees they were heard, without any
    interpretation. Long answers get a plain thank-you instead of a long quote.
    """
    if not answer or answer == SKIPPED or is_skip(answer):
        return Acknowledgement("utter_reflection_ack_skipped", {})
    words = answer.split()
    if len(words) <= QUOTE_MAX_WORDS:
        quote = " ".join(words).strip(" \"'“”")
        return Acknowledgement("utter_reflection_ack_quote", {"answer": quote})
    return Acknowledgement("utter_reflection_ack_long", {})


def build_summary(answers: Mapping[Text, Optional[Text]]) -> Text:
    """The visitor's own answers, one short paragraph per question, for their eyes only.

    Args:
        answers: slot name to answer (None or SKIPPED when not answered).

    Returns:
        One line per question: the heading, then their words or "(skipped)".
    """
    lines: List[Text] = []
    for slot in QUESTION_SLOTS:
        answer = answers.get(slot)
        if not answer or answer == SKIPPED or is_skip(answer):
            text = "(skipped)"
        else:
            text = f"“{shorten(answer.strip(), SUMMARY_MAX_WORDS)}”"
        lines.append(f"• {SUMMARY_HEADINGS[slot]}: {text}")
    return "\n".join(lines)


def answered_count(answers: Mapping[Text, Optional[Text]]) -> int:
    """How many of the four questions have a real answer (not skipped)."""
    return sum(
        1
        for slot in QUESTION_SLOTS
        if answers.get(slot) and answers.get(slot) != SKIPPED and not is_skip(answers.get(slot))
    )
