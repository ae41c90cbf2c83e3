"""Start-up time and resident memory of the Rasa server, and what one risk detector costs.

    python -m bench.startup [--trials 3] [--variant] [--out var/reports/bench-startup.json]

For each trial it starts the action server and then the Rasa server exactly as `make run` does
(`tools.stack.Stack`, fresh SQLite databases, no website), and measures:

- `http_ready_s`: from starting `rasa run` until its REST route answers;
- `warmed_s`: until the server logs that its warm-up is done (attune/warmup.py: the channels'
  guard, the NLU pipeline, the policies; before this the first visitor waits);
- `first_answer_s`: until a first "hi", sent after the warm-up, is answered;
- `rss_mb` / `peak_rss_mb`: VmRSS and VmHWM of the Rasa server after the warm-up, a "hi" and
  one risk message (so the crisis path and the channels' guard are loaded).

`--variant` serves a copy of the trained model whose risk word lists differ from the shipped
`attune/safety/risk_lexicon.yml` by one unused top-level key (same rules, other fingerprint):
the case where the NLU component's lists (the model's copy) and the file beside the code are
not the same file content, e.g. a lexicon edited since the model was trained.

`--detector-cost` instead measures, in a fresh Python process, what building one detector
costs: seconds and the growth of resident memory, for the first and for a second copy.

Nothing of a visitor is involved; the messages are fixed test phrases.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

from attune.paths import REPO_ROOT
from tools.stack import DEFAULT_MODEL, Stack, free_port

LEXICON_MEMBER = "risk_lexicon.yml"
VARIANT_KEY = "\nbench_variant_note: lists identical to the shipped file, fingerprint differs\n"


def rss_mb(pid: int) -> Dict[str, float]:
    """VmRSS and VmHWM of one process, in MiB."""
    values: Dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values["rss_mb" if key == "VmRSS" else "peak_rss_mb"] = round(int(rest.split()[0]) / 1024, 1)
    return values


def variant_model(directory: Path) -> Path:
    """A copy of the trained model with one unused key added to its risk word lists."""
    target = directory / "attune-variant.tar.gz"
    with tarfile.open(DEFAULT_MODEL, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if data is not None and Path(member.name).name == LEXICON_MEMBER:
                content = data.read() + VARIANT_KEY.encode()
                member.size = len(content)
                out.addfile(member, io.BytesIO(content))
            else:
                out.addfile(member, data)
    return target


def send(url: str, text: str) -> List[Dict[str, Any]]:
    body = json.dumps({"sender": f"bench-startup-{time.monotonic_ns()}", "message": text}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.loads(answer.read())


def wait_for_line(log: Path, needle: str, timeout: float) -> Optional[float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.is_file() and needle in log.read_text(errors="replace"):
            return time.monotonic()
        time.sleep(0.05)
    return None


def one_trial(model: Path, work: Path) -> Dict[str, Any]:
    from bench.run import bench_practice_file

    logs = work / "logs"
    stack = Stack(
        model=model, rasa_port=free_port(), actions_port=free_port(), web_port=None,
        tracker_db=work / "tracker.db", log_dir=logs,
        extra_env={"ATTUNE_DATABASE_URL": f"sqlite:///{work / 'attune.db'}",
                   "ATTUNE_PRACTICE_FILE": str(bench_practice_file(work))},
    )
    try:
        stack.start_actions()
        started = time.monotonic()
        stack.start_rasa(timeout=600)
        ready = time.monotonic()
        warmed = wait_for_line(logs / "rasa.log", "Model warmed up", 300)
        send(stack.rasa_url, "hi")
        first = time.monotonic()
        replies = send(stack.rasa_url, "i want to kill myself")
        assert any("988" in (r.get("text") or "") or r.get("buttons") for r in replies), "no crisis reply"
        memory = rss_mb(stack.processes["rasa"].pid)
    finally:
        stack.stop()
    return {
        "http_ready_s": round(ready - started, 2),
        "warmed_s": round(warmed - started, 2) if warmed else None,
        "first_answer_s": round(first - started, 2),
        **memory,
    }


DETECTOR_COST = r"""
import json, time
from pathlib import Path

def rss():
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024

import spacy, spacy_lookups_data  # imported by Rasa's pipeline anyway: not the detector's cost
from attune.safety import detector as module
out = {}
for name in ('first', 'second'):
    module._LOADED.clear()  # noqa: a second copy, as a second builder of the lists would get
    before, started = rss(), time.perf_counter()
    kept = module.RiskDetector.load()
    globals()['keep_' + name] = kept
    out[name] = {'seconds': round(time.perf_counter() - started, 2), 'rss_growth_mb': round(rss() - before, 1)}
print(json.dumps(out))
"""


def detector_cost() -> Dict[str, Any]:
    """Seconds and resident memory of building the risk detector, twice, in a fresh process."""
    done = subprocess.run([sys.executable, "-c", DETECTOR_COST], cwd=REPO_ROOT, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(values: List[float]) -> Dict[str, float]:
    return {"median": round(statistics.median(values), 2), "min": round(min(values), 2),
            "max": round(max(values), 2)}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup")
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--variant", action="store_true",
                        help="serve a model whose word lists differ from the shipped file")
    parser.add_argument("--detector-cost", action="store_true",
                        help="only measure building the detector in a fresh process")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "reports" / "bench-startup.json")
    args = parser.parse_args(argv)

    if args.detector_cost:
        trials = [detector_cost() for _ in range(args.trials)]
        report: Dict[str, Any] = {"detector_cost": trials}
        for name in ("first", "second"):
            for key in ("seconds", "rss_growth_mb"):
                print(f"{name} detector {key}: {summary([t[name][key] for t in trials])}")
    else:
        work_root = Path(tempfile.mkdtemp(prefix="attune-startup-"))
        model = variant_model(work_root) if args.variant else DEFAULT_MODEL
        trials = []
        for number in range(args.trials):
            work = work_root / f"trial{number}"
            work.mkdir()
            trials.append(one_trial(model, work))
            print(f"trial {number + 1}: {trials[-1]}", flush=True)
        report = {"variant": args.variant, "trials": trials,
                  "summary": {key: summary([t[key] for t in trials if t.get(key) is not None])
                              for key in trials[0]}}
        for key, value in report["summary"].items():
            print(f"{key}: {value}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
