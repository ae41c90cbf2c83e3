"""Risk-message corpora: the JSON Lines format the writers use, read the same way everywhere.

Pure Python, no Rasa imports: the risk model's trainer (training/risk_model, its own venv),
the evaluation command and the tests all read corpora through this module.

A file starts with `# ` comment lines that say who wrote it and for what (its origin), then
holds one object per line:

    {"text": "...", "labels": ["suicide"], "abuse_kind": null, "kind": "passive",
     "who": "self", "voice": "teen"}

or `"turns": [first, second]` instead of `text` for risk that shows only when two consecutive
messages are read together. `labels` is a subset of LABELS (empty: no risk); `kind` says how
the message is written; `negated` and `past_resolved` messages have no current risk and are
counted apart from both recall and false alarms.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple

# The model's categories, in the order of its outputs.
CATEGORIES: Tuple[str, ...] = ("suicide", "self_harm", "abuse", "harm_others", "immediate_danger")
ABUSE_KINDS: Tuple[str, ...] = ("partner", "sexual", "child", "family_elder", "stalking")
# No current risk, but about risk: the gentle check-in is the designed answer, so these are
# reported on their own, neither as misses nor as false alarms.
NO_CURRENT_RISK_KINDS = frozenset({"negated", "past_resolved"})


class CorpusError(ValueError):
    """A corpus line is malformed."""


@dataclass(frozen=True)
class Item:
    """One labelled message (or two consecutive messages) of a corpus."""

    turns: Tuple[str, ...]
    labels: Tuple[str, ...]
    kind: str
    who: str = "self"
    abuse_kind: Optional[str] = None
    voice: str = ""
    source: str = ""

    @property
    def text(self) -> str:
        """The last message: what a one-message reader sees."""
        return self.turns[-1]

    @property
    def joined(self) -> str:
        """Both messages as one text (the last alone for a one-message item)."""
        return "\n".join(self.turns)

    @property
    def is_risk(self) -> bool:
        return bool(self.labels)

    @property
    def no_current_risk(self) -> bool:
        """Negated or resolved risk: counted apart."""
        return not self.labels and self.kind in NO_CURRENT_RISK_KINDS

    @property
    def is_two_turn(self) -> bool:
        return len(self.turns) == 2


@dataclass
class Corpus:
    """The items of one file, with its origin (the header's comment lines)."""

    path: Path
    origin: List[str] = field(default_factory=list)
    items: List[Item] = field(default_factory=list)


def parse_item(raw: dict, where: str) -> Item:
    """One item from its JSON object; CorpusError names what is wrong."""
    if isinstance(raw.get("turns"), list):
        turns = raw["turns"]
        if len(turns) != 2 or not all(isinstance(t, str) and t.strip() for t in turns):
            raise CorpusError(f"{where}: 'turns' must be two non-empty strings")
    elif isinstance(raw.get("text"), str) and raw["text"].strip():
        turns = [raw["text"]]
    else:
        raise CorpusError(f"{where}: needs 'text' or 'turns'")
    labels = raw.get("labels")
    if not isinstance(labels, list) or not set(labels) <= set(CATEGORIES):
        raise CorpusError(f"{where}: 'labels' must be a list drawn from {CATEGORIES}")
    abuse_kind = raw.get("abuse_kind")
    if "abuse" in labels and abuse_kind not in ABUSE_KINDS:
        raise CorpusError(f"{where}: an abuse item needs 'abuse_kind' from {ABUSE_KINDS}")
    kind = raw.get("kind")
    if not isinstance(kind, str) or not kind:
        raise CorpusError(f"{where}: needs 'kind'")
    who = raw.get("who") or "self"
    if who not in ("self", "other"):
        raise CorpusError(f"{where}: 'who' must be self or other")
    return Item(
        turns=tuple(t.strip() for t in turns),
        labels=tuple(label for label in CATEGORIES if label in labels),
        kind=kind,
        who=who,
        abuse_kind=abuse_kind if "abuse" in labels else None,
        voice=str(raw.get("voice") or ""),
        source=where.split(":")[0],
    )


def read_corpus(path: Path) -> Corpus:
    """A corpus file: origin lines, then items."""
    corpus = Corpus(path=path)
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith("#"):
                corpus.origin.append(stripped.lstrip("# ").rstrip())
                continue
            try:
                raw = json.loads(stripped)
            except ValueError as exc:
                raise CorpusError(f"{path.name}:{number}: not JSON ({exc})") from None
            if not isinstance(raw, dict):
                raise CorpusError(f"{path.name}:{number}: not a JSON object")
            corpus.items.append(parse_item(raw, f"{path.name}:{number}"))
    return corpus


def read_corpora(paths: Iterable[Path]) -> List[Corpus]:
    """Several corpus files, in name order."""
    return [read_corpus(path) for path in sorted(paths)]


def fingerprint(paths: Sequence[Path]) -> str:
    """SHA-256 over the files' names and bytes: changes whenever the data does."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def normalised(text: str) -> str:
    """The form used to find exact duplicates: case and spacing ignored."""
    return " ".join(text.lower().split())
