"""The tracker store's own cost, in-process: saves and retrieves of 30-turn conversations.

    python -m bench.tracker_store [--conversations 34] [--turns 30] [--concurrent 8]
                                  [--out var/reports/bench-tracker-store.json]

Uses `attune.tracker_store.PrivateSQLTrackerStore` on a fresh SQLite file (WAL, as `make run`
configures it), with the project's domain and the safety audit broker, and plays what Rasa does
for every message: retrieve the conversation, add the turn's events, save. The events are
shaped like those a real turn stores (a parsed user message with its intent ranking, the
featurization flag, actions, a bot reply with buttons, slots), about 8 a turn, so a 30-turn
conversation ends with about 240 stored events. The words are made up: no visitor's text.
What is loaded is frozen out of the garbage collector after a warm-up, as the server does
(`attune/warmup.py`), so the loop's stalls are the store's, not full collections of Rasa.

Two phases:
- one conversation at a time (`--conversations` x `--turns` saves, 1,020 by default): every
  save's and retrieve's time, and how long the event loop went without running anything else
  while they ran (a heartbeat coroutine that asks to wake every millisecond records how late
  it woke: the loop's longest stall and its 99th percentile);
- `--concurrent` conversations at once, same turns: saves a second and the loop's stalls.

Prints one JSON object (and writes it to `--out`). Times are milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

from attune.profiling import percentile
from attune.paths import REPO_ROOT

INTENTS = (
    "greet", "start_reflection", "affirm", "deny", "ask_anxious_attachment", "ask_avoidant",
    "request_human", "ask_fees", "thank", "goodbye", "out_of_scope", "ask_hours",
)


def turn_events(turn: int, rng: random.Random) -> List[Dict[str, Any]]:
    """One turn's events as Rasa stores them (made-up words)."""
    now = time.time()
    meta = {"model_id": "bench", "assistant_id": "attune"}
    ranking = [{"name": name, "confidence": rng.random()} for name in INTENTS[:10]]
    intent = ranking[0]
    words = " ".join(rng.choice(("quiet", "close", "evening", "busy", "anxious", "leave", "talk"))
                     for _ in range(rng.randint(3, 14)))
    reply = " ".join(rng.choice(("some", "people", "notice", "a", "therapist", "can", "help",
                                 "explore", "this", "with", "you")) for _ in range(45))
    action = f"utter_bench_{turn % 7}"
    return [
        {"event": "user", "timestamp": now, "metadata": meta, "text": words,
         "parse_data": {"intent": intent, "entities": [], "text": words,
                        "message_id": uuid.uuid4().hex, "metadata": {},
                        "intent_ranking": ranking},
         "input_channel": "rest", "message_id": uuid.uuid4().hex},
        {"event": "user_featurization", "timestamp": now, "metadata": meta,
         "use_text_for_featurization": False},
        {"event": "action", "timestamp": now, "metadata": meta, "name": action,
         "policy": "RulePolicy", "confidence": 1.0, "action_text": None, "hide_rule_turn": True},
        {"event": "bot", "timestamp": now, "metadata": {"utter_action": action, **meta},
         "text": reply,
         "data": {"elements": None, "quick_replies": None, "image": None, "attachment": None,
                  "custom": None,
                  "buttons": [{"title": "Talk to a therapist", "payload": "/request_human"},
                              {"title": "I need help now", "payload": "/get_help_now"}]}},
        {"event": "slot", "timestamp": now, "metadata": meta, "name": "requested_slot",
         "value": None},
        {"event": "action", "timestamp": now, "metadata": meta, "name": "action_listen",
         "policy": "RulePolicy", "confidence": 1.0, "action_text": None, "hide_rule_turn": True},
    ] + ([{"event": "slot", "timestamp": now, "metadata": meta, "name": "reflection_closeness",
           "value": words}] if turn % 3 == 1 else [])


class Heartbeat:
    """Wakes every millisecond and records how late each wake-up was (the loop's stalls)."""

    def __init__(self) -> None:
        self.late_ms: List[float] = []
        self._task: Optional[asyncio.Task] = None

    async def _beat(self) -> None:
        while True:
            asked = time.perf_counter()
            await asyncio.sleep(0.001)
            self.late_ms.append(max(0.0, (time.perf_counter() - asked) * 1000.0 - 1.0))

    def __enter__(self) -> "Heartbeat":
        self._task = asyncio.get_running_loop().create_task(self._beat())
        return self

    def __exit__(self, *_: Any) -> None:
        assert self._task is not None
        self._task.cancel()

    def summary(self) -> Dict[str, float]:
        late = sorted(self.late_ms)
        return {"loop_stall_p99_ms": round(percentile(late, 99), 2),
                "loop_stall_max_ms": round(late[-1] if late else float("nan"), 2),
                "loop_stalls_over_5ms": sum(1 for value in late if value > 5.0)}


def stats(samples: List[float]) -> Dict[str, float]:
    ordered = sorted(samples)
    return {"n": len(ordered), "mean_ms": round(sum(ordered) / len(ordered), 3),
            "p50_ms": round(percentile(ordered, 50), 3), "p95_ms": round(percentile(ordered, 95), 3),
            "max_ms": round(ordered[-1], 3)}


async def play(store: Any, sender: str, turns: int, rng: random.Random,
               saves: List[float], retrieves: List[float]) -> None:
    """Rasa's order for every message: retrieve (or start), add the turn's events, save."""
    from rasa.shared.core.events import Event

    for turn in range(turns):
        started = time.perf_counter()
        tracker = await store.retrieve(sender)
        retrieves.append((time.perf_counter() - started) * 1000.0)
        await asyncio.sleep(0)  # the turn's other work: the loop runs something else
        if tracker is None:
            tracker = store.init_tracker(sender)
            for data in ({"event": "action", "name": "action_session_start"},
                         {"event": "session_started"}, {"event": "action", "name": "action_listen"}):
                tracker.update(Event.from_parameters(data))
        for data in turn_events(turn, rng):
            tracker.update(Event.from_parameters(data))
        started = time.perf_counter()
        await store.save(tracker)
        saves.append((time.perf_counter() - started) * 1000.0)
        await asyncio.sleep(0)  # the next message arrives


async def run(conversations: int, turns: int, concurrent: int, workdir: Path) -> Dict[str, Any]:
    os.environ["ATTUNE_DATABASE_URL"] = f"sqlite:///{workdir / 'attune.db'}"
    from rasa.shared.core.domain import Domain

    from attune.brokers import SafetyAuditBroker
    from attune.safety.audit import SafetyAuditLog
    from attune.tracker_store import PrivateSQLTrackerStore

    domain = Domain.load(str(REPO_ROOT / "domain.yml"))
    store = PrivateSQLTrackerStore(domain=domain, dialect="sqlite", db=str(workdir / "tracker.db"),
                                   event_broker=SafetyAuditBroker(SafetyAuditLog()))
    rng = random.Random(7)
    await play(store, "warm-up", 3, rng, [], [])
    gc.freeze()  # as the server does after its warm-up: full collections skip what is loaded

    saves: List[float] = []
    retrieves: List[float] = []
    with Heartbeat() as one_at_a_time:
        for number in range(conversations):
            await play(store, f"one-{number}", turns, rng, saves, retrieves)

    together_saves: List[float] = []
    started = time.perf_counter()
    with Heartbeat() as together:
        await asyncio.gather(*(play(store, f"many-{number}", turns, rng, together_saves, [])
                               for number in range(concurrent)))
    together_s = time.perf_counter() - started
    return {
        "one_conversation_at_a_time": {"save": stats(saves), "retrieve": stats(retrieves),
                                       **one_at_a_time.summary()},
        f"{concurrent}_conversations_at_once": {
            "saves": len(together_saves), "saves_per_s": round(len(together_saves) / together_s, 1),
            "save": stats(together_saves), **together.summary()},
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=34)
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--concurrent", type=int, default=8)
    parser.add_argument("--out", default=str(REPO_ROOT / "var" / "reports" / "bench-tracker-store.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="attune-bench-store-") as tmp:
        result = asyncio.run(run(args.conversations, args.turns, args.concurrent, Path(tmp)))
    result = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "python": platform.python_version(), "load_average": os.getloadavg(),
              "conversations": args.conversations, "turns": args.turns, **result}
    text = json.dumps(result, indent=2)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
