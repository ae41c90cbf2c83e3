"""ONNX Runtime runs the same sentence encoder as the NumPy forward: the same vectors, for the
published weights and with the risk model's layers laid over them, on one thread, safely from
the server's model threads.

The tolerance: on the 32,000 texts of `make bench-encoder` the largest difference between
the two runtimes was below 3e-7 (docs/performance.md, "The encoder's runtime"); 1e-5 is the
bar the NumPy forward itself meets against sentence-transformers."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import List

import numpy as np
import pytest

from attune.nlu import encoder_graph, sentence_encoder
from attune.nlu.sentence_encoder import NUMPY, ONNX_RUNTIME, SentenceEncoder

TOLERANCE = 1e-5
REFERENCE = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "minilm_reference.json").read_text(
    encoding="utf-8"))
TEXTS = [c["text"] for c in REFERENCE] + [
    "why do I pull away when someone gets close?",
    "I bolt when things get serious",
    "i cant do this anymore, everyone would be better off without me",
    "how do I book an appointment?",
    "my partner checks my phone every night and says I'm nothing without him. " * 8,
    "ok",
    "🙂🙂🙂",
    "Ich weiß nicht, was ich tun soll. No sé qué hacer.",
]
LONG = ("When we argue I go quiet for days and he says I punish him, but I just need the noise to stop; "
        "afterwards I feel ashamed and I promise myself it will be different next time. ") * 12


def twin(encoder: SentenceEncoder, runtime: str) -> SentenceEncoder:
    """The same weights and tokenizer on another runtime."""
    return SentenceEncoder(sentence_encoder.published_weights(encoder._tensors), encoder._tokenizer,
                           heads=encoder._heads, max_length=encoder._max_length,
                           fingerprint=encoder.fingerprint, runtime=runtime)


@pytest.fixture(scope="module", params=["published", "with the risk model's layers"])
def pair(request):
    """(NumPy, ONNX Runtime) encoders over the same weights."""
    source = sentence_encoder.base_encoder() if request.param == "published" else sentence_encoder.shared_encoder()
    return twin(source, NUMPY), twin(source, ONNX_RUNTIME)


def test_the_assistant_runs_onnx_runtime():
    encoder = sentence_encoder.shared_encoder()
    encoder.encode(["hello"])
    assert encoder.runtime == ONNX_RUNTIME


def test_onnx_runtime_gives_the_numpy_vectors(pair):
    numpy_encoder, onnx_encoder = pair
    expected, found = numpy_encoder.encode(TEXTS), onnx_encoder.encode(TEXTS)
    assert onnx_encoder.runtime == ONNX_RUNTIME
    assert np.abs(expected - found).max() < TOLERANCE
    assert float(((expected * found).sum(1)).min()) > 1 - 1e-6


def test_onnx_runtime_matches_the_reference_model():
    encoder = twin(sentence_encoder.base_encoder(), ONNX_RUNTIME)
    reference = np.array([c["vector"] for c in REFERENCE], dtype=np.float32)
    assert np.abs(encoder.encode([c["text"] for c in REFERENCE]) - reference).max() < TOLERANCE


def test_padding_does_not_leak_into_a_short_text(pair):
    _, encoder = pair
    alone = encoder.encode(["I bolt when things get serious"])[0]
    batched = encoder.encode([LONG, "I bolt when things get serious", "x " * 40], batch_size=8)[1]
    assert np.abs(alone - batched).max() < TOLERANCE


def test_empty_unknown_and_hostile_texts_get_the_numpy_unit_vectors(pair):
    numpy_encoder, onnx_encoder = pair
    texts = ["", "\u0000\u0001", "\u200b" * 50, "x" * 10_000, "\ud800 lone surrogate", "a " * 100_000]
    expected, found = numpy_encoder.encode(texts), onnx_encoder.encode(texts)
    assert np.isfinite(found).all()
    assert np.allclose(np.linalg.norm(found, axis=1), 1.0, atol=1e-5)
    assert np.abs(expected - found).max() < TOLERANCE


def test_a_message_at_the_2000_character_limit(pair):
    numpy_encoder, onnx_encoder = pair
    message = LONG[:2000]
    assert len(message) == 2000
    assert np.abs(numpy_encoder.encode([message]) - onnx_encoder.encode([message])).max() < TOLERANCE


def test_two_threads_share_one_session_safely():
    """The server's model threads call the one shared session at the same time."""
    encoder = twin(sentence_encoder.shared_encoder(), ONNX_RUNTIME)
    texts = TEXTS[-8:] + [LONG]
    expected = dict(zip(texts, encoder.encode(texts, batch_size=1)))
    failures: List[str] = []

    def work(offset: int) -> None:
        for round_ in range(6):
            order = texts[offset + round_:] + texts[:offset + round_]
            for text, found in zip(order, encoder.encode(order, batch_size=1)):
                if np.abs(found - expected[text]).max() >= TOLERANCE:
                    failures.append(f"thread {offset}, round {round_}")

    threads = [threading.Thread(target=work, args=(offset,)) for offset in (0, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []


def test_the_session_builds_once_when_two_threads_ask_at_once(monkeypatch):
    encoder = twin(sentence_encoder.base_encoder(), ONNX_RUNTIME)
    built = []
    build = encoder_graph.build_session
    monkeypatch.setattr(encoder_graph, "build_session", lambda *args: built.append(1) or build(*args))
    threads = [threading.Thread(target=encoder.encode, args=(["hi"],)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert built == [1]


def test_the_session_computes_without_holding_the_interpreter_lock():
    """While one model thread is inside ONNX Runtime, other Python threads (the event loop,
    the other model thread) keep running: a thread ticking beside a long encoding never
    waits long, where a call holding the lock would stop it for the whole call."""
    encoder = twin(sentence_encoder.base_encoder(), ONNX_RUNTIME)
    encoder.encode(["warm up"])
    stop, window, pauses, ticks = threading.Event(), {}, [], [0]

    def tick() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            now = time.perf_counter()
            if "start" in window and "end" not in window:
                ticks[0] += 1
                if now - last > 0.001:
                    pauses.append(now - last)
            last = now

    ticker = threading.Thread(target=tick)
    ticker.start()
    time.sleep(0.05)
    window["start"] = time.perf_counter()
    encoder.encode([LONG] * 8, batch_size=8)
    window["end"] = time.perf_counter()
    stop.set()
    ticker.join(timeout=10)
    duration = window["end"] - window["start"]
    assert duration > 0.05
    assert ticks[0] > 1_000 and max(pauses, default=0.0) < duration / 2


def test_the_session_uses_one_thread_and_runs_operators_in_turn():
    # Each of the server's model threads is one core (attune/model_thread.py): a session that
    # spread one message over more threads would take them from the other conversations.
    import onnxruntime as ort

    options = encoder_graph.session_options()
    assert options.intra_op_num_threads == 1
    assert options.inter_op_num_threads == 1
    assert options.execution_mode == ort.ExecutionMode.ORT_SEQUENTIAL
    encoder = twin(sentence_encoder.base_encoder(), ONNX_RUNTIME)
    encoder.encode(["hi"])
    used = encoder._onnx_session()._session.get_session_options()
    assert (used.intra_op_num_threads, used.inter_op_num_threads) == (1, 1)


def test_the_session_reads_the_encoders_own_arrays():
    """No second copy of the weights: ONNX Runtime is handed the arrays, and the model
    declares them without data."""
    encoder = twin(sentence_encoder.base_encoder(), ONNX_RUNTIME)
    model = encoder_graph.build_model(encoder._tensors, heads=12)
    declared = {t.name: t for t in model.graph.initializer}
    assert set(encoder._tensors) <= set(declared)
    assert all(not declared[name].raw_data for name in encoder._tensors)
    assert model.ByteSize() < 100_000
    session = encoder_graph.EncoderSession(encoder._tensors, heads=12)
    assert all(value.data_ptr() == encoder._tensors[name].ctypes.data for name, value in session._values.items())


def test_the_graph_with_its_weights_is_valid_onnx():
    import onnx

    encoder = sentence_encoder.base_encoder()
    model = encoder_graph.build_model(encoder._tensors, heads=12, embed=True)
    onnx.checker.check_model(model)
    weights = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    assert all(np.array_equal(weights[name], array) for name, array in encoder._tensors.items())


def test_without_onnx_runtime_the_numpy_forward_answers(monkeypatch, caplog):
    """A broken or missing onnxruntime costs speed, not the assistant: the same vectors, and
    one warning that names no message."""
    encoder = twin(sentence_encoder.base_encoder(), ONNX_RUNTIME)

    def missing(*args):
        raise ImportError("No module named 'onnxruntime'")

    monkeypatch.setattr(encoder_graph, "build_session", missing)
    with caplog.at_level(logging.WARNING, logger=sentence_encoder.__name__):
        found = encoder.encode(["my secret message"])
    assert encoder.runtime == NUMPY
    assert np.abs(found - twin(encoder, NUMPY).encode(["my secret message"])).max() < TOLERANCE
    assert "ImportError" in caplog.text and "secret" not in caplog.text


def test_the_runtime_does_not_change_the_fingerprint():
    # The intent classifier keys on the fingerprint: the ONNX Runtime vectors are the NumPy
    # ones to within 3e-7, so a classifier trained on either serves with the other.
    encoder = sentence_encoder.shared_encoder()
    assert twin(encoder, NUMPY).fingerprint == twin(encoder, ONNX_RUNTIME).fingerprint == encoder.fingerprint


def test_an_unknown_runtime_is_refused():
    encoder = sentence_encoder.base_encoder()
    with pytest.raises(ValueError, match="runtime"):
        twin(encoder, "tensorflow")


def test_a_failing_run_is_answered_by_the_numpy_forward(caplog):
    """A session that fails on one batch (out of memory, a broken build) must not fail the
    message: the NumPy forward answers it, and the log names no message."""
    encoder = twin(sentence_encoder.base_encoder(), ONNX_RUNTIME)

    class Broken:
        def run(self, *args, **kwargs):
            raise RuntimeError("onnxruntime failure")

    encoder._session = Broken()
    with caplog.at_level(logging.WARNING, logger=sentence_encoder.__name__):
        found = encoder.encode(["my secret message"])
    assert np.abs(found - twin(encoder, NUMPY).encode(["my secret message"])).max() < TOLERANCE
    assert "RuntimeError" in caplog.text and "secret" not in caplog.text


def test_the_second_opinion_keeps_no_prepacked_copy_and_reads_as_the_numpy_forward_does():
    # Its session is built without pre-packed copies of its weight matrices (34 MiB less
    # resident memory, docs/performance.md); what it reads must not change.
    second = sentence_encoder.second_opinion_encoder()
    assert second is not None and second.runtime == ONNX_RUNTIME
    assert second._session_config == sentence_encoder.SECOND_OPINION_SESSION
    said = ["i want to die", "what are your fees", "he hit me again last night and i'm scared"]
    assert np.abs(second.encode(said) - twin(second, NUMPY).encode(said)).max() < TOLERANCE
