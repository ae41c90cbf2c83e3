"""The website chat channel: Rasa's socket.io channel, fixed and made private.

What differs from `rasa.core.channels.socketio.SocketIOInput` (Rasa 3.6.21):
- the connection really joins its session's room (Rasa forgets to await `enter_room` with
  python-socketio >= 5.10, so the browser never receives replies: RasaHQ/rasa#13027);
- a session id must be long and random (at least 128 bits); anything else is replaced by a
  fresh server-made one, so nobody can pick a short, guessable id;
- a connection may only send messages as the session it was confirmed for, and a session is
  bound to one live connection: a second connection asking for the same id gets a fresh one,
  and the HTTP route refuses (409) to speak in a session that a socket holds;
- browser origins come from the practice's allow-list (`website.allowed_origins`), instead of
  any origin;
- messages are cleaned, rate-limited and length-checked like every channel
  (`attune.channels.guard`); malformed events are dropped without their content reaching a log;
  a refused message with risk is answered with the crisis reply (`attune.channels.refusal`);
- a socket.io packet is capped at 64 KiB before it is parsed, and whatever `metadata` a client
  sends is dropped: nothing the visitor was not told about is stored, and nothing unbounded
  reaches the redaction that runs when the conversation is saved;
- `POST /webhooks/socketio/webhook` ({"session_id", "message"}) answers like the REST channel,
  for the widget's fallback when a socket cannot connect; it has the same session-id rules
  and limits, and needs no token because it can only speak as a random session id;
- a malformed engine.io or socket.io packet (what no socket.io client sends: a frame that is
  not a packet, broken JSON, an event that is not a name, a client sending the reserved
  `connect` or `disconnect` events) closes its own connection with one log line, instead of
  a traceback from inside the libraries; every other connection goes on.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from engineio.async_drivers.sanic import WebSocket as SanicWebSocket
from socketio import AsyncServer

from rasa.core.lock_store import LockError
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput

from rasa.core.channels.channel import CollectingOutputChannel

from attune import patches
from attune.channels.guard import MAX_BODY_BYTES, shared_guard
from attune.channels.refusal import answer_refusal
from attune.channels.http import add_health_route, caller_address, error, read_json, refuse, salvage_field

logger = logging.getLogger(__name__)

SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")

# Engine.io packet types a client may send over the websocket: open..noop, as ASCII digits
# (Python's int() would also take other scripts' digits).
ENGINEIO_PACKET_TYPES = frozenset("0123456")
# Event names only the server raises; a client sending them would run their handlers.
RESERVED_EVENTS = frozenset({"connect", "connect_error", "disconnect", "__disconnect_final"})


class PacketCheckedWebSocket(SanicWebSocket):
    """engine.io's Sanic websocket, refusing frames that are not engine.io packets.

    engine.io decodes a text frame outside any error handling (python-engineio 4.x): an empty
    frame or one that does not start with a packet type ends the connection with a traceback.
    Returning None here is how a closed connection looks to engine.io: it closes this one
    connection cleanly.
    """

    async def wait(self) -> Any:
        data = await super().wait()
        if isinstance(data, str) and (not data or data[0] not in ENGINEIO_PACKET_TYPES):
            logger.warning("Closed a websocket that sent a frame that is not an engine.io packet.")
            return None
        return data


class CheckedAsyncServer(AsyncServer):
    """python-socketio's server, closing a connection that sends a malformed packet."""

    async def _handle_eio_message(self, eio_sid: Text, data: Any) -> None:
        if eio_sid in self._binary_packet and not isinstance(data, bytes):
            # A binary event announced attachments; text in their place would be swallowed as
            # one, and every later message with it.
            self._binary_packet.pop(eio_sid, None)
            await self.drop_connection(eio_sid, "text where a binary attachment was announced")
            return
        try:
            await super()._handle_eio_message(eio_sid, data)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as failure:
            await self.drop_connection(eio_sid, f"a malformed socket.io packet ({type(failure).__name__})")

    async def _handle_event(self, eio_sid: Text, namespace: Any, id: Any, data: Any) -> None:
        if not (isinstance(data, list) and data and isinstance(data[0], str)
                and data[0] not in RESERVED_EVENTS):
            await self.drop_connection(eio_sid, "an event that is not a name, or a reserved one")
            return
        await super()._handle_event(eio_sid, namespace, id, data)

    async def drop_connection(self, eio_sid: Text, what: Text) -> None:
        """Closes one connection; nothing the client sent reaches the log."""
        logger.warning("Closed a socket.io connection that sent %s.", what)
        try:
            await self.eio.disconnect(eio_sid)
        except Exception:  # noqa: BLE001 - it may already be gone
            logger.info("The connection was already closed.")


def new_session_id() -> Text:
    """A fresh unguessable session id (192 random bits)."""
    return secrets.token_urlsafe(24)


def accepted_session_id(candidate: Any) -> Text:
    """The client's id if it is long and random-looking enough, else a new one."""
    if isinstance(candidate, str) and SESSION_ID_PATTERN.match(candidate):
        return candidate
    return new_session_id()


def app_agent(request: Any) -> Any:
    """The Rasa agent of the server a Sanic request arrived at, or None."""
    return getattr(getattr(getattr(request, "app", None), "ctx", None), "agent", None)


def allowed_origins() -> List[Text]:
    """The practice's allow-list of website origins."""
    from attune.practice import load_practice

    return list(load_practice().website.allowed_origins)


class WebChatInput(SocketIOInput):
    """socket.io channel for the first-party website widget."""

    @classmethod
    def name(cls) -> Text:
        """Keeps Rasa's channel name, so `channel: socketio` responses apply."""
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Session persistence is always on: it is what the widget relies on."""
        patches.install()
        return super().from_credentials({**(credentials or {}), "session_persistence": True})

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """The socket.io server and its event handlers."""
        sio = CheckedAsyncServer(
            async_mode="sanic",
            cors_allowed_origins=allowed_origins(),
            max_http_buffer_size=MAX_BODY_BYTES,
        )
        sio.eio._async = {**sio.eio._async, "websocket": PacketCheckedWebSocket}
        # Rasa's server answers CORS for every route (Sanic-CORS, `--cors` with the same
        # origins: tools/stack.py and every deployment); engine.io adding its own headers
        # gave polling answers Access-Control-Allow-Origin twice, which browsers reject.
        # engine.io still refuses a connection from an origin not on the list.
        sio.eio._cors_headers = lambda environ: []
        blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        sessions: Dict[Text, Text] = {}  # socket id -> confirmed session id
        holders: Dict[Text, Text] = {}  # confirmed session id -> the one socket bound to it

        add_health_route(blueprint)

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body, status, problem = read_json(request)
            if body is None:
                reason = "too_large" if status == 413 else "unreadable"
                raw = request.body
                return await refuse(
                    request, status, reason, problem, None, salvage_field(raw, "message"),
                    self.name(),
                )
            session_id = body.get("session_id")
            if not isinstance(session_id, str) or not SESSION_ID_PATTERN.match(session_id):
                return error(400, "'session_id' must be a random id of 22-64 URL-safe characters.")
            if session_id in holders:
                # The widget uses this route only when its socket cannot connect.
                return error(409, "This session is open on a live connection; send it there.")
            guard = shared_guard()
            text = guard.prepare(body.get("message"))
            if text is None:
                return error(400, "'message' must be a string.")
            if not guard.admit(session_id, caller_address(request)):
                return await refuse(
                    request, 429, "rate_limited",
                    "Too many messages. Please wait a minute and try again.",
                    session_id, body.get("message"), self.name(),
                )
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, session_id, input_channel=self.name())
                )
            except LockError:
                # A flood of messages for one conversation: this one waited too long for its
                # turn. Expected under abuse, not a fault: answered like any refusal.
                logger.warning("A website message waited too long for its conversation; answered without it.")
                return await refuse(
                    request, 503, "server_error", "The message could not be handled.",
                    session_id, text, self.name(),
                )
            except Exception:  # noqa: BLE001 - the visitor still gets an answer, risk first
                logger.exception("Could not handle a website message.")
                return await refuse(
                    request, 500, "server_error", "The message could not be handled.",
                    session_id, text, self.name(),
                )
            return response.json(collector.messages)

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            session_id = sessions.pop(sid, None)
            if session_id is not None and holders.get(session_id) == sid:
                holders.pop(session_id, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any = None, *_: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = accepted_session_id(requested)
            if holders.get(session_id, sid) != sid:
                # Bound to another live connection: whoever knows the id cannot take it over
                # (read its replies, speak in it). This connection gets a fresh one.
                logger.warning("Refused a second connection for a session in use.")
                session_id = new_session_id()
            previous = sessions.get(sid)
            if previous and previous != session_id:
                await sio.leave_room(sid, previous, namespace=self.namespace)
                if holders.get(previous) == sid:
                    holders.pop(previous, None)
            await sio.enter_room(sid, session_id, namespace=self.namespace)
            sessions[sid] = session_id
            holders[session_id] = sid
            await sio.emit(
                "session_confirm", session_id, room=sid, namespace=self.namespace
            )

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any = None, *_: Any) -> None:
            session_id = sessions.get(sid)
            if not isinstance(data, dict) or session_id is None:
                logger.info("Dropped a socket.io message without a confirmed session.")
                return
            if data.get("session_id") not in (None, session_id):
                logger.warning("Dropped a socket.io message for another session.")
                return
            guard = shared_guard()
            text = guard.prepare(data.get("message"))
            if text is None:
                logger.info("Dropped a socket.io message that was not text.")
                return
            # engineio's Sanic driver sets REMOTE_ADDR to 127.0.0.1 for everyone; the real
            # connection is the Sanic request it keeps beside it.
            connection = (sio.get_environ(sid, namespace=self.namespace) or {}).get("sanic.request")
            address = caller_address(connection) if connection is not None else None
            output = WebChatOutput(sio, self.bot_message_evt, self.namespace)
            if not guard.admit(session_id, address):
                answer = await answer_refusal(
                    app_agent(connection), session_id, data.get("message"),
                    "rate_limited", self.name(), notify=guard.notify_refusal(session_id),
                )
                if answer.crisis:
                    for reply in answer.messages:
                        await output.send_response(session_id, reply)
                else:
                    notice = answer.messages[0]["text"] if answer.messages else None
                    await sio.emit(
                        "rate_limited", {"retry_after_seconds": 60, "text": notice},
                        room=sid, namespace=self.namespace,
                    )
                return
            # Client metadata is never passed on: it would be stored with the conversation.
            message = UserMessage(text, output, session_id, input_channel=self.name())
            try:
                await on_new_message(message)
            except Exception as failure:  # noqa: BLE001 - the visitor still gets an answer, risk first
                if isinstance(failure, LockError):
                    # A flood of frames for one conversation: this one waited too long for its
                    # turn. Expected under abuse, not a fault: no traceback in the log.
                    logger.warning("A website message waited too long for its conversation; answered without it.")
                else:
                    logger.exception("Could not handle a website message.")
                answer = await answer_refusal(
                    app_agent(connection), session_id, text, "server_error", self.name()
                )
                for reply in answer.messages:
                    await output.send_response(session_id, reply)

        return blueprint


class WebChatOutput(SocketIOOutput):
    """Sends replies to the session's room in the channel's namespace."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text, namespace: Optional[Text]):
        """Remembers the namespace Rasa's output ignores."""
        super().__init__(sio, bot_message_evt)
        self._namespace = namespace

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        await self.sio.emit(
            self.bot_message_evt, response, room=socket_id, namespace=self._namespace
        )


__all__ = ["WebChatInput", "WebChatOutput", "OutputChannel"]
