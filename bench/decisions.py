"""Every decision on the development sets, written down, so a speed change can show it changed none.

    python -m bench.decisions snapshot --out var/decisions/before.json [--no-conversations]
    python -m bench.decisions compare var/decisions/before.json var/decisions/after.json

`snapshot` loads the trained model in-process and reads, from every file of
tests/safety/dev/ and tests/everyday/dev/:
- **messages**: every single message and every turn's text on its own, through
  `Agent.parse_message` (the NLU pipeline: intent, its confidence, the ranking, the entities,
  the `risk` dict of the word lists and the risk model);
- **conversations** (unless `--no-conversations`): every conversation and two-message item turn
  by turn through `Agent.handle_message`, with the action server, tracker store, NLG and event
  broker of endpoints.yml (fresh databases in a temporary folder): each turn's parse as stored
  after the reading in context (attune/safety/context.py), the actions the policies chose, and
  every reply with its buttons. One conversation per sender, in file order; Rasa's random
  choice among a response's variants is seeded per turn.

`compare` says how many items each snapshot holds and lists every difference: a float
differing by more than `--tolerance` (1e-6), anything else differing at all. It prints item
numbers and field paths, never the messages' words. Exit status 1 when anything differs.
The replies say whether the practice is open now, so take both snapshots within the same
opening hours.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import numpy as np

from attune.paths import REPO_ROOT

DEV_SETS = (REPO_ROOT / "tests" / "safety" / "dev", REPO_ROOT / "tests" / "everyday" / "dev")
DEFAULT_MODEL = REPO_ROOT / "models" / "attune.tar.gz"
TOLERANCE = 1e-6
# What a parse keeps for comparison: everything the later steps read.
PARSE_KEYS = ("intent", "intent_ranking", "entities", "risk")


def dev_items(directories: Tuple[Path, ...] = DEV_SETS) -> Iterator[Tuple[str, Any]]:
    """(where, item) for every JSON line of every development file, in a fixed order."""
    for directory in directories:
        for path in sorted(directory.glob("*.jsonl")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if line.strip() and not line.lstrip().startswith("#"):
                    yield f"{path.relative_to(REPO_ROOT)}:{number}", json.loads(line)


def turns_of(item: Dict[str, Any]) -> List[str]:
    """The visitor's messages of an item: its text, or each turn's."""
    if isinstance(item.get("text"), str):
        return [item["text"]]
    turns = item.get("turns") or []
    return [t if isinstance(t, str) else str(t.get("visitor") or "") for t in turns]


def kept(parse: Dict[str, Any]) -> Dict[str, Any]:
    """The parts of a parse that are compared."""
    return {key: parse.get(key) for key in PARSE_KEYS}


async def read_messages(agent: Any, items: List[Tuple[str, Any]]) -> List[Dict[str, Any]]:
    """Every message and turn text on its own through the NLU pipeline."""
    out = []
    for where, item in items:
        for index, text in enumerate(turns_of(item)):
            out.append({"where": where, "turn": index, **kept(await agent.parse_message(text))})
    return out


async def play_conversations(agent: Any, items: List[Tuple[str, Any]]) -> List[Dict[str, Any]]:
    """Every item of more than one turn, turn by turn, as the server would answer it."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.shared.core.events import ActionExecuted, UserUttered

    out = []
    for number, (where, item) in enumerate(items):
        turns = turns_of(item)
        if len(turns) < 2:
            continue
        sender = f"decisions-{number}"
        for index, text in enumerate(turns):
            # Rasa picks one of a response's variants at random: the same pick in both snapshots.
            random.seed(number * 100 + index)
            np.random.seed(number * 100 + index)
            channel = CollectingOutputChannel()
            await agent.handle_message(UserMessage(text, channel, sender, input_channel="rest"))
            tracker = await agent.tracker_store.retrieve(sender)
            events = list(tracker.events)
            last_user = max(i for i, e in enumerate(events) if isinstance(e, UserUttered))
            actions = [e.action_name for e in events[last_user:] if isinstance(e, ActionExecuted)]
            replies = [{k: v for k, v in m.items() if k != "recipient_id"} for m in channel.messages]
            out.append({"where": where, "turn": index, **kept(events[last_user].parse_data),
                        "actions": actions, "replies": replies})
    return out


def _start_actions(port: int, env: Dict[str, str]) -> subprocess.Popen:
    from tools.stack import wait_for_http

    process = subprocess.Popen([sys.executable, "-m", "attune.action_server", "--port", str(port)], env=env,
                               cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_http(f"http://127.0.0.1:{port}/health", 120, process)
    return process


async def snapshot(model: Path, conversations: bool) -> Dict[str, Any]:
    """Loads the model (with endpoints.yml's stores, in a temporary folder) and reads everything."""
    import logging

    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.log_utils import configure_structlog

    from attune import patches
    from tools.stack import free_port

    configure_structlog(logging.WARNING)
    items = list(dev_items())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="attune-decisions-") as folder:
        port = free_port()
        os.environ.update({"ATTUNE_ACTIONS_PORT": str(port), "ATTUNE_TRACKER_DB": f"{folder}/tracker.db",
                           "ATTUNE_DATABASE_URL": f"sqlite:///{folder}/attune.db", "RASA_TELEMETRY_ENABLED": "false"})
        actions = _start_actions(port, dict(os.environ, PYTHONPATH=str(REPO_ROOT))) if conversations else None
        try:
            patches.install()
            endpoints = AvailableEndpoints.read_endpoints(str(REPO_ROOT / "endpoints.yml"))
            agent = await load_agent(model_path=str(model), endpoints=endpoints)
            messages = await read_messages(agent, items)
            played = await play_conversations(agent, items) if conversations else []
        finally:
            if actions is not None:
                actions.terminate()
                actions.wait()
    return {"model": str(model), "items": len(items), "seconds": round(time.perf_counter() - started, 1),
            "messages": messages, "conversations": played}


def differences(before: Any, after: Any, tolerance: float = TOLERANCE, path: str = "") -> Iterator[str]:
    """Field paths where two snapshots' values differ (floats beyond `tolerance`)."""
    if isinstance(before, bool) or isinstance(after, bool):
        if before is not after:
            yield path
    elif isinstance(before, (int, float)) and isinstance(after, (int, float)):
        if abs(float(before) - float(after)) > tolerance:
            yield path
    elif isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after), key=str):
            if key not in before or key not in after:
                yield f"{path}.{key}"
            else:
                yield from differences(before[key], after[key], tolerance, f"{path}.{key}")
    elif isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            yield f"{path}[len]"
        for index, (one, other) in enumerate(zip(before, after)):
            yield from differences(one, other, tolerance, f"{path}[{index}]")
    elif before != after:
        yield path


def compare(before: Dict[str, Any], after: Dict[str, Any], tolerance: float = TOLERANCE) -> Dict[str, Any]:
    """Counts and differences, per part (messages, conversations)."""
    report: Dict[str, Any] = {}
    for part in ("messages", "conversations"):
        one, other = before.get(part) or [], after.get(part) or []
        found = []
        if len(one) != len(other):
            found.append(f"{part}: {len(one)} against {len(other)} entries")
        for index, (a, b) in enumerate(zip(one, other)):
            if (a.get("where"), a.get("turn")) != (b.get("where"), b.get("turn")):
                found.append(f"{part}[{index}]: not the same item")
                continue
            found.extend(f"{a['where']} turn {a['turn']}: {field}" for field in differences(a, b, tolerance))
        report[part] = {"compared": min(len(one), len(other)), "differences": found}
    return report


def main(argv: Optional[List[str]] = None) -> int:
    """Command line: `snapshot` or `compare`."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    take = commands.add_parser("snapshot")
    take.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    take.add_argument("--out", type=Path, required=True)
    take.add_argument("--no-conversations", action="store_true")
    check = commands.add_parser("compare")
    check.add_argument("before", type=Path)
    check.add_argument("after", type=Path)
    check.add_argument("--tolerance", type=float, default=TOLERANCE)
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        result = asyncio.run(snapshot(args.model, not args.no_conversations))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, sort_keys=True), encoding="utf-8")
        print(f"{len(result['messages'])} messages, {len(result['conversations'])} conversation turns "
              f"from {result['items']} items in {result['seconds']} s: {args.out}")
        return 0
    report = compare(json.loads(args.before.read_text(encoding="utf-8")),
                     json.loads(args.after.read_text(encoding="utf-8")), args.tolerance)
    for part, found in report.items():
        print(f"{part}: {found['compared']} compared, {len(found['differences'])} differences")
        for line in found["differences"][:50]:
            print(f"  {line}")
    return 1 if any(found["differences"] for found in report.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
