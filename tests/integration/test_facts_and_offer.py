"""The practice's facts and the exercise offer, over HTTP with the real action server (#17)."""

from __future__ import annotations

from tests.conftest import new_sender, reply_text


def test_a_fact_question_gets_the_practices_own_answer(stack):
    from attune.practice import load_practice

    fee = load_practice().facts.fee_session
    text = reply_text(stack.send(new_sender(), "hey how much is one session with you guys?"))
    assert fee and fee in text
    assert "Ana Silva" not in text, "not the paragraph of therapist names any more"


def _at_the_offer(stack) -> str:
    sender = new_sender()
    assert "Shall we start?" in reply_text(stack.send(sender, "/start_reflection"))
    return sender


def test_skip_at_the_offer_is_a_not_now(stack):
    sender = _at_the_offer(stack)
    text = reply_text(stack.send(sender, "skip"))
    assert "whenever you'd like" in text
    assert "no reflection running" not in text


def test_an_answer_at_the_offer_starts_the_exercise_with_it_as_the_first_answer(stack):
    sender = _at_the_offer(stack)
    text = reply_text(stack.send(sender, "i pull away when people get close"))
    assert "first question" in text
    assert "i pull away when people get close" in text, "their words are reflected back"
    assert "Question 2 of 4" in text
    assert "pull back or make some space" in text, "the next question follows their direction"
    assert "Thank you for sharing that" not in text


def test_risk_at_the_offer_gets_the_crisis_reply_and_no_question(stack):
    sender = _at_the_offer(stack)
    text = reply_text(stack.send(sender, "i pull away from everyone because i want to die"))
    assert "9-8-8" in text
    assert "Question" not in text
