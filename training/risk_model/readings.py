"""Chooses the thresholds of long messages and of the extra readings on a dev set:
`make risk-thresholds`.

    python -m training.risk_model.readings [--dev tests/safety/dev/dev_long_two_turn.jsonl]

A long message is also read sentence by sentence, and two consecutive messages together. Each
extra reading is one more chance for a message without risk to cross a threshold chosen for
whole messages, so each gets its own: the lowest probability at which no long message (or
pair) without risk in the dev set is answered because of that reading, which keeps the most
of the risk the reading exists for. The dev set (written by an independent writer for this,
never part of training or of a sealed set) may be read and tuned on.

Long messages themselves (60 words or more) are weighed against their own threshold: the
lowest at which at most 2 % of the dev set's long messages without risk get any answer, the
same budget as for every message in cross-validation (where long messages without risk were
too few, 280, and too mild to show it: 3.9 % there, 18 % on the dev set at the general
threshold).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
from dataclasses import replace

from attune.safety.corpus import Item, read_corpus
from attune.safety.risk_model import META, MODEL_DIR, RiskModel, shared_risk_model, split_sentences

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "tests" / "safety" / "dev" / "dev_long_two_turn.jsonl"
CANDIDATES = [round(float(x), 3) for x in np.arange(0.5, 1.0, 0.01)] + [0.995, 0.999, 1.01]


def whole_intent(model: RiskModel, encoder, detector, text: str) -> Optional[str]:
    assessment = detector.assess(text)
    return model.verdict(model.scores(encoder.encode([text])), [text], assessment.intent,
                         assessment.decision_tag).intent


def best_extra_p(model: RiskModel, encoder, texts: List[str]) -> float:
    """The highest probability any of the extra readings gives."""
    if not texts:
        return 0.0
    scores = model.scores(encoder.encode(texts))
    return max(model.probability(s, None, len(t.split())) for s, t in zip(scores, texts))


def choose_long(model: RiskModel, encoder, detector, items: List[Item]) -> float:
    """The `long` threshold (written into the model's metadata at once, so that the sentence
    and two-turn readings are chosen with it in force)."""
    from attune.safety.risk_model import LONG_WORDS

    long_items = [i for i in items if len(i.text.split()) >= LONG_WORDS]
    rows = []
    for item in long_items:
        assessment = detector.assess(item.text)
        scores = model.scores(encoder.encode([item.text]))[0]
        rows.append((item.is_risk, model.probability(scores, assessment.intent, len(item.text.split()))))
    negatives = [p for risk, p in rows if not risk]
    threshold = float(next((t for t in CANDIDATES if sum(p >= t for p in negatives) <= 0.02 * len(negatives)), 1.01))
    meta_path = MODEL_DIR / META
    meta = json.loads(meta_path.read_text())
    meta["thresholds"]["long"] = threshold
    meta["dev_long"] = {
        "no_risk_long": len(negatives), "answered": int(sum(p >= threshold for p in negatives)),
        "risk_long": len(rows) - len(negatives),
        "caught": int(sum(1 for risk, p in rows if risk and p >= threshold)),
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    model.thresholds = replace(model.thresholds, long=threshold)
    return threshold


def choose(rows: List[Dict]) -> float:
    """The lowest threshold at which no row without risk is answered through this reading;
    above 1 (off) when at that threshold the reading catches no risk the whole one missed."""
    negatives = [r for r in rows if not r["risk"] and not r["whole"]]
    for threshold in CANDIDATES:
        if all(r["extra_p"] < threshold for r in negatives):
            gained = sum(1 for r in rows if r["risk"] and not r["whole"] and r["extra_p"] >= threshold)
            return threshold if gained else 1.01
    return 1.01


def report(rows: List[Dict], threshold: float) -> Dict[str, object]:
    risk = [r for r in rows if r["risk"]]
    none = [r for r in rows if not r["risk"]]
    return {
        "risk_items": len(risk),
        "risk_caught_whole_reading": sum(1 for r in risk if r["whole"]),
        "risk_caught_with_this_reading": sum(1 for r in risk if r["whole"] or r["extra_p"] >= threshold),
        "no_risk_items": len(none),
        "no_risk_answered_whole_reading": sum(1 for r in none if r["whole"]),
        "no_risk_answered_with_this_reading": sum(1 for r in none if r["whole"] or r["extra_p"] >= threshold),
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.risk_model.readings")
    parser.add_argument("--dev", type=Path, default=DEV)
    args = parser.parse_args(argv)
    from attune.nlu.sentence_encoder import shared_encoder
    from attune.safety.detector import RiskDetector

    model, encoder, detector = shared_risk_model(), shared_encoder(), RiskDetector.load()
    items: List[Item] = [i for i in read_corpus(args.dev).items if not i.no_current_risk]
    long_t = choose_long(model, encoder, detector, [i for i in items if not i.is_two_turn])
    sentences, pairs = [], []
    for item in items:
        if item.is_two_turn:
            first, second = item.turns
            whole = bool(whole_intent(model, encoder, detector, first)
                         or whole_intent(model, encoder, detector, second))
            pairs.append({"risk": item.is_risk, "whole": whole,
                          "extra_p": best_extra_p(model, encoder, [f"{first}\n{second}"])})
        elif len(item.text.split()) >= 25:
            readings = [item.text] + split_sentences(item.text)
            whole = bool(whole_intent(model, encoder, detector, item.text))
            sentences.append({"risk": item.is_risk, "whole": whole,
                              "extra_p": best_extra_p(model, encoder, readings[1:])})
    sentence_t, pair_t = choose(sentences), choose(pairs)
    figures = {"sentence": report(sentences, sentence_t), "two_turns": report(pairs, pair_t)}
    print(json.dumps({"long": long_t, "sentence": sentence_t, "two_turns": pair_t, "dev": figures}, indent=2))
    meta_path = MODEL_DIR / META
    meta = json.loads(meta_path.read_text())
    meta["thresholds"].update({"sentence": sentence_t, "two_turns": pair_t})
    meta["dev_readings"] = {"set": str(args.dev.relative_to(ROOT)), **figures}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
