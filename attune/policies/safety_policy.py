"""Safety layer 2: a policy that answers a risk message first, in any dialogue state.

Rasa's RulePolicy lets an active form run before any rule ("loop happy path"), and marks that
prediction so that it overrules every other policy. A visitor who writes "I want to die" as an
answer to a reflection question would then have their words swallowed by the form. This policy
closes that gap.

It learns its crisis turns from the safety rules in `data/rules/safety.yml` (one source of
truth: a rule whose user step is a `risk_*` intent), and when the latest message carries such
an intent it predicts that rule's responses with the highest priority, in any state. If a form
was active, it then deactivates it (an interrupted exercise is never resumed without asking)
and listens. Every step is a domain response or a Rasa default action, so the crisis reply
needs no action server.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData
from rasa.shared.core.constants import (
    ACTION_DEACTIVATE_LOOP_NAME,
    ACTION_EXTRACT_SLOTS,
    ACTION_LISTEN_NAME,
    RULE_SNIPPET_ACTION_NAME,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from attune.safety.taxonomy import HELP_INTENT, RISK_INTENT_PREFIX

SAFETY_POLICY_PRIORITY = 7  # above RulePolicy (4) and every other built-in policy
TURNS_FILE = "crisis_turns.json"
# Actions Rasa runs by itself after every user message; they are not part of a crisis turn.
_AUTOMATIC_ACTIONS = {ACTION_EXTRACT_SLOTS}


class SafetyRulesError(RasaException):
    """The safety rules are missing or contradict each other."""


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class SafetyPolicy(Policy):
    """Predicts the crisis turn for a `risk_*` intent with top priority, forms included."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """`also_first`: intents besides `risk_*` that are answered first in any state."""
        return {"priority": SAFETY_POLICY_PRIORITY, "also_first": [HELP_INTENT]}

    @staticmethod
    def supported_data() -> SupportedData:
        """Learns from rules only."""
        return SupportedData.RULE_DATA

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        turns: Optional[Dict[Text, List[Text]]] = None,
    ) -> None:
        """Creates the policy with the crisis turns learned so far."""
        super().__init__(config, model_storage, resource, execution_context)
        self.turns: Dict[Text, List[Text]] = turns or {}

    def train(
        self,
        training_trackers: List[TrackerWithCachedStates],
        domain: Domain,
        **kwargs: Any,
    ) -> Resource:
        """Reads the crisis turn of every risk intent from the safety rules."""
        first = set(self.config["also_first"])
        self.turns = crisis_turns_from_trackers(training_trackers, first)
        missing = [
            intent
            for intent in domain.intents
            if is_safety_intent(intent, first) and intent not in self.turns
        ]
        if missing:
            raise SafetyRulesError(
                "Every safety intent needs a rule in data/rules/safety.yml; "
                f"none found for: {', '.join(sorted(missing))}."
            )
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Stores the crisis turns in the model."""
        with self._model_storage.write_to(self._resource) as directory:
            (Path(directory) / TURNS_FILE).write_text(json.dumps(self.turns, indent=2))

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SafetyPolicy:
        """Loads the crisis turns stored in the model."""
        with model_storage.read_from(resource) as directory:
            turns = json.loads((Path(directory) / TURNS_FILE).read_text())
        return cls(config, model_storage, resource, execution_context, turns=turns)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """Predicts the next step of a crisis turn, or nothing."""
        probabilities = self._default_predictions(domain)
        action = next_crisis_action(tracker, self.turns)
        if action is None:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(action)] = 1.0
        # Same flag as RulePolicy's form prediction: only then does priority decide.
        return self._prediction(probabilities, is_no_user_prediction=True)


def is_safety_intent(intent: Text, also_first: Set[Text]) -> bool:
    """Whether the SafetyPolicy answers this intent first."""
    return intent.startswith(RISK_INTENT_PREFIX) or intent in also_first


def crisis_turns_from_trackers(
    trackers: List[TrackerWithCachedStates], also_first: Set[Text]
) -> Dict[Text, List[Text]]:
    """Maps each safety intent to the bot actions its rule runs before listening again."""
    turns: Dict[Text, List[Text]] = {}
    for tracker in trackers:
        if not tracker.is_rule_tracker:
            continue
        events = list(tracker.events)
        for index, event in enumerate(events):
            if not isinstance(event, UserUttered):
                continue
            intent = event.intent_name or ""
            if not is_safety_intent(intent, also_first):
                continue
            actions = _actions_until_listen(events[index + 1 :])
            if not actions:
                continue
            known = turns.setdefault(intent, actions)
            if known != actions:
                raise SafetyRulesError(
                    f"Two safety rules answer '{intent}' differently: {known} and "
                    f"{actions}. Keep one crisis turn per risk intent."
                )
    return turns


def _actions_until_listen(events: List[Any]) -> List[Text]:
    actions: List[Text] = []
    for event in events:
        if isinstance(event, UserUttered):
            break
        if not isinstance(event, ActionExecuted) or not event.action_name:
            continue
        if event.action_name == ACTION_LISTEN_NAME:
            break
        if event.action_name in _AUTOMATIC_ACTIONS | {RULE_SNIPPET_ACTION_NAME}:
            continue
        actions.append(event.action_name)
    return actions


def next_crisis_action(
    tracker: DialogueStateTracker, turns: Dict[Text, List[Text]]
) -> Optional[Text]:
    """The next action of the crisis turn under way, or None if there is none.

    The turn is the rule's responses, then `action_deactivate_loop` if a form is still
    active, then `action_listen`. If anything else ran in between, the turn is over and
    other policies decide.
    """
    intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
    planned = turns.get(intent or "")
    if not planned:
        return None
    done = _actions_since_last_user_message(tracker)
    if done[: len(planned)] != planned[: len(done)]:
        return None
    if len(done) < len(planned):
        return planned[len(done)]
    extra = done[len(planned) :]
    if not extra and tracker.active_loop_name:
        return ACTION_DEACTIVATE_LOOP_NAME
    if extra in ([], [ACTION_DEACTIVATE_LOOP_NAME]):
        return ACTION_LISTEN_NAME
    return None


def _actions_since_last_user_message(tracker: DialogueStateTracker) -> List[Text]:
    done: List[Text] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name:
            if event.action_name not in _AUTOMATIC_ACTIONS:
                done.append(event.action_name)
    done.reverse()
    return done
