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
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput

from attune import patches
from attune.channels.guard import shared_guard, valid_sender
from attune.channels.http import (
    add_health_route,
    caller_address,
    error,
    is_loopback,
    read_json,
    refuse,
    salvage_field,
)
from attune.channels.idempotency import handle_once, valid_message_id
from attune.warmup import warm_up

logger = logging.getLogger(__name__)

TOKEN_ENV = "ATTUNE_REST_TOKEN"


def authorised(request: Request, token: Optional[Text]) -> bool:
    """Token callers anywhere; without a configured token, loopback callers only."""
    if not token:
        # The TCP peer itself, never a forwarded address: a header must not open the door.
        return is_loopback(request.ip or None)
    presented = request.headers.get("authorization", "")
    expected = f"Bearer {token}"
    return hmac.compare_digest(presented.encode(), expected.encode())


class GuardedRestInput(RestInput):
    """Rasa's REST channel with authentication, validation and rate limits."""

    @classmethod
    def name(cls) -> Text:
        """Keeps Rasa's channel name and URL (/webhooks/rest/webhook)."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """No options: the token comes from the environment."""
        patches.install()
        return cls()

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        """GET / for health, POST /webhook for messages."""
        blueprint = Blueprint("guarded_rest_webhook", __name__)
        token = os.environ.get(TOKEN_ENV) or None
        # The first visitor after a start must not wait for the model's first run.
        blueprint.listener("after_server_start")(warm_up)

        add_health_route(blueprint)

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
