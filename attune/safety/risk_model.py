"""The trained risk model: reads meaning, where the word lists read phrasings. Pure NumPy.

The model is all-MiniLM-L6-v2 with its upper layers fine-tuned on risk (multi-label: any
risk, suicide, self-harm, abuse, harm to others, immediate danger, about someone else, a child
abused) and on the assistant's intents, trained by `make risk-model` (training/risk_model) and
shipped in this package's `model/` folder: the fine-tuned layers and the heads
(safetensors), and `risk_model.json` with the thresholds chosen on cross-validation and the
dev set. The intent classifier reads its sentence vector from the same encoder, so one pass
serves both (attune/nlu/tfidf_classifier.py hands the vector on).

How a message is read (`RiskModel.assess`):
- the whole message; a long one sentence by sentence as well (risk in the last line is not
  diluted by the rest), the highest score counting;
- `decide` turns the scores into what the visitor gets: the crisis reply for the category
  (`crisis` threshold), the emergency-first reply only when danger is happening now
  (`immediate`), the gentle check-in for the middle band (`check_in`), or nothing.
Two consecutive messages are read together by `attune.safety.context`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

MODEL_DIR = Path(__file__).with_name("model")
WEIGHTS = "risk_model.safetensors"
META = "risk_model.json"
CATEGORY_OUTPUTS = ("suicide", "self_harm", "abuse", "harm_others")
# A message is also read sentence by sentence from this many words on.
SENTENCE_READING_MIN_WORDS = 25
MAX_SENTENCES = 12
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class Thresholds:
    """Where scores become replies; chosen on cross-validation and the dev set."""

    crisis: float
    check_in: float
    immediate: float
    veto: float = 0.0
    other: float = 0.5
    child: float = 0.5


@dataclass(frozen=True)
class ModelVerdict:
    """What the model made of one message (labels and scores only, never its words)."""

    scores: Dict[str, float]
    intent: Optional[str] = None
    read: str = "whole"  # "whole", "sentence" or "two_turns": which reading decided

    @property
    def risk(self) -> float:
        return self.scores.get("risk", 0.0)

    def as_data(self) -> Dict[str, object]:
        return {"intent": self.intent, "risk": round(self.risk, 4), "read": self.read,
                "scores": {k: round(v, 4) for k, v in self.scores.items()}}


def split_sentences(text: str) -> List[str]:
    """The sentences of a long message (the last ones first kept when there are many)."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]
    if len(parts) > MAX_SENTENCES:
        parts = parts[:2] + parts[-(MAX_SENTENCES - 2):]
    return parts


def decide(scores: Dict[str, float], thresholds: Thresholds) -> Optional[str]:
    """The risk intent for a set of scores, or None for no risk."""
    risk = scores.get("risk", 0.0)
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
_SEVERITY = {None: 0, CHECK_IN: 1}


def graver(a: Optional[str], b: Optional[str]) -> Optional[str]:
    """The graver of two decisions: any crisis reply beats the check-in, which beats none;
    between crisis replies, the emergency-first one wins, else the first."""
    rank_a, rank_b = _SEVERITY.get(a, 2), _SEVERITY.get(b, 2)
    if rank_a == rank_b == 2:
        return b if b == "risk_emergency" else a
    return a if rank_a >= rank_b else b


def combine(lexicon: Optional[str], verdict: Optional[ModelVerdict], thresholds: Thresholds) -> Optional[str]:
    """What the visitor gets, from the word lists' intent and the model's verdict.

    - Without a verdict (no model, a button payload), the word lists decide alone.
    - The word lists' gentle check-in (negated or past risk) stands, unless the model reads
      current risk.
    - A crisis match of the word lists stands unless the model reads almost no risk in the
      message (`veto`): that is how idioms, games and panic about a partner tripped them.
    - The emergency-first reply needs danger now: when the word lists say emergency but the
      model does not read immediate danger, the reply for the model's category is given.
    - Otherwise the graver of the two decisions.
    """
    if verdict is None:
        return lexicon
    model = verdict.intent
    if lexicon is None:
        return model
    if lexicon == CHECK_IN:
        return graver(CHECK_IN, model)
    if verdict.risk < thresholds.veto:
        return None
    if lexicon == EMERGENCY and verdict.scores.get("immediate_danger", 0.0) < thresholds.immediate:
        lexicon = decide({**verdict.scores, "risk": 1.0, "immediate_danger": 0.0}, thresholds)
        if model == EMERGENCY:
            return model
    return graver(lexicon, model)


@dataclass
class RiskModel:
    """The heads and thresholds; the encoder pass itself is the shared sentence encoder's."""

    outputs: Tuple[str, ...]
    weight: np.ndarray
    bias: np.ndarray
    thresholds: Thresholds
    meta: Dict[str, object] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> "RiskModel":
        from safetensors.numpy import load_file

        meta = json.loads((directory / META).read_text(encoding="utf-8"))
        tensors = load_file(str(directory / WEIGHTS))
        thresholds = Thresholds(**meta["thresholds"])
        return cls(tuple(meta["outputs"]), tensors["risk_head.weight"].astype(np.float32),
                   tensors["risk_head.bias"].astype(np.float32), thresholds, meta)

    def scores(self, units: np.ndarray) -> List[Dict[str, float]]:
        """Probabilities per output for each unit sentence vector."""
        logits = units.astype(np.float32) @ self.weight.T + self.bias
        probabilities = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
        return [dict(zip(self.outputs, map(float, row))) for row in probabilities]

    def readings(self, text: str) -> List[str]:
        """What to encode for one message: the whole, then its sentences if it is long."""
        if len(text.split()) < SENTENCE_READING_MIN_WORDS:
            return [text]
        sentences = split_sentences(text)
        return [text] + (sentences if len(sentences) > 1 else [])

    def verdict(self, readings_scores: Sequence[Dict[str, float]]) -> ModelVerdict:
        """The decision from the scores of the readings of one message (whole first)."""
        whole = readings_scores[0]
        best = ModelVerdict(whole, decide(whole, self.thresholds), "whole")
        for scores in readings_scores[1:]:
            intent = decide(scores, self.thresholds)
            if graver(best.intent, intent) != best.intent:
                best = ModelVerdict(scores, intent, "sentence")
        return best


@lru_cache(maxsize=1)
def shared_risk_model() -> Optional[RiskModel]:
    """The shipped model, or None when this checkout has none (the word lists then act alone)."""
    if not (MODEL_DIR / META).is_file() or not (MODEL_DIR / WEIGHTS).is_file():
        return None
    return RiskModel.load()


def model_encoder():
    """The sentence encoder with the risk model's fine-tuned layers: one pass for both the
    intents and the risk heads."""
    from attune.nlu.sentence_encoder import file_fingerprint
    from safetensors.numpy import load_file

    from attune.nlu import sentence_encoder

    base = sentence_encoder.base_encoder()
    weights = MODEL_DIR / WEIGHTS
    if not weights.is_file():
        return base
    overlay = {k: v.astype(np.float32) for k, v in load_file(str(weights)).items()}
    return base.with_overlay(overlay, fingerprint=f"{base.fingerprint}+{file_fingerprint(weights)}")
