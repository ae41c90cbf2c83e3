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


def test_with_the_action_server_down_the_exercise_says_so_instead_of_going_silent(stack):
    from attune.practice import load_practice

    sender = new_sender()
    stack.send(sender, "can we do the reflection questions")
    stack.stop_actions()
    try:
        replies = stack.send(sender, "yes")
        text = reply_text(replies)
        assert "isn't working right now" in text
        assert load_practice().booking_url in text and "9-8-8" in text
        # The broken step let go: the next message is answered on its own.
        assert "9-8-8" in reply_text(stack.send(sender, "I'm going to end my life tonight"))
    finally:
        stack.restart_actions()


def test_with_the_action_server_down_the_call_back_request_says_so(stack):
    stack.stop_actions()
    try:
        sender = new_sender()
        text = " ".join(reply_text(stack.send(sender, message))
                        for message in ("can a therapist call me back?", "Robin"))
        assert "isn't working right now" in text
    finally:
        stack.restart_actions()
