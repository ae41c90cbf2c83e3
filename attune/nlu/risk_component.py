"""Safety layer 1: the word lists and the trained risk model, as a Rasa NLU graph component.

It runs on every message, after the intent classifier and the FallbackClassifier, and is the
only source of `risk_*` intents. Two readers decide together, weighed by the risk model's
stacker (`attune.safety.risk_model.combine`):
- the reviewed word lists (`attune/safety/risk_lexicon.yml`, `attune.safety.detector`), for
  explicit statements and negated or past risk;
- the risk model (`attune.safety.risk_model`), which reads meaning from the sentence vector
  the intent classifier handed on (one encoder pass for both). Its thresholds, chosen on
  cross-validation and a dev set, give the crisis reply, the emergency-first reply only for
  danger now, or the gentle check-in.
If the model fails on a message, the word lists decide alone for it.
Any `risk_*` guess of the intent classifier is removed when neither reader finds risk.
Two consecutive messages are read together after this component (`attune.safety.context`).

Without the model (`use_model: false`), the word lists decide alone, with the intent
classifier's risk guesses as a softer net that can only give the gentle check-in.

The lexicon is copied into the trained model, so a model always carries the exact lists it was
tested with, and editing the lists changes the fingerprint and retrains this component.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import numpy as np

from attune.nlu.region_component import PLACE_STATEMENT_KEY
from attune.nlu.sentence_encoder import second_opinion_encoder, shared_encoder
from attune.nlu.tfidf_classifier import SENTENCE_VECTOR_KEY
from attune import patches
from attune.safety.detector import RiskAssessment, RiskDetector, share
from attune.safety.risk_model import (CHECK_IN, ModelVerdict, RiskModel, combine, shared_risk_model,
                                     shared_second_opinion, wants_second_opinion, without_practice_questions)
from attune.safety.languages import FRENCH, SPANISH, UNREADABLE, abuse_in, language_of, risk_in
from attune.safety.taxonomy import HARM_TARGET_ENTITY, harm_target
from attune.safety.visitor_facts import (
    means_at_hand,
    mentions_swallowing,
    names_dangerous_place,
    says_lgbtq,
    says_when,
    says_young,
)

LANGUAGE_ENTITY = "language"
# Facts that add a line to crisis replies (domain.yml slots of the same names, attune/nlg.py).
SWALLOWED_ENTITY = "swallowed"
YOUNG_ENTITY = "young"
LGBTQ_ENTITY = "lgbtq"
ABUSE_SEEN_ENTITY = "abuse_seen"
# Someone else being abused, told by a witness or a helper ("my niece told me a family friend
# touches her", "I can hear the little boy next door screaming"): their replies are for the
# one who can act, not for the one being hurt.
ABUSE_OF_OTHER_ENTITY = "abuse_of_other"
# The model's reading of abuse that, about someone else, is enough on its own (word lists'
# abuse phrases are enough at any score), and of "someone else" that makes an emergency
# with abuse a witness's rather than the visitor's own.
ABUSE_OF_OTHER_SCORE = 0.8
WITNESSED_EMERGENCY_SCORE = 0.7
# A means at hand ("pills", "razor", "gun"), a place to step back from, a time close by: in
# a risk message only; read by attune.nlg for one safety step, and for what counts as new risk.
MEANS_ENTITY = "means"
PLACE_ENTITY = "risky_place"
SOON_ENTITY = "soon"
# A risk message read mainly as another kind still shows the abuse line from this score of
# the model's abuse output (multi-label: "he hit me again and I'd be better off dead").
ABUSE_ALSO_SCORE = 0.5
UNREADABLE_INTENT = "unreadable_language"

logger = logging.getLogger(__name__)

RISK_INTENT_PREFIX = "risk_"
# The parse data key under which the assessment is kept with the message (never its text).
RISK_KEY = "risk"
LEXICON_FILE = "risk_lexicon.yml"
NLU_FALLBACK_INTENT = "nlu_fallback"
# What the second net (the intent classifier's own risk guess) may trigger: never an alarm.
SOFT_NET_INTENT = "risk_check_in"


def default_lexicon_path() -> Path:
    """The reviewed lexicon shipped beside the detector."""
    import attune.safety.detector as detector_module

    return Path(detector_module.__file__).with_name(LEXICON_FILE)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class RiskDetectorComponent(GraphComponent, IntentClassifier):
    """Overrides the intent when a message contains risk language."""

    @classmethod
    def required_components(cls) -> List[type]:
        """None: its place after the classifiers is set in config.yml.

        (Declaring the IntentClassifier here fails Rasa's check of the training graph, where
        this component trains in parallel with the intent classifier.)
        """
        return []

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """`lexicon`: path of the word lists (default: the shipped one).

        `fallback_threshold`: when a `risk_*` guess of the classifier is removed and the next
        intent is less confident than this, the message becomes `nlu_fallback`.

        `soft_net_threshold`: without the risk model, when the detector finds nothing but the
        intent classifier ranks a risk intent at least this high, the message gets the gentle
        check-in (`risk_check_in`: lines visible, no alarm). None turns this net off.

        `use_model`: read every message with the trained risk model too
        (attune/safety/risk_model.py): its stacker weighs the model's scores with the word
        lists' decision (`combine`).
        """
        return {"lexicon": None, "fallback_threshold": 0.45, "soft_net_threshold": 0.7,
                "use_model": True}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        detector: Optional[RiskDetector] = None,
    ) -> None:
        """Keeps the config; the detector is loaded lazily from the model storage."""
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._detector = detector
        if config.get("use_model", True):
            patches.install_risk_context()

    @classmethod
    def _lexicon_source(cls, config: Dict[Text, Any]) -> Path:
        return Path(config["lexicon"]) if config.get("lexicon") else default_lexicon_path()

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        """Retrain when the word lists change."""
        return RiskDetector.load(cls._lexicon_source(config)).fingerprint()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RiskDetectorComponent:
        """Creates the component for training."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RiskDetectorComponent:
        """Loads the detector with the lexicon stored in the model, and makes it the process's
        one detector (`attune.safety.detector.shared_detector`), which the channels' guard and
        the crisis lane read with too."""
        with model_storage.read_from(resource) as directory:
            detector = share(RiskDetector.load(Path(directory) / LEXICON_FILE))
        if config.get("use_model", True):
            # The second opinion's weights and runtime, ready before the first visitor needs them.
            encoder = second_opinion_encoder()
            if shared_second_opinion() is not None and encoder is not None:
                encoder.encode(["ready"])
        return cls(config, model_storage, resource, detector)

    def train(self, training_data: TrainingData) -> Resource:
        """Stores a copy of the lexicon in the model (nothing is learned)."""
        source = self._lexicon_source(self._config)
        RiskDetector.load(source)  # fail training, not serving, on a broken lexicon
        with self._model_storage.write_to(self._resource) as directory:
            shutil.copyfile(source, Path(directory) / LEXICON_FILE)
        return self._resource

    @property
    def detector(self) -> RiskDetector:
        """The detector; loaded from the source lexicon if the model had none."""
        if self._detector is None:
            self._detector = RiskDetector.load(self._lexicon_source(self._config))
        return self._detector

    def process(self, messages: List[Message]) -> List[Message]:
        """Checks every message for risk and overrides or cleans its intent."""
        model = shared_risk_model() if self._config.get("use_model", True) else None
        for message in messages:
            text = message.get(TEXT) or ""
            assessment = self.detector.assess_remembered(text)
            data = _assessment_data(assessment)
            if model is not None:
                try:
                    verdict = model_verdict(model, message, text, assessment)
                except Exception:  # noqa: BLE001 - a failing model must never skip the word lists
                    logger.exception("The risk model failed on a message; the word lists decide alone.")
                    verdict = None
                data["model"] = verdict.as_data() if verdict else None
                if verdict is not None and assessment.intent is None and message.get(PLACE_STATEMENT_KEY):
                    # "im in sydney not canada": where the visitor is, and nothing else. The
                    # model reads some such messages as someone standing somewhere dangerous;
                    # the word lists found nothing, and the place is answered as a place.
                    data["model_set_aside"] = "place_statement"
                    verdict = None
                intent = verdict.intent if verdict is not None else assessment.intent
                if verdict is not None and intent == verdict.intent and intent != assessment.intent:
                    data["source"] = "model"
                intent = _other_language(message, text, intent, data)
                message.set(RISK_KEY, data, add_to_output=True)
                if _young_in_that_home(text, intent, verdict):
                    intent = CHILD_ABUSE_INTENT
                elif _anothers_secret(intent, verdict, data["signals"]):
                    intent = THIRD_PARTY_INTENT
                if intent:
                    _override_intent(message, intent)
                    _mark_harm_target(message, intent, text)
                else:
                    _remove_risk_guesses(message, self._config["fallback_threshold"])
                _mark_facts(message, text, intent, verdict, data["signals"])
                continue
            guess = _classifier_risk_guess(message)
            data["classifier_guess"] = guess
            language_intent = _other_language(message, text, assessment.intent, data)
            message.set(RISK_KEY, data, add_to_output=True)
            threshold = self._config.get("soft_net_threshold")
            if language_intent:
                _override_intent(message, language_intent)
                _mark_harm_target(message, language_intent, text)
            elif (
                guess
                and threshold is not None
                and guess["confidence"] >= threshold
                and is_wordy(text)
            ):
                data["source"] = "classifier"
                _override_intent(message, SOFT_NET_INTENT)
            else:
                _remove_risk_guesses(message, self._config["fallback_threshold"])
            _mark_facts(message, text, (message.get(INTENT) or {}).get(INTENT_NAME_KEY), None, data["signals"])
        return messages


_PAYLOAD = re.compile(r"^/[A-Za-z_][A-Za-z0-9_]*$")


def model_verdict(model: RiskModel, message: Message, text: Text,
                  assessment: RiskAssessment) -> Optional[ModelVerdict]:
    """The decision of both readers on a message: the model reads the whole (its vector
    handed on by the intent classifier, else encoded here) and, for a long message, each
    sentence; the stacker weighs its scores with the word lists' decision (`assessment`)."""
    if not text.strip() or _PAYLOAD.match(text.strip()):
        return None
    encoder = shared_encoder()
    readings = model.readings(text)
    whole = message.get(SENTENCE_VECTOR_KEY)
    if whole is None:
        vectors = encoder.encode(readings)
    else:
        rest = encoder.encode(readings[1:]) if len(readings) > 1 else np.zeros((0, encoder.dimension))
        vectors = np.vstack([np.asarray(whole, dtype=np.float32)[None, :], rest])
    verdict = model.verdict(model.scores(vectors), readings, assessment.intent, assessment.decision_tag)
    if wants_second_opinion(verdict, text):
        try:
            second = second_opinion(text, assessment)
        except Exception:  # noqa: BLE001 - the first model's verdict stands if the second fails
            logger.exception("The second opinion failed on a message; the first model's verdict stands.")
            second = None
        if second is not None and second.intent is not None:
            return second
    if WITHOUT_QUESTION_READING and verdict.intent in (None, CHECK_IN) and assessment.intent in (None, CHECK_IN):
        found = without_question(model, text)
        if found is not None:
            return found
    return verdict


# Reading a message again without its practice question (docs/risk-model.md, session 25):
# judged by the rule set down there, on writer Z12's set.
WITHOUT_QUESTION_READING = False
WITHOUT_QUESTION_THRESHOLD = 0.95


def without_question(model: RiskModel, text: Text) -> Optional[ModelVerdict]:
    """The crisis decision on the message without its sentences that ask the practice
    something, when that remainder alone reads as risk at WITHOUT_QUESTION_THRESHOLD; else
    None."""
    rest = without_practice_questions(text)
    if rest is None:
        return None
    scores = model.scores(shared_encoder().encode([rest]))[0]
    p = model.probability(scores, None, len(rest.split()))
    if p < WITHOUT_QUESTION_THRESHOLD:
        return None
    found = ModelVerdict(scores, None, "without_question", p)
    intent = combine(None, found, model.thresholds.for_extra_reading(WITHOUT_QUESTION_THRESHOLD), None)
    if intent in (None, CHECK_IN):
        return None
    return ModelVerdict(scores, intent, "without_question", p)


def second_opinion(text: Text, assessment: RiskAssessment) -> Optional[ModelVerdict]:
    """The second opinion's decision on a message (attune.safety.risk_model.SECOND_DIR), or
    None when this checkout has none."""
    second = shared_second_opinion()
    encoder = second_opinion_encoder()
    if second is None or encoder is None:
        return None
    readings = second.readings(text)
    found = second.verdict(second.scores(encoder.encode(readings)), readings, assessment.intent,
                           assessment.decision_tag)
    return replace(found, second=True)


def _assessment_data(assessment: RiskAssessment) -> Dict[Text, Any]:
    """What is kept with the message: labels only, never the visitor's words."""
    return {
        "category": assessment.category,
        "subcategory": assessment.subcategory,
        "decision_tag": assessment.decision_tag,
        "about": assessment.about,
        "status": assessment.status,
        "signals": list(assessment.signals),
    }


_WORD = re.compile(r"^[^\W\d_]{2,}$")
SOFT_NET_MIN_WORDS = 3


def is_wordy(text: Text) -> bool:
    """Whether a message has enough words for the classifier's guess to mean anything.

    The classifier's character features make it guess wildly on a phone number, an email
    address or a name typed into a form; the soft net ignores such messages.
    """
    words = [token.strip(".,!?;:'\"()") for token in text.split()]
    return sum(1 for word in words if _WORD.match(word)) >= SOFT_NET_MIN_WORDS


def _classifier_risk_guess(message: Message) -> Optional[Dict[Text, Any]]:
    """The intent classifier's most confident risk intent, if it ranked one."""
    for entry in message.get(INTENT_RANKING_KEY) or []:
        name = str(entry.get(INTENT_NAME_KEY, ""))
        if name.startswith(RISK_INTENT_PREFIX):
            return {"intent": name, "confidence": round(float(entry.get(PREDICTED_CONFIDENCE_KEY, 0.0)), 4)}
    return None


_LANGUAGE_RISK_INTENTS = {"suicide": "risk_suicide", "self_harm": "risk_self_harm", "abuse": "risk_abuse",
                          "harm_others": "risk_harm_others", "third_party": "risk_third_party",
                          "emergency": "risk_emergency"}


def _other_language(message: Message, text: Text, intent: Optional[Text], data: Dict[Text, Any]) -> Optional[Text]:
    """The intent once French, Spanish and unreadable messages are considered
    (attune.safety.languages): the core risk phrases of French and Spanish give the crisis
    reply when the English readers found nothing, and a message Attune cannot read gets the
    lines (`unreadable_language`). Marks the message's language (entity `language`), so the
    crisis replies add a note in it."""
    if not text.strip() or _PAYLOAD.match(text.strip()):
        return intent
    language = language_of(text)
    # A crisis reply already. The model's own reading (not danger now) gives way to a core
    # phrase: "mi hermana dice que se va a cortar, she have the knife now" is the sister's
    # risk, which the model read as the visitor's harm to others.
    answered = (intent is not None and intent != SOFT_NET_INTENT
                and not (data.get("source") == "model" and intent != "risk_emergency"))
    found = None if answered else risk_in(text, language if language in (FRENCH, SPANISH) else None)
    if found is not None:
        language = found[0]
        intent = _LANGUAGE_RISK_INTENTS[found[1]]
        data["source"] = "language"
    elif language == UNREADABLE and not intent:
        intent = UNREADABLE_INTENT
    if language:
        entity = {"entity": LANGUAGE_ENTITY, "value": language, "start": 0, "end": len(text),
                  "extractor": "RiskDetectorComponent"}
        message.set(ENTITIES, list(message.get(ENTITIES) or []) + [entity], add_to_output=True)
    return intent


def _mark_harm_target(message: Message, intent: Text, text: Text) -> None:
    """For harm to others, who is at risk (entity `harm_target`): a child in the writer's care
    gets the immediate safe step first (domain.yml, utter_crisis_harm_others)."""
    if intent != "risk_harm_others":
        return
    entity = {"entity": HARM_TARGET_ENTITY, "value": harm_target(text), "start": 0, "end": len(text),
              "extractor": "RiskDetectorComponent"}
    message.set(ENTITIES, list(message.get(ENTITIES) or []) + [entity], add_to_output=True)


def _mark_facts(message: Message, text: Text, intent: Optional[Text], verdict: Optional[ModelVerdict],
                signals: List[Text]) -> None:
    """Entities for what changes the lines a crisis reply adds (attune.safety.visitor_facts):
    something swallowed, a young visitor, and abuse read beside another kind of risk (by the
    model, or by the word lists' abuse phrases: "he hit me again and I'd be better off dead")."""
    if not text.strip() or _PAYLOAD.match(text.strip()):
        return
    try:
        found = _facts(text, intent, verdict, signals)
    except Exception:  # noqa: BLE001 - these only add a line; the risk decision stands
        logger.exception("Could not read the facts that add lines to crisis replies.")
        return
    if found:
        entities = [{"entity": name, "value": value, "start": 0, "end": len(text),
                     "extractor": "RiskDetectorComponent"} for name, value in found]
        message.set(ENTITIES, list(message.get(ENTITIES) or []) + entities, add_to_output=True)


def _facts(text: Text, intent: Optional[Text], verdict: Optional[ModelVerdict], signals: List[Text]) -> List[tuple]:
    """(entity, value) pairs for `_mark_facts`."""
    found = []
    if mentions_swallowing(text):
        found.append((SWALLOWED_ENTITY, "yes"))
    if says_young(text):
        found.append((YOUNG_ENTITY, "yes"))
    if says_lgbtq(text):
        found.append((LGBTQ_ENTITY, "yes"))
    if intent and intent.startswith("risk_"):
        means = means_at_hand(text)
        if means:
            found.append((MEANS_ENTITY, means))
        if names_dangerous_place(text):
            found.append((PLACE_ENTITY, "yes"))
        if says_when(text):
            found.append((SOON_ENTITY, "yes"))
    child = verdict is not None and verdict.scores.get("child", 0.0) >= 0.5
    witnessed = _abuse_of_other(intent, verdict, signals)
    if witnessed:
        found.append((ABUSE_OF_OTHER_ENTITY, "child" if child else "adult"))
        return found
    abuse_read = (verdict is not None and verdict.scores.get("abuse", 0.0) >= ABUSE_ALSO_SCORE) or any(
        str(signal).startswith("abuse_") for signal in signals) or abuse_in(text)
    # About someone else ("my 3 yr old got into the pods"), the model's abuse score alone is
    # not a disclosure: the line for the one being hurt would be offered to the wrong person.
    # The same for an emergency that is always someone else's: a toddler who swallowed one of
    # a parent's pills was answered with "If someone is hurting you, Kids Help Phone..." in
    # every turn after.
    if intent == "risk_third_party" or (intent == "risk_emergency" and _SOMEONE_ELSES_EMERGENCY & set(signals)):
        # Not the secret alone ("she said dont tell" about a sister's cuts: `_anothers_secret`).
        abuse_read = any(str(signal).startswith("abuse_") and signal not in _SECRET_RULES for signal in signals)
    if abuse_read and intent and intent.startswith("risk_") and intent not in ("risk_abuse", "risk_child_abuse"):
        found.append((ABUSE_SEEN_ENTITY, "child" if child else "adult"))
    return found


CHILD_ABUSE_INTENT = "risk_child_abuse"
# The visitor's own parent or step-parent, or a parent's partner ("my stepdad ... threw my mom
# into the counter"); not a parent-in-law, not a friend's parent.
_OWN_PARENT = re.compile(
    r"\bmy (?:mom|mum|mother|mama|dad|father|papa|stepdad|step dad|stepfather|stepmom|step mom|"
    r"stepmother|step-?(?:dad|mom|mum)|parents|mom'?s (?:boyfriend|bf|partner)|mum'?s (?:boyfriend|bf|partner)|"
    r"dad'?s (?:girlfriend|gf|partner))\b"
    r"(?!\s*-?\s*in\s*-?\s*law)", re.IGNORECASE)


THIRD_PARTY_INTENT = "risk_third_party"
# The word lists' rules for a secret kept for someone ("he said don't tell", "she made me promise
# not to tell anyone"), alone among their abuse rules in a message.
_SECRET_RULES = frozenset({"abuse_child_context", "abuse_child_frames"})
# The word lists' rules for emergencies that are always someone else's (crisis_state's
# ALWAYS_SOMEONE_ELSES tags): someone who cannot be woken, a child who swallowed something.
_SOMEONE_ELSES_EMERGENCY = frozenset({"emergency_unresponsive", "emergency_ingestion"})


def _anothers_secret(intent: Optional[Text], verdict: Optional[ModelVerdict], signals: List[Text]) -> bool:
    """Whether a young visitor's secret is someone else's self-harm or suicide, not abuse: "my
    big sister cuts herself and she told me she wants to die. im 11 and she said dont tell",
    "my friend showed me cuts on her arms and made me promise not to tell anyone. im 16", "My
    best friend told me she's been thinking about suicide but she made me promise not to tell
    anyone" (writer AD). The
    word lists read the secret as grooming; the model reads another person at risk and no
    abuse. The young helper's reply (stay with them, tell an adult you trust, the youth line)."""
    if intent != CHILD_ABUSE_INTENT or verdict is None:
        return False
    abuse_rules = {s for s in signals if str(s).startswith("abuse_")}
    scores = verdict.scores
    return (bool(abuse_rules) and abuse_rules <= _SECRET_RULES and scores.get("other", 0.0) >= 0.9
            and scores.get("abuse", 0.0) < 0.2 and max(scores.get("suicide", 0.0), scores.get("self_harm", 0.0)) >= 0.5)


def _young_in_that_home(text: Text, intent: Optional[Text], verdict: Optional[ModelVerdict]) -> bool:
    """Whether abuse read as someone else's is in the young visitor's own home: "my stepdad
    just threw my mom into the counter, im upstairs with my little brother". A child who lives
    with it is at risk too, and gets a young person's abuse reply (a room to lock, a neighbour,
    the youth line), not a witness's steps. The model reads a child in it; the message names the
    visitor's own parent ("my mother is 88" is read without a child)."""
    if intent != "risk_third_party" or verdict is None:
        return False
    scores = verdict.scores
    return (scores.get("abuse", 0.0) >= ABUSE_OF_OTHER_SCORE and scores.get("child", 0.0) >= 0.5
            and bool(_OWN_PARENT.search(text[:2000])))


def _abuse_of_other(intent: Optional[Text], verdict: Optional[ModelVerdict], signals: List[Text]) -> bool:
    """Whether the message tells of someone else being abused: about someone else (the
    third-party reading, or an emergency the model reads as another person's) with abuse read
    by the word lists or, strongly, by the model. Not "my dad is beating my mom, im upstairs":
    the model reads that as the visitor's own danger about as much as another's, and a young
    visitor in that house is answered as the one at risk."""
    words = any(str(signal).startswith("abuse_") for signal in signals)
    scores = verdict.scores if verdict is not None else {}
    if max(scores.get("suicide", 0.0), scores.get("self_harm", 0.0)) >= 0.5:
        # "she says her boyfriend hits her and she wants to die": the helper's steps for her
        # life come first (ask directly, stay with her, the crisis line), with the abuse note.
        return False
    strongly = scores.get("abuse", 0.0) >= ABUSE_OF_OTHER_SCORE
    if intent == "risk_third_party":
        return words or strongly
    if intent == "risk_emergency":
        return (words or strongly) and scores.get("other", 0.0) >= WITNESSED_EMERGENCY_SCORE
    return False


def _override_intent(message: Message, intent_name: Text) -> None:
    top = {INTENT_NAME_KEY: intent_name, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [
        entry
        for entry in message.get(INTENT_RANKING_KEY) or []
        if entry.get(INTENT_NAME_KEY) != intent_name
    ]
    message.set(INTENT, top, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [top] + ranking, add_to_output=True)


def _remove_risk_guesses(message: Message, fallback_threshold: float) -> None:
    intent = message.get(INTENT) or {}
    ranking = message.get(INTENT_RANKING_KEY) or []
    kept = [
        entry
        for entry in ranking
        if not str(entry.get(INTENT_NAME_KEY, "")).startswith(RISK_INTENT_PREFIX)
    ]
    if len(kept) != len(ranking):
        message.set(INTENT_RANKING_KEY, kept, add_to_output=True)
    if not str(intent.get(INTENT_NAME_KEY) or "").startswith(RISK_INTENT_PREFIX):
        return
    candidates = [e for e in kept if e.get(INTENT_NAME_KEY) != NLU_FALLBACK_INTENT]
    if candidates and candidates[0].get(PREDICTED_CONFIDENCE_KEY, 0.0) >= fallback_threshold:
        replacement = dict(candidates[0])
    else:
        replacement = {
            INTENT_NAME_KEY: NLU_FALLBACK_INTENT,
            PREDICTED_CONFIDENCE_KEY: fallback_threshold,
        }
    message.set(INTENT, replacement, add_to_output=True)
