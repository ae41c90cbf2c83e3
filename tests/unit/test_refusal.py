"""A refused message with risk is answered with crisis lines; any other refusal names them."""

from __future__ import annotations

import sre_constants
import sre_parse
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from attune.channels import guard as guard_module
from attune.channels.guard import ChannelGuard
from attune.channels.refusal import REFUSALS, answer_refusal, refusal_text
from attune.nlg import PracticeNLG
from attune.privacy import redact
from attune.safety.taxonomy import CRISIS_RESPONSES, HELP_PAYLOAD, crisis_response

ROOT = Path(__file__).parents[2]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def fake_risk(text: str):
    if "kill myself" in text:
        return "risk_suicide"
    if "he is hitting me" in text:
        return "risk_abuse"
    return None


@pytest.fixture
def guard(monkeypatch):
    shared = ChannelGuard(max_chars=2000, per_minute=2, risk_intent=fake_risk)
    monkeypatch.setattr(guard_module, "_shared", shared)
    return shared


@pytest.fixture
def agent():
    return SimpleNamespace(nlg=PracticeNLG(domain=DOMAIN))


async def test_a_refused_risk_message_gets_its_crisis_reply_with_the_help_button(guard, agent):
    answer = await answer_refusal(agent, "v1", "i want to kill myself", "rate_limited", "rest")

    assert answer.crisis
    assert "9-8-8" in answer.messages[0]["text"]
    assert HELP_PAYLOAD in [b["payload"] for b in answer.messages[0]["buttons"]]


async def test_the_crisis_reply_matches_the_kind_of_risk(guard, agent):
    answer = await answer_refusal(agent, "v1", "he is hitting me", "rate_limited", "rest")
    abuse = await agent.nlg.generate(
        "utter_crisis_abuse", DialogueStateTracker("v1", []), "rest"
    )

    assert answer.messages[0]["text"] == abuse["text"]


async def test_risk_at_the_end_of_a_huge_message_is_still_answered(guard, agent):
    text = "We argued again. " * 30_000 + "i want to kill myself"
    answer = await answer_refusal(agent, "v1", text, "too_large", "rest")
    assert answer.crisis and "9-8-8" in answer.messages[0]["text"]


async def test_without_the_nlg_the_crisis_line_still_comes_from_the_registry(guard):
    answer = await answer_refusal(None, "v1", "i want to kill myself", "server_error", "rest")
    assert answer.crisis and "9-8-8" in answer.messages[0]["text"]


@pytest.mark.parametrize("reason", sorted(REFUSALS))
async def test_every_refusal_without_risk_names_the_crisis_line_and_emergency(guard, reason):
    answer = await answer_refusal(None, "v1", "hello there", reason, "rest")

    assert not answer.crisis
    assert answer.messages == [{"text": refusal_text(reason)}]
    assert "9-8-8" in refusal_text(reason) and "9-1-1" in refusal_text(reason)


async def test_a_flood_without_risk_can_be_answered_with_silence(guard):
    answer = await answer_refusal(None, "v1", "hello", "rate_limited", "telegram", notify=False)
    assert answer.messages == [] and not answer.crisis


async def test_a_flood_with_risk_is_never_silent(guard, agent):
    answer = await answer_refusal(
        agent, "v1", "i want to kill myself", "rate_limited", "telegram", notify=False
    )
    assert answer.crisis and answer.messages


def test_the_taxonomy_names_the_first_reply_of_every_crisis_rule():
    rules = yaml.safe_load((ROOT / "data/rules/safety.yml").read_text())["rules"]
    first_reply = {}
    for rule in rules:
        steps = rule.get("steps", [])
        intents = [s["intent"] for s in steps if "intent" in s]
        actions = [s["action"] for s in steps if "action" in s]
        if intents and intents[-1].startswith("risk_") and actions:
            first_reply[intents[-1]] = actions[0]
    assert first_reply == CRISIS_RESPONSES


def test_every_risk_intent_of_the_domain_has_a_crisis_reply():
    risk_intents = {i for i in DOMAIN.intents if i.startswith("risk_")}
    assert risk_intents == set(CRISIS_RESPONSES)
    for intent in risk_intents:
        assert crisis_response(intent) in DOMAIN.responses


def _unbounded_repeats(pattern: str) -> list:
    """Every repeat in a regular expression with no upper bound."""
    found = []

    def walk(parsed):
        for op, value in parsed:
            if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                low, high, inner = value
                if high == sre_constants.MAXREPEAT:
                    found.append((op, low))
                walk(inner)
            elif op in (sre_constants.SUBPATTERN,):
                walk(value[-1])
            elif op == sre_constants.BRANCH:
                for branch in value[1]:
                    walk(branch)
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                walk(value[1])

    walk(sre_parse.parse(pattern))
    return found


@pytest.mark.parametrize("pattern", [redact._EMAIL, redact._PHONE], ids=["email", "phone"])
def test_redaction_patterns_have_only_bounded_repeats_so_their_cost_is_linear(pattern):
    assert _unbounded_repeats(pattern.pattern) == []


@pytest.mark.parametrize("hostile", [
    "a" * 1_000_000,
    "a" * 1_000_000 + "@",
    "1 " * 500_000 + "x",
    "x@" + "a-" * 500_000,
    "(1" * 500_000,
    "1" * 1_000_000 + "a",
    "a@b" * 330_000,
])
def test_redaction_finishes_on_a_megabyte_of_hostile_text_and_keeps_its_length_bounded(hostile):
    assert len(redact.redact_text(hostile)) <= len(hostile) + 64


async def test_the_crisis_reply_to_a_refused_message_is_in_the_safety_log(guard, tmp_path):
    # It never reaches a conversation, so the broker never sees it: the channel records it.
    from attune.brokers import SafetyAuditBroker
    from attune.safety.audit import SafetyAuditLog

    log = SafetyAuditLog(f"sqlite:///{tmp_path / 'audit.db'}")
    agent = SimpleNamespace(nlg=PracticeNLG(domain=DOMAIN),
                            tracker_store=SimpleNamespace(event_broker=SafetyAuditBroker(log)))
    answer = await answer_refusal(agent, "v1", "he is hitting me", "rate_limited", "telegram")
    [event] = log.events()
    assert event.intent == "risk_abuse" and event.channel == "telegram"
    assert event.resources[0] == "on-assaulted-womens-helpline"
    assert not any(key.startswith("attune") for key in answer.messages[0]), "the record is not sent to the visitor"
    # A refusal without risk records nothing.
    await answer_refusal(agent, "v1", "hello", "rate_limited", "telegram")
    assert len(log.events()) == 1
