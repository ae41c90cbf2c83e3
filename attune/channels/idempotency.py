"""At most once per message: a client's retry gets the first answer again instead of a new turn.

A client that loses its connection (a phone going into a tunnel, a replica killed mid-request)
cannot know whether the server stored its message, so it sends it again. Without a key, Rasa
stores and answers the retry as a second message. With a `message_id` chosen by the client and
sent again unchanged on every retry:

- under the conversation's lock (Rasa's lock store: Redis across replicas), the stored
  conversation is searched for a user message with that id;
- if it is there, the bot replies stored after it are sent back and nothing is stored;
- if not, the message is handled as usual, still inside the same lock, so two copies that arrive
  at the same moment on two replicas cannot both pass the check.

Rasa saves a turn's events in one go after the turn's actions have run, so a stored message
always has its stored answer. Replayed replies are the stored ones: contact details in them are
redacted like everything stored (attune/tracker_store.py).
"""

from __future__ import annotations

import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered

from attune.privacy.redact import redact_text

MESSAGE_ID = re.compile(r"^[A-Za-z0-9._:@+-]{1,128}$")

# What CollectingOutputChannel puts in a reply, besides `recipient_id` and `text`.
REPLY_FIELDS = ("buttons", "image", "attachment", "elements", "quick_replies", "custom")


def valid_message_id(value: Any) -> bool:
    """A client key: 1-128 letters, digits or . _ : @ + -"""
    return isinstance(value, str) and bool(MESSAGE_ID.match(value))


def stored_replies(
    events: List[Any], sender_id: Text, message_id: Text, text: Text
) -> Optional[List[Dict]]:
    """The replies stored after the user message `message_id` with this `text`; None if none.

    The text must match too (as stored, i.e. redacted): a reused id with new words is a new
    message, so it goes through the risk check like any other and cannot borrow old replies.
    """
    replies: Optional[List[Dict[Text, Any]]] = None
    stored_text = redact_text(text)
    for event in events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if event.message_id == message_id and event.text == stored_text:
                replies = []
        elif replies is not None and isinstance(event, BotUttered):
            reply: Dict[Text, Any] = {"recipient_id": sender_id}
            if event.text:
                reply["text"] = event.text
            for field in REPLY_FIELDS:
                if event.data.get(field):
                    reply[field] = event.data[field]
            replies.append(reply)
    return replies


async def handle_once(
    agent: Any,
    message: UserMessage,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
) -> Optional[List[Dict[Text, Any]]]:
    """Handles `message` unless it was already stored; returns the stored replies if it was.

    `message.message_id` must be the client's key (Rasa makes up a random one when none is
    given, so call this only when the client sent one). Without an agent that has a lock store
    and a processor (a test double, a server still loading), the message is simply handed to
    `on_new_message`.
    """
    lock_store = getattr(agent, "lock_store", None)
    processor = getattr(agent, "processor", None)
    if lock_store is None or processor is None:
        await on_new_message(message)
        return None
    async with lock_store.lock(message.sender_id):
        tracker = await agent.tracker_store.retrieve(message.sender_id)
        if tracker is not None:
            replies = stored_replies(
                list(tracker.events), message.sender_id, message.message_id, message.text
            )
            if replies is not None:
                return replies
        await processor.handle_message(message)
    return None
