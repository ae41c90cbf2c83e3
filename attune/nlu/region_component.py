"""Where the visitor says they are, as a Rasa NLU entity: `region` ("CA-QC", "GB", "unknown").

Runs on every message after the classifiers (attune.safety.regions does the reading): "i'm in
quebec" or a message that is only "vancouver" gives the entity; the `visitor_region` slot takes
it (domain.yml), and from then on attune.nlg lists that region's crisis lines, in the same turn
too, so "i'm in quebec and i can't go on" is answered with Quebec's lines. A place the registry
has no lines for ("studying in Germany") gives `unknown`: the practice's lines stay, with the
way to local ones (the international directory). Only named places count: "i'm in a bad
place" names none (attune.safety.regions).
When the classifier is unsure of a message in which the visitor places themselves, the
message is read as `share_location`. Needs no training and no action server.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from attune.safety.regions import find_asked_place, find_place, is_place_statement
from attune.safety.resources import Registry, load_registry

REGION_ENTITY = "region"
SHARE_LOCATION_INTENT = "share_location"
# Below this confidence, a message in which the visitor places themselves is read as saying
# where they are.
UNSURE_BELOW = 0.6


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class RegionExtractor(GraphComponent, EntityExtractorMixin):
    """Adds a `region` entity when the visitor places themselves somewhere."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def __init__(self, registry: Optional[Registry] = None) -> None:
        self._registry = registry

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RegionExtractor":
        return cls()

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = load_registry()
        return self._registry

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            entity = region_entity(self.registry, message.get(TEXT) or "", intent.get(INTENT_NAME_KEY))
            if entity is None:
                continue
            message.set(ENTITIES, list(message.get(ENTITIES) or []) + [entity], add_to_output=True)
            if is_place_statement(self.registry, message.get(TEXT) or ""):
                message.set(PLACE_STATEMENT_KEY, True)
            # "i'm in montreal, does that change anything?": the classifier is unsure, the place
            # is not. (A risk message is still read by the risk detector after this.) Also for
            # a longer message: "Im out in west texas. lost the job, trucks gettin repo'd
            # friday. figure fridays as good a day as any to be done" is read by the risk model
            # just under its check-in, and the place's lines are what reach that visitor; a
            # lonely visitor up near Timmins gets the same lines, a cost kept for that.
            if float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0) < UNSURE_BELOW:
                top = {INTENT_NAME_KEY: SHARE_LOCATION_INTENT, PREDICTED_CONFIDENCE_KEY: UNSURE_BELOW}
                ranking = [e for e in message.get(INTENT_RANKING_KEY) or []
                           if e.get(INTENT_NAME_KEY) != SHARE_LOCATION_INTENT]
                message.set(INTENT, top, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [top] + ranking, add_to_output=True)
        return messages


# Set on a message that only says where the visitor is (read by the risk component).
PLACE_STATEMENT_KEY = "place_statement"


def region_entity(registry: Registry, text: Text, intent: Optional[Text]) -> Optional[Dict[Text, Any]]:
    """The `region` entity for a message, or None."""
    if not text or text.startswith("/"):
        return None
    place = find_place(registry, text) or find_asked_place(registry, text)
    if place is None:
        return None
    return {"entity": REGION_ENTITY, "value": place.code, "start": 0, "end": len(text),
            "extractor": "RegionExtractor"}
