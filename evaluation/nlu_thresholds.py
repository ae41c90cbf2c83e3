"""How the NLU thresholds in config.yml were chosen, reproducibly: `make nlu-thresholds`.

Three-fold cross-validation of the intent classifier alone (the settings in config.yml),
keeping each held-out message's raw ranking, then what a visitor would get at each candidate
threshold:

- FallbackClassifier `threshold`: the right topic, a neighbouring one, or "could you say it
  another way?", and whether that question's buttons (the two likeliest topics and the
  therapist path, `attune.topics.likeliest_topics`) put the right topic one tap away.
- The risk component's `soft_net_threshold`: how many risk examples the classifier's own risk
  guess reaches (a gentle check-in with the crisis lines when the word lists stay silent),
  and how many everyday examples it reaches by mistake.

The gate corpus's check-in rate on hard negatives needs the whole trained model and is
measured by `evaluation.risk_detector --model` (README, "Safety"). The held-out safety sets are
never read here: nothing is tuned on them.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from attune.nlu.risk_component import RISK_INTENT_PREFIX, is_wordy
from attune.topics import likeliest_topics

NLU_FALLBACK = "nlu_fallback"
OUTCOMES = ("right", "rephrase, right topic one tap away", "rephrase", "neighbouring topic")


@dataclass(frozen=True)
class Held:
    """One held-out message: its true intent and the classifier's raw ranking, best first."""

    text: str
    true: str
    ranking: Tuple[Tuple[str, float], ...]


def fallback_outcome(item: Held, threshold: float, ambiguity: float = 0.05,
                     replacement_threshold: float = 0.4) -> str:
    """What the visitor gets for a non-risk message, as the pipeline would decide it.

    The classifier may already have said `nlu_fallback` (no known word); otherwise the
    FallbackClassifier falls back below `threshold` or when the top two are within
    `ambiguity`; a risk guess the detector does not confirm is replaced by the next intent
    when that reaches `replacement_threshold` (the risk component's `fallback_threshold`).
    """
    ranking = list(item.ranking)
    if ranking and ranking[0][0] == NLU_FALLBACK:
        fallback, ranking = True, ranking[1:]
    else:
        fallback = not ranking or ranking[0][1] < threshold or (
            len(ranking) > 1 and ranking[0][1] - ranking[1][1] < ambiguity)
    if not fallback and ranking[0][0].startswith(RISK_INTENT_PREFIX):
        ranking = [entry for entry in ranking if not entry[0].startswith(RISK_INTENT_PREFIX)]
        fallback = not ranking or ranking[0][1] < replacement_threshold
    if not fallback:
        return OUTCOMES[0] if ranking[0][0] == item.true else OUTCOMES[3]
    buttons = likeliest_topics([{"name": name, "confidence": c} for name, c in ranking])
    offered = {button["payload"].lstrip("/") for button in buttons}
    return OUTCOMES[1] if item.true in offered else OUTCOMES[2]


def fallback_table(items: Sequence[Held], thresholds: Iterable[float]) -> List[Dict[str, float]]:
    """Share of non-risk messages per outcome, per threshold."""
    everyday = [item for item in items if not item.true.startswith(RISK_INTENT_PREFIX)]
    rows = []
    for threshold in thresholds:
        counts = Counter(fallback_outcome(item, threshold) for item in everyday)
        row = {"threshold": threshold, "messages": len(everyday)}
        row.update({outcome: counts[outcome] / max(len(everyday), 1) for outcome in OUTCOMES})
        row["right within one tap"] = row[OUTCOMES[0]] + row[OUTCOMES[1]]
        rows.append(row)
    return rows


def risk_guess(item: Held) -> float:
    """The confidence of the classifier's likeliest risk intent (0 when none is ranked)."""
    return next((c for name, c in item.ranking if name.startswith(RISK_INTENT_PREFIX)), 0.0)


def soft_net_table(items: Sequence[Held], thresholds: Iterable[float]) -> List[Dict[str, float]]:
    """Risk and everyday examples the soft net reaches, per threshold (three words or more)."""
    risk = [item for item in items if item.true.startswith(RISK_INTENT_PREFIX)]
    everyday = [item for item in items if not item.true.startswith(RISK_INTENT_PREFIX)]
    rows = []
    for threshold in thresholds:
        def reached(group: Sequence[Held]) -> int:
            return sum(1 for item in group if risk_guess(item) >= threshold and is_wordy(item.text))
        rows.append({"threshold": threshold, "risk examples": len(risk),
                     "risk reached": reached(risk) / max(len(risk), 1),
                     "everyday examples": len(everyday), "everyday reached": reached(everyday)})
    return rows


def cross_validate(data: Path, config: Path, folds: int = 3, seed: int = 42) -> List[Held]:
    """Raw rankings of every example, each from a classifier that never saw it."""
    import numpy as np
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from rasa.shared.utils.io import read_yaml_file
    from sklearn.model_selection import StratifiedKFold

    from attune.nlu import sentence_encoder
    from attune.nlu.tfidf_classifier import TfidfIntentClassifier

    settings = next(c for c in read_yaml_file(config)["pipeline"] if c["name"].endswith("TfidfIntentClassifier"))
    settings = {**TfidfIntentClassifier.get_default_config(), **{k: v for k, v in settings.items() if k != "name"}}
    examples = [e for e in load_data(str(data)).intent_examples if e.get("intent") and e.get("text")]
    texts, labels = [e.get("text") for e in examples], [e.get("intent") for e in examples]

    # Each text is embedded once, not once per fold.
    encoder = sentence_encoder.shared_encoder()
    encode = encoder.encode
    cache: Dict[str, "np.ndarray"] = {}

    def encode_once(batch: List[str], **kwargs: object) -> "np.ndarray":
        missing = [t for t in dict.fromkeys(batch) if t not in cache]
        if missing:
            cache.update(zip(missing, encode(missing)))
        return np.array([cache[t] for t in batch]).reshape(len(batch), encoder.dimension)

    # For this run only (deleted below): the cache takes the batch as a list, not any iterable.
    encoder.encode = encode_once  # type: ignore[method-assign, assignment]
    held: List[Optional[Held]] = [None] * len(texts)
    try:
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, labels):
            with tempfile.TemporaryDirectory() as directory:
                classifier = TfidfIntentClassifier.create(
                    settings, LocalModelStorage(Path(directory)), Resource("cv"),
                    ExecutionContext(GraphSchema({}), "cv"))
                classifier.train(TrainingData(
                    [Message(data={"text": texts[i], "intent": labels[i]}) for i in train]))
                messages = [Message(data={"text": texts[i]}) for i in test]
                classifier.process(messages)
            for i, message in zip(test, messages):
                ranking = tuple((r["name"], float(r["confidence"])) for r in message.get("intent_ranking"))
                held[i] = Held(texts[i], labels[i], ranking)
    finally:
        del encoder.encode
    return [item for item in held if item is not None]


def _percent(value: float) -> str:
    return f"{100 * value:5.1f}%"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("data/nlu"))
    parser.add_argument("--config", type=Path, default=Path("config.yml"))
    parser.add_argument("--out", type=Path, default=Path("var/reports/nlu_thresholds.json"))
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)

    items = cross_validate(args.data, args.config)
    fallback = fallback_table(items, [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5])
    soft_net = soft_net_table(items, [0.3, 0.4, 0.5, 0.6, 0.7])
    unknown = [item for item in items if item.ranking[0][0] == NLU_FALLBACK]

    print(f"Fallback threshold ({fallback[0]['messages']} non-risk messages, 3-fold cross-validation)")
    print("threshold  right  one tap  rephrase  neighbouring  right within one tap")
    for row in fallback:
        print(f"{row['threshold']:9.2f} {_percent(row[OUTCOMES[0]])} {_percent(row[OUTCOMES[1]])}  "
              f"{_percent(row[OUTCOMES[2]])}    {_percent(row[OUTCOMES[3]])}        "
              f"{_percent(row['right within one tap'])}")
    print(f"\nSoft net ({soft_net[0]['risk examples']} risk, {soft_net[0]['everyday examples']} everyday examples)")
    print("threshold  risk reached  everyday reached")
    for row in soft_net:
        print(f"{row['threshold']:9.2f}  {_percent(row['risk reached'])}       {row['everyday reached']}")
    print(f"\nMessages with no known word asked to rephrase outright or below the classifier's "
          f"unknown_words_threshold: {len(unknown)}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"fallback": fallback, "soft_net": soft_net,
                                    "unknown_word_fallbacks": len(unknown)}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
