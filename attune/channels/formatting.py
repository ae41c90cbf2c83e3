"""Replies that fit messaging apps, and the small memories the messaging channels keep.

Pure logic, no Rasa or network imports; used by `telegram.py`, `twilio.py` and `messenger.py`.

- `plan_turn`: one turn of Rasa's replies (dicts with `text` and `buttons`) becomes the messages
  one app can show: plain text (links as bare URLs, no Markdown), crisis numbers in the form
  phones make tappable, split within the app's length limit (never inside a URL or a phone
  number), and buttons either native (Telegram, Messenger) or as a numbered list (SMS,
  WhatsApp, and Messenger when titles are too long for its buttons).
- `OptionMemory`: the options last offered to each sender, so that "2" means the second one.
  Only a number that matches an option just offered becomes that option's payload; anything
  else stays text and goes through NLU and the risk detector like any message.
- `RecentIds`: message ids seen in the last hour, so a replayed webhook is not processed twice.

Both memories are per process and bounded. With several Rasa replicas, a number sent to another
replica than the one that offered the options is simply treated as text ("2"), and a replay
reaching another replica is not recognised as one: README, "Messaging apps", says so.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

# Characters per message each app accepts. Twilio refuses a body over 1600 characters for SMS
# and for WhatsApp alike (error 21617), although WhatsApp itself would take 4096.
CHANNEL_LIMITS: Dict[str, int] = {
    "sms": 1600,
    "whatsapp": 1600,
    "telegram": 4096,
    "messenger": 2000,
}
# Messenger quick replies: at most 13, titles of at most 20 characters.
MESSENGER_MAX_QUICK_REPLIES = 13
MESSENGER_MAX_TITLE = 20
# Channels whose buttons are shown as a numbered list in the text.
NUMBERED_CHANNELS = ("sms", "whatsapp")
OPTIONS_INTRO = "Reply with a number:"

_MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_URL = re.compile(r"https?://[^\s<>\"]+")
# A phone number or short code as the crisis registry writes them: "1-800-668-6868",
# "+1 416 555 0100", "686868", "(416) 555-0100". Over-matching only protects a little more.
# A phone number: at most four groups, each ending where its digits end, so that two numbers
# side by side ("686868 1-800-668-6868 (416) 555-0100") are never read as one that ends
# inside the next (a cut there split "(416) 555-0100").
_PHONE = re.compile(r"(?<!\d)\+?\(?\d{1,4}(?!\d)\)?(?:[ .\-]\(?\d{1,4}(?!\d)\)?){1,3}|\d{3,}")
# "call 9-8-8" and "call 9-1-1" are written digit by digit; phones link "988" and "911". Only
# where it is dialled: a service's name ("9-8-8 Suicide Crisis Helpline") stays as it is.
_SPELLED_SHORT_CODE = re.compile(
    r"\b(call|text|dial|or)(\s+)(\d)-(\d)-(\d)(?![\d-])", re.IGNORECASE
)
_NUMBER_REPLY = re.compile(r"^\s*#?\s*(\d{1,2})\s*[.)]?\s*$")
# Characters outside the GSM-7 alphabet make a whole SMS use UCS-2 (67 characters a part
# instead of 153): the common ones in the bot's words have plain equivalents.
_SMS_EQUIVALENTS = {
    "\u2022": "-",  # bullet
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
}


@dataclass(frozen=True)
class Option:
    """One button of a turn: its number in the list, title and payload."""

    number: int
    title: str
    payload: str


@dataclass
class Outgoing:
    """One message to send: its text and the native buttons to show with it."""

    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)


def plain_text(text: str) -> str:
    """Text as a messaging app shows it: links as bare URLs, no Markdown, dialable numbers."""
    text = _MARKDOWN_LINK.sub(lambda m: f"{m.group(1)}: {m.group(2)}", text)
    text = _EMPHASIS.sub(r"\2", text)
    return _SPELLED_SHORT_CODE.sub(r"\1\2\3\4\5", text).strip()


def sms_safe(text: str) -> str:
    """Text with typographic characters replaced by their GSM-7 equivalents."""
    return "".join(_SMS_EQUIVALENTS.get(char, char) for char in text)


def _protected_spans(text: str) -> List[Tuple[int, int]]:
    spans = [m.span() for m in _URL.finditer(text)]
    spans += [m.span() for m in _PHONE.finditer(text)]
    return spans


def _inside(position: int, spans: Sequence[Tuple[int, int]]) -> bool:
    return any(start < position < end for start, end in spans)


def _cut_position(text: str, limit: int) -> int:
    """Where to end the first part of `text` (longer than `limit`)."""
    spans = _protected_spans(text)
    window = text[: limit + 1]
    # Paragraph, then line, then sentence, then word boundaries; a boundary in the first half
    # would make a tiny part, so it is only taken when nothing better exists.
    for separator, floor in (("\n\n", limit // 2), ("\n", limit // 2), (". ", limit // 2), (" ", 1)):
        position = window.rfind(separator)
        while position >= floor:
            cut = position + len(separator.rstrip(" ")) if separator == ". " else position
            if cut > 0 and not _inside(cut, spans):
                return cut
            position = window.rfind(separator, 0, position)
    # No boundary at all: cut hard, but still before a URL or number that crosses the limit.
    for start, end in spans:
        if start < limit < end and start > 0:
            return start
    return limit


def split_text(text: str, limit: int) -> List[str]:
    """`text` in parts of at most `limit` characters, cut at the most natural boundary.

    A URL or phone number is never cut, unless it alone is longer than the limit.
    """
    parts: List[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut_position(rest, limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def turn_options(messages: Sequence[Dict[str, Any]]) -> List[Option]:
    """Every button of a turn, in order, each payload once, numbered from 1."""
    options: List[Option] = []
    seen = set()
    for message in messages:
        for button in message.get("buttons") or []:
            payload = button.get("payload")
            title = str(button.get("title") or "").strip()
            if not isinstance(payload, str) or not payload or not title or payload in seen:
                continue
            seen.add(payload)
            options.append(Option(len(options) + 1, plain_text(title), payload))
    return options


def numbered_list(options: Sequence[Option]) -> str:
    """The options as lines a visitor answers with a number."""
    lines = [OPTIONS_INTRO] + [f"{option.number}. {option.title}" for option in options]
    return "\n".join(lines)


def message_text(message: Dict[str, Any]) -> str:
    """The text of one of Rasa's reply dicts, with an image as its plain URL."""
    pieces = [str(message.get("text") or "")]
    if message.get("image"):
        pieces.append(str(message["image"]))
    return plain_text("\n".join(piece for piece in pieces if piece))


def plan_turn(
    messages: Sequence[Dict[str, Any]], channel: str
) -> Tuple[List[Outgoing], List[Option]]:
    """The messages to send for one turn of replies, and the options they offer.

    Args:
        messages: Rasa's replies for one user message (`CollectingOutputChannel.messages`).
        channel: one of `CHANNEL_LIMITS`.

    Returns:
        The messages in order, and the options a number reply may choose from (empty when
        the turn offered none, which clears what an earlier turn offered).
    """
    limit = CHANNEL_LIMITS[channel]
    options = turn_options(messages)
    texts = [text for text in (message_text(m) for m in messages) if text]

    if channel in NUMBERED_CHANNELS:
        # One body per turn: separate SMS or WhatsApp messages can arrive out of order, and
        # the crisis lines must not arrive before the words that introduce them.
        if options:
            texts.append(numbered_list(options))
        body = "\n\n".join(texts)
        if channel == "sms":
            body = sms_safe(body)
        return [Outgoing(part) for part in split_text(body, limit)], options

    if channel == "telegram":
        # Inline buttons stay under their own message, so each reply keeps its own.
        outgoing: List[Outgoing] = []
        for message in messages:
            parts = split_text(message_text(message), limit)
            if not parts:
                continue
            buttons = [
                {"title": plain_text(str(b.get("title") or "")), "payload": b["payload"]}
                for b in message.get("buttons") or []
                if isinstance(b.get("payload"), str) and b.get("title")
            ]
            outgoing.extend(Outgoing(part) for part in parts[:-1])
            outgoing.append(Outgoing(parts[-1], buttons))
        return outgoing, options

    if channel == "messenger":
        # Quick replies show only under the latest message: the turn's options go there.
        if not options:
            return [Outgoing(p) for t in texts for p in split_text(t, limit)], options
        titles_fit = all(len(o.title) <= MESSENGER_MAX_TITLE for o in options)
        if not titles_fit:
            # In the same bubble as the last words, right above the quick replies.
            listed = numbered_list(options)
            texts = texts[:-1] + [f"{texts[-1]}\n\n{listed}"] if texts else [listed]
        shown = options[:MESSENGER_MAX_QUICK_REPLIES]
        quick = [
            {"title": o.title if titles_fit else str(o.number), "payload": o.payload}
            for o in shown
        ]
        outgoing = [Outgoing(p) for t in texts for p in split_text(t, limit)]
        if not outgoing:
            outgoing = [Outgoing(numbered_list(options))]
        outgoing[-1].buttons = quick
        return outgoing, options

    raise ValueError(f"unknown messaging channel {channel!r}")


def with_note(messages: Sequence[Dict[str, Any]], note: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The turn with `note` added where it reads well.

    Before the closing replies that carry buttons, so the options stay last, next to where the
    visitor answers; never before the first reply, so a crisis reply still comes first.
    """
    position = len(messages)
    while position > 1 and messages[position - 1].get("buttons"):
        position -= 1
    return list(messages[:position]) + [note] + list(messages[position:])


def number_reply(text: str) -> Optional[int]:
    """The number a visitor answered with ("2", "2.", "#2"), or None if it is not just that."""
    match = _NUMBER_REPLY.match(text or "")
    return int(match.group(1)) if match else None


class _BoundedTTL:
    """An insertion-ordered map whose entries expire and whose size is capped."""

    def __init__(self, max_entries: int, ttl_seconds: float, clock: Callable[[], float]) -> None:
        self.max_entries = max_entries
        self.ttl = ttl_seconds
        self._clock = clock
        self._items: "OrderedDict[str, Tuple[float, Any]]" = OrderedDict()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        while self._items:
            key, (stamp, _) = next(iter(self._items.items()))
            if now - stamp < self.ttl and len(self._items) <= self.max_entries:
                break
            self._items.popitem(last=False)


class OptionMemory(_BoundedTTL):
    """The options last offered to each sender, for an hour at most."""

    def __init__(
        self,
        max_senders: int = 10_000,
        ttl_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Keeps at most `max_senders` senders' options (the oldest go first)."""
        super().__init__(max_senders, ttl_seconds, clock)

    def remember(self, sender: str, options: Sequence[Option]) -> None:
        """Replaces the sender's options with this turn's (none: forgets them)."""
        now = self._clock()
        with self._lock:
            self._items.pop(sender, None)
            if options:
                self._items[sender] = (now, tuple(options))
            self._expire(now)

    def options(self, sender: str) -> Tuple[Option, ...]:
        """The options still on offer to the sender."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            entry = self._items.get(sender)
            return entry[1] if entry else ()

    def resolve(self, sender: str, text: str) -> Optional[str]:
        """The payload of the option the visitor chose by number, or None (then it is text)."""
        number = number_reply(text)
        if number is None:
            return None
        for option in self.options(sender):
            if option.number == number:
                return option.payload
        return None

    def offered(self, sender: str, payload: str) -> bool:
        """Whether `payload` is one of the options last offered to the sender."""
        return any(option.payload == payload for option in self.options(sender))


class RecentIds(_BoundedTTL):
    """Message ids seen in the last hour, to refuse a replayed webhook."""

    def __init__(
        self,
        max_ids: int = 100_000,
        ttl_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Remembers at most `max_ids` ids (the oldest go first) for `ttl_seconds`."""
        super().__init__(max_ids, ttl_seconds, clock)

    def first_time(self, message_id: str) -> bool:
        """Records the id; False if it was already seen within the window."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            if message_id in self._items:
                return False
            self._items[message_id] = (now, None)
            self._expire(now)
            return True

    def forget(self, message_id: str) -> None:
        """Lets the id through again (its processing failed, so a retry is welcome)."""
        with self._lock:
            self._items.pop(message_id, None)
