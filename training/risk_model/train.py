"""Trains the risk model and exports it for the assistant: `make risk-model`.

    python -m training.risk_model.train [--folds 5] [--epochs 3] [--seed 13] [--composed 1000]
                                        [--with-question 0] [--frozen-layers 3] [--smoke N]

1. Reads the writers' corpora (data/risk/*.jsonl) and the NLU data as of training
   (training/risk_model/nlu_snapshot/, copied from data/nlu by `make risk-model`), drops
   exact duplicates, then near-duplicates (cosine >= 0.95 of the published sentence vectors).
   Every training part (each fold's, and the final one) adds `--composed` long messages built
   from its own messages (training.risk_model.examples.composed), and `--with-question`
   messages with a practice question beside them (training.risk_model.examples.with_question).
2. Cross-validation: trains one model per fold and keeps every example's out-of-fold scores
   (var/risk-model/oof.json), from which `training.risk_model.thresholds` chooses the
   thresholds. Sealed sets are never read here.
3. Trains the final model on everything and writes attune/safety/model/: the fine-tuned upper
   layers and the heads (safetensors, float16) and risk_model.json (outputs, the lower layers
   kept as published, the data fingerprint, seed, epochs, measured cross-validation figures).

Fixed seeds, one thread order: the same data gives the same weights on the same machine kind.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import load_file, save_file

from attune.nlu.sentence_encoder import (
    VOCAB_FILE,
    WEIGHTS_FILE,
    WordPieceTokenizer,
    file_fingerprint,
    model_directory,
)
from attune.safety.corpus import fingerprint
from training.risk_model.encoder import Lower, Upper, pad
from training.risk_model.examples import OUTPUTS, ROOT, Example, composed, load_examples, with_question

OUT_DIR = ROOT / "attune" / "safety" / "model"
WORK_DIR = ROOT / "var" / "risk-model"
FROZEN_LAYERS = 3
TOTAL_LAYERS = 6
MAX_TOKENS = 256
NEAR_DUPLICATE = 0.95


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def tokenize(texts: Sequence[str]) -> List[List[int]]:
    tokenizer = WordPieceTokenizer.from_file(model_directory() / VOCAB_FILE)
    return [tokenizer.encode(text, MAX_TOKENS) for text in texts]


def in_length_batches(ids: List[List[int]], size: int = 64):
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    for start in range(0, len(order), size):
        yield order[start:start + size]


def cache_lower(lower: Lower, ids: List[List[int]]) -> List[torch.Tensor]:
    """The frozen layers' output for every example (float16, unpadded)."""
    cached: List[torch.Tensor] = [None] * len(ids)  # type: ignore[list-item]
    for chunk in in_length_batches(ids):
        batch_ids, mask = pad([ids[i] for i in chunk])
        hidden = lower(batch_ids, mask)
        for row, i in enumerate(chunk):
            cached[i] = hidden[row, : len(ids[i])].to(torch.float16).clone()
    return cached


def pooled_unit(cached: List[torch.Tensor], upper_weights: Dict[str, np.ndarray],
                frozen: int = FROZEN_LAYERS) -> np.ndarray:
    """Published sentence vectors (all six layers, no training), for near-duplicate search."""
    upper = Upper(upper_weights, frozen, TOTAL_LAYERS, len(OUTPUTS), 1, dropout=0.0).eval()
    out = np.zeros((len(cached), 384), dtype=np.float32)
    with torch.no_grad():
        for chunk in in_length_batches([list(range(len(c))) for c in cached], 128):
            x, mask = stack(cached, chunk)
            out[chunk] = upper(x, mask)[2].numpy()
    return out


def stack(cached: List[torch.Tensor], chunk: Sequence[int]) -> Tuple[torch.Tensor, torch.Tensor]:
    length = max(cached[i].shape[0] for i in chunk)
    x = torch.zeros((len(chunk), length, 384))
    mask = torch.zeros((len(chunk), length), dtype=torch.bool)
    for row, i in enumerate(chunk):
        x[row, : cached[i].shape[0]] = cached[i].float()
        mask[row, : cached[i].shape[0]] = True
    return x, mask


def near_duplicates(vectors: np.ndarray, threshold: float = NEAR_DUPLICATE) -> List[int]:
    """Indexes to drop: each later example whose vector is this close to an earlier one."""
    drop: List[int] = []
    kept = np.zeros(len(vectors), dtype=bool)
    for start in range(0, len(vectors), 512):
        block = vectors[start:start + 512]
        for offset, vector in enumerate(block):
            i = start + offset
            earlier = vectors[:i][kept[:i]]
            if len(earlier) and float((earlier @ vector).max()) >= threshold:
                drop.append(i)
            else:
                kept[i] = True
    return drop


def anchor_vectors(directory: Path, base: Dict[str, np.ndarray], examples: List[Example],
                   cached: List[torch.Tensor], frozen: int) -> Tuple[torch.Tensor, str]:
    """The sentence vectors of a trained model (its exported layers over the published ones)
    for every NLU example (zeros for the rest), and that model's weights fingerprint."""
    meta = json.loads((directory / "risk_model.json").read_text())
    if int(meta["frozen_layers"]) != frozen:
        raise SystemExit(f"--anchor-weight needs --frozen-layers {meta['frozen_layers']}, as the anchor model")
    weights = dict(base)
    weights.update({k: v.astype(np.float32) for k, v in load_file(str(directory / "risk_model.safetensors")).items()
                    if k.startswith("encoder.")})
    teacher = Upper(weights, frozen, TOTAL_LAYERS, len(OUTPUTS), 1, dropout=0.0).eval()
    out = torch.zeros((len(examples), 384))
    nlu = [i for i, e in enumerate(examples) if e.intent >= 0]
    with torch.no_grad():
        for start in range(0, len(nlu), 128):
            chunk = nlu[start:start + 128]
            x, mask = stack(cached, chunk)
            out[chunk] = teacher(x, mask)[2]
    return out, file_fingerprint(directory / "risk_model.safetensors")


def train_upper(weights: Dict[str, np.ndarray], examples: List[Example], cached: List[torch.Tensor],
                indexes: List[int], intents: int, epochs: int, seed: int, log: str = "",
                frozen: int = FROZEN_LAYERS, danger_weight: float = 1.0,
                anchor: Optional[torch.Tensor] = None, anchor_weight: float = 0.0) -> Upper:
    seed_everything(seed)
    upper = Upper(weights, frozen, TOTAL_LAYERS, len(OUTPUTS), intents)
    heads = list(upper.risk_head.parameters()) + list(upper.intent_head.parameters())
    optimiser = torch.optim.AdamW(
        [{"params": upper.layers.parameters(), "lr": 6e-5}, {"params": heads, "lr": 2e-3}],
        weight_decay=0.01,
    )
    batch_size = 32
    # Batches of similar lengths (little padding), in a shuffled order each epoch.
    by_length = sorted(indexes, key=lambda i: cached[i].shape[0])
    batches = [by_length[s:s + batch_size] for s in range(0, len(by_length), batch_size)]
    steps = epochs * len(batches)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / (0.06 * steps)) * max(0.0, 1 - step / steps)
    )
    targets = torch.tensor([e.targets for e in examples])
    masks = torch.tensor([e.mask for e in examples])
    intent_ids = torch.tensor([e.intent for e in examples])
    # Risk is the rarer, costlier mistake to miss: weigh the positives of the main output.
    positive_weight = torch.ones(len(OUTPUTS))
    positive_weight[0] = 1.5
    positive_weight[OUTPUTS.index("immediate_danger")] = danger_weight
    upper.train()
    for epoch in range(epochs):
        random.shuffle(batches)
        started, total = time.time(), 0.0
        for chunk in batches:
            x, mask = stack(cached, chunk)
            risk_logits, intent_logits, unit = upper(x, mask)
            loss_each = F.binary_cross_entropy_with_logits(
                risk_logits, targets[chunk], pos_weight=positive_weight, reduction="none"
            )
            loss = (loss_each * masks[chunk]).sum() / masks[chunk].sum().clamp(min=1.0)
            labelled = intent_ids[chunk] >= 0
            if labelled.any():
                loss = loss + 0.5 * F.cross_entropy(intent_logits[labelled], intent_ids[chunk][labelled])
                if anchor is not None and anchor_weight:
                    # The intent classifier reads these vectors: keep the NLU examples' close
                    # to the shipped model's, so a new risk model does not move its readings.
                    target = anchor[chunk][labelled]
                    loss = loss + anchor_weight * (1.0 - (unit[labelled] * target).sum(-1)).mean()
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(upper.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss.detach())
        print(f"{log}epoch {epoch + 1}/{epochs}: loss {total / len(batches):.4f} ({time.time() - started:.0f} s)",
              flush=True)
    return upper.eval()


@torch.no_grad()
def predict(upper: Upper, cached: List[torch.Tensor], indexes: List[int]) -> np.ndarray:
    out = np.zeros((len(indexes), len(OUTPUTS)), dtype=np.float32)
    position = {i: n for n, i in enumerate(indexes)}
    for start in range(0, len(indexes), 128):
        chunk = sorted(indexes, key=lambda i: cached[i].shape[0])[start:start + 128]
        x, mask = stack(cached, chunk)
        scores = torch.sigmoid(upper(x, mask)[0]).numpy()
        for row, i in enumerate(chunk):
            out[position[i]] = scores[row]
    return out


def padded(anchor: Optional[torch.Tensor], count: int) -> Optional[torch.Tensor]:
    """The anchor vectors for `count` examples: composed ones (appended, no intent) get zeros."""
    if anchor is None or anchor.shape[0] >= count:
        return anchor
    return torch.cat([anchor, torch.zeros((count - anchor.shape[0], anchor.shape[1]))])


def with_composed(examples: List[Example], cached: List[torch.Tensor], indexes: List[int], lower: Lower,
                  count: int, seed: int, questions: int = 0) -> Tuple[List[Example], List[torch.Tensor], List[int]]:
    """The examples, their cache and the training indexes, plus `count` long messages composed
    from `indexes` alone (so nothing of a held-out fold leaks into its training) and
    `questions` messages with a practice question beside them (`with_question`)."""
    extra = composed(examples, indexes, count, seed) + with_question(examples, indexes, questions, seed + 7919)
    if not extra:
        return examples, cached, indexes
    extra_cached = cache_lower(lower, tokenize([e.text for e in extra]))
    start = len(examples)
    return examples + extra, cached + extra_cached, indexes + list(range(start, start + len(extra)))


def folds_of(examples: List[Example], folds: int, seed: int) -> List[List[int]]:
    """Stratified by group (corpus kind or intent), so each fold sees every kind."""
    rng = random.Random(seed)
    by_group: Dict[str, List[int]] = {}
    for i, example in enumerate(examples):
        by_group.setdefault(example.group, []).append(i)
    out: List[List[int]] = [[] for _ in range(folds)]
    offset = 0
    for group in sorted(by_group):
        members = by_group[group]
        rng.shuffle(members)
        for n, i in enumerate(members):
            out[(n + offset) % folds].append(i)
        offset += len(members)
    return out


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.risk_model.train")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (0: none)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--composed", type=int, default=1000,
                        help="long messages composed from each training part (training only)")
    parser.add_argument("--with-question", type=int, default=0,
                        help="messages with a practice question beside them, from each training part")
    parser.add_argument("--frozen-layers", type=int, default=FROZEN_LAYERS,
                        help="lower layers kept as published (the rest are fine-tuned)")
    parser.add_argument("--danger-weight", type=float, default=1.0,
                        help="weight of the positives of the danger-now output")
    parser.add_argument("--anchor-weight", type=float, default=0.0,
                        help="keep the NLU examples' sentence vectors near the shipped model's "
                             "(cosine distance, this weight); 0: not at all")
    parser.add_argument("--anchor-dir", type=Path, default=None,
                        help="the anchor model's directory (risk_model.json and .safetensors); "
                             "default: the model shipped when training starts")
    parser.add_argument("--smoke", type=int, default=0,
                        help="check the whole run on this many examples; nothing is written")
    args = parser.parse_args(list(argv) or None)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    seed_everything(args.seed)
    started = time.time()

    examples, intents, files = load_examples()
    if args.smoke:
        examples = random.Random(args.seed).sample(examples, min(args.smoke, len(examples)))
    base_dir = model_directory()
    weights = load_file(str(base_dir / WEIGHTS_FILE))
    ids = tokenize([e.text for e in examples])
    frozen = args.frozen_layers
    lower = Lower(weights, frozen)
    cached = cache_lower(lower, ids)
    print(f"{len(examples)} examples after exact duplicates; lower layers cached "
          f"({time.time() - started:.0f} s)", flush=True)

    drop = set(near_duplicates(pooled_unit(cached, weights, frozen)))
    keep = [i for i in range(len(examples)) if i not in drop]
    examples = [examples[i] for i in keep]
    cached = [cached[i] for i in keep]
    risk = sum(1 for e in examples if e.mask[0] and e.targets[0])
    print(f"{len(drop)} near-duplicates dropped: {len(examples)} examples, {risk} with risk "
          f"({time.time() - started:.0f} s)", flush=True)

    anchor: Optional[torch.Tensor] = None
    anchor_sha = None
    if args.anchor_weight:
        # Read before anything is written: the anchor is the model shipped when training starts.
        anchor, anchor_sha = anchor_vectors(args.anchor_dir or OUT_DIR, weights, examples, cached, frozen)
        print(f"anchor: the shipped model's vectors of {sum(1 for e in examples if e.intent >= 0)} NLU examples "
              f"({time.time() - started:.0f} s)", flush=True)

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    report: Dict[str, object] = {}
    if args.folds:
        oof = np.zeros((len(examples), len(OUTPUTS)), dtype=np.float32)
        for fold, held_out in enumerate(folds_of(examples, args.folds, args.seed)):
            held = set(held_out)
            train_idx = [i for i in range(len(examples)) if i not in held]
            fold_examples, fold_cached, train_idx = with_composed(
                examples, cached, train_idx, lower, args.composed, args.seed + fold, args.with_question)
            upper = train_upper(weights, fold_examples, fold_cached, train_idx, len(intents), args.epochs,
                                args.seed + fold, log=f"fold {fold + 1}/{args.folds} ", frozen=frozen,
                                danger_weight=args.danger_weight, anchor=padded(anchor, len(fold_examples)),
                                anchor_weight=args.anchor_weight)
            oof[held_out] = predict(upper, cached, held_out)
        if args.smoke:
            print(f"smoke run: {len(examples)} examples, nothing written ({time.time() - started:.0f} s)")
            return 0
        (WORK_DIR / "oof.json").write_text(json.dumps({
            "outputs": list(OUTPUTS),
            "rows": [
                {"text": e.text, "group": e.group, "source": e.source, "targets": e.targets, "mask": e.mask,
                 "scores": [round(float(s), 5) for s in oof[i]]}
                for i, e in enumerate(examples)
            ],
        }))
        print(f"out-of-fold scores in {WORK_DIR / 'oof.json'} ({time.time() - started:.0f} s)", flush=True)

    all_examples, all_cached, all_idx = with_composed(
        examples, cached, list(range(len(examples))), lower, args.composed, args.seed, args.with_question)
    upper = train_upper(weights, all_examples, all_cached, all_idx, len(intents),
                        args.epochs, args.seed, log="final ", frozen=frozen,
                        danger_weight=args.danger_weight, anchor=padded(anchor, len(all_examples)),
                        anchor_weight=args.anchor_weight)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    exported = {k: v.astype(np.float16) for k, v in upper.export().items()}
    save_file(exported, str(OUT_DIR / "risk_model.safetensors"))
    meta_path = OUT_DIR / "risk_model.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    meta.update({
        "outputs": list(OUTPUTS),
        "frozen_layers": frozen,
        "base_weights_sha256": file_fingerprint(base_dir / WEIGHTS_FILE),
        "data_sha256": fingerprint(files),
        "data_files": [str(p.relative_to(ROOT)) for p in files],
        "examples": len(examples),
        "examples_with_risk": risk,
        "near_duplicates_dropped": len(drop),
        "seed": args.seed,
        "epochs": args.epochs,
        "composed_per_training_part": args.composed,
        "with_question_per_training_part": args.with_question,
        "anchor_weight": args.anchor_weight,
        "anchor_weights_sha256": anchor_sha,
        "command": "python -m training.risk_model.train " + " ".join(list(argv) or sys.argv[1:]),
        "trained_seconds": round(time.time() - started),
        "weights_sha256": file_fingerprint(OUT_DIR / "risk_model.safetensors"),
        **report,
    })
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {OUT_DIR / 'risk_model.safetensors'} and {meta_path} "
          f"({time.time() - started:.0f} s in all)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
