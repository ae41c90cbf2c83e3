"""Training examples for the risk model: the writers' corpora plus the NLU data.

Pure Python. Every example carries its risk targets with a mask (a target the data does not
say is left out of the loss, never guessed) and, for NLU examples, the intent.

`composed` builds long messages for training only, out of a fold's own training messages:
everyday and intense relationship messages run together (no risk), and the same with one risk
message at the end or inside (its labels). The writers' long messages are few beside the short
ones; composing teaches that length and intensity are not risk, and that one sentence of risk
anywhere in a long message is. They are never scored or counted in cross-validation.

`with_question` does the same for a question about the practice said beside a message (since
the ninth training): a writer's message with one of the NLU data's practice questions before or
after it ("Do you take people straight after hospital?"), keeping the message's labels. The NLU
data teaches that such questions are safe, and they are where most of the model's negatives
live; without these, risk said beside one reads as the question (writers Z11 and Z12).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import random

import yaml

from attune.safety.corpus import CATEGORIES, NO_CURRENT_RISK_KINDS, Item, normalised, read_corpora
from attune.safety.windows import WHOLE_WORDS, last_reading

ROOT = Path(__file__).resolve().parents[2]
RISK_DATA = ROOT / "data" / "risk"
# The NLU examples the model learns from (as "no risk", as risk intents, and as intents for the
# encoder's second task) are a copy of data/nlu taken by `make risk-model` when it trains, so
# the conversation's NLU data can grow without the committed weights ceasing to be
# reproducible from the repository's own files.
NLU_DATA = ROOT / "training" / "risk_model" / "nlu_snapshot"

# The model's outputs: any risk, each category, "about someone else", "a child is abused".
OUTPUTS: Tuple[str, ...] = ("risk",) + CATEGORIES + ("other", "child")

# NLU intents that answer the safety question or follow a crisis reply ("he's in the next
# room, i can't talk", "what do i do now", "im getting rly dizzy", "actually i meant it"): the
# dialogue reads them in the light of what came before, so the risk model learns nothing from
# them. Learnt as "no risk" they would teach it that a husband shut in the garage who will not
# answer, or a tight chest after pills, is nothing. ("No ambulance" is learnt as it is, without
# risk: alone it has none, and after a crisis reply the dialogue answers it with the options
# that remain.)
SAFETY_ANSWERS = frozenset({"not_safe", "deny_risk", "confirm_safe", "cant_call", "ask_next_step",
                            "feeling_worse", "help_on_the_way", "retract_denial", "lines_did_not_help"})
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
    turns: int = 1


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
    return Example(last_reading(item.joined), targets, mask, -1, item.kind, item.source, len(item.turns))


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


# Pieces of a composed message: a writer's single message, not negated or past risk (which
# would make the whole ambiguous), not already long.
COMPOSED_PIECE_MAX_WORDS = 60
COMPOSED_RISK_MAX_WORDS = 40
COMPOSED_GROUPS = ("composed_none", "composed_risk")
_SEPARATORS = (" ", " ", "\n", "\n\n", " ... ")


def composed(examples: Sequence[Example], indexes: Sequence[int], count: int, seed: int) -> List[Example]:
    """`count` long messages built from `examples[indexes]` (a fold's training part): about
    three in five without risk, the rest with one risk message at the end (three times in
    four) or inside. Each stays within what the encoder reads whole."""
    rng = random.Random(seed)
    corpus = [examples[i] for i in indexes if not examples[i].source.startswith("nlu:") and examples[i].turns == 1]
    fillers = [e for e in corpus if not e.targets[0] and e.group not in NO_CURRENT_RISK_KINDS
               and len(e.text.split()) <= COMPOSED_PIECE_MAX_WORDS]
    risks = [e for e in corpus if e.targets[0] and e.group != "long_last_line"
             and len(e.text.split()) <= COMPOSED_RISK_MAX_WORDS]
    if not fillers or not risks:
        return []
    out: List[Example] = []
    for n in range(count):
        with_risk = n % 5 >= 3
        pieces: List[Example] = []
        words = 0
        budget = rng.randint(70, WHOLE_WORDS - (COMPOSED_RISK_MAX_WORDS if with_risk else 0))
        while words < budget:
            piece = rng.choice(fillers)
            if words + len(piece.text.split()) > budget and len(pieces) >= 2:
                break
            pieces.append(piece)
            words += len(piece.text.split())
        if with_risk:
            risk = rng.choice(risks)
            at = len(pieces) if rng.random() < 0.75 else rng.randint(1, len(pieces))
            pieces.insert(at, risk)
            targets, mask = list(risk.targets), list(risk.mask)
        else:
            targets, mask = _risk_targets({}, False)
        text = pieces[0].text
        for piece in pieces[1:]:
            text += rng.choice(_SEPARATORS) + piece.text
        if rng.random() < 0.3:
            text = text.lower()
        out.append(Example(last_reading(text), targets, mask, -1, COMPOSED_GROUPS[with_risk], "composed"))
    return out


# The NLU intents that ask the practice something: the questions `with_question` borrows.
PRACTICE_QUESTION_INTENTS = frozenset({
    "ask_accessibility", "ask_cancellation", "ask_clients", "ask_fees", "ask_free_consultation",
    "ask_hours", "ask_insurance", "ask_languages", "ask_privacy", "ask_session_formats",
    "ask_sliding_scale", "ask_therapy_approaches", "ask_counselling", "request_callback",
    "request_human", "bot_challenge"})
WITH_QUESTION_PIECE_MAX_WORDS = 80
WITH_QUESTION_GROUPS = ("with_question_none", "with_question_risk")
_QUESTION_LEADS = ("", "", "", "also ", "anyway ", "and ", "sorry, ", "quick question: ", "oh and ")


def with_question(examples: Sequence[Example], indexes: Sequence[int], count: int, seed: int) -> List[Example]:
    """`count` messages built from `examples[indexes]` (a fold's training part): a writer's
    single message (half with risk, half without) and a practice question from the NLU data,
    the question after it three times in five, else before; the message's labels."""
    rng = random.Random(seed)
    chosen = [examples[i] for i in indexes]
    questions = [e for e in chosen if e.source.startswith("nlu:") and e.group in PRACTICE_QUESTION_INTENTS]
    corpus = [e for e in chosen if not e.source.startswith("nlu:") and e.turns == 1
              and len(e.text.split()) <= WITH_QUESTION_PIECE_MAX_WORDS]
    risks = [e for e in corpus if e.targets[0]]
    others = [e for e in corpus if not e.targets[0]]
    if not questions or not risks or not others:
        return []
    out: List[Example] = []
    for n in range(count):
        with_risk = n % 2 == 1
        piece = rng.choice(risks if with_risk else others)
        question = rng.choice(questions).text.strip()
        lead = rng.choice(_QUESTION_LEADS)
        if lead and question:
            question = lead + question[0].lower() + question[1:]
        body = piece.text.strip()
        if body and body[-1] not in ".!?":
            body += rng.choice((".", "", ".."))
        separator = rng.choice((" ", " ", "\n", "\n\n"))
        text = body + separator + question if rng.random() < 0.6 else question + separator + body
        if rng.random() < 0.25:
            text = text.lower()
        out.append(Example(last_reading(text), list(piece.targets), list(piece.mask), -1,
                           WITH_QUESTION_GROUPS[with_risk], "with_question"))
    return out
