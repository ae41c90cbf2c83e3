"""The crisis vocabulary (attune/safety/taxonomy.py) and the files that repeat it agree.

`data/rules/safety.yml` against the taxonomy and the domain's risk intents: test_refusal.py.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, List

import pytest
import yaml

from attune.paths import REPO_ROOT
from attune.safety.lines import TEMPLATE_CATEGORIES
from attune.safety.taxonomy import (
    CRISIS_RESPONSES,
    GENERAL_CRISIS_RESPONSE,
    HELP_INTENT,
    HELP_PAYLOAD,
    INTENT_CATEGORIES,
    is_risk_intent,
)

DOMAIN = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
PLACEHOLDER = re.compile(r"\{crisis_lines_([a-z_]+)\}")


def not_intent_lists(node: Any, where: str = "") -> Iterator[tuple]:
    """Every `not_intent` list in the domain, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "not_intent":
                yield where, value
            else:
                yield from not_intent_lists(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from not_intent_lists(value, f"{where}[{i}]")


def placeholders(response: str) -> List[str]:
    texts = [variation.get("text", "") for variation in DOMAIN["responses"][response]]
    return sorted({category for text in texts for category in PLACEHOLDER.findall(text)})


def test_the_help_payload_carries_the_help_intent():
    assert HELP_PAYLOAD == f"/{HELP_INTENT}" and HELP_INTENT in DOMAIN["intents"]


def test_every_risk_intent_and_the_help_button_has_a_category_the_bot_can_show():
    assert set(INTENT_CATEGORIES) == set(CRISIS_RESPONSES) | {HELP_INTENT}
    assert set(INTENT_CATEGORIES.values()) <= set(TEMPLATE_CATEGORIES)
    assert all(is_risk_intent(intent) for intent in CRISIS_RESPONSES) and not is_risk_intent(HELP_INTENT)


@pytest.mark.parametrize("where, excluded", list(not_intent_lists(DOMAIN["slots"])), ids=lambda v: str(v)[:60])
def test_no_free_text_slot_keeps_a_risk_message_as_an_answer(where, excluded):
    missing = (set(CRISIS_RESPONSES) | {HELP_INTENT}) - set(excluded)
    assert missing == set(), f"{where} would keep these as answers: {sorted(missing)}"


@pytest.mark.parametrize("intent", sorted(CRISIS_RESPONSES))
def test_each_crisis_reply_lists_the_lines_the_audit_records(intent):
    assert placeholders(CRISIS_RESPONSES[intent]) == [INTENT_CATEGORIES[intent]]


def test_the_help_buttons_reply_lists_the_lines_of_the_conversations_crisis():
    # "here": the lines for the crisis kind of this conversation (attune/nlg.py), so that
    # "an abuse line (tap "Get help now")" after "no more numbers" finds one there. The
    # audit records what the reply named, whichever they are. "here_placed": the same lines,
    # under the name of the place the visitor said they are in.
    assert placeholders(GENERAL_CRISIS_RESPONSE) == ["here_placed"]


def test_every_crisis_lines_placeholder_names_a_category_the_nlg_fills():
    used = {category for response in DOMAIN["responses"] for category in placeholders(response)}
    assert used - {"here", "here_placed"} <= set(TEMPLATE_CATEGORIES)
