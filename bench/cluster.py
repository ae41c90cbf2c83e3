"""The multi-replica deployment (deploy/cluster.py) measured: throughput and the no-loss check.

    python -m bench.cluster bench [--replicas 2 --concurrency 20 --seconds 30]
    python -m bench.cluster check [--replicas 2 --conversations 20 --messages 12]

Each starts its own cluster and stops it at the end. `bench` measures throughput through nginx
with 1, 2, ... replicas, then runs `check`. `check` is the no-loss test: numbered messages in
concurrent conversations spread round-robin over the replicas, one replica killed (SIGKILL)
mid-run, and PostgreSQL's tracker store then must hold every message of every conversation
exactly once, in the order it was sent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

from attune.paths import REPO_ROOT
from bench import loadgen
from bench.cpu import CpuMeter
from bench.run import bench_practice_file, machine
from deploy.cluster import DEFAULT_ROOT, Cluster, start
from tools.stack import DEFAULT_MODEL


CHECK_MESSAGES = (
    "what is attachment theory?",
    "what does anxious attachment mean?",
    "why do I push people away when they get close?",
    "can attachment patterns change?",
    "is what I write here private?",
    "thanks, that helps",
)
TAG = re.compile(r"\[check (\d+)\.(\d+)\]")
RETRYABLE = {502, 503, 504}


async def _numbered_conversation(
    url: str, sender: str, number: int, messages: int, log: List[Dict[str, Any]], retries: int
) -> None:
    import aiohttp

    address = f"127.0.0.{2 + number % 200}"
    connector = aiohttp.TCPConnector(limit=1, local_addr=(address, 0))
    async with aiohttp.ClientSession(connector=connector) as session:
        for i in range(messages):
            text = f"{CHECK_MESSAGES[i % len(CHECK_MESSAGES)]} [check {number}.{i}]"
            # The same key on every retry of this message: a replica that already stored it
            # answers with the stored replies instead of storing it twice.
            message_id = f"{sender}.{i}"
            entry: Dict[str, Any] = {"conversation": number, "message": i, "attempts": 0, "ok": False}
            while entry["attempts"] <= retries:
                entry["attempts"] += 1
                started = time.monotonic()
                try:
                    async with session.post(
                        f"{url}/webhooks/rest/webhook",
                        json={"sender": sender, "message": text, "message_id": message_id},
                        timeout=aiohttp.ClientTimeout(total=90),
                    ) as answer:
                        body = await answer.read()
                        # nginx lists every replica it tried; the last one answered.
                        tried = answer.headers.get("X-Attune-Replica", "?").split(", ")
                        entry["replica"] = tried[-1]
                        entry["rerouted"] = entry.get("rerouted", 0) + len(tried) - 1
                        entry["status"] = answer.status
                        entry["replies"] = len(json.loads(body)) if answer.status == 200 else None
                        # 200 means the replica processed it; whether the bot had words to say is
                        # the bot's business (counted apart as `empty_replies`).
                        if answer.status == 200:
                            entry["ok"] = True
                            entry["sent_at"] = started
                            entry["answered_at"] = time.monotonic()
                            break
                        if answer.status not in RETRYABLE:
                            break
                except (aiohttp.ClientError, asyncio.TimeoutError) as problem:
                    entry["status"] = type(problem).__name__
                # A visitor's widget retries after a failed send, as a person would.
                await asyncio.sleep(0.5)
            log.append(entry)
            if not entry["ok"]:
                return


def tracker_messages(database_url: str, prefix: str) -> Dict[str, List[str]]:
    """The user messages stored for each conversation whose id starts with `prefix`, in order."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    stored: Dict[str, List[str]] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT sender_id, data FROM events WHERE type_name = 'user' AND sender_id LIKE :p ORDER BY id"),
            {"p": prefix + "%"},
        )
        for sender, data in rows:
            stored.setdefault(sender, []).append(json.loads(data).get("text") or "")
    engine.dispose()
    return stored


def verify(stored: Dict[str, List[str]], prefix: str, conversations: int, messages: int) -> Dict[str, Any]:
    """Counts lost, duplicated and out-of-order messages against what was sent."""
    lost = duplicated = out_of_order = foreign = 0
    bad: List[str] = []
    for number in range(conversations):
        sender = f"{prefix}{number:03d}"
        tags = []
        for text in stored.get(sender, []):
            match = TAG.search(text)
            if not match or int(match.group(1)) != number:
                foreign += 1
                continue
            tags.append(int(match.group(2)))
        expected = list(range(messages))
        lost += len(set(expected) - set(tags))
        duplicated += len(tags) - len(set(tags))
        out_of_order += sum(1 for a, b in zip(tags, tags[1:]) if b < a)
        if tags != expected:
            bad.append(f"{sender}: {tags}")
    return {
        "lost": lost, "duplicated": duplicated, "out_of_order": out_of_order, "foreign": foreign,
        "conversations_exact": conversations - len(bad), "conversations": conversations, "examples": bad[:5],
    }


def no_loss_check(
    cluster: Cluster, conversations: int = 20, messages: int = 12, kill_after: Optional[float] = 0.35,
    retries: int = 5,
) -> Dict[str, Any]:
    """Numbered messages in concurrent conversations; optionally SIGKILLs replica 2 mid-run.

    `kill_after`: the share of all messages answered before the kill (None: no kill).
    """
    s = cluster.state
    prefix = f"nl-{uuid.uuid4().hex[:8]}-"
    log: List[Dict[str, Any]] = []
    total = conversations * messages
    killed: Dict[str, Any] = {}

    async def killer() -> None:
        if kill_after is None or len(s.replicas) < 2:
            return
        deadline = time.monotonic() + 600
        while sum(1 for e in log if e["ok"]) < total * kill_after and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        proc = cluster.kill_replica(1)
        killed.update({"replica": proc.name, "port": proc.port, "at": time.monotonic(),
                       "answered_before": sum(1 for e in log if e["ok"])})

    async def main() -> float:
        started = time.monotonic()
        await asyncio.gather(
            killer(),
            *(_numbered_conversation(s.url, f"{prefix}{n:03d}", n, messages, log, retries)
              for n in range(conversations)),
        )
        return time.monotonic() - started

    seconds = asyncio.run(main())
    result = verify(tracker_messages(s.database_url, prefix), prefix, conversations, messages)
    by_replica: Dict[str, int] = {}
    after_kill: Dict[str, int] = {}
    for e in log:
        if e["ok"]:
            by_replica[e["replica"]] = by_replica.get(e["replica"], 0) + 1
            if killed and e["sent_at"] > killed["at"]:
                after_kill[e["replica"]] = after_kill.get(e["replica"], 0) + 1
    result.update({
        "messages_sent": total,
        "answered": sum(1 for e in log if e["ok"]),
        "unanswered": total - sum(1 for e in log if e["ok"]),
        "retried": sum(1 for e in log if e["attempts"] > 1),
        "rerouted_by_nginx": sum(e.get("rerouted", 0) for e in log),
        "empty_replies": sum(1 for e in log if e["ok"] and not e.get("replies")),
        "answered_by_replica": by_replica,
        "killed": {k: v for k, v in killed.items() if k != "at"},
        "answered_after_kill_by_replica": after_kill,
        "failures": [
            {k: e.get(k) for k in ("conversation", "message", "attempts", "status", "replica", "replies")}
            for e in log if not e["ok"]
        ][:10],
        "seconds": round(seconds, 1),
    })
    result["passed"] = (
        result["lost"] == 0 and result["duplicated"] == 0 and result["out_of_order"] == 0
        and result["foreign"] == 0 and result["unanswered"] == 0
    )
    return result


def scaling_bench(cluster: Cluster, concurrency: int, seconds: float) -> List[Dict[str, Any]]:
    """Throughput and latency through nginx with the first 1, 2, ... replicas behind it."""
    s = cluster.state
    results = []
    for k in range(1, len(s.replicas) + 1):
        port = s.scaling_ports.get(str(k), s.port)
        url = f"http://127.0.0.1:{port}"
        asyncio.run(loadgen.run_level(url, loadgen.ATTUNE_SCRIPTS, len(loadgen.ATTUNE_SCRIPTS), 600,
                                      max_conversations=1, spread=1))
        meter = CpuMeter(cpu_groups(s, k), alone=["load generator"])
        meter.start()
        level = asyncio.run(loadgen.run_level(url, loadgen.ATTUNE_SCRIPTS, concurrency, seconds))
        summary = level.summary()
        summary["replicas"] = k
        summary["cpu"] = meter.stop()
        results.append(summary)
        print(f"  {k} replica(s): {summary['throughput_msg_s']} msg/s, p50 {summary['p50_ms']} ms, "
              f"p95 {summary['p95_ms']} ms, {summary['errors']} errors; "
              f"{summary['cpu']['busy_cores']} of {summary['cpu']['cores']} cores busy "
              f"({', '.join(f'{n} {c}' for n, c in summary['cpu']['by_group'].items())})", flush=True)
    if results and results[0]["cpu"]["busy_cores"]:
        # Each message costs about the same CPU whatever the number of replicas, so the run
        # with one replica says how far any number of them could scale on this machine.
        first = results[0]["cpu"]
        for summary in results:
            summary["cpu"]["ceiling_over_one_replica"] = round(first["cores"] / first["busy_cores"], 2)
    return results


def cpu_groups(state: Any, replicas_in_use: int) -> Dict[str, List[int]]:
    """The processes of a run, grouped as the bench reports them (each with its children)."""
    groups: Dict[str, List[int]] = {
        "replicas": [p.pid for p in state.replicas[:replicas_in_use]],
        "action servers": [p.pid for p in state.actions],
        "load generator": [os.getpid()],  # itself only: it started everything else
    }
    for proc in state.others:
        groups.setdefault(proc.name, []).append(proc.pid)
    # PostgreSQL runs as a daemon (pg_ctl): its first process's pid heads postmaster.pid.
    try:
        postmaster = Path(state.root) / "pg" / "data" / "postmaster.pid"
        groups["postgres"] = [int(postmaster.read_text().split()[0])]
    except (OSError, ValueError, IndexError):
        pass
    return groups


def practice_file(root: Path) -> Path:
    """practice.yml with the load-test rate limit (bench/run.py), for the cluster's replicas."""
    root.mkdir(parents=True, exist_ok=True)
    return bench_practice_file(root)


def main(argv: Optional[List[str]] = None) -> int:
    """bench | check."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("bench", "check"))
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--actions", type=int, default=2)
    parser.add_argument("--port", type=int, default=8000, help="nginx's port for the Rasa replicas")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--messages", type=int, default=12)
    parser.add_argument("--no-kill", action="store_true", help="`check`: do not kill a replica")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "reports" / "cluster.json")
    args = parser.parse_args(argv)

    cluster = Cluster(args.root, args.replicas, args.actions, args.port, args.model)
    cluster.practice_file = practice_file(args.root)
    start(cluster)
    report: Dict[str, Any] = {"replicas": args.replicas, "action_servers": args.actions}
    try:
        if args.command == "bench":
            print(f"Throughput with 1..{args.replicas} replicas, {args.concurrency} conversations, "
                  f"{args.seconds:.0f} s each:", flush=True)
            report["scaling"] = scaling_bench(cluster, args.concurrency, args.seconds)
        print(f"No-loss check: {args.conversations} conversations x {args.messages} numbered messages"
              f"{'' if args.no_kill else ', replica 2 killed mid-run'}...", flush=True)
        report["no_loss"] = no_loss_check(cluster, args.conversations, args.messages,
                                          None if args.no_kill else 0.35)
    finally:
        cluster.down()

    report["machine"] = machine()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report["no_loss"], indent=2))
    print(f"JSON: {args.out}")
    return 0 if report["no_loss"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
