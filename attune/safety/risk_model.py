"""The trained risk model: reads meaning, where the word lists read phrasings. Pure NumPy.

The model is all-MiniLM-L6-v2 with its upper layers fine-tuned on risk (multi-label: any
risk, suicide, self-harm, abuse, harm to others, immediate danger, about someone else, a child
abused) and on the assistant's intents, trained by `make risk-model` (training/risk_model) and
shipped in this package's `model/` folder: the fine-tuned layers and the heads
(safetensors), and `risk_model.json` with the thresholds chosen on cross-validation and the
dev set. The intent classifier reads its sentence vector from the same encoder, so one pass
serves both (attune/nlu/tfidf_classifier.py hands the vector on).

How a message is read (`RiskModel.verdict`):
- the whole message (256 word pieces: a long message's last line is read in context, against
  the `long` threshold); a message longer than that also in windows that reach its end
  (attune.safety.windows), each weighed as a long message; sentence by sentence as well when
  `sentence` is 1 or below (off in the shipped thresholds: on the dev set it caught nothing the whole reading missed);
- `decide` turns the scores into what the visitor gets: the crisis reply for the category
  (`crisis` threshold), the emergency-first reply only when danger is happening now
  (`immediate`), the gentle check-in for the middle band (`check_in`), or nothing.
Two consecutive messages are read together by `attune.safety.context`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from attune.safety.windows import extra_windows

MODEL_DIR = Path(__file__).with_name("model")
# The second opinion: the eighth training (docs/risk-model.md), consulted only when the shipped
# model and the word lists give no answer and the shipped model is not sure there is none.
SECOND_DIR = Path(__file__).with_name("model_second")
SECOND_OPINION_FROM = 0.1
WEIGHTS = "risk_model.safetensors"
META = "risk_model.json"
CATEGORY_OUTPUTS = ("suicide", "self_harm", "abuse", "harm_others")
# A message is also read sentence by sentence from this many words on.
SENTENCE_READING_MIN_WORDS = 25
# A message this long is weighed against the `long` threshold.
LONG_WORDS = 60
MAX_SENTENCES = 12
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class Thresholds:
    """Where scores become replies; chosen on cross-validation and the dev set."""

    crisis: float
    check_in: float
    immediate: float
    past_check_in: float = 1.0
    word_lists: float = 1.0
    word_lists_emergency: float = 1.0
    immediate_word_lists: float = 1.0
    # Extra readings (a sentence of a long message, two messages together) are extra chances to
    # cross a threshold: each answers only from its own (training/risk_model/readings.py).
    sentence: float = 1.0
    two_turns: float = 1.0
    # A long message (LONG_WORDS or more) is weighed against its own threshold: long messages
    # about a relationship carry intense words far more often than short ones.
    long: float = 0.0

    def for_long_message(self) -> "Thresholds":
        """These thresholds for a long message."""
        return replace(self, crisis=max(self.crisis, self.long), check_in=max(self.check_in, self.long))

    def for_extra_reading(self, floor: float) -> "Thresholds":
        """These thresholds for an extra reading whose own threshold is `floor`."""
        return replace(self, crisis=max(self.crisis, floor), check_in=max(self.check_in, floor),
                       word_lists=1.0, word_lists_emergency=1.0, past_check_in=1.0)
    other: float = 0.5
    child: float = 0.5


@dataclass(frozen=True)
class ModelVerdict:
    """What the model made of one message (labels and scores only, never its words)."""

    scores: Dict[str, float]
    intent: Optional[str] = None
    read: str = "whole"  # "whole", "window", "sentence" or "two_turns": which reading decided
    p: Optional[float] = None  # the probability of risk the decision used (stacked)
    second: bool = False  # decided by the second opinion (SECOND_DIR)

    @property
    def risk(self) -> float:
        return self.scores.get("risk", 0.0) if self.p is None else self.p

    def as_data(self) -> Dict[str, object]:
        data: Dict[str, object] = {"intent": self.intent, "risk": round(self.risk, 4), "read": self.read,
                                   "scores": {k: round(v, 4) for k, v in self.scores.items()}}
        if self.second:
            data["second_opinion"] = True
        return data


def split_sentences(text: str) -> List[str]:
    """The sentences of a long message (the last ones first kept when there are many)."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]
    if len(parts) > MAX_SENTENCES:
        parts = parts[:2] + parts[-(MAX_SENTENCES - 2):]
    return parts


# A sentence that asks the practice something: "Do you take people straight after hospital?",
# "anyway do you do online sessions". Bounded: one sentence (at most 300 characters) at a time.
_PRACTICE_QUESTION = re.compile(
    r"^\W*(?:(?:anyway|also|but|so|and|ok|okay|oh|btw|just|quick\s+question)\W+)*"
    r"(?:do|does|can|could|is|are|what|what's|whats|how|when|where|would|will|may|must|should|who)\b[^?]{0,250}"
    r"\b(?:you|your|u|ur|session|sessions|appointment|appointments|appt|appts|book|booking|counsell\w*|counsel\w*|"
    r"therap\w*|fee|fees|cost|costs|price|pay|payment|insurance|covered|ohip|online|virtual|in\s+person|evening|"
    r"evenings|weekend|weekends|saturday|sunday|intake|spots|openings|hours|open|couples|teens|waitlist)\b[^?]{0,120}\?\W*$"
    r"|^\W*anyway\b",
    re.IGNORECASE,
)
# The remainder must say this much to be read on its own.
WITHOUT_QUESTION_MIN_WORDS = 6


def without_practice_questions(text: str) -> Optional[str]:
    """The message without its sentences that ask the practice something, when it has such a
    sentence and something else; else None (docs/risk-model.md, session 25)."""
    sentences = split_sentences(text[:4000])
    if len(sentences) < 2:
        return None
    kept = [s for s in sentences if not _PRACTICE_QUESTION.search(s[:300])]
    if len(kept) == len(sentences) or not kept:
        return None
    rest = " ".join(kept)
    return rest if len(rest.split()) >= WITHOUT_QUESTION_MIN_WORDS else None


def decide(scores: Dict[str, float], thresholds: Thresholds, p: Optional[float] = None) -> Optional[str]:
    """The risk intent for a set of scores (and the probability of risk `p`, default the
    model's own "risk" output), or None for no risk."""
    risk = scores.get("risk", 0.0) if p is None else p
    if risk < thresholds.check_in:
        return None
    if risk < thresholds.crisis:
        return "risk_check_in"
    if scores.get("immediate_danger", 0.0) >= thresholds.immediate:
        return "risk_emergency"
    if scores.get("other", 0.0) >= thresholds.other:
        return "risk_third_party"
    category = max(CATEGORY_OUTPUTS, key=lambda name: scores.get(name, 0.0))
    if category == "abuse" and scores.get("child", 0.0) >= thresholds.child:
        return "risk_child_abuse"
    return f"risk_{category}"


CHECK_IN = "risk_check_in"
EMERGENCY = "risk_emergency"
# The word lists' emergencies that stand as one whatever the model reads of danger now: an
# overdose, someone who cannot be woken or is turning blue, a child who swallowed medicine
# or a household chemical, the means laid out or in hand.
WORD_LIST_EMERGENCIES = frozenset({"overdose", "unresponsive", "poisoning", "medical_now", "means_ready"})
# Word-list rules for plain first-person statements ("I want to kill myself", "I'm going to
# hurt him"): their match always stands, whatever the model reads.
EXPLICIT_TAGS = frozenset({"explicit", "intent"})
# The word lists' medical emergencies in plain words ("my son is having a fit, it's been five
# minutes", "we all feel sick since the heater went on"): their match stands even when both
# readers weigh the message as without risk (the model knows few such messages). On the
# writers' 24,000 messages they matched 8, all with danger now. So do the means laid out or in
# hand ("pills lined up", "blade against my wrist"): 28 matches, all with risk.
EXPLICIT_EMERGENCY_TAGS = frozenset({"medical_now", "means_ready"})
_SEVERITY = {None: 0, CHECK_IN: 1}


def graver(a: Optional[str], b: Optional[str]) -> Optional[str]:
    """The graver of two decisions: any crisis reply beats the check-in, which beats none;
    between crisis replies, the emergency-first one wins, else the first."""
    rank_a, rank_b = _SEVERITY.get(a, 2), _SEVERITY.get(b, 2)
    if rank_a == rank_b == 2:
        return b if b == "risk_emergency" else a
    return a if rank_a >= rank_b else b


# The word lists' decisions the stacker reads, in its feature order.
LEXICON_INTENTS = ("risk_suicide", "risk_self_harm", "risk_abuse", "risk_child_abuse",
                   "risk_harm_others", "risk_emergency", "risk_third_party", CHECK_IN)


def stack_features(scores: Dict[str, float], outputs: Sequence[str], lexicon: Optional[str],
                   words: int) -> np.ndarray:
    """What the stacker reads: the model's outputs (as logits), the word lists' decision
    (one-hot), and the message's length."""
    probabilities = np.clip(np.array([scores.get(name, 0.0) for name in outputs]), 1e-4, 1 - 1e-4)
    logits = np.log(probabilities / (1 - probabilities))
    matched = np.array([1.0 if lexicon == name else 0.0 for name in LEXICON_INTENTS])
    return np.concatenate([logits, matched, [min(words, 300) / 100.0]])


@dataclass(frozen=True)
class Stacker:
    """Logistic regression over `stack_features`, trained on the cross-validation scores
    (training/risk_model/thresholds.py): one probability of risk from both readers."""

    weights: np.ndarray
    bias: float

    def probability(self, scores: Dict[str, float], outputs: Sequence[str], lexicon: Optional[str],
                    words: int) -> float:
        z = float(stack_features(scores, outputs, lexicon, words) @ self.weights + self.bias)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def combine(lexicon: Optional[str], verdict: Optional[ModelVerdict], thresholds: Thresholds,
            lexicon_tag: Optional[str] = None) -> Optional[str]:
    """What the visitor gets, from the word lists' intent and the model's verdict, whose `p`
    already weighs both (the stacker).

    - Without a verdict (no model, a button payload), the word lists decide alone.
    - `p` at or above `crisis`: the crisis reply; the emergency-first one when the model reads
      danger happening now or the word lists name an emergency; otherwise of the word lists'
      kind when they name one (their rules route precisely: a child's disclosure, someone else
      at risk), else the model's strongest category.
    - A crisis match of the word lists' rules for plain statements ("I want to kill myself")
      always stands. Any other crisis match ("I was raped") stands from `word_lists` on: only
      when both readers together weigh the message as almost certainly without risk is it set
      aside ("this commute is killing me"). Their emergency match ("my husband collapsed and
      isn't breathing") stands from `word_lists_emergency` on when the model reads some danger
      now (`immediate_word_lists`) or the lists name an overdose: "I can't breathe when he
      doesn't text back" matched them too, and the model reads no danger now in it. A medical
      emergency in plain words (`EXPLICIT_EMERGENCY_TAGS`) always stands.
    - `p` at or above `check_in`: the gentle check-in. The word lists' reading of negated or
      past risk ("I'm not suicidal, just tired") gets the check-in too, its designed answer,
      from `past_check_in` on: alone it fired on 1 % of everyday messages ("I'm not gonna kill
      him lol").
    """
    if verdict is None:
        return lexicon
    scores, p = verdict.scores, verdict.risk
    immediate = scores.get("immediate_danger", 0.0)
    lists_emergency = lexicon == EMERGENCY and (
        immediate >= thresholds.immediate_word_lists or lexicon_tag in WORD_LIST_EMERGENCIES)
    crisis_match = lexicon not in (None, CHECK_IN, EMERGENCY)
    if p >= thresholds.crisis:
        if immediate >= thresholds.immediate or lists_emergency:
            return EMERGENCY
        if crisis_match:
            return lexicon
        return decide({**scores, "immediate_danger": 0.0}, thresholds, p=1.0)
    if lists_emergency and (p >= thresholds.word_lists_emergency or lexicon_tag in EXPLICIT_EMERGENCY_TAGS):
        return EMERGENCY
    if crisis_match and (p >= thresholds.word_lists or lexicon_tag in EXPLICIT_TAGS):
        return lexicon
    if p >= thresholds.check_in or (lexicon == CHECK_IN and p >= thresholds.past_check_in):
        return CHECK_IN
    return None


@dataclass
class RiskModel:
    """The heads and thresholds; the encoder pass itself is the shared sentence encoder's."""

    outputs: Tuple[str, ...]
    weight: np.ndarray
    bias: np.ndarray
    thresholds: Thresholds
    meta: Dict[str, object] = field(default_factory=dict)
    stacker: Optional[Stacker] = None

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> "RiskModel":
        from safetensors.numpy import load_file

        meta = json.loads((directory / META).read_text(encoding="utf-8"))
        tensors = load_file(str(directory / WEIGHTS))
        thresholds = Thresholds(**meta["thresholds"])
        stacked = meta.get("stacker")
        stacker = Stacker(np.array(stacked["weights"], dtype=np.float64), float(stacked["bias"])) if stacked else None
        return cls(tuple(meta["outputs"]), tensors["risk_head.weight"].astype(np.float32),
                   tensors["risk_head.bias"].astype(np.float32), thresholds, meta, stacker)

    def probability(self, scores: Dict[str, float], lexicon: Optional[str], words: int) -> float:
        """The probability of risk both readers give (the model's own without a stacker)."""
        if self.stacker is None:
            return scores.get("risk", 0.0)
        return self.stacker.probability(scores, self.outputs, lexicon, words)

    def scores(self, units: np.ndarray) -> List[Dict[str, float]]:
        """Probabilities per output for each unit sentence vector."""
        logits = units.astype(np.float32) @ self.weight.T + self.bias
        probabilities = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
        return [dict(zip(self.outputs, map(float, row))) for row in probabilities]

    def readings(self, text: str) -> List[str]:
        """What to encode for one message: the whole; then, for a message longer than the
        whole reading covers, its windows (attune.safety.windows); then its sentences if it is
        long and the sentence reading is on (a `sentence` threshold above 1 turns it off: on
        the dev set it caught nothing the whole reading missed, and it costs a pass per
        sentence)."""
        readings = [text] + extra_windows(text)
        if len(text.split()) < SENTENCE_READING_MIN_WORDS or self.thresholds.sentence > 1.0:
            return readings
        sentences = split_sentences(text)
        return readings + (sentences if len(sentences) > 1 else [])

    def verdict(self, readings_scores: Sequence[Dict[str, float]], readings: Optional[Sequence[str]] = None,
                lexicon: Optional[str] = None, lexicon_tag: Optional[str] = None,
                two_turns: bool = False) -> ModelVerdict:
        """The decision for one message from the scores of its readings (whole first, then
        its sentences) and the word lists' decision on the whole; the gravest reading decides.
        `two_turns`: the one reading is two messages together (its own threshold)."""
        texts = list(readings) if readings is not None else [""] * len(readings_scores)
        windows = len(extra_windows(texts[0])) if texts else 0
        best: Optional[ModelVerdict] = None
        for n, (scores, text) in enumerate(zip(readings_scores, texts)):
            matched = lexicon if n == 0 else None
            p = self.probability(scores, matched, len(text.split()))
            read = "two_turns" if two_turns else ("whole" if n == 0 else "window" if n <= windows else "sentence")
            thresholds = self.thresholds
            if len(text.split()) >= LONG_WORDS:
                thresholds = thresholds.for_long_message()
            if read == "window":
                # A window is read as a long message of its own; the word lists read the whole.
                thresholds = replace(thresholds, word_lists=1.0, word_lists_emergency=1.0, past_check_in=1.0)
            elif read != "whole":
                floor = self.thresholds.two_turns if two_turns else self.thresholds.sentence
                thresholds = thresholds.for_extra_reading(floor)
            found = ModelVerdict(scores, None, read, p)
            tag = lexicon_tag if n == 0 else None
            found = ModelVerdict(scores, combine(matched, found, thresholds, tag), read, p)
            if best is None or graver(best.intent, found.intent) != best.intent:
                best = found
        assert best is not None
        return best


@lru_cache(maxsize=1)
def shared_risk_model() -> Optional[RiskModel]:
    """The shipped model, or None when this checkout has none (the word lists then act alone)."""
    if not (MODEL_DIR / META).is_file() or not (MODEL_DIR / WEIGHTS).is_file():
        return None
    return RiskModel.load()


@lru_cache(maxsize=1)
def shared_second_opinion() -> Optional[RiskModel]:
    """The second opinion's heads and thresholds, or None when this checkout has none."""
    if not (SECOND_DIR / META).is_file() or not (SECOND_DIR / WEIGHTS).is_file():
        return None
    return RiskModel.load(SECOND_DIR)


# Whether a message with a question about the practice beside something else is read by the
# second opinion whatever the shipped model's probability (the ninth training's candidate,
# docs/risk-model.md, session 26: the shipped model reads such messages as the question).
SECOND_OPINION_ON_QUESTIONS = False


def wants_second_opinion(verdict: ModelVerdict, text: str = "") -> bool:
    """Whether the shipped model's verdict is one the second opinion reads again: no answer,
    but a probability of risk of at least SECOND_OPINION_FROM. On the development sets that
    is about one message in eighteen, and 25 of the 30 risk messages the eighth model reads
    and the shipped one does not. With SECOND_OPINION_ON_QUESTIONS, also any message without
    an answer that asks the practice something beside something else."""
    if verdict.intent is not None:
        return False
    if verdict.risk >= SECOND_OPINION_FROM:
        return True
    return SECOND_OPINION_ON_QUESTIONS and bool(text) and without_practice_questions(text) is not None
