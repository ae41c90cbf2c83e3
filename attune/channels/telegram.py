"""Telegram, with the webhook's secret token checked.

What differs from `rasa.core.channels.telegram.TelegramInput` (Rasa 3.6.21), whose `verify` is
only the bot's public user name:
- the webhook is registered with a secret token (`setWebhook(secret_token=...)`), and every
  update must carry it in `X-Telegram-Bot-Api-Secret-Token`, compared in constant time;
  anything else gets 403 and is never processed or stored;
- an `update_id` seen in the last hour is acknowledged and ignored (a replay);
- only private chats are served: in a group, one conversation would mix several people;
- a button's data is used only if this bot can have offered it (a modified app can send any),
  and the tap is acknowledged so the button stops spinning;
- Telegram's /start and /help commands become the greeting and help intents;
- the webhook is registered after the server starts; a failure is logged and does not stop
  the server; there is no public /set_webhook route;
- replies are planned for Telegram (`attune.channels.formatting`): plain text within 4096
  characters, one button per row under its own message, no link previews.

Enabled by ATTUNE_TELEGRAM_TOKEN and ATTUNE_PUBLIC_BASE_URL. The secret token is
ATTUNE_TELEGRAM_WEBHOOK_SECRET, or derived from the bot token when that is unset. Without them
every webhook gets 503. ATTUNE_TELEGRAM_API_URL points the bot at another Bot API server (a
self-hosted one, or the tests' fake on loopback).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput

from attune.channels.formatting import Outgoing
from attune.channels.guard import MAX_BODY_BYTES
from attune.channels.messaging import MessagingInput, env, not_configured, public_url
from attune.channels.http import add_health_route, error

logger = logging.getLogger(__name__)

TOKEN_ENV = "ATTUNE_TELEGRAM_TOKEN"
SECRET_ENV = "ATTUNE_TELEGRAM_WEBHOOK_SECRET"
API_URL_ENV = "ATTUNE_TELEGRAM_API_URL"
DEFAULT_API_URL = "https://api.telegram.org"
WEBHOOK_PATH = "/webhooks/telegram/webhook"
SECRET_HEADER = "x-telegram-bot-api-secret-token"
# Telegram accepts 1-256 of these characters as a secret token.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
# Telegram's built-in commands, as the intents they mean.
COMMANDS = {"/start": "/greet", "/help": "/help"}


def webhook_secret(bot_token: Text, configured: Optional[Text]) -> Text:
    """The secret token: the configured one, or one derived from the bot token."""
    if configured:
        return configured
    return hmac.new(bot_token.encode(), b"attune telegram webhook", hashlib.sha256).hexdigest()


def valid_secret(expected: Text, presented: Optional[Text]) -> bool:
    """Whether the update carries the webhook's secret token (constant-time compare)."""
    if not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())


def command_text(text: Text) -> Text:
    """A Telegram command as the intent it means; other text unchanged."""
    word = text.split(maxsplit=1)[0] if text.strip() else ""
    return COMMANDS.get(word.split("@")[0].lower(), text)


def well_formed(update: Dict[Text, Any]) -> bool:
    """Whether a verified update has the shape Telegram sends: objects where it sends them
    (anything else gets a 400, never a server error)."""
    for key in ("message", "edited_message", "callback_query"):
        if key in update and not isinstance(update[key], dict):
            return False
    callback = update.get("callback_query") or {}
    messages = [update.get("message") or {}, update.get("edited_message") or {}, callback.get("message") or {}]
    if not all(isinstance(m, dict) for m in messages):
        return False
    return all(isinstance(m.get("chat", {}), dict) for m in messages)


def update_parts(update: Dict[Text, Any]) -> Tuple[Optional[Dict], Optional[Dict]]:
    """(message, callback_query) of an update; either may be None."""
    message = update.get("message") or update.get("edited_message")
    callback = update.get("callback_query")
    return (
        message if isinstance(message, dict) else None,
        callback if isinstance(callback, dict) else None,
    )


class AttuneTelegramOutput(TelegramOutput):
    """Rasa's Telegram output (an aiogram Bot) on a configurable Bot API server."""

    def __init__(self, access_token: Text, api_url: Text = DEFAULT_API_URL) -> None:
        """A bot for `access_token` that calls the Bot API at `api_url`."""
        Bot.__init__(self, access_token, server=TelegramAPIServer.from_base(api_url))

    async def deliver(self, chat_id: Text, message: Outgoing) -> None:
        """Sends one message, its buttons one per row (titles are sentences)."""
        markup = None
        if message.buttons:
            markup = InlineKeyboardMarkup()
            for button in message.buttons:
                markup.row(
                    InlineKeyboardButton(button["title"], callback_data=button["payload"])
                )
        try:
            await self.send_message(
                chat_id, message.text, reply_markup=markup, disable_web_page_preview=True
            )
        except Exception as exc:  # noqa: BLE001 - a send failure must not fail the webhook
            logger.error("Telegram send failed: %s", type(exc).__name__)

    async def register_webhook(self, url: Text, secret: Text) -> bool:
        """Points Telegram at `url` with the secret token every update must carry."""
        # aiogram 2.15 predates `secret_token`, so the call is made by name.
        result = await self.request(
            "setWebhook",
            {"url": url, "secret_token": secret, "allowed_updates": json.dumps(ALLOWED_UPDATES)},
        )
        return bool(result)


class VerifiedTelegramInput(MessagingInput, TelegramInput):
    """Rasa's Telegram channel with the webhook secret checked and replies planned."""

    kind = "telegram"

    @classmethod
    def name(cls) -> Text:
        """Keeps Rasa's channel name and URL (/webhooks/telegram/webhook)."""
        return "telegram"

    def __init__(self) -> None:
        """Reads the bot token and the webhook secret; contacts nobody yet."""
        MessagingInput.__init__(self)
        token = env(TOKEN_ENV)
        TelegramInput.__init__(self, token, None, public_url(WEBHOOK_PATH), debug_mode=False)
        self.secret = webhook_secret(token, env(SECRET_ENV)) if token else None
        self.api_url = env(API_URL_ENV) or DEFAULT_API_URL
        self._bot: Optional[AttuneTelegramOutput] = None

    def missing_settings(self) -> List[Text]:
        """The environment variables still to set (or to fix) for this channel to work."""
        missing = []
        if not self.access_token or not TOKEN_PATTERN.match(self.access_token):
            missing.append(TOKEN_ENV)
        if not self.webhook_url:
            missing.append("ATTUNE_PUBLIC_BASE_URL")
        if self.secret is not None and not SECRET_PATTERN.match(self.secret):
            missing.append(f"{SECRET_ENV} (1-256 letters, digits, _ or -)")
        return missing

    def bot(self) -> AttuneTelegramOutput:
        """The one bot of this process, made inside the running event loop."""
        if self._bot is None:
            self._bot = AttuneTelegramOutput(self.access_token, self.api_url)
        return self._bot

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """GET / for health, POST /webhook for updates; registers the webhook at start."""
        blueprint = Blueprint("verified_telegram_webhook", __name__)

        @blueprint.listener("after_server_start")
        async def register(*_: Any) -> None:
            if self.missing_settings():
                logger.info("Telegram is not configured; its webhook answers 503.")
                return
            assert self.secret is not None  # set whenever the bot token is
            try:
                registered = await self.bot().register_webhook(self.webhook_url, self.secret)
            except Exception as exc:  # noqa: BLE001 - Telegram being down must not stop Attune
                registered = False
                logger.error("Telegram setWebhook failed: %s", type(exc).__name__)
            if registered:
                logger.info("Telegram webhook registered at %s.", self.webhook_url)

        @blueprint.listener("before_server_stop")
        async def close(*_: Any) -> None:
            if self._bot is not None:
                await self._bot.session.close()

        add_health_route(blueprint)

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            missing = self.missing_settings()
            if missing:
                return not_configured("Telegram", missing)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return error(413, f"The request body is larger than {MAX_BODY_BYTES} bytes.")
            assert self.secret is not None  # set whenever the bot token is
            if not valid_secret(self.secret, request.headers.get(SECRET_HEADER)):
                logger.warning("Refused a Telegram update without the webhook's secret token.")
                return error(403, "This request does not carry the webhook's secret token.")
            try:
                update = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError, RecursionError):
                return error(400, "The body is not valid JSON.")
            if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
                return error(400, "A Telegram update needs an update_id.")
            if not well_formed(update):
                return error(400, "The update does not have Telegram's shape.")
            if not self.recent_ids.first_time(f"telegram:{update['update_id']}"):
                logger.info("Ignored a Telegram update already received (replay or retry).")
                return response.text("ok")
            try:
                await self._handle_update(request, on_new_message, update)
            except Exception:
                # Telegram retries an update that got an error: let the retry through.
                self.recent_ids.forget(f"telegram:{update['update_id']}")
                logger.exception("Could not handle a Telegram update.")
                return error(500, "The update could not be handled.")
            return response.text("ok")

        return blueprint

    async def _handle_update(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        update: Dict[Text, Any],
    ) -> None:
        """Handles one verified update: a text message or a button tap in a private chat."""
        message, callback = update_parts(update)
        raw: Any = None
        if callback is not None:
            message = callback.get("message") if isinstance(callback.get("message"), dict) else None
            if callback.get("id"):
                try:
                    await self.bot().answer_callback_query(callback["id"])
                except Exception as exc:  # noqa: BLE001 - only stops the button's spinner
                    logger.warning("Telegram answerCallbackQuery failed: %s", type(exc).__name__)
        chat = (message or {}).get("chat") or {}
        if chat.get("type") != "private" or chat.get("id") is None:
            return
        sender = str(chat["id"])
        assert message is not None  # the chat was read from it
        if callback is not None:
            data = callback.get("data")
            if not isinstance(data, str) or not self.payload_allowed(request, sender, data):
                logger.info("Ignored a Telegram button this bot did not offer.")
                return
            raw = data
        else:
            raw = message.get("text")
            if isinstance(raw, str):
                raw = command_text(raw)
        text = self.user_text(sender, raw)
        if text is None:
            return
        if self.admit(sender):
            outgoing = await self.run_turn(request, on_new_message, sender, text)
        else:
            logger.info("A Telegram message was over the rate limit.")
            outgoing = await self.refused_turn(request, sender, raw)
        bot = self.bot()
        for item in outgoing:
            await bot.deliver(sender, item)

    def get_output_channel(self) -> Optional[OutputChannel]:
        """The bot, for Rasa's API (Attune itself only answers); never sets the webhook."""
        return None if self.missing_settings() else self.bot()
