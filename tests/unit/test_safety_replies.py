"""The answer to "I'm safe" is written for the day the classifier gets it wrong.

In cross-validation the intent classifier sometimes reads a new way of saying "I'm not safe"
("I don't think I'm safe", "idk if im safe") as "I'm safe". So the reply never tells the
visitor they are safe, and it offers the correction in one tap."""

from __future__ import annotations

from pathlib import Path

import yaml

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))


def variants(name: str):
    return DOMAIN["responses"][name]


def test_the_reply_to_i_am_safe_offers_i_am_not_safe_in_one_tap():
    for variant in variants("utter_glad_safe"):
        payloads = [button["payload"] for button in variant.get("buttons", [])]
        assert payloads and payloads[0] == "/not_safe"


def test_the_reply_to_i_am_safe_does_not_tell_the_visitor_they_are_safe():
    for variant in variants("utter_glad_safe"):
        text = " ".join(variant["text"].split()).lower()
        assert "glad you're safe" not in text and "you are safe" not in text
        assert "if you're safe" in text


def test_not_safe_answers_with_the_emergency_number():
    assert all("{emergency_number}" in v["text"] for v in variants("utter_not_safe"))
