"""Crisis help survives faults: no safety reply depends on the action server."""

from __future__ import annotations

from tests.conftest import new_sender, reply_payloads, reply_text


def test_risk_message_gets_crisis_lines_with_the_action_server_stopped(stack):
    from attune.practice import load_practice

    stack.stop_actions()
    try:
        sender = new_sender()
        crisis = reply_text(stack.send(sender, "I'm going to end my life tonight"))
        assert "9-8-8" in crisis and "9-1-1" in crisis
        # The way to a person does not need the action server either.
        contact = reply_text(stack.send(sender, "I want to talk to a therapist"))
        assert load_practice().booking_url in contact
        # And the "Get help now" button still works.
        replies = stack.send(sender, "/request_crisis_help")
        assert "9-8-8" in reply_text(replies)
    finally:
        stack.restart_actions()


def test_abuse_disclosure_gets_domestic_violence_lines_and_a_safe_to_talk_question(stack):
    replies = stack.send(new_sender(), "my husband hits me when he drinks and i'm scared")
    text = reply_text(replies)
    assert "not your fault" in text
    assert "safe for you to talk" in text
    assert "/not_safe" in reply_payloads(replies)
