"""The sentence encoder's runtime: NumPy against ONNX Runtime (fp32 and int8): `make bench-encoder`.

    python -m bench.encoder_runtime [--out var/reports/bench-encoder.json] [--model models/attune.tar.gz]
                                    [--short 300] [--long 60] [--skip-accuracy]

The same encoder (the published MiniLM weights with the risk model's fine-tuned layers, the
same tokenizer, mean pooling and unit length) run four ways: the NumPy forward, ONNX Runtime
on the float32 weights (attune/nlu/encoder_graph.py, what the assistant runs), and ONNX
Runtime with the weight matrices quantised to int8 after loading (dynamic quantisation of the
weight MatMuls, one scale per matrix or one per output column). All on one thread, as in the
server's model threads.

1. **Latency per message**, one message at a time as the server reads them: short messages
   (5-15 words) and long ones (150 words: real corpus messages, joined and cut to 150 words),
   p50 and p95 over the set, the runtimes interleaved message by message so that a busy
   moment of the machine falls on all of them alike. **Batch of 32** (training): every NLU
   example, in the encoder's own batches of 32; milliseconds per batch and in all.
2. **Start-up and memory**, each runtime in a fresh process: seconds to load the weights and
   to build the session (the first message), and resident memory (VmRSS, VmHWM) after the
   weights, after the first message and after the latency workload; the runtime's own share
   is the difference to NumPy's process.
3. **Accuracy against the NumPy forward** on every text of data/risk (read with
   attune.safety.corpus), the two development risk sets and every NLU example: largest
   absolute difference and smallest cosine of the unit vectors. For the int8 runtimes, what
   a visitor would notice: the trained intent classifier's top intent (the model archive
   `--model`, loaded in-process) on all those texts, and the risk model's decision (the
   whole reading and its windows, the word lists' decision, the stacker and the shipped
   thresholds: crisis reply, emergency-first reply, check-in or nothing) for every corpus
   message, changes counted by class, split into messages with risk, without, and negated or
   past risk; and the risk recall and false-alarm rates each runtime gives.

Writes the JSON report and prints a summary. Message texts are read, never written out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from attune.paths import REPO_ROOT

RUNTIMES = ("numpy", "ort_fp32", "ort_int8", "ort_int8_per_channel")
LONG_WORDS = 150
DEV_SETS = ("dev_risk_w.jsonl", "dev_long_two_turn.jsonl")
CRISIS, EMERGENCY, CHECK_IN, NOTHING = "crisis", "emergency", "check-in", "none"


# ---------------------------------------------------------------------------- runtimes


class QuantizedSession:
    """The encoder's graph with its weight matrices dynamically quantised to int8 by ONNX
    Runtime's quantisation tool (weights int8, activations quantised per run)."""

    def __init__(self, tensors: Dict[str, np.ndarray], heads: int, per_channel: bool) -> None:
        import onnx
        import onnxruntime as ort
        from onnxruntime.quantization import QuantType, quantize_dynamic

        from attune.nlu.encoder_graph import WEIGHT_MATMUL_PREFIX, build_model, session_options

        model = build_model(tensors, heads, embed=True)
        weight_matmuls = [n.name for n in model.graph.node if n.name.startswith(WEIGHT_MATMUL_PREFIX)]
        with tempfile.TemporaryDirectory() as directory:
            source, target = Path(directory) / "fp32.onnx", Path(directory) / "int8.onnx"
            onnx.save_model(model, str(source))
            del model
            quantize_dynamic(str(source), str(target), per_channel=per_channel, weight_type=QuantType.QInt8,
                             nodes_to_quantize=weight_matmuls, extra_options={"MatMulConstBOnly": True})
            self.size_mb = round(target.stat().st_size / 2**20, 1)
            self._session = ort.InferenceSession(str(target), session_options(),
                                                 providers=["CPUExecutionProvider"])

    def run(self, outputs: Sequence[str], feeds: Dict[str, np.ndarray]) -> List[np.ndarray]:
        return self._session.run(list(outputs), feeds)


def make_encoder(runtime: str) -> Any:
    """The assistant's encoder (published weights + the risk model's layers) on `runtime`,
    its session already built."""
    from attune.nlu import sentence_encoder
    from attune.nlu.sentence_encoder import NUMPY, ONNX_RUNTIME

    shared = sentence_encoder.shared_encoder()
    encoder = sentence_encoder.SentenceEncoder(
        sentence_encoder.published_weights(shared._tensors), shared._tokenizer, heads=shared._heads,
        max_length=shared._max_length, fingerprint=shared.fingerprint,
        runtime=NUMPY if runtime == "numpy" else ONNX_RUNTIME)
    if runtime.startswith("ort_int8"):
        encoder._session = QuantizedSession(encoder._tensors, encoder._heads,
                                            per_channel=runtime.endswith("per_channel"))
    encoder.encode(["warm up"])
    assert encoder.runtime == (NUMPY if runtime == "numpy" else ONNX_RUNTIME), "ONNX Runtime failed"
    return encoder


# ---------------------------------------------------------------------------- texts


def risk_items() -> Dict[str, List[Any]]:
    """The risk corpora: data/risk, and the development sets that may be read."""
    from attune.safety.corpus import read_corpora, read_corpus

    items = [i for c in read_corpora((REPO_ROOT / "data" / "risk").glob("*.jsonl")) for i in c.items]
    dev = [i for name in DEV_SETS for i in read_corpus(REPO_ROOT / "tests" / "safety" / "dev" / name).items]
    return {"data/risk": items, "dev": dev}


def nlu_examples() -> List[str]:
    """Every NLU example's text, read by Rasa's own loader (as training reads them)."""
    from rasa.shared.nlu.training_data.loading import load_data

    return [e.get("text") for e in load_data(str(REPO_ROOT / "data" / "nlu")).intent_examples if e.get("text")]


def latency_texts(texts: Sequence[str], short: int, long: int, seed: int = 7) -> Tuple[List[str], List[str]]:
    """`short` messages of 5-15 words; `long` of exactly LONG_WORDS words, each a real message
    of 60 or more words continued by the next ones and cut."""
    rng = random.Random(seed)
    unique = sorted(set(texts))
    shorts = [t for t in unique if 5 <= len(t.split()) <= 15]
    longs_from = [t for t in unique if len(t.split()) >= 60]
    rng.shuffle(longs_from)
    longs = []
    for i in range(min(long, len(longs_from))):
        words: List[str] = []
        j = i
        while len(words) < LONG_WORDS:
            words += longs_from[j % len(longs_from)].split()
            j += 1
        longs.append(" ".join(words[:LONG_WORDS]))
    return rng.sample(shorts, min(short, len(shorts))), longs


def at_the_limit(long: Sequence[str], limit: int = 2000) -> List[str]:
    """Messages of `limit` characters: prose (the long messages run together), many short
    words, and dots between letters (many word pieces per character)."""
    prose = " ".join(long)
    while len(prose) < limit:
        prose += " " + prose
    return [prose[:limit], ("ok " * limit)[:limit], ("a." * limit)[:limit]]


# ---------------------------------------------------------------------------- measurements


def percentiles(values: Sequence[float]) -> Dict[str, float]:
    ordered = sorted(values)
    return {"p50_ms": round(1000 * float(np.percentile(ordered, 50)), 2),
            "p95_ms": round(1000 * float(np.percentile(ordered, 95)), 2),
            "mean_ms": round(1000 * statistics.fmean(ordered), 2), "n": len(ordered)}


def interleaved_latency(encoders: Dict[str, Any], texts: Sequence[str], rounds: int = 2) -> Dict[str, Dict]:
    """Each message through each runtime in turn, one at a time, `rounds` times."""
    times: Dict[str, List[float]] = {name: [] for name in encoders}
    for _ in range(rounds):
        for text in texts:
            for name, encoder in encoders.items():
                started = time.perf_counter()
                encoder.encode([text])
                times[name].append(time.perf_counter() - started)
    return {name: percentiles(values) for name, values in times.items()}


def batch_latency(encoders: Dict[str, Any], texts: Sequence[str]) -> Dict[str, Dict]:
    """The NLU examples in the encoder's batches of 32 (by length, as `encode` sorts them)."""
    from attune.nlu.sentence_encoder import SentenceEncoder

    report = {}
    for name, encoder in encoders.items():
        times: List[float] = []
        forward = SentenceEncoder._vectors

        def timed(self: Any, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
            started = time.perf_counter()
            result = forward(self, ids, mask)
            times.append(time.perf_counter() - started)
            return result

        SentenceEncoder._vectors = timed  # type: ignore[method-assign]
        try:
            started = time.perf_counter()
            encoder.encode(list(texts), batch_size=32)
            total = time.perf_counter() - started
        finally:
            SentenceEncoder._vectors = forward  # type: ignore[method-assign]
        report[name] = {**percentiles(times), "batches": len(times), "total_s": round(total, 2),
                        "ms_per_text": round(1000 * total / len(texts), 3)}
    return report


def rss() -> Dict[str, float]:
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = round(int(rest.split()[0]) / 1024, 1)
    return values


def child_startup(runtime: str, short: Sequence[str], long: Sequence[str]) -> Dict[str, Any]:
    """In this (fresh) process: load the weights as the assistant does, then the runtime."""
    from attune.nlu import sentence_encoder

    report: Dict[str, Any] = {"start": rss()}
    started = time.perf_counter()
    if runtime != "numpy":
        import onnxruntime  # noqa: F401 - its libraries' memory is the runtime's
    report["import_s"] = round(time.perf_counter() - started, 3)
    report["imported"] = rss()
    started = time.perf_counter()
    encoder = sentence_encoder.shared_encoder()  # the session is built on the first message
    report["weights_s"] = round(time.perf_counter() - started, 3)
    report["weights"] = rss()
    encoder.runtime = sentence_encoder.NUMPY if runtime == "numpy" else sentence_encoder.ONNX_RUNTIME
    started = time.perf_counter()
    if runtime.startswith("ort_int8"):
        encoder._session = QuantizedSession(encoder._tensors, encoder._heads, runtime.endswith("per_channel"))
    encoder.encode(["hi there"])
    report["first_message_s"] = round(time.perf_counter() - started, 3)
    report["first_message"] = rss()
    for text in list(short) + list(long):
        encoder.encode([text])
    report["after_messages"] = rss()
    # The largest batch the server encodes: one message at the practice's limit of 2,000
    # characters with its windows (attune.safety.windows), in three shapes.
    from attune.safety.risk_model import shared_risk_model

    model = shared_risk_model()
    assert model is not None
    for message in at_the_limit(long):
        encoder.encode(model.readings(message))
    report["after_messages_at_the_limit"] = rss()
    encoder.encode(nlu_examples(), batch_size=32)
    report["after_nlu_batches"] = rss()
    encoder.encode(list(long) * (64 // max(1, len(long)) + 1), batch_size=32)
    report["after_batches_of_long"] = rss()
    assert encoder.runtime == (sentence_encoder.NUMPY if runtime == "numpy" else sentence_encoder.ONNX_RUNTIME)
    return report


def startup(runtime: str, short: Sequence[str], long: Sequence[str]) -> Dict[str, Any]:
    """`child_startup` in a fresh interpreter."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"short": list(short), "long": list(long)}, handle)
    try:
        output = subprocess.run([sys.executable, "-m", "bench.encoder_runtime", "--child", runtime, handle.name],
                                capture_output=True, text=True, check=True, cwd=REPO_ROOT,
                                env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}).stdout
    finally:
        os.unlink(handle.name)
    return json.loads(output.strip().splitlines()[-1])


def vector_accuracy(reference: np.ndarray, other: np.ndarray) -> Dict[str, float]:
    cosines = (reference * other).sum(1) / (np.linalg.norm(reference, axis=1) * np.linalg.norm(other, axis=1))
    return {"max_abs_diff": float(np.abs(reference - other).max()), "min_cosine": float(cosines.min()),
            "mean_cosine": float(cosines.mean()), "texts": len(reference)}


# ---------------------------------------------------------------------------- what a visitor notices


def load_intent_classifier(archive: Path, directory: Path) -> Any:
    """The trained TfidfIntentClassifier of a Rasa model archive, loaded in-process."""
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    from attune.nlu.tfidf_classifier import TfidfIntentClassifier

    storage, metadata = LocalModelStorage.from_model_archive(directory, archive)
    name, node = next((n, s) for n, s in metadata.predict_schema.nodes.items() if s.uses is TfidfIntentClassifier)
    return TfidfIntentClassifier.load(node.config, storage, node.resource,
                                      ExecutionContext(metadata.predict_schema, metadata.model_id))


def top_intents(classifier: Any, texts: Sequence[str], vectors: Dict[str, np.ndarray]) -> List[str]:
    """The classifier's top intent for each text, fed the given vectors."""
    from rasa.shared.nlu.training_data.message import Message

    from attune.nlu import sentence_encoder

    encoder = sentence_encoder.shared_encoder()

    def lookup(batch: Sequence[str], **kwargs: Any) -> np.ndarray:
        return np.array([vectors[t or ""] for t in batch]).reshape(len(batch), encoder.dimension)

    encoder.encode = lookup  # type: ignore[method-assign]
    try:
        messages = [Message(data={"text": t}) for t in texts]
        for start in range(0, len(messages), 256):
            classifier.process(messages[start:start + 256])
    finally:
        del encoder.encode
    return [m.get("intent")["name"] for m in messages]


def decision_class(intent: Optional[str]) -> str:
    if intent is None:
        return NOTHING
    if intent == "risk_check_in":
        return CHECK_IN
    return EMERGENCY if intent == "risk_emergency" else CRISIS


def item_group(item: Any) -> str:
    return "with risk" if item.is_risk else ("negated or past" if item.no_current_risk else "without risk")


def risk_decisions(items: Sequence[Any], vectors: Callable[[List[str]], Dict[str, np.ndarray]],
                   assessments: Dict[str, Any]) -> List[Tuple[str, Optional[str]]]:
    """(group, decided intent) for each item's last message, read as the assistant reads one
    message: the whole and its windows, with the word lists' decision."""
    from attune.safety.risk_model import shared_risk_model

    model = shared_risk_model()
    assert model is not None
    readings = {i.text: model.readings(i.text) for i in items}
    by_text = vectors(sorted({r for rs in readings.values() for r in rs}))
    decided = []
    for item in items:
        texts = readings[item.text]
        assessment = assessments[item.text]
        verdict = model.verdict(model.scores(np.array([by_text[t] for t in texts])), texts,
                                assessment.intent, assessment.decision_tag)
        decided.append((item_group(item), verdict.intent))
    return decided


def compare_decisions(items: Sequence[Any], reference: List[Tuple[str, Optional[str]]],
                      other: List[Tuple[str, Optional[str]]]) -> Dict[str, Any]:
    """Changed decisions by group and class, and each runtime's rates."""
    changes: Dict[str, Counter] = {}
    for (group, before), (_, after) in zip(reference, other):
        if before != after:
            key = f"{decision_class(before)} -> {decision_class(after)}"
            changes.setdefault(group, Counter())[key if decision_class(before) != decision_class(after)
                                                 else f"{key} (other crisis reply)"] += 1

    def share(classes: List[str], wanted: Sequence[str]) -> float:
        return round(sum(c in wanted for c in classes) / max(1, len(classes)), 5)

    def rates(decided: List[Tuple[str, Optional[str]]]) -> Dict[str, Any]:
        risk = [decision_class(d) for g, d in decided if g == "with risk"]
        clean = [decision_class(d) for g, d in decided if g == "without risk"]
        return {"risk_messages": len(risk), "recall_crisis_reply": share(risk, (CRISIS, EMERGENCY)),
                "recall_any_reply": share(risk, (CRISIS, EMERGENCY, CHECK_IN)),
                "messages_without_risk": len(clean), "false_alarms_crisis_reply": share(clean, (CRISIS, EMERGENCY)),
                "check_ins_without_risk": share(clean, (CHECK_IN,))}

    return {"changed": {g: dict(c) for g, c in changes.items()},
            "changed_total": sum(sum(c.values()) for c in changes.values()),
            "reference": rates(reference), "this_runtime": rates(other)}


def accuracy(encoders: Dict[str, Any], model_archive: Optional[Path]) -> Dict[str, Any]:
    from attune.safety.detector import RiskDetector

    corpora = risk_items()
    examples = nlu_examples()
    texts = sorted({t for items in corpora.values() for i in items for t in (*i.turns, i.joined)} | set(examples))
    print(f"accuracy: {len(texts)} texts", flush=True)
    vectors: Dict[str, np.ndarray] = {}
    for name, encoder in encoders.items():
        started = time.perf_counter()
        vectors[name] = encoder.encode(texts)
        print(f"  encoded with {name} in {time.perf_counter() - started:.0f} s", flush=True)
    report: Dict[str, Any] = {"texts": len(texts), "vectors": {
        name: vector_accuracy(vectors["numpy"], vectors[name]) for name in encoders if name != "numpy"}}

    index = {t: n for n, t in enumerate(texts)}
    detector = RiskDetector.load()
    all_items = [i for items in corpora.values() for i in items]
    assessments = {i.text: detector.assess(i.text) for i in all_items}

    def lookup(name: str) -> Callable[[List[str]], Dict[str, np.ndarray]]:
        def vectors_of(wanted: List[str]) -> Dict[str, np.ndarray]:
            missing = [t for t in wanted if t not in index]
            found = {t: vectors[name][index[t]] for t in wanted if t in index}
            if missing:  # windows of a long message
                found.update(zip(missing, encoders[name].encode(missing)))
            return found
        return vectors_of

    report["risk"] = {}
    for corpus, items in corpora.items():
        reference = risk_decisions(items, lookup("numpy"), assessments)
        report["risk"][corpus] = {"messages": len(items), "groups": dict(Counter(item_group(i) for i in items))}
        for name in encoders:
            if name != "numpy":
                report["risk"][corpus][name] = compare_decisions(items, reference,
                                                                 risk_decisions(items, lookup(name), assessments))

    if model_archive is not None and model_archive.is_file():
        with tempfile.TemporaryDirectory() as directory:
            classifier = load_intent_classifier(model_archive, Path(directory) / "storage")
            by_name = {name: dict(zip(texts, vectors[name])) for name in encoders}
            reference = top_intents(classifier, texts, by_name["numpy"])
            examples_set = set(examples)
            report["intent"] = {"model": str(model_archive), "texts": len(texts),
                                "nlu_examples": sum(t in examples_set for t in texts)}
            for name in encoders:
                if name != "numpy":
                    other = top_intents(classifier, texts, by_name[name])
                    changed = [(t, a, b) for t, a, b in zip(texts, reference, other) if a != b]
                    flips = Counter(f"{a} -> {b}" for _, a, b in changed)
                    report["intent"][name] = {"flips": len(changed),
                                              "flips_of_nlu_examples": sum(t in examples_set for t, _, _ in changed),
                                              "most_common": flips.most_common(10)}
    else:
        report["intent"] = {"skipped": f"no model archive at {model_archive}"}
    return report


# ---------------------------------------------------------------------------- main


def machine() -> Dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=REPO_ROOT).stdout.strip()

    import onnxruntime

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "")
    return {"utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), "commit": git("rev-parse", "--short", "HEAD"),
            "working_tree_changed": bool(git("status", "--porcelain", "--untracked-files=no")),
            "cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "onnxruntime": onnxruntime.__version__,
            "load_average": os.getloadavg()}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.encoder_runtime", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "reports" / "bench-encoder.json")
    parser.add_argument("--model", type=Path, default=REPO_ROOT / "models" / "attune.tar.gz",
                        help="the trained model whose intent classifier is compared (skipped if absent)")
    parser.add_argument("--short", type=int, default=300, help="short messages timed")
    parser.add_argument("--long", type=int, default=60, help="150-word messages timed")
    parser.add_argument("--runtimes", default=",".join(RUNTIMES))
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("RUNTIME", "TEXTS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        texts = json.loads(Path(args.child[1]).read_text(encoding="utf-8"))
        print(json.dumps(child_startup(args.child[0], texts["short"], texts["long"])))
        return 0

    runtimes = [r for r in args.runtimes.split(",") if r]
    assert runtimes[0] == "numpy", "NumPy is the reference and comes first"
    corpora = risk_items()
    examples = nlu_examples()
    short, long = latency_texts([t for items in corpora.values() for i in items for t in i.turns] + examples,
                                args.short, args.long)
    report: Dict[str, Any] = {"machine": machine(), "runtimes": runtimes,
                              "texts": {"short": len(short), "long": len(long), "long_words": LONG_WORDS,
                                        "batch_texts": len(examples)}}
    print(f"start-up and memory ({', '.join(runtimes)}), a fresh process each", flush=True)
    report["startup"] = {name: startup(name, short[:100], long[:20]) for name in runtimes}

    encoders = {}
    for name in runtimes:
        started = time.perf_counter()
        encoders[name] = make_encoder(name)
        print(f"  {name}: ready in {time.perf_counter() - started:.1f} s", flush=True)
    print("latency: short, long, batches of 32", flush=True)
    interleaved_latency(encoders, short[:20], rounds=1)  # warm-up
    report["latency"] = {"short": interleaved_latency(encoders, short), "long": interleaved_latency(encoders, long),
                         "batch_32": batch_latency(encoders, examples)}
    if not args.skip_accuracy:
        report["accuracy"] = accuracy(encoders, args.model)
    report["machine"]["finished_utc"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    report["machine"]["load_average_end"] = os.getloadavg()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_summary(report)
    print(f"wrote {args.out}")
    return 0


def print_summary(report: Dict[str, Any]) -> None:
    latency, startup_report = report["latency"], report["startup"]
    base_rss = startup_report[report["runtimes"][0]]["after_batches_of_long"]["VmRSS"]
    print(f"{'runtime':<22}{'short p50/p95 ms':>20}{'long p50/p95 ms':>20}{'batch32 p50 ms':>16}"
          f"{'start s':>9}{'RSS MiB (+/- numpy)':>22}")
    for name in report["runtimes"]:
        s, lg, b, st = latency["short"][name], latency["long"][name], latency["batch_32"][name], startup_report[name]
        after = st["after_batches_of_long"]["VmRSS"]
        print(f"{name:<22}{s['p50_ms']:>9.2f} /{s['p95_ms']:>7.2f}{lg['p50_ms']:>11.2f} /{lg['p95_ms']:>7.2f}"
              f"{b['p50_ms']:>16.1f}{st['first_message_s']:>9.2f}{after:>12.0f} ({after - base_rss:+.0f})")
    if "accuracy" in report:
        for name, figures in report["accuracy"]["vectors"].items():
            print(f"{name}: max |diff| {figures['max_abs_diff']:.2e}, min cosine {figures['min_cosine']:.6f}")
        for corpus, by_runtime in report["accuracy"]["risk"].items():
            for name, figures in by_runtime.items():
                if isinstance(figures, dict) and "changed" in figures:
                    print(f"{corpus} {name}: {figures['changed_total']} risk decisions changed {figures['changed']}")
        for name, figures in report["accuracy"].get("intent", {}).items():
            if isinstance(figures, dict):
                print(f"intent {name}: {figures['flips']} flips")


if __name__ == "__main__":
    raise SystemExit(main())
