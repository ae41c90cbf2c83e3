"""A hostile message cannot freeze the server, and a refusal never hides the crisis lines.

These tests run their own stack: they flood it on purpose, and every request here comes from
127.0.0.1, so they must not spend the shared stack's per-address budget.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Dict, Iterator, List

import pytest
import socketio

from attune.channels.socketio import new_session_id
from attune.paths import REPO_ROOT
from tests.conftest import TEST_MESSAGES_PER_MINUTE, RunningStack, new_sender, reply_text, started_stack

RISK = "I want to kill myself"


@pytest.fixture(scope="module")
def hostile_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = started_stack(
        tmp_path_factory.mktemp("hostile"),
        REPO_ROOT / "var" / "test-logs" / "hostile",
        # Requests may name their visitor's address (documentation range 203.0.113.0/24,
        # a header only): the fuzz test gives each request its own rate-limit budget.
        {"ATTUNE_TRUSTED_PROXIES": "127.0.0.1"},
    )
    try:
        yield running
    finally:
        running.stop()


class WebVisitor:
    """A website visitor on socket.io (long-polling: this aiohttp cannot open its websocket)."""

    def __init__(self, stack: RunningStack) -> None:
        self.url = stack.rasa_url
        self.origin = stack.web_url
        self.session_id = new_session_id()
        self.replies: List[Dict[str, Any]] = []
        self.refusals: List[Dict[str, Any]] = []
        self.client = socketio.AsyncClient(reconnection=False)
        self.client.on("bot_uttered", self.replies.append)
        self.client.on("rate_limited", self.refusals.append)

    async def connect(self) -> None:
        confirmed = asyncio.Event()
        self.confirmed: List[str] = []

        def on_confirm(session_id: str) -> None:
            self.confirmed.append(session_id)
            confirmed.set()

        self.client.on("session_confirm", on_confirm)
        await self.client.connect(
            self.url, transports=["polling"], socketio_path="socket.io",
            headers={"Origin": self.origin},
        )
        await self.client.emit("session_request", {"session_id": self.session_id})
        await asyncio.wait_for(confirmed.wait(), 30)

    async def say(self, text: str, **extra: Any) -> None:
        await self.client.emit(
            "user_uttered", {"message": text, "session_id": self.session_id, **extra}
        )

    async def wait_for(self, condition, timeout: float = 60) -> None:
        for _ in range(int(timeout * 10)):
            if condition():
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the expected socket.io event never came")


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


def stored_events(stack: RunningStack, sender: str) -> List[Dict[str, Any]]:
    with sqlite3.connect(stack.tracker_db) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)).fetchall()
    return [json.loads(data) for (data,) in rows]


def test_client_metadata_is_never_stored(hostile_stack):
    async def scenario() -> WebVisitor:
        visitor = WebVisitor(hostile_stack)
        await visitor.connect()
        await visitor.say("hi", customData={"note": "secret-" + "x" * 40_000})
        await visitor.wait_for(lambda: visitor.replies)
        await visitor.client.disconnect()
        return visitor

    visitor = run(scenario())
    assert "automated assistant" in " ".join(r.get("text", "") for r in visitor.replies)
    assert "secret-" not in json.dumps(stored_events(hostile_stack, visitor.session_id))


def test_an_oversized_socket_packet_is_dropped_and_other_visitors_are_served(hostile_stack):
    results: Dict[str, Any] = {}

    async def attacker() -> None:
        visitor = WebVisitor(hostile_stack)
        await visitor.connect()
        try:
            await visitor.say("y" * 900_000)
            await asyncio.sleep(2)
        finally:
            await visitor.client.disconnect()
        results["attacker_replies"] = visitor.replies

    thread = threading.Thread(target=lambda: run(attacker()))
    thread.start()
    # A liveness bound, not a speed measurement (bench/hostile.py measures the stall).
    replies = hostile_stack.send(new_sender(), "hello", timeout=20)
    thread.join(60)
    assert "automated assistant" in reply_text(replies)
    assert results["attacker_replies"] == []


def test_a_flooding_website_visitor_gets_one_notice_then_crisis_lines_for_risk(hostile_stack):
    async def scenario() -> WebVisitor:
        visitor = WebVisitor(hostile_stack)
        await visitor.connect()
        for _ in range(TEST_MESSAGES_PER_MINUTE):
            # One at a time: long-polling would batch them into one oversized payload.
            before = len(visitor.replies)
            await visitor.say("/help")
            await visitor.wait_for(lambda: len(visitor.replies) > before)
        await visitor.say("one more")
        await visitor.wait_for(lambda: visitor.refusals)
        before = len(visitor.replies)
        await visitor.say(RISK)
        await visitor.wait_for(lambda: len(visitor.replies) > before)
        await visitor.client.disconnect()
        visitor.replies = visitor.replies[before:]
        return visitor

    visitor = run(scenario())
    assert "9-8-8" in visitor.refusals[0]["text"]
    assert "9-8-8" in " ".join(r.get("text", "") for r in visitor.replies)


def test_hostile_http_bodies_never_stall_another_visitor(hostile_stack):
    def hostile(body: bytes) -> None:
        request = urllib.request.Request(
            f"{hostile_stack.rasa_url}/webhooks/rest/webhook", data=body,
            headers={"Content-Type": "application/json"},
        )
        try:
            urllib.request.urlopen(request, timeout=60).read()
        except Exception:  # noqa: BLE001 - refusals are expected; only the others matter
            pass

    bodies = [
        json.dumps({"sender": new_sender(), "message": "a" * 900_000}).encode(),
        json.dumps({"sender": new_sender(), "message": "1 " * 400_000}).encode(),
        b'{"sender": "x", "message": "' + b"\xff" * 500_000 + b'"}',
        b"[" * 500_000,
    ]
    threads = [threading.Thread(target=hostile, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    replies = hostile_stack.send(new_sender(), "what is anxious attachment?", timeout=20)
    for thread in threads:
        thread.join(60)
    assert reply_text(replies)


def test_a_long_message_being_read_does_not_hold_up_another_visitors_reply(hostile_stack):
    """Reading a message at the 2,000-character limit is a few hundred milliseconds of model work
    (the whole message and its windows). It runs beside the server's event loop
    (attune/model_thread.py), so a visitor who writes "hi" just after it is answered while it
    is still being read, not after it (bench/loop_hold.py measures both). Were the loop held,
    "hi" could not even be received before the reading ended, so "hi" answered first proves it;
    the other order only means the reading ended before "hi" arrived (a fast machine), and the
    scenario is tried again."""
    orders: List[List[str]] = []
    for _ in range(3):
        finished: List[str] = []

        def long_visitor() -> None:
            # Answered with a written reply alone: no action server call after reading it, so
            # the only way "hi" can be answered first is being read while this one is.
            long_text = ("I pull away when someone gets close and I do not know why. " * 40)[:2_000]
            hostile_stack.send(new_sender(), long_text)
            finished.append("long message")

        thread = threading.Thread(target=long_visitor)
        thread.start()
        time.sleep(0.05)  # only so that the long message is in the server first
        replies = hostile_stack.send(new_sender(), "hi")
        finished.append("hi")
        thread.join(60)
        assert "automated assistant" in reply_text(replies)
        orders.append(finished)
        if finished == ["hi", "long message"]:
            break
    assert orders[-1] == ["hi", "long message"], orders


def test_a_crisis_message_is_answered_before_the_long_messages_queued_ahead_of_it(hostile_stack):
    """Six visitors send 2,000-character messages at once: the model threads read two, four
    wait. A visitor who then writes "I want to kill myself" gets the crisis lines before those
    four (attune/model_thread.py, the crisis lane); before the lane, their turn queued behind
    them, once per step of the turn, and came last or nearly."""
    finished: List[str] = []
    lock = threading.Lock()

    def post(label: str, text: str, address: str) -> List[Dict[str, Any]]:
        body = json.dumps({"sender": new_sender(), "message": text}).encode()
        request = urllib.request.Request(
            f"{hostile_stack.rasa_url}/webhooks/rest/webhook", data=body,
            headers={"Content-Type": "application/json", "X-Forwarded-For": address},
        )
        with urllib.request.urlopen(request, timeout=120) as answer:
            replies = json.loads(answer.read())
        with lock:
            finished.append(label)
        return replies

    long_text = ("I pull away when someone gets close and I do not know why. " * 40)[:2_000]
    others = [threading.Thread(target=post, args=(f"long {n}", long_text, f"203.0.113.{200 + n}"))
              for n in range(6)]
    for thread in others:
        thread.start()
    time.sleep(0.3)  # all six are in the server
    replies = post("crisis", RISK, "203.0.113.210")
    for thread in others:
        thread.join(120)
    assert "9-8-8" in reply_text(replies)
    assert len(finished) == 7
    assert finished.index("crisis") <= 2, finished  # at most the two being read came first


def test_a_known_session_id_cannot_be_taken_over_by_a_second_connection(hostile_stack):
    async def scenario():
        owner = WebVisitor(hostile_stack)
        await owner.connect()
        intruder = WebVisitor(hostile_stack)
        intruder.session_id = owner.session_id
        await intruder.connect()
        confirmed = intruder.confirmed
        await owner.say("hello")
        await owner.wait_for(lambda: owner.replies)
        await asyncio.sleep(1)
        body = json.dumps({"session_id": owner.session_id, "message": "hi"}).encode()
        request = urllib.request.Request(
            f"{hostile_stack.rasa_url}/webhooks/socketio/webhook", data=body,
            headers={"Content-Type": "application/json"},
        )
        try:
            urllib.request.urlopen(request, timeout=30)
            status = 200
        except urllib.error.HTTPError as failure:
            status = failure.code
        await intruder.client.disconnect()
        await owner.client.disconnect()
        return confirmed, intruder.replies, status, owner

    confirmed, intruder_replies, status, owner = run(scenario())
    assert confirmed and confirmed[-1] != owner.session_id, "the intruder got a fresh session"
    assert intruder_replies == [], "and none of the owner's replies"
    assert status == 409


def hostile_bodies(count: int, seed: int):
    """Generated hostile request bodies: broken bytes, odd JSON, wrong types, invisible and
    surrogate characters, payload tricks, risk words, sizes around every limit."""
    import random

    rng = random.Random(seed)
    tricky = ["\u202e", "\u200b", "\x00", "\ud800", "\U0001f600", "/greet{\"x\": 1}", "/risk_suicide",
              "i want to kill myself", "kms", "<script>", "%s%n", "\\u0000", "' OR 1=1 --", "é" * 50]
    for n in range(count):
        kind = n % 8
        sender = rng.choice([new_sender(), "", "../x", "a" * 200, 5, None, ["x"]])
        if kind == 0:
            yield bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 3000))), "application/json"
        elif kind == 1:
            depth = rng.randint(1, 3000)
            yield (b"[" * depth + b"]" * rng.choice([0, depth])), "application/json"
        elif kind == 2:
            value = rng.choice([1, 1.5, None, True, [], {}, {"$gt": ""}, ["a"] * 50])
            yield json.dumps({"sender": sender, "session_id": sender, "message": value}).encode(), "application/json"
        elif kind == 3:
            text = "".join(rng.choice(tricky) for _ in range(rng.randint(1, 30)))
            yield json.dumps({"sender": sender, "session_id": sender, "message": text}).encode(), "application/json"
        elif kind == 4:
            size = rng.choice([1999, 2000, 2001, 65_000, 66_000, 200_000])
            yield json.dumps({"sender": new_sender(), "message": "a" * size}).encode(), "application/json"
        elif kind == 5:
            yield b'{"sender": "x", "message": "' + bytes([rng.randint(128, 255)]) * 20 + b'"}', "application/json"
        elif kind == 6:
            yield json.dumps({"sender": new_sender(), "message": "hi"}).encode(), rng.choice(
                ["text/plain", "", "application/x-www-form-urlencoded", "multipart/form-data"])
        else:
            keys = {"".join(rng.choice("abc$._") for _ in range(rng.randint(0, 8))): rng.random() for _ in range(20)}
            yield json.dumps(keys).encode(), "application/json"


def test_ten_thousand_hostile_requests_get_no_server_error_and_the_server_keeps_answering(hostile_stack):
    statuses: Dict[int, int] = {}
    routes = ["/webhooks/rest/webhook", "/webhooks/socketio/webhook"]
    for n, (body, content_type) in enumerate(hostile_bodies(10_000, seed=20261202)):
        headers = {"X-Forwarded-For": f"203.0.113.{n % 250}"}
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(f"{hostile_stack.rasa_url}{routes[n % 2]}", data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status = answer.status
        except urllib.error.HTTPError as failure:
            status = failure.code
        statuses[status] = statuses.get(status, 0) + 1
        assert status < 500, f"request {n} got {status}"
    assert sum(statuses.values()) == 10_000
    # Still answering, with a fresh conversation.
    assert "automated assistant" in reply_text(hostile_stack.send(new_sender(), "hello", timeout=20))


def polling_handshake(stack: RunningStack, origin: str):
    request = urllib.request.Request(
        f"{stack.rasa_url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers


def test_a_polling_answer_carries_one_cors_header_for_the_practices_website(hostile_stack):
    # Two Access-Control-Allow-Origin headers make a browser reject the answer: the widget's
    # fallback transport would never work.
    status, headers = polling_handshake(hostile_stack, hostile_stack.web_url)
    assert status == 200
    assert headers.get_all("Access-Control-Allow-Origin") == [hostile_stack.web_url]


def test_a_polling_connection_from_another_website_is_refused(hostile_stack):
    status, headers = polling_handshake(hostile_stack, "https://evil.example")
    assert status == 400
    assert not headers.get_all("Access-Control-Allow-Origin")


def hostile_frames(count: int, seed: int):
    """Generated hostile websocket frames for the socket.io server: broken engine.io and
    socket.io packets, wrong types, unknown events and namespaces, binary junk, frames over the
    size limit, tricky and risk texts inside well-formed messages."""
    import random

    rng = random.Random(seed)
    tricky = ["\u202e", "\u200b", "\x00", "\U0001f600", "/greet{\"x\": 1}", "/risk_suicide", "kms",
              "i want to kill myself", "<script>", "%s%n", "' OR 1=1 --", "é" * 50, "\\ud800"]
    events = ["user_uttered", "session_request", "bot_uttered", "disconnect", "connect", "", "x" * 300]
    for n in range(count):
        kind = n % 10
        if kind == 0:
            yield bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 2000)))
        elif kind == 1:
            yield "".join(chr(rng.randint(32, 0x2FFF)) for _ in range(rng.randint(0, 300)))
        elif kind == 2:
            yield rng.choice(["", "4", "42", "42[", "42[]", "42{}", "43", "44", "46", "49", "5", "6",
                              "40/admin,", "41", "451-[\"user_uttered\",{\"_placeholder\":true,\"num\":0}]",
                              "42[\"user_uttered\"]", "0", "1", "2", "3probe", "42" + "[" * 3000])
        elif kind == 3:
            value = rng.choice([1, 1.5, None, True, [], {}, {"$gt": ""}, ["a"] * 50, "x" * 3000])
            yield "42" + json.dumps([rng.choice(events), value])
        elif kind == 4:
            text = "".join(rng.choice(tricky) for _ in range(rng.randint(1, 30)))
            yield "42" + json.dumps(["user_uttered", {"message": text, "session_id": rng.choice([None, "x", 5])}])
        elif kind == 5:
            size = rng.choice([1999, 2000, 2001, 30_000, 60_000])
            yield "42" + json.dumps(["user_uttered", {"message": "a " * (size // 2)}])
        elif kind == 6:
            yield "42" + json.dumps(["session_request", rng.choice(
                [{"session_id": "../x"}, {"session_id": ["x"]}, {"session_id": "a" * 300}, "x", 7, None])])
        elif kind == 7:
            keys = {"".join(rng.choice("abc$._") for _ in range(rng.randint(0, 8))): rng.random() for _ in range(20)}
            yield "42" + json.dumps(["user_uttered", {"message": "hi", "metadata": keys, "customData": keys}])
        elif kind == 8:
            yield "42" + json.dumps([rng.choice(events)] + [rng.random() for _ in range(rng.randint(0, 40))])
        else:
            yield "4" * rng.randint(1, 10) + "".join(rng.choice("[]{}\",:0123") for _ in range(rng.randint(0, 200)))


class SocketFrames:
    """A raw socket.io connection over the websocket transport (engine.io 4), for frames no
    well-behaved client would send."""

    def __init__(self, stack: RunningStack) -> None:
        self.url = stack.rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.origin = stack.web_url
        self.socket = None
        self.closed_with: Any = None
        self.session_id = new_session_id()

    async def open(self) -> None:
        import websockets

        self.socket = await websockets.connect(self.url, origin=self.origin, max_size=2 ** 22)
        assert (await self.socket.recv()).startswith("0{")  # engine.io open
        await self.socket.send("40")
        assert (await self.socket.recv()).startswith("40")
        assert await self.settled()

    async def settled(self) -> bool:
        """Asks for this connection's session again and waits for the confirmation: True once
        the server has read everything sent before on this connection, False if it closed it.

        Only the confirmation of this session id counts: a hostile frame may itself be a
        session request, whose confirmation (of a fresh id) can arrive after the frames that
        follow it, since the server answers events in tasks of their own."""
        deadline = asyncio.get_running_loop().time() + 30
        try:
            await self.emit("session_request", {"session_id": self.session_id})
            while True:
                remaining = deadline - asyncio.get_running_loop().time()
                frame = await asyncio.wait_for(self.socket.recv(), max(remaining, 0.01))
                if frame == "2":
                    await self.socket.send("3")
                elif frame in ("1", "41"):  # engine.io close, socket.io disconnect
                    return False
                elif isinstance(frame, str) and frame.startswith('42["session_confirm"'):
                    if json.loads(frame[2:])[1] == self.session_id:
                        return True
        except asyncio.TimeoutError:
            raise
        except Exception:  # noqa: BLE001 - closed by the server
            return False

    async def emit(self, event: str, data: Any) -> None:
        await self.socket.send("42" + json.dumps([event, data]))

    async def send_raw(self, frame: Any) -> bool:
        """Sends one frame; False when the server has closed this connection. A send that
        hangs (the server stopped reading) fails the test instead."""
        import websockets

        try:
            await asyncio.wait_for(self.socket.send(frame), 30)
            return True
        except websockets.exceptions.ConnectionClosed as closed:
            self.closed_with = closed
            return False

    async def replies(self, until, timeout: float = 60) -> List[Dict[str, Any]]:
        """The bot's replies until `until(replies)` holds; answers the server's pings."""
        got: List[Dict[str, Any]] = []
        deadline = asyncio.get_running_loop().time() + timeout
        while not until(got):
            remaining = deadline - asyncio.get_running_loop().time()
            assert remaining > 0, f"no complete answer over the websocket; got {got}"
            frame = await asyncio.wait_for(self.socket.recv(), remaining)
            if frame == "2":
                await self.socket.send("3")
            elif isinstance(frame, str) and frame.startswith("42"):
                event, *args = json.loads(frame[2:])
                if event == "bot_uttered":
                    got.extend(args)
        return got

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()


def test_two_thousand_hostile_websocket_frames_leave_the_server_answering_with_crisis_lines(hostile_stack):
    """The websocket transport, which the widget uses first: junk and malformed packets close
    at most the sender's own connection, never the server, and a visitor on a fresh connection
    still gets the crisis lines at once."""

    async def scenario():
        read = closed = 0
        hostile = SocketFrames(hostile_stack)
        await hostile.open()
        for frame in hostile_frames(2_000, seed=20261203):
            assert await hostile.send_raw(frame), f"closed before it was read: {hostile.closed_with}"
            read += 1
            # The client's own close ("1") or namespace disconnect ("41..."): nothing to settle.
            said_goodbye = isinstance(frame, str) and (frame == "1" or frame.startswith("41"))
            if said_goodbye or not await hostile.settled():
                closed += 1
                await hostile.close()
                hostile = SocketFrames(hostile_stack)
                await hostile.open()
        await hostile.close()
        visitor = SocketFrames(hostile_stack)
        await visitor.open()
        await visitor.emit("user_uttered", {"message": RISK})
        replies = await visitor.replies(lambda got: any("9-8-8" in r.get("text", "") for r in got))
        await visitor.close()
        return read, closed, replies

    log_file = hostile_stack.log_dir / "rasa.log"
    before = log_file.stat().st_size if log_file.exists() else 0
    read, closed, replies = run(scenario())
    assert read == 2_000
    assert closed >= 100, "malformed packets close their own connection"
    assert "9-8-8" in " ".join(r.get("text", "") for r in replies)
    # Every frame was read without an unhandled error in the server.
    with open(log_file, "rb") as log:
        log.seek(before)
        assert b"Traceback" not in log.read()
