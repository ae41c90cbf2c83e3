"""A load generator for Rasa's REST channel: concurrent multi-turn conversations, timed.

Each simulated visitor is one asyncio task with its own HTTP connection. It plays a scripted
conversation message by message (waiting for each answer, as a person in a chat window does),
then starts a new conversation with a new sender id, until the time is up. Every message's
end-to-end latency is recorded: request sent to the whole JSON answer read, so custom actions,
the tracker store and the event broker are all inside the figure.

Visitors can be spread over several loopback source addresses (127.0.0.2, 127.0.0.3, ...) so
that a per-address rate limit, which in real life separates visitors on different networks,
does not throttle a benchmark that comes from one machine.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from attune.profiling import percentile

import aiohttp

WEBHOOK_PATH = "/webhooks/rest/webhook"


@dataclass(frozen=True)
class Script:
    """One scripted conversation: a name and the visitor's messages in order."""

    name: str
    messages: Tuple[str, ...]


# Attune: the paths a website visitor takes (the reflective exercise, questions about
# attachment, hand-off to a therapist) and the safety path, which runs the risk detector, the
# SafetyPolicy and the audit broker. Messages are plain words, as typed, not /intent payloads.
ATTUNE_SCRIPTS: Tuple[Script, ...] = (
    Script(
        "exercise",
        (
            "hi",
            "I'd like to try the reflection exercise",
            "yes",
            "I feel close when we spend quiet evenings together",
            "I get anxious and a bit clingy when they go quiet",
            "I pull back and get busy so I don't feel it",
            "why I always expect people to leave",
            "thank you",
            "bye",
        ),
    ),
    Script(
        "questions",
        (
            "hello",
            "what is attachment theory?",
            "what does anxious attachment mean?",
            "why do I push people away when they get close?",
            "can attachment patterns change?",
            "thanks, that helps",
            "goodbye",
        ),
    ),
    Script(
        "handoff",
        (
            "hi there",
            "I'd like to talk to a real therapist",
            "how do I book a session with a therapist?",
            "is what I write here private?",
            "thanks",
            "bye",
        ),
    ),
    Script(
        "safety",
        (
            "hey",
            "sometimes I don't want to be alive anymore",
            "I'm safe right now, thanks",
            "what is attachment theory?",
            "bye",
        ),
    ),
)

# Stock Rasa's starter assistant (`rasa init`): its own intents (greet, mood_great,
# mood_unhappy, affirm, deny, bot_challenge, goodbye), in conversations of similar length.
BASELINE_SCRIPTS: Tuple[Script, ...] = (
    Script(
        "happy",
        ("hello there", "I am feeling great", "perfect", "goodbye"),
    ),
    Script(
        "sad",
        ("hi", "I am very sad", "no, not really", "good bye"),
    ),
    Script(
        "sad-cheered",
        ("hey", "I'm unhappy", "yes it did", "bye", "good morning", "am I talking to a bot?", "bye bye"),
    ),
    Script(
        "bot",
        ("good evening", "are you a human?", "I am great today", "see you later"),
    ),
)


@dataclass
class Sample:
    """One message's outcome."""

    script: str
    latency_ms: float
    ok: bool
    error: Optional[str] = None


@dataclass
class LevelResult:
    """All messages of one concurrency level."""

    concurrency: int
    duration_s: float
    samples: List[Sample] = field(default_factory=list)
    conversations: int = 0

    def summary(self) -> Dict[str, Any]:
        """Percentiles, throughput and errors, as plain numbers for JSON."""
        latencies = sorted(s.latency_ms for s in self.samples if s.ok)
        errors = [s for s in self.samples if not s.ok]
        kinds: Dict[str, int] = {}
        for sample in errors:
            kinds[sample.error or "?"] = kinds.get(sample.error or "?", 0) + 1
        return {
            "concurrency": self.concurrency,
            "duration_s": round(self.duration_s, 2),
            "conversations": self.conversations,
            "messages": len(self.samples),
            "errors": len(errors),
            "error_kinds": kinds,
            "throughput_msg_s": round(len(latencies) / self.duration_s, 2) if self.duration_s else 0.0,
            "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1),
            "p99_ms": round(percentile(latencies, 99), 1),
            "mean_ms": round(sum(latencies) / len(latencies), 1) if latencies else math.nan,
            "max_ms": round(latencies[-1], 1) if latencies else math.nan,
        }




def source_address(visitor: int, spread: int) -> Optional[str]:
    """The loopback address visitor number `visitor` sends from (None: the default)."""
    if spread <= 1:
        return None
    return f"127.0.0.{2 + visitor % min(spread, 250)}"


async def post_message(
    session: aiohttp.ClientSession, url: str, sender: str, text: str, timeout: float
) -> Tuple[bool, Optional[str], Any]:
    """Sends one message; (ok, error kind, replies). A reply-less answer counts as an error."""
    try:
        async with session.post(
            url,
            json={"sender": sender, "message": text},
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as answer:
            body = await answer.read()
            if answer.status != 200:
                return False, f"http {answer.status}", None
            replies = json.loads(body)
            if not isinstance(replies, list) or not replies:
                return False, "no reply", replies
            return True, None, replies
    except asyncio.TimeoutError:
        return False, "timeout", None
    except aiohttp.ClientError as problem:
        return False, type(problem).__name__, None


async def _visitor(
    base_url: str,
    scripts: Sequence[Script],
    visitor: int,
    deadline: float,
    result: LevelResult,
    run_id: str,
    spread: int,
    timeout: float,
    max_conversations: Optional[int],
    think_s: Tuple[float, float] = (0.0, 0.0),
) -> None:
    pace = random.Random(visitor)  # seeded: the same pauses in every run
    address = source_address(visitor, spread)
    connector = aiohttp.TCPConnector(
        limit=1, local_addr=(address, 0) if address else None, force_close=False
    )
    url = base_url.rstrip("/") + WEBHOOK_PATH
    async with aiohttp.ClientSession(connector=connector) as session:
        for number in itertools.count():
            if time.monotonic() >= deadline:
                return
            if max_conversations is not None and number >= max_conversations:
                return
            script = scripts[(visitor + number) % len(scripts)]
            sender = f"bench-{run_id}-{visitor}-{number}"
            result.conversations += 1
            for text in script.messages:
                started = time.perf_counter()
                ok, kind, _ = await post_message(session, url, sender, text, timeout)
                elapsed = (time.perf_counter() - started) * 1000.0
                result.samples.append(Sample(script.name, elapsed, ok, kind))
                if think_s[1] > 0:
                    # A person reads the answer and types the next message.
                    await asyncio.sleep(pace.uniform(*think_s))
                if time.monotonic() >= deadline:
                    # Finish no conversation past the deadline: the level's wall time is bounded.
                    return


async def run_level(
    base_url: str,
    scripts: Sequence[Script],
    concurrency: int,
    duration_s: float,
    spread: int = 50,
    timeout: float = 60.0,
    max_conversations: Optional[int] = None,
    think_s: Tuple[float, float] = (0.0, 0.0),
) -> LevelResult:
    """Runs `concurrency` visitors for `duration_s` seconds and collects every message.

    `think_s`: each visitor pauses a random time in this range after every answer (0, 0: none,
    the server's saturation point; a person takes seconds to read and type).
    """
    result = LevelResult(concurrency=concurrency, duration_s=0.0)
    run_id = uuid.uuid4().hex[:8]
    started = time.monotonic()
    deadline = started + duration_s
    await asyncio.gather(
        *(
            _visitor(base_url, scripts, v, deadline, result, run_id, spread, timeout, max_conversations, think_s)
            for v in range(concurrency)
        )
    )
    result.duration_s = time.monotonic() - started
    return result


async def first_answer(base_url: str, text: str, deadline_s: float) -> float:
    """Seconds until the server first answers `text` with a reply (polling from now)."""
    started = time.monotonic()
    url = base_url.rstrip("/") + WEBHOOK_PATH
    async with aiohttp.ClientSession() as session:
        while time.monotonic() - started < deadline_s:
            ok, _, _ = await post_message(session, url, f"cold-{uuid.uuid4().hex[:8]}", text, 30)
            if ok:
                return time.monotonic() - started
            await asyncio.sleep(0.1)
    raise TimeoutError(f"no answer from {base_url} within {deadline_s:.0f} s")
