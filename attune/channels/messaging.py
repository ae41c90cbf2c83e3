"""What the messaging-app channels (Telegram, Twilio SMS/WhatsApp, Messenger) share.

Each app's channel verifies its webhook its own way, then hands the visitor's message to
`MessagingInput.run_turn`, which:
- cleans and length-checks the text and applies the per-sender rate limit like every channel
  (`attune.channels.guard`; never a per-address limit: every request comes from the app's
  servers);
- turns a number reply ("2") into the payload of an option just offered, and nothing else;
- runs the turn with a collecting output channel that keeps the app's name, so `channel:`
  response variations apply;
- on first contact (no stored conversation for this sender), adds the domain's
  `utter_messaging_privacy_note` after the first reply and before the closing options, when
  the domain has it;
- plans the replies for the app (`attune.channels.formatting.plan_turn`) and remembers the
  options it offered.

A message over the rate limit is never dropped in silence: `refused_turn` answers one with risk
with the crisis reply, and tells any other sender once a minute to pause, with the crisis line.

Secrets come from the environment. A channel whose secrets are missing still registers (so an
empty variable never stops the server), and answers every webhook with 503 "not configured".
"""

from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Text

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.trackers import DialogueStateTracker

from attune import patches
from attune.channels.formatting import OptionMemory, Outgoing, RecentIds, plan_turn, with_note
from attune.channels.guard import shared_guard
from attune.safety.taxonomy import HELP_PAYLOAD

logger = logging.getLogger(__name__)

PUBLIC_BASE_URL_ENV = "ATTUNE_PUBLIC_BASE_URL"
PRIVACY_NOTE_RESPONSE = "utter_messaging_privacy_note"


def env(name: Text) -> Optional[Text]:
    """An environment variable's value, or None when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def public_url(path: Text) -> Optional[Text]:
    """The URL the app calls for `path`, from ATTUNE_PUBLIC_BASE_URL (None when unset).

    Behind a reverse proxy the URL the server sees differs from the one the app signed, so the
    practice's public address is configured rather than guessed from headers.
    """
    base = env(PUBLIC_BASE_URL_ENV)
    return f"{base.rstrip('/')}{path}" if base else None


def not_configured(channel: Text, missing: Sequence[Text]) -> HTTPResponse:
    """The answer of a channel whose secrets are not set."""
    return response.json(
        {"error": f"The {channel} channel is not configured: set {', '.join(missing)}."},
        status=503,
    )


class TurnCollector(CollectingOutputChannel):
    """Collects one turn's replies under the app's channel name."""

    def __init__(self, channel_name: Text) -> None:
        """`channel_name` is what `channel:` variations in the domain match."""
        super().__init__()
        self._channel_name = channel_name

    def name(self) -> Text:
        """The app's channel name, not "collector"."""
        return self._channel_name


class MessagingInput(InputChannel):
    """Base of the messaging-app channels: one turn in, one planned reply out."""

    # The formatting profile of `attune.channels.formatting.CHANNEL_LIMITS`.
    kind: Text = ""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """No options in credentials.yml: each app's secrets come from the environment."""
        patches.install()
        return cls()

    def __init__(self) -> None:
        """Fresh option and replay memories for this channel."""
        self.options = OptionMemory()
        self.recent_ids = RecentIds()
        self._warned_missing_note = False

    def user_text(self, sender: Text, raw: Any) -> Optional[Text]:
        """The text to give Rasa: a chosen option's payload, the cleaned text, or None.

        None means there is nothing to process (not text, or empty).
        """
        text = shared_guard().prepare(raw)
        if not text:
            return None
        return self.options.resolve(sender, text) or text

    def admit(self, sender: Text) -> bool:
        """The per-sender rate limit (the address is always the app's server)."""
        return shared_guard().admit(sender, None)

    def payload_allowed(self, request: Request, sender: Text, payload: Text) -> bool:
        """Whether a button payload the app reports is one this bot can have offered.

        Button data comes from the visitor's app and a modified app can send any; it must be
        an option just offered, or a button payload written in the domain (older buttons stay
        tappable after a restart).
        """
        if self.options.offered(sender, payload):
            return True
        if payload == HELP_PAYLOAD:
            return True
        agent = getattr(request.app.ctx, "agent", None)
        domain = getattr(agent, "domain", None)
        for variations in (getattr(domain, "responses", None) or {}).values():
            for variation in variations:
                for button in variation.get("buttons") or []:
                    if button.get("payload") == payload:
                        return True
        return False

    async def refused_turn(
        self, request: Request, sender: Text, raw: Any, kind: Optional[Text] = None
    ) -> List[Outgoing]:
        """The messages to send for a message refused by the rate limit, planned for this app."""
        from attune.channels.refusal import answer_refusal

        agent = getattr(request.app.ctx, "agent", None)
        answer = await answer_refusal(
            agent, sender, raw, "rate_limited", self.name(),
            notify=shared_guard().notify_refusal(sender),
        )
        outgoing, options = plan_turn(answer.messages, kind or self.kind)
        if options:
            self.options.remember(sender, options)
        return outgoing

    async def run_turn(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender: Text,
        text: Text,
        kind: Optional[Text] = None,
    ) -> List[Outgoing]:
        """Runs one turn and returns the messages to send back, planned for this app.

        `kind` picks the formatting profile when one channel serves several (SMS, WhatsApp).
        """
        agent = getattr(request.app.ctx, "agent", None)
        first_contact = not await self._known(agent, sender)
        collector = TurnCollector(self.name())
        await on_new_message(
            UserMessage(text, collector, sender, input_channel=self.name())
        )
        messages: List[Dict[Text, Any]] = list(collector.messages)
        if first_contact:
            note = await self._privacy_note(agent, sender)
            if note:
                messages = with_note(messages, note)
        outgoing, options = plan_turn(messages, kind or self.kind)
        self.options.remember(sender, options)
        return outgoing

    @staticmethod
    async def _known(agent: Any, sender: Text) -> bool:
        """Whether a conversation is stored for this sender (an error counts as known)."""
        try:
            return bool(await agent.tracker_store.exists(sender))
        except Exception:  # noqa: BLE001 - the note is a courtesy, never a reason to fail
            logger.warning("Could not check for an earlier conversation.", exc_info=True)
            return True

    async def _privacy_note(self, agent: Any, sender: Text) -> Optional[Dict[Text, Any]]:
        """The domain's first-contact note for this app, or None if the domain has none."""
        try:
            tracker = await agent.tracker_store.retrieve(sender)
            tracker = tracker or DialogueStateTracker(sender, [])
            note = await agent.nlg.generate(PRIVACY_NOTE_RESPONSE, tracker, self.name())
        except Exception:  # noqa: BLE001
            logger.warning("Could not render the messaging privacy note.", exc_info=True)
            return None
        if not note and not self._warned_missing_note:
            self._warned_missing_note = True
            logger.warning(
                "The domain has no %s response: first contacts get no privacy note.",
                PRIVACY_NOTE_RESPONSE,
            )
        return note or None
