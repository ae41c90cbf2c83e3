"""Fake Telegram Bot API and Facebook Graph (Send) API servers on loopback.

Each records every request the bot makes and answers the way the real service does, closely
enough for aiogram and fbmessenger to accept the answer. Tests read `calls` to see what the bot
really sent.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Call:
    """One request the bot made."""

    path: str
    query: Dict[str, str]
    params: Dict[str, Any]


class FakeApiServer:
    """A threaded HTTP server on 127.0.0.1 that records calls and answers them."""

    def __init__(self, answer: Callable[[Call], Dict[str, Any]]) -> None:
        """`answer` turns a recorded call into the JSON body to send back."""
        self.calls: List[Call] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                content_type = self.headers.get("Content-Type") or ""
                if "json" in content_type:
                    params = json.loads(raw or b"{}")
                else:
                    params = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
                parts = urlsplit(self.path)
                call = Call(parts.path, dict(parse_qsl(parts.query)), params)
                with server._lock:
                    server.calls.append(call)
                body = json.dumps(answer(call)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The server's base URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeApiServer":
        """Starts serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving."""
        self._server.shutdown()
        self._server.server_close()

    def snapshot(self) -> List[Call]:
        """The calls so far."""
        with self._lock:
            return list(self.calls)

    def wait_for(self, matches: Callable[[Call], bool], timeout: float = 15) -> List[Call]:
        """The calls that match, waiting until there is at least one (or the timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.snapshot() if matches(c)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.1)


_TELEGRAM_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>\w+)$")


def telegram_method(call: Call) -> Optional[str]:
    """The Bot API method of a call ("sendMessage", ...)."""
    match = _TELEGRAM_PATH.match(call.path)
    return match.group("method") if match else None


def fake_telegram_api() -> FakeApiServer:
    """A fake Bot API: every method succeeds; sendMessage returns the sent message."""
    counter = {"message_id": 0}

    def answer(call: Call) -> Dict[str, Any]:
        method = (telegram_method(call) or "").lower()
        if method == "sendmessage":
            counter["message_id"] += 1
            chat_id = int(call.params.get("chat_id", 0))
            return {
                "ok": True,
                "result": {
                    "message_id": counter["message_id"],
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"},
                    "from": {"id": 1, "is_bot": True, "first_name": "Attune"},
                    "text": call.params.get("text", ""),
                },
            }
        if method == "getme":
            return {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "Attune",
                                            "username": "attune_test_bot"}}
        return {"ok": True, "result": True}

    return FakeApiServer(answer)


def fake_graph_api() -> FakeApiServer:
    """A fake Graph API whose Send API accepts every message."""
    counter = {"n": 0}

    def answer(call: Call) -> Dict[str, Any]:
        counter["n"] += 1
        recipient = (call.params.get("recipient") or {}).get("id", "")
        return {"recipient_id": recipient, "message_id": f"m_{counter['n']}"}

    return FakeApiServer(answer)
