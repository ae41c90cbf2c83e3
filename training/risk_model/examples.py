"""Training examples for the risk model: the writers' corpora plus the NLU data.

Pure Python. Every example carries its risk targets with a mask (a target the data does not
say is left out of the loss, never guessed) and, for NLU examples, the intent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from attune.safety.corpus import CATEGORIES, Item, normalised, read_corpora

ROOT = Path(__file__).resolve().parents[2]
RISK_DATA = ROOT / "data" / "risk"
NLU_DATA = ROOT / "data" / "nlu"

# The model's outputs: any risk, each category, "about someone else", "a child is abused".
OUTPUTS: Tuple[str, ...] = ("risk",) + CATEGORIES + ("other", "child")

# NLU intents that answer the safety question inside a crisis conversation: the dialogue reads
# them, so the risk model learns nothing from them.
SAFETY_ANSWERS = frozenset({"not_safe", "deny_risk", "confirm_safe"})
# What each risk intent of the NLU data says about the outputs (None: not said, masked).
_NLU_RISK: Dict[str, Dict[str, Optional[float]]] = {
    "risk_suicide": {"suicide": 1.0},
    "risk_self_harm": {"self_harm": 1.0},
    "risk_abuse": {"abuse": 1.0, "child": 0.0},
    "risk_child_abuse": {"abuse": 1.0, "child": 1.0},
    "risk_harm_others": {"harm_others": 1.0},
    "risk_emergency": {"immediate_danger": 1.0, **{c: None for c in CATEGORIES[:-1]}},
    "risk_third_party": {"other": 1.0, **{c: None for c in CATEGORIES}},
}


@dataclass
class Example:
    text: str
    targets: List[float]
    mask: List[float]
    intent: int  # -1: no intent label
    group: str  # what the example is, for reports: a corpus kind or an NLU intent
    source: str


def _risk_targets(values: Dict[str, Optional[float]], is_risk: bool) -> Tuple[List[float], List[float]]:
    targets, mask = [], []
    for name in OUTPUTS:
        if name == "risk":
            value: Optional[float] = 1.0 if is_risk else 0.0
        elif name in values:
            value = values[name]
        elif name in ("other", "child"):
            value = None if is_risk else 0.0
        else:
            value = 0.0
        targets.append(value or 0.0)
        mask.append(0.0 if value is None else 1.0)
    return targets, mask


def from_item(item: Item) -> Example:
    """A corpus item: a two-message item is learnt as both messages together."""
    values: Dict[str, Optional[float]] = {c: (1.0 if c in item.labels else 0.0) for c in CATEGORIES}
    if item.is_risk:
        values["other"] = 1.0 if item.who == "other" else 0.0
        values["child"] = (1.0 if item.abuse_kind == "child" else 0.0) if "abuse" in item.labels else None
    targets, mask = _risk_targets(values, item.is_risk)
    return Example(item.joined, targets, mask, -1, item.kind, item.source)


def nlu_examples(paths: Sequence[Path]) -> Tuple[List[Example], List[str]]:
    """Every NLU example with its intent; risk intents also give risk targets."""
    rows: List[Tuple[str, str]] = []
    for path in sorted(paths):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    rows.append((block["intent"], line[2:].strip()))
    intents = sorted({intent for intent, _ in rows})
    examples = []
    for intent, text in rows:
        if intent in SAFETY_ANSWERS:
            targets, mask = [0.0] * len(OUTPUTS), [0.0] * len(OUTPUTS)
        elif intent in _NLU_RISK:
            targets, mask = _risk_targets(_NLU_RISK[intent], True)
        else:  # everyday intents and risk_check_in (negated or past risk): no current risk
            targets, mask = _risk_targets({}, False)
        examples.append(Example(text, targets, mask, intents.index(intent), intent, path_name(intent)))
    return examples, intents


def path_name(intent: str) -> str:
    return f"nlu:{intent}"


def load_examples(
    risk_dir: Path = RISK_DATA, nlu_dir: Path = NLU_DATA
) -> Tuple[List[Example], List[str], List[Path]]:
    """All training examples (exact duplicates dropped), the intent names and the files read."""
    risk_files = sorted(risk_dir.glob("*.jsonl"))
    nlu_files = sorted(nlu_dir.glob("*.yml"))
    examples = [from_item(item) for corpus in read_corpora(risk_files) for item in corpus.items]
    nlu, intents = nlu_examples(nlu_files)
    seen, unique = set(), []
    for example in examples + nlu:
        key = normalised(example.text)
        if key in seen:
            continue
        seen.add(key)
        unique.append(example)
    return unique, intents, risk_files + nlu_files
