"""Where one message's time goes, stage by stage, at 1 and 20 conversations: `make bench-profile`.

    python -m bench.profile [--levels 1,20] [--seconds 30] [--out var/reports/profile.json]

It starts Attune's action server and Rasa server as `make bench` does (`bench.run.Attune`:
`tools.stack.Stack`, fresh databases, a copy of practice.yml with the highest rate limit it
accepts, visitors spread over loopback addresses), with ATTUNE_PROFILE_FILE set, so the Rasa
server times every stage of every message (attune/profiling.py). After one unrecorded pass of
every script (`bench.run.warm_up`) it asks the server to start its profile afresh; then, level
by level, bench/loadgen.py plays Attune's scripts at N concurrent conversations for `--seconds`
at saturation (each visitor sends its next message the moment the answer arrives), and the
server writes that level's profile and starts a new one (`attune.profiling.request_reset`):
one server, levels measured apart, the warm-up in none of them.

For each level it prints a table: every stage, indented inside the stage that contains it
(stages nest: the NLU row contains its components' rows), with calls per message, mean, p50
and p95 milliseconds per call, milliseconds per message (the stage's whole time over the
messages answered) and that as a share of the end-to-end time (request sent to answer read,
by the load generator). Writes everything to var/reports/profile.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import fnmatch
import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from attune import profiling
from attune.paths import REPO_ROOT
from bench import loadgen
from bench.run import Attune, machine, warm_up
from tools.stack import DEFAULT_MODEL

DEFAULT_OUT = REPO_ROOT / "var" / "reports" / "profile.json"
END_TO_END = "end to end (load generator)"
# Where each stage goes in the table, and how deep it nests: a row is part of the nearest row
# above it with less indentation. Patterns with * gather the graph nodes, by component.
LAYOUT: Tuple[Tuple[str, int], ...] = (
    ("channel: webhook request", 0),
    ("agent: conversation lock + turn", 1),
    ("turn: handle_message", 2),
    ("tracker store: retrieve", 3),
    ("tracker store: retrieve full", 3),
    ("NLU: read the message", 3),
    ("NLU: graph", 4),
    ("nlu: *", 5),
    ("model thread: read_in_context", 4),
    ("slots: action_extract_slots", 3),
    ("dialogue: prediction loop", 3),
    ("policies: predict next action", 4),
    ("policy: *", 5),
    ("graph: *", 5),
    ("action: run", 4),
    ("action server: round trip", 5),
    ("NLG: generate", 5),
    ("tracker store: save", 3),
    ("event broker: publish", 4),
    (profiling.QUEUE_WAIT, 3),
    (profiling.BACK_ON_LOOP, 3),
    ("model thread: *", 3),
)
NOTES = (
    "Indented rows are part of the row above them; rows at one indentation do not overlap, except:",
    f"- '{profiling.QUEUE_WAIT}' (work handed to the model threads, waiting for a free one) and",
    f"  '{profiling.BACK_ON_LOOP}' (that work done, its turn waiting for the event loop to",
    "  resume it) lie inside 'NLU: read the message' (the parse, the reading in context) and",
    "  'dialogue: prediction loop' (each prediction), outside the NLU graph and the predictions;",
    "- 'NLG: generate' runs inside 'action: run' (responses), and inside 'action server: round trip'",
    "  when a custom action returns a response; the policy rows include Rasa's providers and ensemble.",
    "ms/msg: the stage's whole time over the messages answered; share: of the end-to-end mean.",
    "At 20 conversations the turns overlap: shares add up per message, not per second of CPU.",
)


def place(stage: str) -> Tuple[int, int]:
    """(position in LAYOUT, depth) of a stage; unknown stages go last, unindented."""
    for position, (pattern, depth) in enumerate(LAYOUT):
        if fnmatch.fnmatchcase(stage, pattern):
            return position, depth
    return len(LAYOUT), 0


def rows(profile: Dict[str, Any], load: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The table's rows: the end-to-end figure, then every stage in LAYOUT's order (stages of
    one pattern by time per message, largest first)."""
    messages = max(1, int(load.get("messages") or 0))
    end_to_end = float(load.get("mean_ms") or 0.0)
    table = [{
        "stage": END_TO_END, "depth": 0, "count": load.get("messages"), "errors": load.get("errors"),
        "calls_per_message": 1.0, "mean_ms": load.get("mean_ms"), "p50_ms": load.get("p50_ms"),
        "p95_ms": load.get("p95_ms"), "ms_per_message": end_to_end, "share": 1.0 if end_to_end else None,
    }]
    stages = profile.get("stages", {})
    for name in sorted(stages, key=lambda s: (place(s)[0], -stages[s]["total_ms"], s)):
        figures = stages[name]
        per_message = figures["total_ms"] / messages
        table.append({
            "stage": name, "depth": place(name)[1], "count": figures["count"], "errors": figures["errors"],
            "calls_per_message": figures["count"] / messages, "mean_ms": figures["mean_ms"],
            "p50_ms": figures["p50_ms"], "p95_ms": figures["p95_ms"], "ms_per_message": per_message,
            "share": per_message / end_to_end if end_to_end else None,
        })
    return table


def format_table(table: List[Dict[str, Any]]) -> str:
    """The rows as fixed-width text."""
    header = ["stage (indented: inside the row above)", "calls/msg", "mean ms", "p50 ms", "p95 ms", "ms/msg",
              "share"]

    def number(value: Any, digits: int = 1) -> str:
        return "-" if value is None else f"{value:.{digits}f}"

    lines = [[("  " * row["depth"]) + row["stage"] + (f" ({row['errors']} errors)" if row.get("errors") else ""),
              number(row["calls_per_message"], 2), number(row["mean_ms"], 2), number(row["p50_ms"], 2),
              number(row["p95_ms"], 2), number(row["ms_per_message"], 2),
              "-" if row["share"] is None else f"{100 * row['share']:.1f}%"] for row in table]
    width = [max(len(line[i]) for line in lines + [header]) for i in range(len(header))]
    text = [header[0].ljust(width[0]) + "".join(f"  {h:>{w}}" for h, w in zip(header[1:], width[1:]))]
    for line in lines:
        text.append(line[0].ljust(width[0]) + "".join(f"  {c:>{w}}" for c, w in zip(line[1:], width[1:])))
    return "\n".join(text)


def next_period(path: Path, timeout: float = 60.0) -> Dict[str, Any]:
    """Asks the server to write its profile and start afresh; returns what it wrote."""
    request = profiling.request_reset(path)
    deadline = time.monotonic() + timeout
    while request.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the Rasa server did not write its profile to {path} (is ATTUNE_PROFILE_FILE set?)")
        time.sleep(0.1)
    return json.loads(path.read_text())


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the profile; exit code 0 if it completed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="Attune's trained model")
    parser.add_argument("--levels", default="1,20", help="concurrent conversations, comma-separated")
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of each level")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    levels = [int(n) for n in args.levels.split(",") if n.strip()]
    if not args.model.is_file():
        print(f"No trained model at {args.model}: run `make train`.", file=sys.stderr)
        return 2

    run_dir = REPO_ROOT / "var" / "bench" / ("profile-" + dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
    run_dir.mkdir(parents=True, exist_ok=True)
    profile_file = run_dir / "stage-profile.json"
    attune = Attune(args.model, run_dir, run_dir / "logs")
    attune.stack.extra_env[profiling.PROFILE_ENV] = str(profile_file)
    report: Dict[str, Any] = {"machine": machine(), "settings": {
        "levels": levels, "seconds_per_level": args.seconds, "think_s": [0, 0],
        "attune_scripts": {s.name: len(s.messages) for s in loadgen.ATTUNE_SCRIPTS},
        "max_samples_per_stage": profiling.MAX_SAMPLES, "model": str(args.model),
    }, "levels": []}
    print(f"Stage profile in {run_dir}: starting the action server and the Rasa server...", flush=True)
    try:
        attune.start()
        warm_up(attune.url, loadgen.ATTUNE_SCRIPTS)
        next_period(profile_file)  # the start-up and the warm-up: left out
        for n in levels:
            print(f"  {n} concurrent conversation(s) for {args.seconds:.0f} s...", flush=True)
            result = asyncio.run(loadgen.run_level(attune.url, loadgen.ATTUNE_SCRIPTS, n, args.seconds))
            load = result.summary()
            profile = next_period(profile_file)
            report["levels"].append({"concurrency": n, "load": load, "profile": profile,
                                     "rows": rows(profile, load)})
    finally:
        attune.stop()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    (run_dir / "profile.json").write_text(json.dumps(report, indent=2))
    m = report["machine"]
    print(f"\nWhere one message's time goes: Attune, {m['date']}, {m['cpu']} x {m['cores']} cores, "
          f"commit {m['git_commit']}")
    for level in report["levels"]:
        load = level["load"]
        print(f"\n{level['concurrency']} conversation(s), {load['duration_s']:.0f} s: {load['messages']} messages "
              f"({load['errors']} errors), {load['throughput_msg_s']} msg/s; end to end p50 {load['p50_ms']} ms, "
              f"p95 {load['p95_ms']} ms, mean {load['mean_ms']} ms\n")
        print(format_table(level["rows"]))
    print("\n" + "\n".join(NOTES))
    print(f"\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
