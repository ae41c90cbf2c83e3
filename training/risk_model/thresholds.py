"""Chooses how the risk model's scores become replies, on its cross-validation scores:
`make risk-thresholds`.

    python -m training.risk_model.thresholds [--oof var/risk-model/oof.json]

Reads every training example's out-of-fold scores (written by `training.risk_model.train`)
and runs the word lists on the same text. Then:
1. the stacker: a logistic regression over the model's outputs, the word lists' decision and
   the message's length (`attune.safety.risk_model.stack_features`), whose own out-of-fold
   probabilities (5 folds within these scores) choose the thresholds; the exported stacker is
   fitted on all of them;
2. `crisis`: the lowest probability at which at most 1.0 % of messages without risk would get
   a crisis reply;
3. `check_in` and `past_check_in`: the lowest probability at which at most 2.0 % of them would
   get any answer at all (the crisis reply, the check-in band, or the word lists' check-in for
   negated or past risk, which stands from `past_check_in` on); `past_check_in` is the value
   that keeps the most recall, then shows the lines to the most negated or past messages;
   `word_lists`, from which a crisis match of the word lists stands, is set first: half the
   lowest probability the readers give an explicit statement of the word lists' own corpus
   (their guarantee: no explicit statement there is ever missed);
4. `immediate`: the lowest score of the model's "danger now" output at which no message
   without risk, and at most 5 % of risk messages without danger now, would get the
   emergency-first reply.
Writes the stacker, the thresholds and the simulated figures (what visitors would get, with
Wilson intervals) into attune/safety/model/risk_model.json. Sealed sets are never read here.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from attune.safety.corpus import NO_CURRENT_RISK_KINDS
from attune.safety.risk_model import (
    CHECK_IN,
    EMERGENCY,
    EXPLICIT_TAGS,
    META,
    MODEL_DIR,
    ModelVerdict,
    Stacker,
    Thresholds,
    combine,
    stack_features,
)

ROOT = Path(__file__).resolve().parents[2]
OOF = ROOT / "var" / "risk-model" / "oof.json"
GRID = [round(x, 4) for x in np.concatenate([np.arange(0.01, 0.1, 0.005), np.arange(0.1, 0.999, 0.005)])]
NO_CURRENT_RISK_GROUPS = set(NO_CURRENT_RISK_KINDS) | {"risk_check_in"}
CRISIS_FALSE_ALARMS = 0.010
ANY_FALSE_ALARMS = 0.020


def populations(rows: List[Dict]) -> Dict[str, List[Dict]]:
    risk = [r for r in rows if r["mask"][0] and r["targets"][0] == 1]
    none = [r for r in rows if r["mask"][0] and r["targets"][0] == 0 and r["group"] not in NO_CURRENT_RISK_GROUPS]
    past = [r for r in rows if r["group"] in NO_CURRENT_RISK_GROUPS and r["group"] != "risk_check_in"]
    return {"risk": risk, "none": none, "negated_or_past": past}


def lowest(grid: Sequence[float], ok) -> float:
    for value in grid:
        if ok(value):
            return value
    return grid[-1]


def features(row: Dict, outputs: List[str]) -> np.ndarray:
    return stack_features(dict(zip(outputs, row["scores"])), outputs, row["lexicon"], len(row["text"].split()))


def fit_stacker(rows: List[Dict], labels: np.ndarray, outputs: List[str], seed: int = 13):
    """(out-of-fold stacked probabilities, the stacker fitted on everything)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    x = np.array([features(r, outputs) for r in rows])
    oof = np.zeros(len(rows))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, labels):
        model = LogisticRegression(C=1.0, max_iter=5000).fit(x[train], labels[train])
        oof[test] = model.predict_proba(x[test])[:, 1]
    final = LogisticRegression(C=1.0, max_iter=5000).fit(x, labels)
    return oof, Stacker(final.coef_[0].astype(np.float64), float(final.intercept_[0]))


def explicit_floors(outputs: List[str], stacker: Stacker, detector) -> Tuple[float, float]:
    """(`word_lists`, `word_lists_emergency`): the explicit statements of the word lists' own
    corpus (tests/safety/risk_corpus.yml, the corpus their guarantee is defined on) all keep
    their crisis reply; each floor is half the lowest probability the readers give any of them
    (emergencies apart: the model was trained on few)."""
    import yaml

    from attune.nlu.sentence_encoder import shared_encoder
    from attune.safety.risk_model import shared_risk_model

    model, encoder = shared_risk_model(), shared_encoder()
    items = yaml.safe_load((ROOT / "tests" / "safety" / "risk_corpus.yml").read_text(encoding="utf-8"))
    lowest_p = {"crisis": 1.0, "emergency": 1.0}
    for item in items:
        if item.get("kind") != "explicit" or item["expected"] in ("none", CHECK_IN):
            continue
        lexicon = detector.assess(item["text"]).intent
        if lexicon is None or lexicon == CHECK_IN:
            continue
        scores = model.scores(encoder.encode([item["text"]]))[0]
        p = stacker.probability(scores, outputs, lexicon, len(item["text"].split()))
        key = "emergency" if lexicon == EMERGENCY else "crisis"
        lowest_p[key] = min(lowest_p[key], p)
    return max(0.0005, lowest_p["crisis"] / 2), max(0.0005, lowest_p["emergency"] / 2)


def choose(pops: Dict[str, List[Dict]], outputs: List[str], word_lists: float = 1.0,
           word_lists_emergency: float = 1.0) -> Thresholds:
    immediate_i = outputs.index("immediate_danger")
    none, risk = pops["none"], pops["risk"]
    crisis = lowest(GRID, lambda t: rate(none, lambda r: r["p"] >= t) <= CRISIS_FALSE_ALARMS)

    # The word lists' emergency match needs the model to read some danger now: the lowest
    # level at which no message without risk would get the emergency-first reply.
    def lists_emergency(row: Dict, level: float) -> bool:
        return (row["lexicon"] == EMERGENCY and row["p"] >= word_lists_emergency
                and (row["scores"][immediate_i] >= level or row.get("tag") == "overdose"))

    immediate_word_lists = lowest(GRID, lambda t: rate(none, lambda r: lists_emergency(r, t)) == 0)

    def answered(row: Dict, check_in: float, past: float) -> bool:
        matched = row["lexicon"] not in (None, CHECK_IN, EMERGENCY)
        return (row["p"] >= check_in or (row["lexicon"] == CHECK_IN and row["p"] >= past)
                or (matched and (row["p"] >= word_lists or row.get("tag") in EXPLICIT_TAGS))
                or lists_emergency(row, immediate_word_lists))

    best = None
    for past in (1.0, 0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01):
        check_in = lowest(GRID, lambda t: rate(none, lambda r: answered(r, t, past)) <= ANY_FALSE_ALARMS)
        check_in = min(check_in, crisis)
        key = (round(rate(risk, lambda r: answered(r, check_in, past)), 3),
               rate(pops["negated_or_past"], lambda r: answered(r, check_in, past)))
        if best is None or key > best[0]:
            best = (key, check_in, past)
    _, check_in, past_check_in = best
    not_now = [r for r in risk if r["mask"][immediate_i] and r["targets"][immediate_i] == 0]
    immediate = lowest(GRID, lambda t: (
        rate(none, lambda r: r["p"] >= crisis and r["scores"][immediate_i] >= t) == 0
        and rate(not_now, lambda r: r["scores"][immediate_i] >= t) <= 0.05))
    return Thresholds(crisis=crisis, check_in=check_in, immediate=immediate, past_check_in=past_check_in,
                      word_lists=word_lists, word_lists_emergency=word_lists_emergency,
                      immediate_word_lists=immediate_word_lists)


def rate(rows: List[Dict], hit) -> float:
    return sum(1 for r in rows if hit(r)) / max(len(rows), 1)


def proportion(hits: int, total: int) -> Dict[str, object]:
    from evaluation.sealed import wilson

    low, high = wilson(hits, total)
    return {"rate": round(hits / max(total, 1), 4), "n": total, "wilson95": [round(low, 4), round(high, 4)]}


def simulate(pops: Dict[str, List[Dict]], outputs: List[str], thresholds: Thresholds) -> Dict[str, object]:
    def answer(row: Dict, mode: str) -> Optional[str]:
        scores = dict(zip(outputs, row["scores"]))
        if mode == "word lists alone":
            return row["lexicon"]
        if mode == "model alone":
            return combine(None, ModelVerdict(scores, None, "whole", row["scores"][0]), thresholds)
        return combine(row["lexicon"], ModelVerdict(scores, None, "whole", row["p"]), thresholds, row.get("tag"))

    results: Dict[str, object] = {}
    for mode in ("word lists alone", "model alone", "both (stacked)"):
        got_risk = [answer(r, mode) for r in pops["risk"]]
        got_none = [answer(r, mode) for r in pops["none"]]
        got_past = [answer(r, mode) for r in pops["negated_or_past"]]
        results[mode] = {
            "recall_lines_shown": proportion(sum(1 for a in got_risk if a), len(got_risk)),
            "crisis_reply_rate": proportion(sum(1 for a in got_risk if a and a != CHECK_IN), len(got_risk)),
            "false_alarms": proportion(sum(1 for a in got_none if a), len(got_none)),
            "check_in_on_no_risk": proportion(sum(1 for a in got_none if a == CHECK_IN), len(got_none)),
            "emergency_first_on_no_risk": sum(1 for a in got_none if a == EMERGENCY),
            "negated_or_past_shown_lines": proportion(sum(1 for a in got_past if a), len(got_past)),
        }
    by_category: Dict[str, object] = {}
    for index, name in enumerate(outputs[1:6], start=1):
        members = [r for r in pops["risk"] if r["mask"][index] and r["targets"][index] == 1]
        if members:
            by_category[name] = proportion(sum(1 for r in members if answer(r, "both (stacked)")), len(members))
    results["both_recall_by_category"] = by_category
    return results


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.risk_model.thresholds")
    parser.add_argument("--oof", type=Path, default=OOF)
    args = parser.parse_args(argv)
    from attune.safety.detector import RiskDetector

    data = json.loads(args.oof.read_text())
    outputs, rows = data["outputs"], data["rows"]
    detector = RiskDetector.load()
    for row in rows:
        assessment = detector.assess(row["text"])
        row["lexicon"], row["tag"] = assessment.intent, assessment.decision_tag
    pops = populations(rows)
    labelled = pops["risk"] + pops["none"]
    labels = np.array([1] * len(pops["risk"]) + [0] * len(pops["none"]))
    oof, stacker = fit_stacker(labelled, labels, outputs)
    for row, p in zip(labelled, oof):
        row["p"] = float(p)
    for row in pops["negated_or_past"]:
        row["p"] = stacker.probability(dict(zip(outputs, row["scores"])), outputs, row["lexicon"],
                                       len(row["text"].split()))
    word_lists, word_lists_emergency = explicit_floors(outputs, stacker, detector)
    thresholds = choose(pops, outputs, word_lists, word_lists_emergency)
    figures = simulate(pops, outputs, thresholds)
    print(json.dumps({"thresholds": asdict(thresholds), "cross_validation": figures}, indent=2))
    meta_path = MODEL_DIR / META
    meta = json.loads(meta_path.read_text())
    meta["thresholds"] = asdict(thresholds)
    meta["stacker"] = {"features": "attune.safety.risk_model.stack_features",
                       "weights": [round(float(w), 6) for w in stacker.weights], "bias": round(stacker.bias, 6)}
    meta["cross_validation"] = figures
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
