"""The training examples: enough of them for every intent, and never one example for two intents."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
MIN_EXAMPLES = 15
# Rasa's own intents: `restart` has examples here, the others need none.
RASA_DEFAULT_INTENTS = {"restart", "back", "out_of_scope", "session_start", "nlu_fallback"}
# Set only by a channel, never typed: attune/channels/guard.py turns an over-long message into it.
# Set by code or a button, never typed: the channel's length check, the safety plan button,
# the crisis-aware reading (attune/safety/context.py), the language check, the reading after a
# topic (attune/topic_context.py).
PAYLOAD_ONLY_INTENTS = {"message_too_long", "make_safety_plan", "unsure_after_crisis", "unreadable_language",
                        "continue_topic", "safe_but_struggling", "safe_place_ahead", "ask_lgbtq_lines"}


def normalise(example: str) -> str:
    """Lower case, no entity markup, no punctuation at the ends, single spaces."""
    example = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", example)
    example = re.sub(r"\s+", " ", example.lower().replace("’", "'")).strip()
    return example.strip(" ?!.,")


def examples_by_intent() -> Dict[str, List[str]]:
    """Every intent's examples across data/nlu/*.yml, as written."""
    found: Dict[str, List[str]] = defaultdict(list)
    for path in sorted((REPO / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text()).get("nlu") or []:
            if "intent" not in block:
                continue
            lines = block["examples"].splitlines()
            found[block["intent"]] += [line[2:].strip() for line in lines if line.startswith("- ")]
    return dict(found)


EXAMPLES = examples_by_intent()
DOMAIN_INTENTS = [
    intent if isinstance(intent, str) else next(iter(intent))
    for intent in yaml.safe_load((REPO / "domain.yml").read_text())["intents"]
]


@pytest.mark.parametrize("intent", [i for i in DOMAIN_INTENTS if i not in PAYLOAD_ONLY_INTENTS])
def test_every_intent_has_at_least_15_different_examples(intent: str):
    distinct = {normalise(example) for example in EXAMPLES.get(intent, [])}
    assert len(distinct) >= MIN_EXAMPLES, f"{intent}: {len(distinct)} different examples"


@pytest.mark.parametrize("intent", sorted(EXAMPLES))
def test_no_example_is_repeated_within_an_intent(intent: str):
    seen = [normalise(example) for example in EXAMPLES[intent]]
    repeated = sorted({example for example in seen if seen.count(example) > 1})
    assert repeated == []


def test_no_example_belongs_to_two_intents():
    owners: Dict[str, set] = defaultdict(set)
    for intent, examples in EXAMPLES.items():
        for example in examples:
            owners[normalise(example)].add(intent)
    shared = {example: sorted(intents) for example, intents in owners.items() if len(intents) > 1}
    assert shared == {}


def test_every_intent_with_examples_is_in_the_domain():
    unknown = set(EXAMPLES) - set(DOMAIN_INTENTS) - RASA_DEFAULT_INTENTS
    assert unknown == set()


def test_the_normalising_ignores_case_markup_and_end_punctuation():
    assert normalise("  Is it OK to seek [reassurance](topic)? ") == "is it ok to seek reassurance"
