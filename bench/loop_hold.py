"""How long one visitor's long message holds everyone else: `make bench-loop`.

    python -m bench.loop_hold [--trials 10] [--out var/reports/bench-loop.json]

Starts the whole stack with a fresh database, then, for each trial and each shape of long
message (2,000 characters, the practice's limit: relationship prose of many sentences, one
unbroken run of letters, many short words), sends it from one visitor and, while it is being
read, measures two things another visitor would notice:

- **loop hold**: the server's health route (`GET /webhooks/rest/`, no model work) is polled
  every 10 ms while the long message is in flight; the longest answer is the longest time the
  event loop was unable to serve anyone;
- **another visitor's reply**: "hi" from a second visitor, sent 50 ms after the long message,
  against the same "hi" on an idle server.

Both are reported as median and maximum over the trials.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Dict, List

from attune.paths import REPO_ROOT

LIMIT = 2_000

SHAPES: Dict[str, str] = {
    "relationship prose": (
        "When he goes quiet for a day I start to spiral, I reread every message and wonder what I "
        "did wrong, and then I text him again and again. "
    ),
    "one unbroken run": "a",
    "many short words": "so i ",
}


def long_message(seed: str) -> str:
    return (seed * (LIMIT // len(seed) + 1))[:LIMIT]


def timed_get(url: str) -> float:
    started = time.perf_counter()
    urllib.request.urlopen(url, timeout=60).read()
    return (time.perf_counter() - started) * 1000


def one_trial(stack, text: str) -> Dict[str, float]:
    from tests.conftest import new_sender

    health = f"{stack.rasa_url}/webhooks/rest/"
    done = threading.Event()
    holds: List[float] = []
    other: Dict[str, float] = {}

    def long_visitor() -> None:
        try:
            stack.send(new_sender(), text)
        finally:
            done.set()

    def poll() -> None:
        while not done.is_set():
            holds.append(timed_get(health))
            time.sleep(0.01)

    def second_visitor() -> None:
        time.sleep(0.05)
        started = time.perf_counter()
        stack.send(new_sender(), "hi")
        other["reply_ms"] = (time.perf_counter() - started) * 1000

    threads = [threading.Thread(target=f) for f in (long_visitor, poll, second_visitor)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return {
        "long_reply_ms": (time.perf_counter() - started) * 1000,
        "loop_hold_ms": max(holds) if holds else 0.0,
        "other_reply_ms": other.get("reply_ms", float("nan")),
    }


def summary(values: List[float]) -> Dict[str, float]:
    return {"median": round(statistics.median(values), 1), "max": round(max(values), 1)}


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loop_hold")
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "reports" / "bench-loop.json")
    args = parser.parse_args(argv)

    from tests.conftest import new_sender, started_stack

    work = Path(tempfile.mkdtemp(prefix="attune-loop-"))
    stack = started_stack(work, work / "logs")
    report: Dict[str, object] = {}
    try:
        stack.send(new_sender(), "hello")  # not timed: may still wait for the start's warm-up
        idle = []
        for _ in range(args.trials):
            started = time.perf_counter()
            stack.send(new_sender(), "hi")
            idle.append((time.perf_counter() - started) * 1000)
        report["idle"] = {"other_reply_ms": summary(idle), "each_ms": [round(v) for v in idle]}
        print(f"idle: 'hi' answered in {summary(idle)} ms, each: {report['idle']['each_ms']}")
        for shape, seed in SHAPES.items():
            trials = [one_trial(stack, long_message(seed)) for _ in range(args.trials)]
            report[shape] = {key: summary([t[key] for t in trials]) for key in trials[0]}
            report[shape]["loop_hold_each_ms"] = [round(t["loop_hold_ms"]) for t in trials]
            print(f"{shape}: {report[shape]}")
    finally:
        stack.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
