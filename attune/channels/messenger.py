"""Facebook Messenger, with Meta's SHA-256 request signature checked.

What differs from `rasa.core.channels.facebook.FacebookInput` (Rasa 3.6.21), which checks the
old SHA-1 signature with a plain `==`:
- every POST must carry `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed
  with the app secret>`, compared in constant time; anything else gets 403 and is never
  processed or stored;
- the subscription check (GET with `hub.challenge`) answers only the configured verify token;
- a message id (`mid`) seen in the last hour is acknowledged and ignored (a replay);
- every message of a batched delivery is handled (Rasa stops after the first);
- a quick-reply or postback payload is used only if this bot can have offered it; otherwise
  the visible text goes through NLU like any message;
- replies are planned for Messenger (`attune.channels.formatting`): at most 2000 characters a
  message, the turn's buttons as quick replies under the last message, numbered in the text
  when their titles are too long for Messenger's 20 characters;
- sending runs off the event loop (fbmessenger uses blocking requests), with the app secret
  proof, and its errors are logged without message content.

Enabled by ATTUNE_MESSENGER_APP_SECRET, ATTUNE_MESSENGER_PAGE_TOKEN and
ATTUNE_MESSENGER_VERIFY_TOKEN; without them every webhook gets 503.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from fbmessenger import MessengerClient
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput, MessengerBot

from attune.channels.formatting import Outgoing
from attune.channels.guard import MAX_BODY_BYTES
from attune.channels.messaging import MessagingInput, env, not_configured
from attune.channels.http import add_health_route, error

logger = logging.getLogger(__name__)

APP_SECRET_ENV = "ATTUNE_MESSENGER_APP_SECRET"
PAGE_TOKEN_ENV = "ATTUNE_MESSENGER_PAGE_TOKEN"
VERIFY_TOKEN_ENV = "ATTUNE_MESSENGER_VERIFY_TOKEN"
# Where the Send API lives; tests point it at a fake on loopback.
GRAPH_URL_ENV = "ATTUNE_MESSENGER_GRAPH_URL"
DEFAULT_GRAPH_URL = "https://graph.facebook.com"
GRAPH_VERSION_ENV = "ATTUNE_MESSENGER_GRAPH_VERSION"
# Calls to a retired Graph API version are served by the oldest supported one.
DEFAULT_GRAPH_VERSION = "21.0"
SEND_TIMEOUT_SECONDS = 10


def hub_signature(app_secret: Text, body: bytes) -> Text:
    """The `X-Hub-Signature-256` value Meta sends for `body`."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def valid_hub_signature(app_secret: Text, body: bytes, presented: Optional[Text]) -> bool:
    """Whether `presented` is Meta's signature of `body` (constant-time compare)."""
    if not presented:
        return False
    return hmac.compare_digest(hub_signature(app_secret, body).encode(), presented.encode())


class MessengerOutput(MessengerBot):
    """Rasa's Messenger output, sending planned messages without blocking the server."""

    @classmethod
    def from_environment(cls) -> "MessengerOutput":
        """A client for the page in ATTUNE_MESSENGER_PAGE_TOKEN, with the app secret proof."""
        client = MessengerClient(
            env(PAGE_TOKEN_ENV),
            app_secret=env(APP_SECRET_ENV),
            api_version=env(GRAPH_VERSION_ENV) or DEFAULT_GRAPH_VERSION,
        )
        base = (env(GRAPH_URL_ENV) or DEFAULT_GRAPH_URL).rstrip("/")
        client.graph_url = f"{base}/v{client.api_version}"
        return cls(client)

    async def deliver(self, recipient_id: Text, message: Outgoing) -> None:
        """Sends one message, with its buttons as quick replies."""
        payload: Dict[Text, Any] = {"text": message.text}
        if message.buttons:
            payload["quick_replies"] = [
                {"content_type": "text", "title": b["title"], "payload": b["payload"]}
                for b in message.buttons
            ]
        loop = asyncio.get_running_loop()
        try:
            answer = await loop.run_in_executor(
                None,
                lambda: self.messenger_client.send(
                    payload, recipient_id, "RESPONSE", timeout=SEND_TIMEOUT_SECONDS
                ),
            )
        except Exception as exc:  # noqa: BLE001 - a send failure must not fail the webhook
            logger.error("Messenger send failed: %s", type(exc).__name__)
            return
        if isinstance(answer, dict) and answer.get("error"):
            error_info = answer["error"]
            logger.error(
                "Messenger refused a message: code %s", error_info.get("code", "unknown")
            )


class VerifiedMessengerInput(MessagingInput, FacebookInput):
    """Rasa's Messenger channel with SHA-256 signatures, replay checks and planned replies."""

    kind = "messenger"

    @classmethod
    def name(cls) -> Text:
        """Keeps Rasa's channel name and URL (/webhooks/facebook/webhook)."""
        return "facebook"

    def __init__(self) -> None:
        """Reads the app secret, page token and verify token."""
        MessagingInput.__init__(self)
        FacebookInput.__init__(
            self, env(VERIFY_TOKEN_ENV), env(APP_SECRET_ENV), env(PAGE_TOKEN_ENV)
        )

    def missing_settings(self) -> List[Text]:
        """The environment variables still to set for this channel to work."""
        settings = {
            APP_SECRET_ENV: self.fb_secret,
            PAGE_TOKEN_ENV: self.fb_access_token,
            VERIFY_TOKEN_ENV: self.fb_verify,
        }
        return [name for name, value in settings.items() if not value]

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """GET / for health; GET /webhook for Meta's check; POST /webhook for messages."""
        blueprint = Blueprint("verified_fb_webhook", __name__)
        output: Optional[MessengerOutput] = None

        add_health_route(blueprint)

        @blueprint.route("/webhook", methods=["GET"])
        async def subscription_check(request: Request) -> HTTPResponse:
            missing = self.missing_settings()
            if missing:
                return not_configured("Messenger", missing)
            token = request.args.get("hub.verify_token") or ""
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(
                token.encode(), self.fb_verify.encode()
            ):
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning("Refused a Messenger subscription check with a wrong verify token.")
            return error(403, "The verify token does not match.")

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            nonlocal output
            missing = self.missing_settings()
            if missing:
                return not_configured("Messenger", missing)
            body = request.body or b""
            if len(body) > MAX_BODY_BYTES:
                return error(413, f"The request body is larger than {MAX_BODY_BYTES} bytes.")
            signature = request.headers.get("x-hub-signature-256")
            if not valid_hub_signature(self.fb_secret, body, signature):
                logger.warning("Refused a Messenger webhook without a valid signature.")
                return error(403, "This request is not signed with this app's secret.")
            try:
                delivery = json.loads(body)
            except (ValueError, UnicodeDecodeError, RecursionError):
                return error(400, "The body is not valid JSON.")
            if not isinstance(delivery, dict) or delivery.get("object") != "page":
                return response.text("ignored")
            if not well_formed(delivery):
                return error(400, "The delivery does not have Messenger's shape.")
            output = output or MessengerOutput.from_environment()
            for event in messaging_events(delivery):
                await self._handle_event(request, on_new_message, output, event)
            return response.text("EVENT_RECEIVED")

        return blueprint

    async def _handle_event(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        output: MessengerOutput,
        event: Dict[Text, Any],
    ) -> None:
        """Handles one messaging event of a delivery: a message or a postback."""
        sender = str((event.get("sender") or {}).get("id") or "")
        message = event.get("message") if isinstance(event.get("message"), dict) else None
        postback = event.get("postback") if isinstance(event.get("postback"), dict) else None
        if not sender or (message is None and postback is None):
            return
        if message is not None and message.get("is_echo"):
            return
        source = message if message is not None else postback
        assert source is not None  # returned above when there is neither
        message_id = source.get("mid") or f"{sender}:{event.get('timestamp')}"
        if not self.recent_ids.first_time(f"facebook:{message_id}"):
            logger.info("Ignored a Messenger message already received (replay or retry).")
            return

        raw: Any = None
        if message is not None:
            quick = (message.get("quick_reply") or {}).get("payload")
            if isinstance(quick, str) and self.payload_allowed(request, sender, quick):
                raw = quick
            else:
                raw = message.get("text")
        else:  # the postback (source)
            payload = source.get("payload")
            if isinstance(payload, str) and self.payload_allowed(request, sender, payload):
                raw = payload
            else:
                raw = source.get("title")
        text = self.user_text(sender, raw)
        if text is None:
            return
        try:
            if self.admit(sender):
                outgoing = await self.run_turn(request, on_new_message, sender, text)
            else:
                logger.info("A Messenger message was over the rate limit.")
                outgoing = await self.refused_turn(request, sender, raw)
        except Exception:
            self.recent_ids.forget(f"facebook:{message_id}")
            logger.exception("Could not handle a Messenger message.")
            return
        for item in outgoing:
            await output.deliver(sender, item)

    def get_output_channel(self) -> Optional[OutputChannel]:
        """The page's sender, for Rasa's API (Attune itself only answers)."""
        return MessengerOutput.from_environment() if not self.missing_settings() else None


def messaging_events(delivery: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """Every messaging event of a webhook delivery, in order."""
    events: List[Dict[Text, Any]] = []
    for entry in delivery.get("entry") or []:
        if isinstance(entry, dict):
            events.extend(e for e in entry.get("messaging") or [] if isinstance(e, dict))
    return events


def well_formed(delivery: Dict[Text, Any]) -> bool:
    """Whether a signed delivery has the shape Messenger sends: lists and objects where it
    sends them (anything else gets a 400, never a server error)."""
    entries = delivery.get("entry", [])
    if not isinstance(entries, list):
        return False
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("messaging", []), list):
            return False
        for event in entry.get("messaging", []):
            if not isinstance(event, dict):
                return False
            for key in ("sender", "message", "postback"):
                if key in event and not isinstance(event[key], dict):
                    return False
            message = event.get("message") or {}
            if "quick_reply" in message and not isinstance(message["quick_reply"], dict):
                return False
    return True
