"""Property-based fuzzing of the live HTTP channels: no 500, the server stays up, nothing lost."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attune.channels.socketio import new_session_id
from tests.conftest import new_sender, reply_text

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=300),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
BODIES = st.one_of(
    st.binary(max_size=2000),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.builds(
        lambda sender, message: json.dumps({"sender": sender, "message": message}).encode(),
        st.one_of(st.text(max_size=150), st.integers(), st.none()),
        st.one_of(st.text(max_size=3000), st.integers(), st.lists(st.text(max_size=5)), st.none()),
    ),
    st.builds(lambda n: json.dumps({"sender": "fuzz", "message": "x" * n}).encode(), st.integers(0, 80_000)),
)
CONTENT_TYPES = st.sampled_from(["application/json", "text/plain", "", "application/json; charset=latin-1"])


def post(url: str, body: bytes, content_type: str) -> int:
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as failure:
        return failure.code


def stored_count(stack, sender: str) -> int:
    with sqlite3.connect(stack.tracker_db) as db:
        return db.execute("select count(*) from events where sender_id = ?", (sender,)).fetchone()[0]


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=BODIES, content_type=CONTENT_TYPES,
       path=st.sampled_from(["/webhooks/rest/webhook", "/webhooks/socketio/webhook"]))
def test_random_and_malformed_requests_never_get_a_server_error(stack, body, content_type, path):
    assert post(f"{stack.rasa_url}{path}", body, content_type) < 500


def test_after_fuzzing_the_server_answers_and_earlier_conversations_are_intact(stack):
    sender = new_sender()
    stack.send(sender, "hello")
    before = stored_count(stack, sender)
    for body in (b"\x00" * 100, b'{"sender": "' + sender.encode() + b'", "message": {"$gt": ""}}', b"[" * 5000):
        assert post(f"{stack.rasa_url}/webhooks/rest/webhook", body, "application/json") < 500
    assert stored_count(stack, sender) == before, "nothing already stored is lost or changed"
    assert "automated assistant" in reply_text(stack.send(new_sender(), "hi"))
    url = f"{stack.rasa_url}/webhooks/socketio/webhook"
    assert post(url, json.dumps({"session_id": new_session_id(), "message": "hi"}).encode(), "application/json") == 200
