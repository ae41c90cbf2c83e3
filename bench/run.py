"""Attune's benchmark, side by side with stock Rasa's starter assistant, in one command.

    python -m bench.run            # or: make bench
    python -m bench.run --quick    # 5-second levels, no training: a smoke run

What it does, all on 127.0.0.1 with processes it starts and stops itself:
1. the baseline: `rasa init --no-prompt` in a temporary folder (Rasa 3.6.21's own starter
   assistant; it trains its model), then `rasa run` on it;
2. Attune: action server and Rasa server (`tools.stack.Stack`), with a copy of practice.yml
   whose rate limit suits a load test, and fresh SQLite databases;
3. cold start of each: process start to the first answered message;
4. the same load generator (bench/loadgen.py) against both, level by level, interleaved
   (baseline then Attune at 1, then at 20, then at 50 concurrent conversations);
5. resident memory of every process after the load (and its peak), model sizes, training time
   of each (`rasa train` timed, into var/bench-models/), the risk detector's cost per message
   (bench/bench_risk_detector.py, when present).
It prints a table and writes everything to var/reports/bench.json (--out to change).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from attune.paths import REPO_ROOT
from tools.stack import DEFAULT_MODEL, Stack, free_port, wait_for_http
from bench import loadgen

RASA = str(Path(sys.executable).with_name("rasa"))
BENCH_MODELS = REPO_ROOT / "var" / "bench-models"
DEFAULT_OUT = REPO_ROOT / "var" / "reports" / "bench.json"
RISK_BENCH = REPO_ROOT / "bench" / "bench_risk_detector.py"
RISK_JSON = REPO_ROOT / "var" / "bench" / "risk_detector.json"  # where it writes its result
# A load test comes from one machine: the shipped limit (per visitor, per minute) would turn
# most of it into 429s. The maximum practice.yml accepts; visitors also use 50 source addresses.
BENCH_MESSAGES_PER_MINUTE = 600


def quiet_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment for Rasa commands: telemetry off, TensorFlow quiet."""
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"})
    env.update(extra or {})
    return env


# ---------------------------------------------------------------------------- measurements

def rss_mb(pid: int) -> Dict[str, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM) of one process, in MiB."""
    values: Dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values["rss_mb" if key == "VmRSS" else "peak_rss_mb"] = round(int(rest.split()[0]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return values


def machine() -> Dict[str, Any]:
    """What the figures were measured on."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = 0.0
    try:
        memory_gb = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
    ).stdout.strip()
    import rasa

    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "rasa": rasa.__version__,
        "git_commit": commit,
    }


def timed_train(workdir: Path, out_dir: Path, name: str) -> Dict[str, Any]:
    """Runs `rasa train` in `workdir`, timed; the model goes to `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    result = subprocess.run(
        [RASA, "train", "--force", "--fixed-model-name", name, "--out", str(out_dir), "--quiet"],
        cwd=workdir,
        env=quiet_env({"PYTHONPATH": str(REPO_ROOT)}),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    seconds = time.monotonic() - started
    model = out_dir / f"{name}.tar.gz"
    if result.returncode != 0 or not model.is_file():
        raise RuntimeError(f"rasa train failed in {workdir}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return {"seconds": round(seconds, 1), "model": str(model), "model_mb": round(model.stat().st_size / 2**20, 2)}


def risk_detector_cost() -> Dict[str, Any]:
    """Runs bench/bench_risk_detector.py (the detector's own benchmark) and returns its JSON."""
    if not RISK_BENCH.is_file():
        return {"skipped": f"{RISK_BENCH.relative_to(REPO_ROOT)} is not there yet"}
    started = time.time()
    result = subprocess.run(
        [sys.executable, str(RISK_BENCH)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=900,
        env=quiet_env({"PYTHONPATH": str(REPO_ROOT)}),
    )
    if result.returncode != 0:
        return {"error": f"exit {result.returncode}: {result.stderr[-1000:]}"}
    if RISK_JSON.is_file() and RISK_JSON.stat().st_mtime >= started:
        return json.loads(RISK_JSON.read_text())
    return {"stdout": result.stdout[-2000:]}


def nlu_cost(model: Path, texts: str) -> Dict[str, Any]:
    """bench/nlu_cost.py in a fresh process: NLU-only milliseconds per message."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.nlu_cost", str(model), "--texts", texts],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=900,
        env=quiet_env({"PYTHONPATH": str(REPO_ROOT)}),
    )
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": result.stderr[-1000:]}


# ---------------------------------------------------------------------------- systems

class Baseline:
    """Stock Rasa 3.6.21's starter assistant, made by `rasa init --no-prompt`."""

    name = "baseline"

    def __init__(self, root: Path, log_dir: Path) -> None:
        """`root`: an empty folder for the project."""
        self.root = root
        self.log_dir = log_dir
        self.port = free_port()
        self.process: Optional[subprocess.Popen] = None
        self.init_seconds = 0.0
        self.cold_start: Dict[str, float] = {}

    @property
    def url(self) -> str:
        """Base URL of its Rasa server."""
        return f"http://127.0.0.1:{self.port}"

    def create(self) -> None:
        """`rasa init --no-prompt`: creates the starter project and trains its model."""
        started = time.monotonic()
        result = subprocess.run(
            [RASA, "init", "--no-prompt"], cwd=self.root, env=quiet_env(),
            capture_output=True, text=True, timeout=1800,
        )
        self.init_seconds = time.monotonic() - started
        if result.returncode != 0 or not list((self.root / "models").glob("*.tar.gz")):
            raise RuntimeError(f"rasa init failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")

    @property
    def model(self) -> Path:
        """Its trained model."""
        return sorted((self.root / "models").glob("*.tar.gz"))[-1]

    def start(self) -> None:
        """`rasa run` as the starter project ships it (REST channel, in-memory tracker store)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / "baseline-rasa.log", "ab")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [RASA, "run", "--model", str(self.model), "--interface", "127.0.0.1", "--port", str(self.port)],
            cwd=self.root, env=quiet_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        wait_for_http(f"{self.url}/webhooks/rest/", 300, self.process)
        ready = time.monotonic() - started
        first = asyncio.run(loadgen.first_answer(self.url, "hello", 120))
        self.cold_start = {"http_ready_s": round(ready, 2), "first_answer_s": round(ready + first, 2)}

    def memory(self) -> Dict[str, Dict[str, float]]:
        """Resident memory of its one process."""
        return {"rasa": rss_mb(self.process.pid)} if self.process else {}

    def stop(self) -> None:
        """Stops the server."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()


def bench_practice_file(directory: Path) -> Path:
    """practice.yml with the highest rate limit it accepts, for a load test."""
    import yaml

    data = yaml.safe_load((REPO_ROOT / "practice.yml").read_text())
    data.setdefault("limits", {})["messages_per_minute"] = BENCH_MESSAGES_PER_MINUTE
    data["region"]["subdivision"] = str(data["region"].get("subdivision", "ON"))
    path = directory / "practice.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


class Attune:
    """Attune's action server and Rasa server, started with `tools.stack.Stack`."""

    name = "attune"

    def __init__(self, model: Path, workdir: Path, log_dir: Path) -> None:
        """Fresh databases in `workdir`, logs in `log_dir`."""
        self.stack = Stack(
            model=model,
            rasa_port=free_port(),
            actions_port=free_port(),
            web_port=None,
            tracker_db=workdir / "tracker.db",
            log_dir=log_dir,
            extra_env={
                "ATTUNE_DATABASE_URL": f"sqlite:///{workdir / 'attune.db'}",
                "ATTUNE_PRACTICE_FILE": str(bench_practice_file(workdir)),
            },
        )
        self.cold_start: Dict[str, float] = {}

    @property
    def url(self) -> str:
        """Base URL of its Rasa server."""
        return self.stack.rasa_url

    def start(self) -> None:
        """Starts both servers; cold start is timed from the Rasa server's launch."""
        started = time.monotonic()
        self.stack.start_actions()
        actions = time.monotonic() - started
        started = time.monotonic()
        try:
            self.stack.start_rasa(timeout=300)
        except BaseException:
            self.stack.stop()
            raise
        ready = time.monotonic() - started
        first = asyncio.run(loadgen.first_answer(self.url, "hello", 120))
        self.cold_start = {
            "actions_ready_s": round(actions, 2),
            "http_ready_s": round(ready, 2),
            "first_answer_s": round(ready + first, 2),
        }

    def memory(self) -> Dict[str, Dict[str, float]]:
        """Resident memory of the Rasa server and the action server."""
        return {name: rss_mb(p.pid) for name, p in self.stack.processes.items()}

    def stop(self) -> None:
        """Stops both."""
        self.stack.stop()


# ---------------------------------------------------------------------------- the run

def warm_up(url: str, scripts: Sequence[loadgen.Script]) -> None:
    """One pass of every script, unrecorded: the first calls of each path build caches."""
    asyncio.run(
        loadgen.run_level(url, scripts, len(scripts), duration_s=600, max_conversations=1, spread=1)
    )


def ratio(ours: Any, theirs: Any) -> Optional[float]:
    """ours / theirs, or None if either is missing."""
    try:
        return round(float(ours) / float(theirs), 2) if float(theirs) else None
    except (TypeError, ValueError):
        return None


def table(report: Dict[str, Any]) -> str:
    """The results as a fixed-width table (Attune, baseline, Attune / baseline)."""
    rows: List[List[str]] = []

    def add(label: str, ours: Any, theirs: Any, fmt: str = "{:.1f}") -> None:
        def show(value: Any) -> str:
            if value is None or value == "":
                return "-"
            return fmt.format(value) if isinstance(value, (int, float)) else str(value)

        r = ratio(ours, theirs)
        rows.append([label, show(ours), show(theirs), f"{r:.2f}" if r is not None else "-"])

    for level in report["levels"]:
        n = level["concurrency"]
        a, b = level.get("attune", {}), level.get("baseline", {})
        for key, label in (("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"), ("p99_ms", "p99 ms"),
                           ("throughput_msg_s", "throughput msg/s")):
            add(f"{n:>2} conv  {label}", a.get(key), b.get(key))
        add(f"{n:>2} conv  errors / messages", f"{a.get('errors', '-')} / {a.get('messages', '-')}",
            f"{b.get('errors', '-')} / {b.get('messages', '-')}")
        rows[-1][3] = "-"
    cold = report.get("cold_start", {})
    add("cold start to first answer s", cold.get("attune", {}).get("first_answer_s"),
        cold.get("baseline", {}).get("first_answer_s"))
    memory = report.get("memory_mb", {})
    add("Rasa server RSS MiB (after load)", memory.get("attune", {}).get("rasa", {}).get("rss_mb"),
        memory.get("baseline", {}).get("rasa", {}).get("rss_mb"), "{:.0f}")
    add("Rasa server peak RSS MiB", memory.get("attune", {}).get("rasa", {}).get("peak_rss_mb"),
        memory.get("baseline", {}).get("rasa", {}).get("peak_rss_mb"), "{:.0f}")
    add("action server RSS MiB", memory.get("attune", {}).get("actions", {}).get("rss_mb"), None, "{:.0f}")
    training = report.get("training", {})
    add("training s", training.get("attune", {}).get("seconds"), training.get("baseline", {}).get("seconds"))
    sizes = report.get("model_mb", {})
    add("model MiB", sizes.get("attune"), sizes.get("baseline"), "{:.2f}")
    nlu = report.get("nlu_only_ms", {})
    add("NLU alone p50 ms (in-process)", nlu.get("attune", {}).get("p50_ms"), nlu.get("baseline", {}).get("p50_ms"))
    risk = report.get("risk_detector", {})
    per_message = next((risk[k] for k in ("mean_us", "per_message_us", "mean_us_per_message") if k in risk), None)
    if per_message is not None:
        add("risk detector us/message", per_message, None)

    width = [max(len(r[i]) for r in rows + [["", "Attune", "baseline", "ratio"]]) for i in range(4)]
    lines = [
        f"{'':<{width[0]}}  {'Attune':>{width[1]}}  {'baseline':>{width[2]}}  {'ratio':>{width[3]}}"
    ]
    for r in rows:
        lines.append(f"{r[0]:<{width[0]}}  {r[1]:>{width[1]}}  {r[2]:>{width[2]}}  {r[3]:>{width[3]}}")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the whole benchmark; exit code 0 if it completed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="Attune's trained model")
    parser.add_argument("--levels", default="1,20,50", help="concurrent conversations, comma-separated")
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of each level per system")
    parser.add_argument("--think", default="0,0",
                        help="seconds a visitor pauses after each answer, min,max (default 0,0: saturation)")
    parser.add_argument("--no-train", action="store_true", help="skip timing `rasa train`")
    parser.add_argument("--quick", action="store_true", help="5-second levels and no training")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--baseline-dir", type=Path, default=None,
                        help="reuse a `rasa init` project made earlier instead of a fresh one")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.no_train = 5.0, True
    levels = [int(n) for n in args.levels.split(",") if n.strip()]
    think = tuple(float(x) for x in args.think.split(","))

    run_dir = REPO_ROOT / "var" / "bench" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    log_dir = run_dir / "logs"
    report: Dict[str, Any] = {"machine": machine(), "settings": {
        "levels": levels, "seconds_per_level": args.seconds,
        "attune_scripts": {s.name: len(s.messages) for s in loadgen.ATTUNE_SCRIPTS},
        "baseline_scripts": {s.name: len(s.messages) for s in loadgen.BASELINE_SCRIPTS},
        "rate_limit_per_minute": BENCH_MESSAGES_PER_MINUTE, "think_s": think,
    }}
    reuse = args.baseline_dir is not None
    baseline_root = args.baseline_dir.resolve() if reuse else Path(tempfile.mkdtemp(prefix="rasa-init-"))
    print(f"Benchmark run in {run_dir}", flush=True)

    model = args.model
    training: Dict[str, Any] = {}
    if not args.no_train:
        print("Timing `rasa train` for Attune (into var/bench-models)...", flush=True)
        training["attune"] = timed_train(REPO_ROOT, BENCH_MODELS, "attune-bench")
    if not model.is_file():
        fallback = BENCH_MODELS / "attune-bench.tar.gz"
        if not fallback.is_file():
            print(f"No trained model at {model}: run `make train` (or drop --no-train).", file=sys.stderr)
            return 2
        model = fallback
    report["attune_model"] = str(model)

    baseline = Baseline(baseline_root, log_dir)
    attune = Attune(model, run_dir, log_dir)
    try:
        if reuse:
            report["baseline_reused_from"] = str(baseline_root)
        else:
            print("Creating the baseline: `rasa init --no-prompt` in a temporary folder...", flush=True)
            baseline.create()
            report["baseline_init_s"] = round(baseline.init_seconds, 1)
        if not args.no_train:
            print("Timing `rasa train` for the baseline...", flush=True)
            training["baseline"] = timed_train(baseline_root, baseline_root / "timed-models", "baseline")
        report["training"] = training
        baseline_model_copy = run_dir / "baseline-model.tar.gz"
        shutil.copy(baseline.model, baseline_model_copy)
        report["model_mb"] = {
            "attune": round(model.stat().st_size / 2**20, 2),
            "baseline": round(baseline.model.stat().st_size / 2**20, 2),
        }
        print("Starting the baseline and Attune (cold start timed)...", flush=True)
        baseline.start()
        attune.start()
        report["cold_start"] = {"baseline": baseline.cold_start, "attune": attune.cold_start}
        report["memory_mb_idle"] = {"baseline": baseline.memory(), "attune": attune.memory()}
        warm_up(baseline.url, loadgen.BASELINE_SCRIPTS)
        warm_up(attune.url, loadgen.ATTUNE_SCRIPTS)

        report["levels"] = []
        for n in levels:
            entry: Dict[str, Any] = {"concurrency": n}
            for system, scripts in ((baseline, loadgen.BASELINE_SCRIPTS), (attune, loadgen.ATTUNE_SCRIPTS)):
                print(f"  {system.name}: {n} concurrent conversations for {args.seconds:.0f} s...", flush=True)
                result = asyncio.run(loadgen.run_level(system.url, scripts, n, args.seconds, think_s=think))
                entry[system.name] = result.summary()
                s = entry[system.name]
                print(f"    p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, {s['throughput_msg_s']} msg/s, "
                      f"{s['errors']} errors", flush=True)
            entry["throughput_ratio"] = ratio(entry["attune"]["throughput_msg_s"],
                                              entry["baseline"]["throughput_msg_s"])
            report["levels"].append(entry)
        report["memory_mb"] = {"baseline": baseline.memory(), "attune": attune.memory()}
    finally:
        attune.stop()
        baseline.stop()
        if not reuse:
            shutil.rmtree(baseline_root, ignore_errors=True)

    print("Measuring the NLU pipeline alone, in-process (bench/nlu_cost.py)...", flush=True)
    report["nlu_only_ms"] = {
        "attune": nlu_cost(model, "attune"),
        "baseline": nlu_cost(baseline_model_copy, "baseline"),
    }
    print("Measuring the risk detector's cost per message...", flush=True)
    report["risk_detector"] = risk_detector_cost()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    (run_dir / "bench.json").write_text(json.dumps(report, indent=2))
    m = report["machine"]
    print(f"\nAttune vs stock Rasa {m['rasa']} starter assistant, same run, {m['date']}, "
          f"{m['cpu']} x {m['cores']} cores, {m['memory_gb']} GiB\n")
    print(table(report))
    print(f"\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
