"""Chooses the risk model's thresholds on its cross-validation scores: `make risk-thresholds`.

    python -m training.risk_model.thresholds [--oof var/risk-model/oof.json]

Reads every training example's out-of-fold scores (written by `training.risk_model.train`),
runs the word lists on the same text, and simulates what a visitor would get
(`attune.safety.risk_model.combine`) at each candidate threshold. The rules:
- `crisis`: the lowest score at which the model alone gives a crisis reply to at most 0.5 %
  of messages without risk;
- `check_in`: the lowest score at which the model alone answers at most 1.2 % of them at all
  (the band between the two gets the gentle check-in);
- `immediate`: the lowest score at which no message without risk, and at most 5 % of risk
  messages without danger now, would get the emergency-first reply;
- `veto`: the highest score below which a word-list match is set aside while losing at most
  0.2 % of the risk examples the word lists caught.
Writes the thresholds and the simulated figures into attune/safety/model/risk_model.json.
Sealed sets are never read here.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from attune.safety.corpus import NO_CURRENT_RISK_KINDS
from attune.safety.risk_model import META, MODEL_DIR, ModelVerdict, Thresholds, combine, decide

ROOT = Path(__file__).resolve().parents[2]
OOF = ROOT / "var" / "risk-model" / "oof.json"
GRID = [round(x, 3) for x in list(np.arange(0.01, 0.1, 0.01)) + list(np.arange(0.1, 0.99, 0.02))]
NO_CURRENT_RISK_GROUPS = set(NO_CURRENT_RISK_KINDS) | {"risk_check_in"}


def populations(rows: List[Dict]) -> Dict[str, List[Dict]]:
    risk = [r for r in rows if r["mask"][0] and r["targets"][0] == 1]
    none = [r for r in rows if r["mask"][0] and r["targets"][0] == 0 and r["group"] not in NO_CURRENT_RISK_GROUPS]
    return {"risk": risk, "none": none}


def lowest(grid: Sequence[float], ok) -> float:
    for value in grid:
        if ok(value):
            return value
    return grid[-1]


def rate(rows: List[Dict], hit) -> float:
    return sum(1 for r in rows if hit(r)) / max(len(rows), 1)


def choose(rows: List[Dict], outputs: List[str]) -> Thresholds:
    pops = populations(rows)
    risk_i, immediate_i = outputs.index("risk"), outputs.index("immediate_danger")
    none, risk = pops["none"], pops["risk"]
    crisis = lowest(GRID, lambda t: rate(none, lambda r: r["scores"][risk_i] >= t) <= 0.005)
    check_in = lowest(GRID, lambda t: rate(none, lambda r: r["scores"][risk_i] >= t) <= 0.012)
    check_in = min(check_in, crisis)
    not_now = [r for r in risk if r["mask"][immediate_i] and r["targets"][immediate_i] == 0]
    immediate = lowest(GRID, lambda t: (
        rate(none, lambda r: r["scores"][risk_i] >= crisis and r["scores"][immediate_i] >= t) == 0
        and rate(not_now, lambda r: r["scores"][immediate_i] >= t) <= 0.05))
    caught = [r for r in risk if r["lexicon"] and r["lexicon"] != "risk_check_in"]
    veto = 0.0
    for value in [0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2]:
        lost = rate(caught, lambda r: r["scores"][risk_i] < value and r["scores"][risk_i] < check_in)
        if lost * len(caught) / max(len(risk), 1) <= 0.002:
            veto = value
    return Thresholds(crisis=crisis, check_in=check_in, immediate=immediate, veto=veto)


def simulate(rows: List[Dict], outputs: List[str], thresholds: Thresholds) -> Dict[str, object]:
    pops = populations(rows)
    results: Dict[str, object] = {}

    def answer(row: Dict, use_model: bool = True, use_lexicon: bool = True) -> Optional[str]:
        scores = dict(zip(outputs, row["scores"]))
        verdict = ModelVerdict(scores, decide(scores, thresholds)) if use_model else None
        lexicon = row["lexicon"] if use_lexicon else None
        if not use_model:
            return lexicon
        return combine(lexicon, verdict, thresholds)

    for name, kwargs in (("word lists alone", {"use_model": False}),
                         ("model alone", {"use_lexicon": False}),
                         ("both", {})):
        got_risk = [answer(r, **kwargs) for r in pops["risk"]]
        got_none = [answer(r, **kwargs) for r in pops["none"]]
        results[name] = {
            "recall_lines_shown": round(sum(1 for a in got_risk if a) / len(got_risk), 4),
            "crisis_reply_rate": round(sum(1 for a in got_risk if a and a != "risk_check_in") / len(got_risk), 4),
            "false_alarms": round(sum(1 for a in got_none if a) / len(got_none), 4),
            "check_in_on_no_risk": round(sum(1 for a in got_none if a == "risk_check_in") / len(got_none), 4),
            "emergency_first_on_no_risk": sum(1 for a in got_none if a == "risk_emergency"),
            "risk_examples": len(got_risk),
            "no_risk_examples": len(got_none),
        }
    by_category: Dict[str, float] = {}
    for index, name in enumerate(outputs[1:6], start=1):
        members = [r for r in pops["risk"] if r["mask"][index] and r["targets"][index] == 1]
        if members:
            by_category[name] = round(sum(1 for r in members if answer(r)) / len(members), 4)
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
        row["lexicon"] = detector.assess(row["text"]).intent
    thresholds = choose(rows, outputs)
    figures = simulate(rows, outputs, thresholds)
    print(json.dumps({"thresholds": asdict(thresholds), "cross_validation": figures}, indent=2))
    meta_path = MODEL_DIR / META
    meta = json.loads(meta_path.read_text())
    meta["thresholds"] = asdict(thresholds)
    meta["cross_validation"] = figures
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
