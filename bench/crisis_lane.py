"""How long a visitor in crisis waits while others keep the model busy: `make bench-crisis`.

    python -m bench.crisis_lane [--conversations 20] [--trials 10] [--rounds 2]
                                [--modes lane,off] [--out var/reports/bench-crisis-lane.json]

For each mode it starts the whole stack as `make run` does (fresh databases, a copy of
practice.yml with the highest rate limit it accepts, visitors spread over loopback addresses),
with the crisis lane on (`lane`) or off (`off`: ATTUNE_CRISIS_LANE=off, one first-come,
first-served queue, as before the lane). Then:

1. **idle**: a new visitor writes "I want to kill myself" on the idle server, a few times;
2. **under load**: `--conversations` visitors each send long ordinary messages (relationship
   prose up to the practice's 2,000-character limit, about a second of model work each on
   2 cores), each sending the next the moment its answer arrives, so the model threads are
   always busy and messages wait for them. Once the load has run for `--settle` seconds, a
   new visitor writes "I want to kill myself", the trials spread evenly over a window of
   `--seconds` (the next at once if a reply took longer), and the ordinary messages answered
   in that window are counted too (their rate and latency: what the lane costs everyone else).

The modes alternate, `--rounds` times each (a fresh server every time), and the trials are split
over the rounds, so a minute when the machine is busier hits both. It reports the time from
sending the crisis message to the whole reply (which must carry the crisis line), median and
max over all trials of a mode, with the ordinary messages' own median and rate in the same
minutes, and writes the JSON report.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

from attune.paths import REPO_ROOT
from tools.stack import Stack, free_port

CRISIS = "I want to kill myself"
CRISIS_LINE = "9-8-8"
LIMIT = 2_000
PROSE = [
    "When he goes quiet for a day I start to spiral, I reread every message and wonder what I "
    "did wrong, and then I text him again and again. ",
    "My partner says I pull away whenever things get close, and I honestly cannot tell whether "
    "I am protecting myself or just tired of explaining how I feel. ",
    "We argue about small things like dishes and plans, but underneath it feels like I am "
    "always waiting for her to decide she would be happier with someone else. ",
    "I keep choosing people who are warm for a month and then distant, and I wonder if there "
    "is a pattern from how my parents were with each other when I was young. ",
]


def long_message(rng: random.Random) -> str:
    parts: List[str] = []
    while sum(len(p) for p in parts) < LIMIT:
        parts.append(rng.choice(PROSE))
    return "".join(parts)[:LIMIT].rsplit(" ", 1)[0]


def post(url: str, sender: str, text: str, address: Optional[str] = None) -> List[Dict[str, Any]]:
    """One message through the REST channel, from `address` (a loopback address: the
    per-address limit is for visitors on different networks); the replies."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    host, port = url.split("//", 1)[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=300,
                                            source_address=(address, 0) if address else None)
    try:
        connection.request("POST", "/webhooks/rest/webhook", body=body,
                           headers={"Content-Type": "application/json"})
        answer = connection.getresponse()
        data = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"HTTP {answer.status}")
        return json.loads(data)
    finally:
        connection.close()


def crisis_reply_ms(url: str, address: str) -> float:
    started = time.perf_counter()
    replies = post(url, uuid.uuid4().hex, CRISIS, address)
    elapsed = (time.perf_counter() - started) * 1000
    if not any(CRISIS_LINE in (reply.get("text") or "") for reply in replies):
        raise AssertionError("the crisis message was not answered with the crisis line")
    return elapsed


class Load:
    """`count` visitors each sending long messages, the next as soon as the answer comes."""

    def __init__(self, url: str, count: int) -> None:
        self.url = url
        self.count = count
        self.stop = threading.Event()
        self.latencies: List[float] = []
        self.errors = 0
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._visitor, args=(n,), daemon=True) for n in range(count)]

    def _visitor(self, number: int) -> None:
        rng = random.Random(number)
        sender = uuid.uuid4().hex
        address = f"127.0.0.{10 + number % 200}"
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                post(self.url, sender, long_message(rng), address)
                with self._lock:
                    self.latencies.append((time.perf_counter() - started) * 1000)
            except Exception:  # noqa: BLE001 - counted; the benchmark goes on
                with self._lock:
                    self.errors += 1
                time.sleep(0.5)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(300)

    def window(self) -> int:
        with self._lock:
            return len(self.latencies)


def summary(values: List[float]) -> Dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    return {"median": round(statistics.median(ordered)), "max": round(ordered[-1]),
            "min": round(ordered[0]), "n": len(ordered)}


def run_mode(mode: str, args: argparse.Namespace) -> Dict[str, Any]:
    from bench.run import bench_practice_file

    work = Path(tempfile.mkdtemp(prefix=f"attune-crisis-{mode}-"))
    env = {"ATTUNE_DATABASE_URL": f"sqlite:///{work / 'attune.db'}",
           "ATTUNE_PRACTICE_FILE": str(bench_practice_file(work))}
    if mode == "off":
        env["ATTUNE_CRISIS_LANE"] = "off"
    stack = Stack(rasa_port=free_port(), actions_port=free_port(), web_port=None,
                  tracker_db=work / "tracker.db", log_dir=work / "logs", extra_env=env)
    stack.start()
    report: Dict[str, Any] = {"mode": mode}
    try:
        from bench.startup import wait_for_line

        # The idle figures are of a server that finished its warm-up (attune/warmup.py).
        wait_for_line(work / "logs" / "rasa.log", "Model warmed up", 300)
        post(stack.rasa_url, uuid.uuid4().hex, "hello")
        idle = [crisis_reply_ms(stack.rasa_url, "127.0.0.250") for _ in range(args.idle_trials)]
        report["idle_crisis_ms"] = summary(idle)
        report["idle_each_ms"] = [round(v) for v in idle]
        print(f"[{mode}] idle crisis reply: {report['idle_crisis_ms']}", flush=True)
        load = Load(stack.rasa_url, args.conversations)
        load.start()
        time.sleep(args.settle)
        before = load.window()
        trials: List[float] = []
        started = time.monotonic()
        spacing = args.seconds / args.trials
        for number in range(args.trials):
            # Spread over the window (the next one at once if a reply took longer), so that
            # both modes are measured over the same span of load.
            time.sleep(max(0.0, started + number * spacing - time.monotonic()))
            trials.append(crisis_reply_ms(stack.rasa_url, f"127.0.0.{230 + number % 20}"))
            print(f"[{mode}] crisis reply under load, trial {number + 1}: {trials[-1]:.0f} ms", flush=True)
        time.sleep(max(0.0, started + args.seconds - time.monotonic()))
        seconds = time.monotonic() - started
        ordinary = load.latencies[before:]
        load.finish()
        report.update({
            "conversations": args.conversations,
            "loaded_crisis_ms": summary(trials),
            "loaded_each_ms": [round(v) for v in trials],
            "ordinary_ms": summary(ordinary),
            "ordinary_per_s": round(len(ordinary) / seconds, 2),
            "ordinary_errors": load.errors,
        })
        print(f"[{mode}] under load: crisis {report['loaded_crisis_ms']}, ordinary "
              f"{report['ordinary_ms']} ({report['ordinary_per_s']}/s, {load.errors} errors)", flush=True)
    finally:
        stack.stop()
    return report


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crisis_lane")
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--idle-trials", type=int, default=5)
    parser.add_argument("--settle", type=float, default=15.0, help="seconds of load before the first trial")
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="the measured window of load per run; the trials are spread over it")
    parser.add_argument("--modes", default="lane,off", help="lane (crisis lane on), off, or both")
    parser.add_argument("--rounds", type=int, default=2,
                        help="start each mode this many times, alternating; trials are split over them")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "reports" / "bench-crisis-lane.json")
    args = parser.parse_args(argv)

    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    per_round = max(1, args.trials // args.rounds)
    runs = []
    for number in range(args.rounds):  # modes interleaved, so a busier minute hits both
        for mode in modes:
            runs.append(run_mode(mode, argparse.Namespace(**{**vars(args), "trials": per_round})))
            runs[-1]["round"] = number + 1
    totals: Dict[str, Any] = {}
    for mode in modes:
        mine = [run for run in runs if run["mode"] == mode]
        totals[mode] = {
            "idle_crisis_ms": summary([v for run in mine for v in run["idle_each_ms"]]),
            "loaded_crisis_ms": summary([v for run in mine for v in run["loaded_each_ms"]]),
            "ordinary_per_s": [run["ordinary_per_s"] for run in mine],
            "ordinary_median_ms": [run["ordinary_ms"].get("median") for run in mine],
            "ordinary_errors": sum(run["ordinary_errors"] for run in mine),
        }
        print(f"{mode}: {totals[mode]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                    "conversations": args.conversations, "summary": totals,
                                    "runs": runs}, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
