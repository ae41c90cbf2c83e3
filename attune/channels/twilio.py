"""SMS and WhatsApp through Twilio, with Twilio's request signature checked.

What differs from `rasa.core.channels.twilio.TwilioInput` (Rasa 3.6.21), which checks nothing:
- every request must carry a valid `X-Twilio-Signature`: base64 HMAC-SHA1, keyed with the
  account's auth token, of the public webhook URL (ATTUNE_PUBLIC_BASE_URL + path) followed by
  every POST parameter's name and value, sorted by name. Anything else gets 403 and is never
  processed or stored;
- a `MessageSid` seen in the last hour is acknowledged and ignored (a replay);
- replies go back in the webhook's answer as TwiML, so no account SID or outgoing API call is
  needed and a reply can only ever reach the number that wrote;
- the conversation id is a keyed hash of the phone number ("sms-..." or "whatsapp-..."), so
  the number itself is never stored or logged;
- buttons become a numbered list, long replies are split within Twilio's 1600 characters, SMS
  text avoids characters that would make every part shorter (`attune.channels.formatting`).

Enabled by ATTUNE_TWILIO_AUTH_TOKEN and ATTUNE_PUBLIC_BASE_URL; without them every webhook
gets 503. docs/messaging.md walks a practice through it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from typing import Any, Awaitable, Callable, Iterable, List, Optional, Text, Tuple
from urllib.parse import parse_qsl, urlsplit, urlunsplit
from xml.sax.saxutils import escape

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput

from attune.channels.formatting import Outgoing
from attune.channels.guard import MAX_BODY_BYTES
from attune.channels.messaging import MessagingInput, env, not_configured, public_url
from attune.channels.http import add_health_route, error

logger = logging.getLogger(__name__)

AUTH_TOKEN_ENV = "ATTUNE_TWILIO_AUTH_TOKEN"
WEBHOOK_PATH = "/webhooks/twilio/webhook"
WHATSAPP_PREFIX = "whatsapp:"


MESSAGE_SID = re.compile(r"^(?:SM|MM)[0-9a-f]{32}$")


def twilio_signature(auth_token: Text, url: Text, params: Iterable[Tuple[Text, Text]]) -> Text:
    """The signature Twilio sends for a form POST to `url` with `params`."""
    pairs = sorted(set(params))  # by name, then value, as Twilio's own libraries do
    payload = url + "".join(name + value for name, value in pairs)
    digest = hmac.new(auth_token.encode(), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def url_variants(url: Text) -> List[Text]:
    """`url` with and without its default port: Twilio signs either form."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    default_port = 443 if parts.scheme == "https" else 80
    without = urlunsplit(parts._replace(netloc=host))
    with_port = urlunsplit(parts._replace(netloc=f"{host}:{parts.port or default_port}"))
    return [url] + [v for v in (without, with_port) if v != url]


def valid_signature(
    auth_token: Text, url: Text, params: List[Tuple[Text, Text]], presented: Optional[Text]
) -> bool:
    """Whether `presented` is Twilio's signature of this request (constant-time compare)."""
    if not presented:
        return False
    return any(
        hmac.compare_digest(
            twilio_signature(auth_token, candidate, params).encode(), presented.encode()
        )
        for candidate in url_variants(url)
    )


def conversation_id(auth_token: Text, sender: Text) -> Text:
    """A stable id for a phone number that does not reveal it."""
    kind = "whatsapp" if sender.startswith(WHATSAPP_PREFIX) else "sms"
    digest = hmac.new(auth_token.encode(), sender.encode(), hashlib.sha256).hexdigest()
    return f"{kind}-{digest[:32]}"


def twiml(messages: List[Outgoing]) -> HTTPResponse:
    """A TwiML answer that sends `messages` to the visitor, in order."""
    body = "".join(f"<Message>{escape(m.text)}</Message>" for m in messages)
    return response.text(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>',
        content_type="application/xml",
    )


class VerifiedTwilioInput(MessagingInput, TwilioInput):
    """Rasa's Twilio channel with signatures checked and replies sent as TwiML."""

    @classmethod
    def name(cls) -> Text:
        """Keeps Rasa's channel name and URL (/webhooks/twilio/webhook)."""
        return "twilio"

    def __init__(self) -> None:
        """Reads the auth token; the account SID and number are not needed for replies."""
        MessagingInput.__init__(self)
        TwilioInput.__init__(self, None, env(AUTH_TOKEN_ENV), None, debug_mode=False)

    def missing_settings(self) -> List[Text]:
        """The environment variables still to set for this channel to work."""
        missing = [] if self.auth_token else [AUTH_TOKEN_ENV]
        if public_url(WEBHOOK_PATH) is None:
            missing.append("ATTUNE_PUBLIC_BASE_URL")
        return missing

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """GET / for health, POST /webhook for Twilio's messages."""
        blueprint = Blueprint("verified_twilio_webhook", __name__)

        add_health_route(blueprint)

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            missing = self.missing_settings()
            if missing:
                return not_configured("Twilio", missing)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return error(413, f"The request body is larger than {MAX_BODY_BYTES} bytes.")
            try:
                params = parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
            except (UnicodeDecodeError, ValueError):
                params = []
            url = public_url(request.path) or ""
            if request.query_string:
                url += "?" + request.query_string
            signature = request.headers.get("x-twilio-signature")
            if not valid_signature(self.auth_token, url, params, signature):
                logger.warning("Refused a Twilio webhook without a valid signature.")
                return error(403, "This request is not signed by Twilio for this address.")

            form = dict(params)
            message_id = form.get("MessageSid") or form.get("SmsMessageSid")
            sender = form.get("From")
            if not message_id or not sender:
                return error(400, "A Twilio message needs MessageSid and From.")
            # The signature covers the fields run together without separators, so characters
            # can be shifted from one field into the next without breaking it: the replay key
            # must be a MessageSid of Twilio's exact form, which such a shift cannot keep.
            if not MESSAGE_SID.match(message_id):
                return error(400, "MessageSid is not a Twilio message id.")
            if not self.recent_ids.first_time(f"twilio:{message_id}"):
                logger.info("Ignored a Twilio message already received (replay or retry).")
                return twiml([])
            conversation = conversation_id(self.auth_token, sender)
            text = self.user_text(conversation, form.get("Body"))
            if text is None:
                return twiml([])
            kind = "whatsapp" if sender.startswith(WHATSAPP_PREFIX) else "sms"
            try:
                if self.admit(conversation):
                    outgoing = await self.run_turn(
                        request, on_new_message, conversation, text, kind=kind
                    )
                else:
                    logger.info("A Twilio message was over the rate limit.")
                    outgoing = await self.refused_turn(
                        request, conversation, form.get("Body"), kind=kind
                    )
            except Exception:
                self.recent_ids.forget(f"twilio:{message_id}")
                logger.exception("Could not handle a Twilio message.")
                return error(500, "The message could not be handled.")
            return twiml(outgoing)

        return blueprint

    def get_output_channel(self) -> Optional[OutputChannel]:
        """None: Attune only answers, it never starts an SMS or WhatsApp conversation."""
        return None
