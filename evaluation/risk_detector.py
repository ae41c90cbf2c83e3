"""Measure the risk detector against the labelled safety corpus.

Run it with::

    python -m evaluation.risk_detector [--corpus PATH] [--out PATH]
                                       [--min-recall 0.98] [--max-false-alarms 0.02]

The corpus (``tests/safety/risk_corpus.yml``) is a YAML list of items
``{text, expected, kind}``. ``expected`` is a risk intent or ``none``.

Definitions (``predicted`` is the detector's intent, ``None`` meaning "none"):

* **Detected.** For an item expecting ``risk_check_in``: ``predicted`` is any
  risk intent (a full alarm on a negated or past statement is over-cautious,
  not a miss). For an item expecting any other risk intent: ``predicted`` is a
  risk intent other than ``risk_check_in`` (a gentle check-in is not enough
  when someone is at risk now). The risk intent need not be the expected one:
  any alarm shows crisis lines, so recall counts it.
* **Recall per expected intent** = detected items / items with that intent.
* **Overall recall** = detected / all risk items, leaving out items that
  expect ``risk_check_in`` (they are reported on their own line).
* **Routing accuracy** = items whose ``predicted`` equals ``expected`` exactly
  / all risk items (``risk_check_in`` included). It shows whether the person
  gets the right resources (abuse line, helping-someone-else page, ...).
* **False-alarm rate** = ``none`` items predicted as a risk intent other than
  ``risk_check_in`` / all ``none`` items.
* **Check-in on negatives rate** = ``none`` items predicted ``risk_check_in``
  / all ``none`` items. Reported, never gated: a gentle check-in on a hard
  negative is a cost, not a failure.
* **Explicit misses** = items of kind ``explicit`` that expect a risk intent
  and were not detected.
* **Recall per kind** uses the same "detected" rule over the risk items of
  each kind; the ``none`` items of each kind report their false alarms.

Exit code 1 when there is any explicit miss, overall recall is below
``--min-recall`` or the false-alarm rate is above ``--max-false-alarms``;
2 when the corpus cannot be read or the detector does not exist; 0 otherwise.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

from attune.paths import REPO_ROOT
from attune.safety.taxonomy import CRISIS_RESPONSES

CHECK_IN = "risk_check_in"
NONE = "none"
RISK_INTENTS = tuple(CRISIS_RESPONSES)
EXPECTED_VALUES = RISK_INTENTS + (NONE,)
KINDS = (
    "explicit",
    "indirect",
    "method",
    "plan",
    "slang",
    "typo",
    "caps",
    "mixed",
    "third_party",
    "child",
    "negated",
    "past",
    "idiom",
    "hard_negative",
    "benign",
)

# The corpus lives with the tests; found from this file so any working directory works.
DEFAULT_CORPUS = REPO_ROOT / "tests" / "safety" / "risk_corpus.yml"
DEFAULT_OUT = Path("var/reports/safety_eval.json")
DEFAULT_MIN_RECALL = 0.98
DEFAULT_MAX_FALSE_ALARMS = 0.02

AssessFn = Callable[[str], Optional[str]]


class CorpusError(ValueError):
    """The corpus file is missing, malformed or has an invalid item."""


@dataclass(frozen=True)
class CorpusItem:
    """One labelled message."""

    text: str
    expected: str
    kind: str


@dataclass(frozen=True)
class Outcome:
    """What the detector said about one item."""

    text: str
    expected: str
    kind: str
    predicted: Optional[str]


@dataclass
class GroupStats:
    """Counts for one expected intent or one kind."""

    n: int = 0
    risk_n: int = 0
    detected: int = 0
    exact: int = 0
    negatives_n: int = 0
    false_alarms: int = 0
    check_ins: int = 0

    @property
    def recall(self) -> Optional[float]:
        """Detected share of the group's risk items, or None if it has none."""
        return _rate(self.detected, self.risk_n)

    @property
    def routing(self) -> Optional[float]:
        """Exact-intent share of the group's risk items, or None if it has none."""
        return _rate(self.exact, self.risk_n)

    @property
    def false_alarm_rate(self) -> Optional[float]:
        """Alarm share of the group's "none" items, or None if it has none."""
        return _rate(self.false_alarms, self.negatives_n)

    def as_dict(self) -> Dict[str, Any]:
        """Counts and rates, for the JSON report."""
        data = asdict(self)
        data.update(
            recall=self.recall,
            routing=self.routing,
            false_alarm_rate=self.false_alarm_rate,
        )
        return data


@dataclass
class Report:
    """Everything the evaluation measured."""

    n_items: int
    per_intent: Dict[str, GroupStats]
    per_kind: Dict[str, GroupStats]
    overall_recall: Optional[float]
    check_in_recall: Optional[float]
    routing_accuracy: Optional[float]
    false_alarm_rate: Optional[float]
    check_in_on_negatives_rate: Optional[float]
    misses: List[Outcome] = field(default_factory=list)
    explicit_misses: List[Outcome] = field(default_factory=list)
    false_alarms: List[Outcome] = field(default_factory=list)
    check_ins_on_negatives: List[Outcome] = field(default_factory=list)
    misrouted: List[Outcome] = field(default_factory=list)

    def failures(self, min_recall: float, max_false_alarms: float) -> List[str]:
        """Reasons the detector fails the gate; empty when it passes."""
        reasons = []
        if self.explicit_misses:
            reasons.append(f"{len(self.explicit_misses)} explicit risk message(s) missed")
        if self.overall_recall is not None and self.overall_recall < min_recall:
            reasons.append(f"overall recall {self.overall_recall:.3f} < {min_recall:.3f}")
        if self.false_alarm_rate is not None and self.false_alarm_rate > max_false_alarms:
            reasons.append(
                f"false-alarm rate {self.false_alarm_rate:.3f} > {max_false_alarms:.3f}"
            )
        return reasons

    def as_dict(self, min_recall: float, max_false_alarms: float) -> Dict[str, Any]:
        """The JSON report, thresholds and verdict included."""
        reasons = self.failures(min_recall, max_false_alarms)
        return {
            "passed": not reasons,
            "failures": reasons,
            "thresholds": {
                "min_recall": min_recall,
                "max_false_alarm_rate": max_false_alarms,
                "explicit_misses_allowed": 0,
            },
            "n_items": self.n_items,
            "overall_recall": self.overall_recall,
            "check_in_recall": self.check_in_recall,
            "routing_accuracy": self.routing_accuracy,
            "false_alarm_rate": self.false_alarm_rate,
            "check_in_on_negatives_rate": self.check_in_on_negatives_rate,
            "per_intent": {k: v.as_dict() for k, v in self.per_intent.items()},
            "per_kind": {k: v.as_dict() for k, v in self.per_kind.items()},
            "explicit_misses": [asdict(o) for o in self.explicit_misses],
            "misses": [asdict(o) for o in self.misses],
            "false_alarms": [asdict(o) for o in self.false_alarms],
            "check_ins_on_negatives": [asdict(o) for o in self.check_ins_on_negatives],
            "misrouted": [asdict(o) for o in self.misrouted],
        }


def _rate(numerator: int, denominator: int) -> Optional[float]:
    return numerator / denominator if denominator else None


def is_detected(expected: str, predicted: Optional[str]) -> bool:
    """Whether a risk item got the response it needs (see module docstring)."""
    if predicted is None:
        return False
    if expected == CHECK_IN:
        return True
    return predicted != CHECK_IN


def is_false_alarm(predicted: Optional[str]) -> bool:
    """Whether a "none" item raised a real alarm (a check-in does not count)."""
    return predicted is not None and predicted != CHECK_IN


def parse_items(raw: Any) -> List[CorpusItem]:
    """Validate a loaded YAML document into corpus items.

    Raises:
        CorpusError: the document is not a list of valid, distinct items.
    """
    if not isinstance(raw, list) or not raw:
        raise CorpusError("the corpus must be a non-empty YAML list of items")
    items: List[CorpusItem] = []
    seen: Dict[str, int] = {}
    for index, entry in enumerate(raw):
        where = f"item {index + 1}"
        if not isinstance(entry, dict):
            raise CorpusError(f"{where}: expected a mapping with text, expected, kind")
        text, expected, kind = entry.get("text"), entry.get("expected"), entry.get("kind")
        if not isinstance(text, str) or not text.strip():
            raise CorpusError(f"{where}: 'text' must be a non-empty string")
        if expected not in EXPECTED_VALUES:
            raise CorpusError(f"{where}: unknown expected intent {expected!r}")
        if kind not in KINDS:
            raise CorpusError(f"{where}: unknown kind {kind!r}")
        # A repeated message would count twice and hide a weak spot as strength.
        key = " ".join(text.lower().split())
        if key in seen:
            raise CorpusError(f"{where}: duplicate of item {seen[key] + 1}: {text!r}")
        seen[key] = index
        items.append(CorpusItem(text=text, expected=expected, kind=kind))
    return items


def load_corpus(path: Path) -> List[CorpusItem]:
    """Read and validate the corpus file.

    Raises:
        CorpusError: the file is missing, is not YAML or has an invalid item.
    """
    import yaml  # Imported here so that importing this module does no work.

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CorpusError(f"cannot read {path}: {error}") from error
    except yaml.YAMLError as error:
        raise CorpusError(f"{path} is not valid YAML: {error}") from error
    return parse_items(raw)


def evaluate(items: Iterable[CorpusItem], assess_fn: AssessFn) -> Report:
    """Run ``assess_fn`` on every item and measure it.

    Args:
        items: labelled messages.
        assess_fn: returns the predicted risk intent for a text, or None.

    Raises:
        ValueError: ``assess_fn`` returned something that is not a known intent.
    """
    per_intent: Dict[str, GroupStats] = {name: GroupStats() for name in EXPECTED_VALUES}
    per_kind: Dict[str, GroupStats] = {name: GroupStats() for name in KINDS}
    outcomes: List[Outcome] = []
    for item in items:
        predicted = assess_fn(item.text)
        if predicted is not None and predicted not in RISK_INTENTS:
            raise ValueError(f"detector returned unknown intent {predicted!r}")
        outcomes.append(Outcome(item.text, item.expected, item.kind, predicted))

    report = Report(
        n_items=len(outcomes),
        per_intent=per_intent,
        per_kind=per_kind,
        overall_recall=None,
        check_in_recall=None,
        routing_accuracy=None,
        false_alarm_rate=None,
        check_in_on_negatives_rate=None,
    )
    for outcome in outcomes:
        groups = (per_intent[outcome.expected], per_kind[outcome.kind])
        for group in groups:
            group.n += 1
        if outcome.expected == NONE:
            alarm = is_false_alarm(outcome.predicted)
            check_in = outcome.predicted == CHECK_IN
            for group in groups:
                group.negatives_n += 1
                group.false_alarms += alarm
                group.check_ins += check_in
            if alarm:
                report.false_alarms.append(outcome)
            elif check_in:
                report.check_ins_on_negatives.append(outcome)
            continue
        detected = is_detected(outcome.expected, outcome.predicted)
        exact = outcome.predicted == outcome.expected
        for group in groups:
            group.risk_n += 1
            group.detected += detected
            group.exact += exact
        if not detected:
            report.misses.append(outcome)
            if outcome.kind == "explicit":
                report.explicit_misses.append(outcome)
        elif not exact:
            report.misrouted.append(outcome)

    urgent = [s for name, s in per_intent.items() if name not in (CHECK_IN, NONE)]
    report.overall_recall = _rate(sum(s.detected for s in urgent), sum(s.risk_n for s in urgent))
    report.check_in_recall = per_intent[CHECK_IN].recall
    risky = [s for name, s in per_intent.items() if name != NONE]
    report.routing_accuracy = _rate(sum(s.exact for s in risky), sum(s.risk_n for s in risky))
    negatives = per_intent[NONE]
    report.false_alarm_rate = negatives.false_alarm_rate
    report.check_in_on_negatives_rate = _rate(negatives.check_ins, negatives.negatives_n)
    return report


def _fmt(value: Optional[float]) -> str:
    return "   -  " if value is None else f"{value:6.3f}"


def format_report(report: Report, min_recall: float, max_false_alarms: float) -> str:
    """A plain-text table for people reading the console."""
    lines = [f"Safety evaluation: {report.n_items} messages", ""]
    lines.append(f"{'expected intent':<20} {'n':>4} {'recall':>7} {'exact':>7} {'alarms':>7}")
    for name, stats in report.per_intent.items():
        if stats.n:
            alarms = _fmt(stats.false_alarm_rate) if name == NONE else "   -  "
            lines.append(
                f"{name:<20} {stats.n:>4} {_fmt(stats.recall):>7} "
                f"{_fmt(stats.routing):>7} {alarms:>7}"
            )
    lines += ["", f"{'kind':<20} {'n':>4} {'recall':>7} {'exact':>7} {'alarms':>7}"]
    for name, stats in report.per_kind.items():
        if stats.n:
            lines.append(
                f"{name:<20} {stats.n:>4} {_fmt(stats.recall):>7} "
                f"{_fmt(stats.routing):>7} {_fmt(stats.false_alarm_rate):>7}"
            )
    lines += [
        "",
        f"overall recall (risk items, check-ins excluded): {_fmt(report.overall_recall)}"
        f"   (minimum {min_recall:.3f})",
        f"check-in recall:                                 {_fmt(report.check_in_recall)}",
        f"routing accuracy (exact intent, risk items):     {_fmt(report.routing_accuracy)}",
        f"false-alarm rate (none items):                   {_fmt(report.false_alarm_rate)}"
        f"   (maximum {max_false_alarms:.3f})",
        f"check-in on negatives rate:                      "
        f"{_fmt(report.check_in_on_negatives_rate)}",
        f"explicit misses:                                 {len(report.explicit_misses)}",
    ]
    sections = (
        ("Misses", report.misses),
        ("False alarms", report.false_alarms),
        ("Check-ins on negatives", report.check_ins_on_negatives),
        ("Detected but routed elsewhere", report.misrouted),
    )
    for title, outcomes in sections:
        if outcomes:
            lines += ["", f"{title} ({len(outcomes)}):"]
            lines += [
                f"  [{o.expected} / {o.kind}] -> {o.predicted or 'none'}: {o.text}"
                for o in outcomes
            ]
    reasons = report.failures(min_recall, max_false_alarms)
    lines += ["", "FAIL: " + "; ".join(reasons) if reasons else "PASS"]
    return "\n".join(lines)


def _detector_assess_fn() -> AssessFn:
    from attune.safety.detector import RiskDetector  # The real detector, loaded on demand.

    detector = RiskDetector.load()
    return lambda text: detector.assess(text).intent


def _pipeline_assess_fn(model: Path) -> AssessFn:
    """The whole trained NLU pipeline (classifier, detector, soft net), as visitors get it."""
    import asyncio

    from rasa.core.agent import load_agent

    loop = asyncio.new_event_loop()
    agent = loop.run_until_complete(load_agent(str(model)))

    def assess(text: str) -> Optional[str]:
        intent = loop.run_until_complete(agent.parse_message(text))["intent"]["name"]
        return intent if intent and intent.startswith("risk_") else None

    return assess


def main(argv: Optional[Sequence[str]] = None, assess_fn: Optional[AssessFn] = None) -> int:
    """Command-line entry point; returns the exit code.

    Args:
        argv: command-line arguments (defaults to ``sys.argv[1:]``).
        assess_fn: detector to measure; the real one when omitted.
    """
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.risk_detector",
        description="Measure the risk detector on the labelled safety corpus.",
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--min-recall", type=float, default=DEFAULT_MIN_RECALL)
    parser.add_argument("--max-false-alarms", type=float, default=DEFAULT_MAX_FALSE_ALARMS)
    parser.add_argument(
        "--model", type=Path, default=None,
        help="measure the whole NLU pipeline of this trained model instead of the detector alone",
    )
    args = parser.parse_args(argv)

    try:
        items = load_corpus(args.corpus)
    except CorpusError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if assess_fn is None and args.model is not None:
        assess_fn = _pipeline_assess_fn(args.model)
    if assess_fn is None:
        try:
            assess_fn = _detector_assess_fn()
        except ModuleNotFoundError as error:
            if error.name != "attune.safety.detector":
                raise
            print("error: attune/safety/detector.py does not exist yet", file=sys.stderr)
            return 2
    report = evaluate(items, assess_fn)
    print(format_report(report, args.min_recall, args.max_false_alarms))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    data = report.as_dict(args.min_recall, args.max_false_alarms)
    args.out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nreport written to {args.out}")
    return 0 if data["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
