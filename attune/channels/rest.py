"""The REST channel for server-to-server integrations, guarded.

What differs from `rasa.core.channels.rest.RestInput` (Rasa 3.6.21), which trusts any caller:
- callers beyond this machine must present `Authorization: Bearer $ATTUNE_REST_TOKEN`; without
  a configured token only loopback callers are served (403 otherwise);
- malformed JSON, a wrong content type, a missing or odd `sender`, a non-text `message` get a
  400 with a plain explanation, never a 500; bodies over 64 KiB get 413;
- per-sender and per-address rate limits (429);
- the message is cleaned and over-long messages handled as in `attune.channels.guard`;
- the caller cannot pick the `input_channel` or inject metadata into the stored conversation;
- an optional `message_id` makes retries safe: a message already stored under that id is
  answered with its stored replies instead of being stored again (`attune.channels.idempotency`).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput

from attune import log_privacy
from attune.channels.guard import MAX_BODY_BYTES, shared_guard, valid_sender
from attune.channels.idempotency import handle_once, valid_message_id
from attune.warmup import warm_up

logger = logging.getLogger(__name__)

TOKEN_ENV = "ATTUNE_REST_TOKEN"


def error(status: int, message: Text) -> HTTPResponse:
    """A JSON error body a client developer can read."""
    return response.json({"error": message}, status=status)


def is_loopback(address: Optional[Text]) -> bool:
    """Whether the caller is on this machine."""
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


TRUSTED_PROXIES_ENV = "ATTUNE_TRUSTED_PROXIES"


def trusted_proxies() -> Tuple[Any, ...]:
    """The practice's own reverse proxies: addresses or networks, comma-separated in
    ATTUNE_TRUSTED_PROXIES (for example `127.0.0.1` or `172.16.0.0/12`); bad entries are ignored."""
    networks = []
    for part in os.environ.get(TRUSTED_PROXIES_ENV, "").split(","):
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def _within(address: Text, networks: Tuple[Any, ...]) -> Optional[bool]:
    """Whether `address` is in one of `networks`; None when it is not an IP address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    return any(ip in network for network in networks)


def caller_address(request: Request) -> Optional[Text]:
    """The visitor's address, for the per-address rate limit.

    The TCP peer, unless the peer is one of the practice's own proxies (ATTUNE_TRUSTED_PROXIES):
    then the nearest address in X-Forwarded-For that is not one of those proxies. Behind a proxy
    every visitor would otherwise share the proxy's one budget. The header is never believed
    from anyone else, so a visitor cannot pick an address to escape the limit.
    """
    peer = request.ip or None
    proxies = trusted_proxies()
    if peer and proxies and _within(peer, proxies):
        forwarded = request.headers.get("x-forwarded-for", "")
        for hop in reversed([hop.strip() for hop in forwarded.split(",")]):
            inside = _within(hop, proxies)
            if inside is None:
                break
            if not inside:
                return hop
    return peer


def authorised(request: Request, token: Optional[Text]) -> bool:
    """Token callers anywhere; without a configured token, loopback callers only."""
    if not token:
        # The TCP peer itself, never a forwarded address: a header must not open the door.
        return is_loopback(request.ip or None)
    presented = request.headers.get("authorization", "")
    expected = f"Bearer {token}"
    return hmac.compare_digest(presented.encode(), expected.encode())


# A body refused as too large is still read for risk up to this size (its words are checked,
# never stored or logged); anything bigger is refused unread.
SCREEN_BODY_BYTES = 1024 * 1024


def parse_body(request: Request) -> Tuple[Optional[Dict[Text, Any]], Optional[HTTPResponse]]:
    """The JSON object of the request, or the error response to send instead."""
    body, status, message = read_json(request)
    return (body, None) if body is not None else (None, error(status, message))


def read_json(request: Request) -> Tuple[Optional[Dict[Text, Any]], int, Text]:
    """The JSON object of the request, or None with the HTTP status and explanation."""
    if len(request.body or b"") > MAX_BODY_BYTES:
        return None, 413, f"The request body is larger than {MAX_BODY_BYTES} bytes."
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return None, 400, "Send the message as JSON with Content-Type: application/json."
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: "[[[[..."
        return None, 400, "The body is not valid JSON (UTF-8)."
    if not isinstance(body, dict):
        return None, 400, 'The body must be a JSON object: {"sender": ..., "message": ...}.'
    return body, 200, ""


def salvage_field(raw: Optional[bytes], key: Text) -> Optional[Text]:
    """A text field of a body that was refused (too large, bad encoding), for the risk check.

    Undecodable bytes become U+FFFD, so the words around them can still be read.
    """
    if not raw or len(raw) > SCREEN_BODY_BYTES:
        return None
    try:
        body = json.loads(raw.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return None
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


async def refuse(
    request: Request,
    status: int,
    reason: Text,
    message: Text,
    sender: Optional[Text],
    text: Any,
    channel: Text,
) -> HTTPResponse:
    """A refusal that answers risk first.

    A message with risk gets the crisis reply (200, as a normal turn's replies); any other
    gets the error, whose text names the crisis line.
    """
    from attune.channels.refusal import answer_refusal, crisis_reminder

    agent = getattr(request.app.ctx, "agent", None)
    answer = await answer_refusal(agent, sender or "anonymous", text, reason, channel)
    if not answer.crisis:
        return error(status, f"{message} {crisis_reminder()}")
    return response.json([{"recipient_id": sender, **reply} for reply in answer.messages])


class GuardedRestInput(RestInput):
    """Rasa's REST channel with authentication, validation and rate limits."""

    @classmethod
    def name(cls) -> Text:
        """Keeps Rasa's channel name and URL (/webhooks/rest/webhook)."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """No options: the token comes from the environment."""
        log_privacy.install()
        return cls()

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        """GET / for health, POST /webhook for messages."""
        blueprint = Blueprint("guarded_rest_webhook", __name__)
        token = os.environ.get(TOKEN_ENV) or None
        # The first visitor after a start must not wait for the model's first run.
        blueprint.listener("after_server_start")(warm_up)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not authorised(request, token):
                return error(403, "This endpoint needs a valid bearer token.")
            body, status, problem = read_json(request)
            if body is None:
                reason = "too_large" if status == 413 else "unreadable"
                raw = request.body
                return await refuse(
                    request, status, reason, problem, salvage_field(raw, "sender"),
                    salvage_field(raw, "message"), self.name(),
                )
            sender = body.get("sender")
            if not valid_sender(sender):
                return error(400, "'sender' must be 1-128 letters, digits or . _ : @ + -")
            guard = shared_guard()
            text = guard.prepare(body.get("message"))
            if text is None:
                return error(400, "'message' must be a string.")
            message_id = body.get("message_id")
            if message_id is not None and not valid_message_id(message_id):
                return error(400, "'message_id' must be 1-128 letters, digits or . _ : @ + -")
            if not guard.admit(sender, caller_address(request)):
                return await refuse(
                    request, 429, "rate_limited",
                    "Too many messages. Please wait a minute and try again.",
                    sender, body.get("message"), self.name(),
                )
            collector = CollectingOutputChannel()
            message = UserMessage(
                text, collector, sender, input_channel=self.name(), message_id=message_id
            )
            replayed = None
            try:
                if message_id is None:
                    await on_new_message(message)
                else:
                    agent = getattr(request.app.ctx, "agent", None)
                    replayed = await handle_once(agent, message, on_new_message)
            except Exception:  # noqa: BLE001 - the visitor still gets an answer, risk first
                logger.exception("Could not handle a REST message.")
                return await refuse(
                    request, 500, "server_error", "The message could not be handled.",
                    sender, text, self.name(),
                )
            return response.json(collector.messages if replayed is None else replayed)

        return blueprint
