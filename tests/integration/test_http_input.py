"""Bad input over HTTP gets a clean, explained error or a kind reply, never a 500."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Tuple

import pytest

from attune.channels.socketio import new_session_id
from tests.conftest import new_sender, reply_text


def post(url: str, body: bytes, content_type: str = "application/json") -> Tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as failure:
        return failure.code, failure.read().decode()


@pytest.mark.parametrize(
    "body,content_type,status",
    [
        (b"{not json", "application/json", 400),
        (b'{"sender": "a", "message": "hi"}', "text/plain", 400),
        (b'["a", "hi"]', "application/json", 400),
        (b'{"sender": "a", "message": 5}', "application/json", 400),
        (b'{"sender": "../../etc/passwd", "message": "hi"}', "application/json", 400),
        (b'{"message": "hi"}', "application/json", 400),
        (b"\xff\xfe\x00binary", "application/json", 400),
        (json.dumps({"sender": "a", "message": "x" * 70000}).encode(), "application/json", 413),
    ],
)
def test_malformed_rest_requests_get_a_4xx_with_an_explanation(stack, body, content_type, status):
    code, text = post(f"{stack.rasa_url}/webhooks/rest/webhook", body, content_type)
    assert code == status
    assert "error" in json.loads(text)


def test_server_still_answers_after_bad_requests(stack):
    post(f"{stack.rasa_url}/webhooks/rest/webhook", b"{{{{", "application/json")
    assert "automated assistant" in reply_text(stack.send(new_sender(), "hello"))


def test_an_over_long_message_gets_a_kind_answer(stack):
    text = reply_text(stack.send(new_sender(), "I have a question about my relationship. " * 200))
    assert "shorter" in text.lower()


def test_an_over_long_message_with_risk_still_gets_crisis_lines(stack):
    long_text = "We argued again and I can't stop thinking about it. " * 100 + "I want to kill myself."
    assert "9-8-8" in reply_text(stack.send(new_sender(), long_text))


def test_an_empty_message_gets_a_reply_not_an_error(stack):
    code, text = post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json.dumps({"sender": new_sender(), "message": "   "}).encode(),
    )
    assert code == 200
    assert json.loads(text), "the visitor gets some reply"


def test_the_widget_http_fallback_speaks_only_as_a_random_session(stack):
    url = f"{stack.rasa_url}/webhooks/socketio/webhook"
    code, _ = post(url, json.dumps({"session_id": "alice", "message": "hi"}).encode())
    assert code == 400
    code, text = post(url, json.dumps({"session_id": new_session_id(), "message": "hi"}).encode())
    assert code == 200
    assert "automated assistant" in reply_text(json.loads(text))


def test_a_flooding_visitor_is_told_to_wait_but_risk_still_gets_the_crisis_lines(stack):
    # One flood serves both routes: the limit is kept per conversation id across channels
    # (and each flood spends the suite's shared per-address budget).
    visitor = new_session_id()
    rest, web = (f"{stack.rasa_url}/webhooks/{route}/webhook" for route in ("rest", "socketio"))
    flood = json.dumps({"sender": visitor, "message": "/help"}).encode()
    answers = [post(rest, flood) for _ in range(45)]
    codes = [code for code, _ in answers]
    assert 429 in codes and codes[0] == 200
    refusal = json.loads(answers[codes.index(429)][1])["error"]
    assert "9-8-8" in refusal and "9-1-1" in refusal

    risk = "I want to kill myself"
    for url, key in ((rest, "sender"), (web, "session_id")):
        code, text = post(url, json.dumps({key: visitor, "message": risk}).encode())
        assert code == 200, url
        replies = json.loads(text)
        assert "9-8-8" in reply_text(replies)
        assert "/request_crisis_help" in [b["payload"] for r in replies for b in r.get("buttons", [])]
    # another visitor is not affected
    assert reply_text(stack.send(new_sender(), "hello"))


@pytest.mark.parametrize("route", ["rest", "socketio"])
def test_a_huge_risk_message_gets_crisis_lines_not_a_413(stack, route):
    key = "sender" if route == "rest" else "session_id"
    text = "We argued again and I keep replaying it. " * 2500 + "I want to kill myself."
    code, answer = post(
        f"{stack.rasa_url}/webhooks/{route}/webhook",
        json.dumps({key: new_session_id(), "message": text}).encode(),
    )
    assert code == 200 and "9-8-8" in reply_text(json.loads(answer))


def test_a_huge_message_without_risk_gets_a_413_that_names_the_crisis_line(stack):
    code, answer = post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json.dumps({"sender": new_sender(), "message": "hello there " * 9000}).encode(),
    )
    assert code == 413 and "9-8-8" in json.loads(answer)["error"]


def test_a_risk_message_with_broken_encoding_gets_crisis_lines_not_a_400(stack):
    body = b'{"sender": "' + new_sender().encode() + b'", "message": "\xff\xfe I want to kill myself"}'
    code, answer = post(f"{stack.rasa_url}/webhooks/rest/webhook", body)
    assert code == 200 and "9-8-8" in reply_text(json.loads(answer))


def post_with_id(stack, sender: str, text: str, message_id) -> Tuple[int, object]:
    body = {"sender": sender, "message": text, "message_id": message_id}
    code, answer = post(f"{stack.rasa_url}/webhooks/rest/webhook", json.dumps(body).encode())
    return code, json.loads(answer)


def stored_user_messages(stack, sender: str) -> list:
    import sqlite3

    with sqlite3.connect(stack.tracker_db) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def test_a_retried_message_is_answered_again_but_stored_once(stack):
    sender = new_sender()
    code, first = post_with_id(stack, sender, "what is anxious attachment?", "m-1")
    assert code == 200 and first
    code, again = post_with_id(stack, sender, "what is anxious attachment?", "m-1")

    assert code == 200
    assert again == first, "the retry gets the answer the first send got"
    assert stored_user_messages(stack, sender) == ["what is anxious attachment?"]


def test_messages_with_new_ids_are_new_turns(stack):
    sender = new_sender()
    post_with_id(stack, sender, "hello", "m-1")
    code, replies = post_with_id(stack, sender, "how does counselling help?", "m-2")

    assert code == 200 and replies
    assert stored_user_messages(stack, sender) == ["hello", "how does counselling help?"]


def test_a_retried_risk_message_still_shows_the_crisis_lines(stack):
    sender = new_sender()
    post_with_id(stack, sender, "i want to end my life", "m-1")
    _, again = post_with_id(stack, sender, "i want to end my life", "m-1")

    assert "9-8-8" in reply_text(again)


@pytest.mark.parametrize("message_id", ["", "a" * 129, "../x", 7, ["m-1"]])
def test_a_malformed_message_id_gets_a_400(stack, message_id):
    code, answer = post_with_id(stack, new_sender(), "hello", message_id)
    assert code == 400 and "message_id" in answer["error"]


def test_risk_words_under_a_reused_message_id_still_get_the_crisis_lines(stack):
    sender = new_sender()
    post_with_id(stack, sender, "hello", "m-1")
    _, replies = post_with_id(stack, sender, "i want to end my life", "m-1")

    assert "9-8-8" in reply_text(replies)
