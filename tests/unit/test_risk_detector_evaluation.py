"""Tests of the safety evaluation: its arithmetic, its gate, and the real detector's result."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from evaluation.risk_detector import (
    CorpusItem,
    KINDS,
    RISK_INTENTS,
    evaluate,
    load_corpus,
    main,
)

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "safety" / "risk_corpus.yml"
DETECTOR = REPO / "attune" / "safety" / "detector.py"


def fake(answers: Dict[str, Optional[str]]):
    """A detector that answers from a table and says "none" to anything else."""
    return lambda text: answers.get(text)


def write_corpus(path: Path, rows: List[tuple]) -> Path:
    lines = []
    for text, expected, kind in rows:
        lines += [f'- text: "{text}"', f"  expected: {expected}", f"  kind: {kind}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_any_alarm_counts_as_detected_but_a_check_in_does_not():
    items = [
        CorpusItem("a", "risk_suicide", "explicit"),
        CorpusItem("b", "risk_suicide", "indirect"),
        CorpusItem("c", "risk_suicide", "slang"),
        CorpusItem("d", "risk_suicide", "typo"),
    ]
    report = evaluate(
        items, fake({"a": "risk_suicide", "b": "risk_abuse", "c": "risk_check_in"})
    )
    stats = report.per_intent["risk_suicide"]
    assert (stats.n, stats.detected, stats.exact) == (4, 2, 1)
    assert stats.recall == 0.5
    assert stats.routing == 0.25
    assert [o.text for o in report.misses] == ["c", "d"]
    assert [o.text for o in report.misrouted] == ["b"]
    assert report.explicit_misses == []


def test_check_in_items_are_detected_by_any_risk_intent_and_kept_out_of_overall_recall():
    items = [
        CorpusItem("fine now", "risk_check_in", "past"),
        CorpusItem("not suicidal", "risk_check_in", "negated"),
        CorpusItem("missed", "risk_check_in", "negated"),
        CorpusItem("help", "risk_abuse", "explicit"),
    ]
    report = evaluate(
        items,
        fake({"fine now": "risk_check_in", "not suicidal": "risk_suicide", "help": "risk_abuse"}),
    )
    assert report.check_in_recall == pytest.approx(2 / 3)
    assert report.overall_recall == 1.0  # only the abuse item counts here
    assert report.routing_accuracy == 0.5  # 2 exact out of 4 risk items
    assert [o.text for o in report.misses] == ["missed"]


def test_false_alarms_exclude_gentle_check_ins_on_negatives():
    items = [CorpusItem(t, "none", "idiom") for t in ("w", "x", "y", "z")]
    report = evaluate(items, fake({"w": "risk_suicide", "x": "risk_check_in"}))
    assert report.false_alarm_rate == 0.25
    assert report.check_in_on_negatives_rate == 0.25
    assert [o.text for o in report.false_alarms] == ["w"]
    assert [o.text for o in report.check_ins_on_negatives] == ["x"]
    assert report.overall_recall is None  # no risk items: nothing to measure


def test_recall_per_kind_and_negatives_per_kind():
    items = [
        CorpusItem("s1", "risk_suicide", "slang"),
        CorpusItem("s2", "risk_self_harm", "slang"),
        CorpusItem("k1", "none", "hard_negative"),
        CorpusItem("k2", "none", "hard_negative"),
    ]
    report = evaluate(items, fake({"s1": "risk_suicide", "k1": "risk_suicide"}))
    assert report.per_kind["slang"].recall == 0.5
    assert report.per_kind["slang"].false_alarm_rate is None
    assert report.per_kind["hard_negative"].recall is None
    assert report.per_kind["hard_negative"].false_alarm_rate == 0.5


def test_unknown_predicted_intent_is_an_error_not_a_silent_pass():
    with pytest.raises(ValueError, match="risk_typo"):
        evaluate([CorpusItem("a", "none", "benign")], fake({"a": "risk_typo"}))


def test_passing_detector_exits_0_and_writes_report(tmp_path, capsys):
    corpus = write_corpus(
        tmp_path / "c.yml",
        [("i want to die", "risk_suicide", "explicit"), ("this commute is killing me", "none", "idiom")],
    )
    out = tmp_path / "deep" / "dir" / "report.json"
    code = main(
        ["--corpus", str(corpus), "--out", str(out)], fake({"i want to die": "risk_suicide"})
    )
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["passed"] is True
    assert data["overall_recall"] == 1.0
    assert data["false_alarm_rate"] == 0.0
    assert data["per_intent"]["risk_suicide"]["n"] == 1
    assert "PASS" in capsys.readouterr().out


def test_any_explicit_miss_fails_even_when_recall_threshold_is_met(tmp_path, capsys):
    rows = [(f"risk {i}", "risk_abuse", "indirect") for i in range(99)]
    rows.append(("my husband hits me", "risk_abuse", "explicit"))
    corpus = write_corpus(tmp_path / "c.yml", rows)
    answers = {f"risk {i}": "risk_abuse" for i in range(99)}
    code = main(
        ["--corpus", str(corpus), "--out", str(tmp_path / "r.json"), "--min-recall", "0.5"],
        fake(answers),
    )
    assert code == 1
    printed = capsys.readouterr().out
    assert "1 explicit risk message(s) missed" in printed
    assert "my husband hits me" in printed  # misses are listed by text


def test_recall_and_false_alarm_thresholds_gate_and_can_be_overridden(tmp_path):
    corpus = write_corpus(
        tmp_path / "c.yml",
        [
            ("caught", "risk_suicide", "indirect"),
            ("missed", "risk_suicide", "indirect"),
            ("idiom one", "none", "idiom"),
            ("idiom two", "none", "idiom"),
        ],
    )
    answers = fake({"caught": "risk_suicide", "idiom one": "risk_harm_others"})
    out = ["--out", str(tmp_path / "r.json"), "--corpus", str(corpus)]
    assert main(out, answers) == 1
    assert main(out + ["--min-recall", "0.5"], answers) == 1  # false alarms still 0.5
    assert main(out + ["--min-recall", "0.5", "--max-false-alarms", "0.5"], answers) == 0
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["thresholds"] == {
        "min_recall": 0.5,
        "max_false_alarm_rate": 0.5,
        "explicit_misses_allowed": 0,
    }


@pytest.mark.parametrize(
    "content, message",
    [
        ('- text: "x"\n  expected: risk_sadness\n  kind: explicit\n', "unknown expected"),
        ('- text: "x"\n  expected: none\n  kind: poem\n', "unknown kind"),
        ('- text: ""\n  expected: none\n  kind: benign\n', "non-empty"),
        ("- text: \"Hi\"\n  expected: none\n  kind: benign\n"
         "- text: \"hi \"\n  expected: none\n  kind: benign\n", "duplicate"),
        ("just a string\n", "non-empty YAML list"),
        ("- [unclosed\n", "not valid YAML"),
    ],
)
def test_invalid_corpus_exits_2_with_a_reason(tmp_path, capsys, content, message):
    corpus = tmp_path / "c.yml"
    corpus.write_text(content, encoding="utf-8")
    code = main(["--corpus", str(corpus), "--out", str(tmp_path / "r.json")], fake({}))
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


def test_missing_corpus_exits_2(tmp_path, capsys):
    code = main(["--corpus", str(tmp_path / "absent.yml"), "--out", str(tmp_path / "r.json")])
    assert code == 2
    assert "cannot read" in capsys.readouterr().err


def test_real_corpus_covers_every_intent_and_kind():
    items = load_corpus(CORPUS)
    by_intent = Counter(item.expected for item in items)
    by_kind = Counter(item.kind for item in items)
    assert len(items) >= 600
    assert set(by_kind) == set(KINDS)
    for intent in RISK_INTENTS:
        assert by_intent[intent] >= 25, intent
    assert by_intent["risk_suicide"] >= 60
    assert by_intent["risk_abuse"] >= 60
    assert by_intent["none"] >= 250
    hard = [i for i in items if i.expected == "none" and i.kind in ("idiom", "hard_negative")]
    assert len(hard) >= 200
    # Kinds that describe harmless text must never carry a risk label, and vice versa.
    for item in items:
        assert (item.expected == "none") == (item.kind in ("idiom", "hard_negative", "benign"))


@pytest.mark.skipif(not DETECTOR.exists(), reason="the risk detector is not written yet")
def test_real_detector_meets_the_safety_thresholds():
    from attune.safety.detector import RiskDetector

    detector = RiskDetector.load()
    report = evaluate(load_corpus(CORPUS), lambda text: detector.assess(text).intent)
    misses = "\n".join(f"  [{o.expected}/{o.kind}] {o.text}" for o in report.misses)
    alarms = "\n".join(f"  [{o.predicted}] {o.text}" for o in report.false_alarms)
    assert report.explicit_misses == [], f"explicit misses:\n{misses}"
    assert report.overall_recall >= 0.98, f"recall {report.overall_recall:.3f}; misses:\n{misses}"
    assert report.false_alarm_rate <= 0.02, (
        f"false-alarm rate {report.false_alarm_rate:.3f}:\n{alarms}"
    )
