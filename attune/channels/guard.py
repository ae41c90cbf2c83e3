"""Input checks shared by every channel. Pure functions and classes, no Rasa imports.

- `clean_text`: only text gets through, without control or invisible characters.
- `prepare_text`: an over-long message becomes the `/message_too_long` intent (answered kindly,
  and its text is not stored), unless it contains risk language: then the part that carries the
  risk goes through (at most the practice's limit), so the crisis reply still comes.
- `screen_text`: a bounded risk check of any text, however long, for the refusals a visitor can
  see (rate limit, too large, unreadable): risk is answered with crisis lines, not a refusal.
- `RateLimiter`: per-sender and per-address limits.

Nothing here does work that grows faster than the text: the risk check reads at most two
windows of the practice's limit, so a megabyte costs what two long messages cost.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections import OrderedDict
from typing import Any, Callable, Optional, TypeGuard

# Control characters other than tab and newline; also zero-width and bidi controls, which can
# hide words from the risk detector or make a log line lie.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_.:@+-]{1,128}$")
TOO_LONG_PAYLOAD = "/message_too_long"
# A button payload: a bare "/intent" (no button carries entities). Anything else starting with
# "/" is treated as ordinary text, so it is understood and checked for risk like any message:
# Rasa resolves "/intent{...}" after the risk component, so words hidden in the braces would
# otherwise never reach a crisis reply.
_PAYLOAD = re.compile(r"^/[A-Za-z_][A-Za-z0-9_]*$")
# Requests bigger than this are refused before their JSON is read.
MAX_BODY_BYTES = 64 * 1024


def clean_text(value: Any) -> Optional[str]:
    """The message text with control characters removed, or None if it is not text."""
    if not isinstance(value, str):
        return None
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", value)).strip()
    if text.startswith("/") and not _PAYLOAD.match(text):
        text = text.lstrip("/ ")
    return text


def valid_sender(value: Any) -> TypeGuard[str]:
    """Whether a caller-chosen conversation id has a safe, bounded form."""
    return isinstance(value, str) and bool(SENDER_PATTERN.match(value))


RiskCheck = Callable[[str], Optional[str]]


def risk_window(text: str, max_chars: int, risk_intent: RiskCheck) -> Optional[str]:
    """The part of an over-long text that carries risk, at most `max_chars` long, or None.

    Reads the end first (people often come to it last), then the start; nothing else, so the
    cost is bounded whatever the length.
    """
    if len(text) <= max_chars:
        return text if risk_intent(text) else None
    for window in (text[-max_chars:], text[:max_chars]):
        if risk_intent(window):
            return window
    return None


def screen_text(text: str, max_chars: int, risk_intent: RiskCheck) -> Optional[str]:
    """The risk intent of a text of any length (bounded work), or None for no risk."""
    window = risk_window(text, max_chars, risk_intent)
    return risk_intent(window) if window is not None else None


def prepare_text(text: str, max_chars: int, risk_intent: RiskCheck) -> str:
    """What to hand to Rasa for a cleaned message.

    Args:
        text: the cleaned message.
        max_chars: the practice's limit (practice.yml, limits.max_message_chars).
        risk_intent: the risk detector's intent for a text (None: no risk).
    """
    if len(text) <= max_chars:
        return text
    return risk_window(text, max_chars, risk_intent) or TOO_LONG_PAYLOAD


class RateLimiter:
    """A sliding one-minute window of message counts per key (sender or address).

    In memory, per process: with several Rasa replicas each enforces its own share, which is
    what a limit meant to stop floods (not to bill) needs.
    """

    def __init__(
        self,
        per_minute: int,
        max_keys: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Allows `per_minute` messages per key in any 60-second window."""
        self.per_minute = per_minute
        self.max_keys = max_keys
        self._clock = clock
        self._hits: "OrderedDict[str, list]" = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Counts one message for `key`; False if that is over the limit."""
        now = self._clock()
        with self._lock:
            hits = [t for t in self._hits.pop(key, []) if now - t < 60.0]
            allowed = len(hits) < self.per_minute
            if allowed:
                hits.append(now)
            self._hits[key] = hits
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            return allowed


# One address may carry several visitors (an office, a family, a mobile carrier's NAT).
ADDRESS_LIMIT_FACTOR = 5


class ChannelGuard:
    """The practice's input limits, shared by every channel of one server process."""

    def __init__(self, max_chars: int, per_minute: int, risk_intent: RiskCheck) -> None:
        """Limits from practice.yml; `risk_intent` is the risk detector's intent for a text."""
        self.max_chars = max_chars
        self.by_sender = RateLimiter(per_minute)
        self.by_address = RateLimiter(per_minute * ADDRESS_LIMIT_FACTOR)
        # One refusal notice a minute per sender: a flood is not answered message by message.
        self.notices = RateLimiter(1)
        self._risk_intent = risk_intent

    @classmethod
    def from_practice(cls) -> "ChannelGuard":
        """Reads the limits from practice.yml; risk is read by the process's one detector.

        The detector is looked up on every check (`shared_detector`, a cheap lookup): in the
        Rasa server it is the one the NLU component loaded with the model's word lists, so a
        refused message is read with the same lists, and the same object, as every message the
        model reads; no second copy is built (about 6-12 s and 180 MB).
        """
        from attune.practice import load_practice

        limits = load_practice().limits
        return cls(limits.max_message_chars, limits.messages_per_minute, _shared_risk_intent)

    def admit(self, sender: str, address: Optional[str]) -> bool:
        """Counts one message; False when the sender or its address is over the limit."""
        if not self.by_sender.allow(sender):
            return False
        return not address or self.by_address.allow(address)

    def prepare(self, raw: Any) -> Optional[str]:
        """The text to hand to Rasa, `/message_too_long`, or None if it is not text."""
        text = clean_text(raw)
        if text is None:
            return None
        return prepare_text(text, self.max_chars, self._risk_intent)

    def screen(self, raw: Any) -> Optional[str]:
        """The risk intent of a refused message's text (bounded work), or None."""
        text = clean_text(raw) if isinstance(raw, str) else None
        return screen_text(text, self.max_chars, self._risk_intent) if text else None

    def finds_risk(self, text: str) -> bool:
        """Whether the word lists find risk in a cleaned text (bounded work, like `screen`):
        the crisis lane's check (attune.crisis_lane)."""
        return risk_window(text, self.max_chars, self._risk_intent) is not None

    def notify_refusal(self, sender: str) -> bool:
        """Whether a non-risk refusal should be told to this sender now (once a minute)."""
        return self.notices.allow(sender)


def _shared_risk_intent(text: str) -> Optional[str]:
    """The risk intent of a text, read by the process's one risk detector."""
    from attune.safety.detector import shared_detector

    return shared_detector().assess_remembered(text).intent


_shared: Optional[ChannelGuard] = None


def shared_guard() -> ChannelGuard:
    """The process's one guard, so limits hold across channels."""
    global _shared
    if _shared is None:
        _shared = ChannelGuard.from_practice()
    return _shared
