"""A message the classifier is unsure of, read in the light of the topic just discussed.
Pure logic, no Rasa imports.

Said alone, "is there a ramp at the side door?" or "so do secure people ever fight?" are
unclear, and the classifier's first guess is often a neighbouring topic. Said right after the
assistant answered about the office's access or about secure attachment, they are about that.
So when the visitor's previous message was answered on a topic (slot `last_topic`) and this
one is read without much confidence, a topic the classifier still gives some weight to is
preferred: the message is read as `continue_topic`, which `action_follow_up` answers on the
topic just discussed (attune/follow_up.py, kind "more"). A pattern or feeling said again in
other words ("it happened again last night") gets more on it too, not the same
answer twice.

Inside the reflective exercise, an answer that sounds like a topic ("i pull back and get really
busy with work", read as the avoidant pattern) is an answer, not a question: a message that
asks nothing, read as a teaching topic or a request the assistant declines, is kept as the
answer (`reading_in_exercise`). A question ("is that the push and pull one?") is still answered.

A question asked inside a feeling ("My son won't talk to anyone since the move. He's 15. Do you
see teenagers?") reads, as a whole, as the feeling: its question clause is read alone
(`question_to_read_alone`, by attune/patches.py) and that reading taken when it is a topic read
with confidence (`take_question_reading`).

Never after a crisis reply (attune/safety/context.py reads those), never inside the call-back
form, never over a risk reading, a command or anything the classifier is sure of: only the
readings in `RE_READABLE` are re-read.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Mapping, Optional, Sequence

from attune.follow_up import KIND_OF_INTENT, PATTERNS_AND_FEELINGS, PRACTICE_FACTS, TOPIC_OF_INTENT

# The intent the re-reading sets (never taught to the classifier: domain.yml, data/rules).
CONTINUE_TOPIC = "continue_topic"

# Readings that may give way to the topic just discussed: the topics themselves, "out of
# scope", the menu, and a message not understood. Never risk, the crisis follow-ups, commands
# (restart, delete, goodbye), the exercise's controls or the call-back form.
RE_READABLE = frozenset(TOPIC_OF_INTENT) | {"out_of_scope", "nlu_fallback", "share_reflection", "help"}

# After a pattern or a feeling, "ok", "hmm", or more told about it ("it happened again last
# night", read as an answer to the exercise that is not running): the visitor is still with
# it, and a little more on it is offered (after a practical answer, "ok" is left as it is).
TELLING_MORE = frozenset({"affirm", "share_reflection"})

# More told after a pattern or feeling that leans to another one this much is that one.
OTHER_FEELING_MIN = 0.15
# Words that ask for a diagnosis or a label in so many words.
DIAGNOSIS_WORDS = re.compile(
    r"\b(?:diagnos\w*|label\w*|style|type|disorder|condition|what i have|name for|tell me|just say)\b", re.IGNORECASE)

# Outside the exercise, "so how do i stop" after a pattern or a feeling is not stopping the
# exercise: it asks what can help (the follow-up "what do I do", attune/follow_up.py).
EXERCISE_CONTROLS = frozenset({"stop_reflection", "pause_reflection", "skip_question"})
WHAT_TO_DO = "ask_next_step"

# Below this confidence a reading is unsure enough to be re-read.
UNSURE_BELOW = 0.6
# The topic just discussed (or one the last reply offered as a button) must keep at least
# this weight in the ranking, and this share of the first reading's.
TOPIC_WEIGHT_MIN = 0.08
TOPIC_SHARE_MIN = 0.2
# A short message that points back ("how long does it take", "what would we even talk about
# then") names no topic of its own: read unsure, less weight on the topic just discussed is
# enough, and a reading that names no topic (out of scope, the menu) gives way at any
# confidence ("how long is it").
POINTING_BACK = re.compile(r"\b(?:it|that|this|those|these|them|then)\b", re.IGNORECASE)
SHORT_WORDS = 8
POINTING_WEIGHT_MIN = 0.02
POINTING_SHARE_MIN = 0.1
NO_TOPIC_OF_THEIR_OWN = frozenset({"out_of_scope", "nlu_fallback", "help"})
# The topics a reply's buttons offer that a follow-up may take up: not "Talk to a therapist",
# which nearly every reply offers.
OFFERED_TOPICS = frozenset(TOPIC_OF_INTENT) - {"request_human"}


def topic_intents(topic: Optional[str]) -> frozenset:
    """The intents that raise `topic` (a `last_topic` value)."""
    return frozenset(intent for intent, found in TOPIC_OF_INTENT.items() if found == topic)


def answered_on(topic: Optional[str], previous_intent: Optional[str]) -> bool:
    """Whether the visitor's previous message, read as `previous_intent`, was answered on
    `topic`: a question or feeling of that topic, a follow-up, or this re-reading."""
    if not topic or not previous_intent:
        return False
    return (previous_intent in topic_intents(topic) or previous_intent in KIND_OF_INTENT
            or previous_intent == CONTINUE_TOPIC)


def points_back(text: str) -> bool:
    """Whether a short message points back at what was just said ("is there a fee for that")."""
    return len(text.split()) <= SHORT_WORDS and bool(POINTING_BACK.search(text))


def reading_on_topic(intent: Optional[str], confidence: float, ranking: Sequence[Mapping[str, Any]],
                     topic: Optional[str], text: str = "", offered: Sequence[str] = ()) -> Optional[str]:
    """The reading to take instead of `intent` for a message right after the assistant
    answered on `topic`, or None to keep it: `CONTINUE_TOPIC` (more on the topic), or a topic
    the last reply offered as a button, when the classifier gives it some weight.

    Args:
        intent: the message's reading.
        confidence: its confidence.
        ranking: the classifier's ranking, best first (`[{"name", "confidence"}, ...]`).
        topic: the topic the previous message was answered on, or None.
        text: the message.
        offered: the intents of the last reply's buttons ("Being kinder to myself" after
            shame: "how do i make it quieter" follows it).
    """
    wanted = topic_intents(topic)
    weights = {str(e.get("name")): float(e.get("confidence") or 0.0) for e in ranking}
    if intent in wanted and topic not in PATTERNS_AND_FEELINGS:
        return None
    if topic in PATTERNS_AND_FEELINGS and (intent in TELLING_MORE or intent in wanted):
        # "ok", more told, or the same pattern or feeling said again in other words: more on
        # it, not the same answer twice; unless what is told leans to another pattern or
        # feeling ("does that make me too much?" after loneliness).
        other = max(((w, name) for name, w in weights.items()
                     if TOPIC_OF_INTENT.get(name) in PATTERNS_AND_FEELINGS and name not in wanted),
                    default=(0.0, ""))
        if intent in TELLING_MORE and other[0] >= OTHER_FEELING_MIN:
            return other[1]
        return CONTINUE_TOPIC
    if topic in FEELINGS and intent == "request_diagnosis" and len(text.split()) <= SHORT_WORDS \
            and not DIAGNOSIS_WORDS.search(text):
        # "what's wrong with me" right after a feeling is part of it, not a request for a label.
        return "feel_shame"
    if intent in EXERCISE_CONTROLS and topic in PATTERNS_AND_FEELINGS and asks_something(text):
        # "so how do i stop" after a pattern, with no exercise running: what can help.
        return WHAT_TO_DO
    if intent not in RE_READABLE:
        return None
    pointing = points_back(text) and bool(wanted)
    no_topic = pointing and intent in NO_TOPIC_OF_THEIR_OWN
    if intent != "nlu_fallback" and confidence >= UNSURE_BELOW and not no_topic:
        return None
    if intent == "out_of_scope" and not pointing:
        wanted = frozenset()  # "where can i find a free english class" after languages is its own
    candidates = wanted | (frozenset(offered) & OFFERED_TOPICS)
    if not candidates:
        return None
    first = max((w for name, w in weights.items() if name not in candidates and name != "nlu_fallback"),
                default=0.0)
    best = max(candidates, key=lambda name: (weights.get(name, 0.0), name in wanted))
    held = weights.get(best, 0.0)
    least, share = (POINTING_WEIGHT_MIN, POINTING_SHARE_MIN) if pointing else (TOPIC_WEIGHT_MIN, TOPIC_SHARE_MIN)
    if best != intent and held >= least and held >= share * first:
        return CONTINUE_TOPIC if best in wanted else best
    return CONTINUE_TOPIC if no_topic else None


def re_read(parse_data: Dict[str, Any], topic: Optional[str], previous_intent: Optional[str],
            offered: Sequence[str] = ()) -> bool:
    """Re-reads `parse_data` (in place) as `reading_on_topic` says, when the previous message
    was answered on `topic`; `offered` are the intents of the last reply's buttons. Returns
    whether it changed the reading."""
    text = str(parse_data.get("text") or "").strip()
    if not text or text.startswith("/"):
        return False
    if not answered_on(topic, previous_intent):
        topic = None  # only a topic the last reply offered can be taken up
    if topic in OPPOSITE_TOPIC and len(text) <= OPPOSITE_MAX_CHARS and OPPOSITE.match(text):
        # "and the opposite?" after the anxious pattern: the avoidant one (writer I).
        _set_intent(parse_data, OPPOSITE_TOPIC[topic], topic)
        return True
    intent = parse_data.get("intent") or {}
    chosen = reading_on_topic(intent.get("name"), float(intent.get("confidence") or 0.0),
                              parse_data.get("intent_ranking") or [], topic, text, offered)
    if chosen is None:
        return False
    _set_intent(parse_data, chosen, topic)
    return True


# "and the opposite?", "what about the other one", said alone right after one of the two
# patterns that mirror each other: the other.
# Each lead-in word can be read one way only, at most three of them, on a short message: a
# pattern with overlapping choices under a repeat takes exponential time on "whats whats ...".
OPPOSITE = re.compile(r"^\W{0,3}(?:(?:and|so|ok|okay|what'?s|how|what)\s+(?:about\s+)?){0,3}"
                      r"(?:the\s+)?(?:opposite|other\s+one|other\s+(?:kind|type|pattern|style)|reverse)\W{0,3}$",
                      re.IGNORECASE)
OPPOSITE_MAX_CHARS = 60
OPPOSITE_TOPIC = {"anxious_attachment": "ask_avoidant_attachment", "avoidant_attachment": "ask_anxious_attachment"}


def _set_intent(parse_data: Dict[str, Any], chosen: str, topic: Optional[str]) -> None:
    """Makes `chosen` the message's reading, first in its ranking, noting the one before."""
    parse_data["topic_context"] = {"read_before": (parse_data.get("intent") or {}).get("name"), "topic": topic}
    top = {"name": chosen, "confidence": 1.0}
    parse_data["intent"] = top
    parse_data["intent_ranking"] = [top] + [e for e in parse_data.get("intent_ranking") or []
                                            if e.get("name") != chosen]


# The reflective exercise's answers (share_reflection is kept as the answer: domain.yml).
EXERCISE_ANSWER = "share_reflection"
# Readings an answer may get by mistake: the teaching topics and what the assistant declines
# (a practical question, a feeling, privacy, "are you a bot" and the exercise's controls keep
# their own handling).
FEELINGS = frozenset({"shame", "jealousy", "loneliness", "fear_of_abandonment", "too_much", "not_enough"})
ANSWER_LIKE = frozenset(intent for intent, topic in TOPIC_OF_INTENT.items()
                        if topic not in PRACTICE_FACTS | FEELINGS | {"privacy", "bot_identity"})
# A question: a clause that opens with a question word or a request to explain, or a short
# one ("avoidant?", "is it that?", "thats the anxious one right?") that ends in a question mark.
# "honestly i felt calm but also kind of sad?" tells something.
_CLAUSE = re.compile(r"[^.!?;\n]+[.!?;\n]*")
_FILLER = re.compile(
    r"^(?:(?:ok|okay|so|and|but|wait|also|btw|um+|hmm+|oh|well|honestly|like|lol|yeah|yes|no)\b[\s,]*)+",
    re.IGNORECASE)
_QUESTION_OPENING = re.compile(
    r"^(?:how|what|whats|what's|why|who|which|is|isn't|are|am|do|does|did|can|could|would|will|should|may|"
    r"tell\s+me|explain|i\s+(?:want|wanna|would\s+like|'d\s+like)\s+to\s+know)\b",
    re.IGNORECASE,
)
_TAG_QUESTION = re.compile(r"\b(?:right|or not|isn't it|is it|no)\s*\?\s*$", re.IGNORECASE)


def asks_something(text: str) -> bool:
    """Whether a message asks a question (rather than telling something)."""
    for clause in _CLAUSE.findall(text):
        words = _FILLER.sub("", clause.strip())
        if _QUESTION_OPENING.match(words):
            return True
        if clause.rstrip().endswith("?") and (len(words.split()) <= 4 or _TAG_QUESTION.search(words)):
            return True
    return False


# A question inside the exercise read as a follow-up ("is that the anxious one", read as "is
# that bad?") or not understood: the teaching topic or practical question the classifier
# weighs this much is answered, then the exercise's question is asked again (data/rules).
IN_EXERCISE_TOPIC_MIN = 0.15
FOLLOW_UP_INTENTS = frozenset(KIND_OF_INTENT) - {CONTINUE_TOPIC}
ASKED_IN_EXERCISE = ANSWER_LIKE | frozenset(intent for intent, topic in TOPIC_OF_INTENT.items()
                                            if topic in PRACTICE_FACTS)


def reading_in_exercise(text: str, intent: Optional[str], ranking: Sequence[Mapping[str, Any]] = (),
                        confidence: float = 1.0) -> Optional[str]:
    """The reading to take instead of `intent` for a message sent while the exercise waits for
    an answer, or None to keep it: one that asks nothing, read as a teaching topic, or as a
    control of the exercise without much confidence in many words ("ok back to it. i think i
    give too much so they stay"), is the answer (`EXERCISE_ANSWER`); one that asks, read as a
    follow-up or not understood, is the topic the classifier weighs at least
    `IN_EXERCISE_TOPIC_MIN`, when there is one."""
    if not text.strip() or text.startswith("/"):
        return None
    if not asks_something(text):
        unsure_control = (intent in EXERCISE_CONTROLS | {"resume_reflection"} and confidence < UNSURE_BELOW
                          and len(text.split()) > SHORT_WORDS)
        return EXERCISE_ANSWER if intent in ANSWER_LIKE or unsure_control else None
    if intent not in FOLLOW_UP_INTENTS | {EXERCISE_ANSWER, "nlu_fallback"}:
        return None
    weights = [(float(e.get("confidence") or 0.0), str(e.get("name"))) for e in ranking
               if e.get("name") in ASKED_IN_EXERCISE]
    weight, best = max(weights, default=(0.0, ""))
    return best if weight >= IN_EXERCISE_TOPIC_MIN else None


# At "Shall we start?", an answer typed instead of a yes ("when he says he loves me i crack a
# joke") starts the exercise with it as the first answer (data/rules/reflection.yml), whatever
# topic or feeling it sounds like, as long as it asks nothing.
SHALL_WE_START = "utter_reflection_ground_rules"
ANSWER_AT_START = ANSWER_LIKE | frozenset(intent for intent, topic in TOPIC_OF_INTENT.items()
                                          if topic in FEELINGS) | {"nlu_fallback", "out_of_scope"}


def reading_at_start(text: str, intent: Optional[str]) -> Optional[str]:
    """`EXERCISE_ANSWER` for a message at "Shall we start?" that tells something instead of
    saying yes or no, else None."""
    if intent not in ANSWER_AT_START or not text.strip() or text.startswith("/") or asks_something(text):
        return None
    return EXERCISE_ANSWER


def _take(parse_data: Dict[str, Any], chosen: Optional[str]) -> bool:
    """Makes `chosen` the reading when it is one and differs. Returns whether it did."""
    if chosen is None or chosen == (parse_data.get("intent") or {}).get("name"):
        return False
    _set_intent(parse_data, chosen, None)
    return True


def re_read_in_exercise(parse_data: Dict[str, Any]) -> bool:
    """Re-reads `parse_data` (in place) as `reading_in_exercise` says. Returns whether it
    changed the reading."""
    intent = parse_data.get("intent") or {}
    return _take(parse_data, reading_in_exercise(str(parse_data.get("text") or ""), intent.get("name"),
                                                 parse_data.get("intent_ranking") or [],
                                                 float(intent.get("confidence") or 0.0)))


def re_read_at_start(parse_data: Dict[str, Any]) -> bool:
    """Re-reads `parse_data` (in place) as `reading_at_start` says, for a message answering
    "Shall we start?". Returns whether it changed the reading."""
    return _take(parse_data, reading_at_start(str(parse_data.get("text") or ""),
                                              (parse_data.get("intent") or {}).get("name")))


# A question asked inside a feeling ("My son won't talk to anyone since the move. He's 15. Do
# you see teenagers?"): the message as a whole reads as the feeling, the question alone as what the
# visitor asks. Read alone when the whole reads as one of these, or unsure.
TELLING = frozenset(intent for intent, topic in TOPIC_OF_INTENT.items() if topic in FEELINGS) | {
    "share_reflection", "out_of_scope", "nlu_fallback"}
QUESTION_ALONE_SURE = 0.6


def question_to_read_alone(text: str, intent: Optional[str], confidence: float) -> Optional[str]:
    """The question clause of a message that tells something and asks something, when the
    whole message reads as the telling (a feeling, not understood): that clause is read alone."""
    if not text or text.startswith("/") or intent not in TELLING:
        return None
    clauses = [c.strip() for c in _CLAUSE.findall(text) if c.strip()]
    if len(clauses) < 2:
        return None
    asked = [c for c in clauses if asks_something(c)]
    return asked[0] if len(asked) == 1 else None


# What a question alone may be read as: a question about a topic or the practice, not a
# feeling ("why am i like this?") nor "what's wrong with me?", which said beside a feeling is
# part of it, not a request for a diagnosis.
QUESTION_TOPICS = frozenset(intent for intent, topic in TOPIC_OF_INTENT.items()
                            if topic not in FEELINGS) - {"request_diagnosis"}


def prefer_question(alone_intent: Optional[str], alone_confidence: float, intent: Optional[str]) -> bool:
    """Whether the question's own reading (`alone_intent`) answers the visitor better than
    the whole message's (`intent`): a topic or a practical question, read with confidence."""
    return (alone_intent in QUESTION_TOPICS and alone_intent != intent
            and alone_confidence >= QUESTION_ALONE_SURE)


def take_question_reading(parse_data: Dict[str, Any], alone: Dict[str, Any]) -> bool:
    """Takes the question's own reading (`alone`, a parse of the question clause) into
    `parse_data` when `prefer_question` says so. Returns whether it did."""
    intent = parse_data.get("intent") or {}
    chosen = alone.get("intent") or {}
    if not prefer_question(chosen.get("name"), float(chosen.get("confidence") or 0.0), intent.get("name")):
        return False
    parse_data["topic_context"] = {"read_before": intent.get("name"), "question": alone.get("text")}
    parse_data["intent"] = dict(chosen)
    parse_data["intent_ranking"] = list(alone.get("intent_ranking") or [chosen])
    return True


# A pattern named by others ("my ex says i'm avoidant, what does that even mean") or asked about
# by name ("is that anxious?") is a question about that pattern, not a request to be diagnosed
# nor "is that bad?". Both patterns named: the mix of them.
_PATTERN_WORDS = (
    ("anxious", re.compile(r"\banxious(?:ly)?\b", re.IGNORECASE)),
    ("avoidant", re.compile(r"\bavoidant\b", re.IGNORECASE)),
    ("disorganised", re.compile(r"\b(?:fearful|disorgani[sz]ed)\b", re.IGNORECASE)),
    ("secure", re.compile(r"(?<!in)\bsecure(?:ly)?\b", re.IGNORECASE)),
)
PATTERN_INTENTS = {"anxious": "ask_anxious_attachment", "avoidant": "ask_avoidant_attachment",
                   "disorganised": "ask_disorganised_attachment", "secure": "ask_secure_attachment"}
# Asking what a word means or whether it is real: not "am i ...?" nor "tell me which".
_WHAT_IT_IS = re.compile(
    r"\b(?:what\s+(?:is|does|do|even|exactly|'s)|whats|what's|mean\w*|a\s+real\s+thing|real\s+thing|even\s+a\s+thing|"
    r"is\s+that\s+(?:a\s+)?(?:thing|real))\b", re.IGNORECASE)
_ASKS_FOR_OWN_LABEL = re.compile(
    r"\b(?:am\s+i|which\s+one\s+am|tell\s+me\s+(?:if|whether|which|what\s+i)|diagnos\w*)\b", re.IGNORECASE)
_JUDGES = re.compile(r"\b(?:bad|normal|ok|okay|wrong|healthy|unhealthy|worst|problem|weird)\b", re.IGNORECASE)


def named_pattern(text: str) -> Optional[str]:
    """The pattern intent a message names (both anxious and avoidant: the disorganised mix)."""
    named = {name for name, words in _PATTERN_WORDS if words.search(text)}
    if {"anxious", "avoidant"} <= named:
        return PATTERN_INTENTS["disorganised"]
    return PATTERN_INTENTS[next(iter(named))] if len(named) == 1 else None


def reading_of_named_pattern(text: str, intent: Optional[str]) -> Optional[str]:
    """The pattern's intent for a message read as a diagnosis request that asks what a pattern
    others named is, or read as "is that bad?" that asks about a pattern by name; else None."""
    pattern = named_pattern(text)
    if pattern is None or not text.strip() or text.startswith("/"):
        return None
    if intent == "request_diagnosis" and _WHAT_IT_IS.search(text) and not _ASKS_FOR_OWN_LABEL.search(text):
        return pattern
    if intent == "ask_is_it_bad" and len(text.split()) <= SHORT_WORDS and not _JUDGES.search(text):
        return pattern
    return None


def re_read_named_pattern(parse_data: Dict[str, Any]) -> bool:
    """Re-reads `parse_data` (in place) as `reading_of_named_pattern` says. Returns whether it
    changed the reading."""
    return _take(parse_data, reading_of_named_pattern(str(parse_data.get("text") or ""),
                                                      (parse_data.get("intent") or {}).get("name")))


# Thanks that also takes leave ("Thank you. Good day.", "thx, have a good night"): a goodbye,
# which thanks them and leaves the way to a therapist and the crisis line.
_TAKES_LEAVE = re.compile(
    r"\b(?:bye+|goodbye|good\s*(?:day|night|evening)|g'?night|take\s+care|see\s+(?:you|ya)|ciao|"
    r"have\s+a\s+(?:good|nice|great|lovely)\s+(?:day|night|evening|one|weekend))\b", re.IGNORECASE)


def reading_of_thanks(text: str, intent: Optional[str]) -> Optional[str]:
    """"goodbye" for thanks that also takes leave, else None."""
    return "goodbye" if intent == "thank" and _TAKES_LEAVE.search(text) else None


def re_read_thanks(parse_data: Dict[str, Any]) -> bool:
    """Re-reads `parse_data` (in place) as `reading_of_thanks` says. Returns whether it did."""
    return _take(parse_data, reading_of_thanks(str(parse_data.get("text") or ""),
                                               (parse_data.get("intent") or {}).get("name")))
