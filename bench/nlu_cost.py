"""The NLU pipeline's own cost per message, in-process, without HTTP, tracker store or policies.

    python -m bench.nlu_cost MODEL.tar.gz --texts attune|baseline [--rounds 20]

Prints one JSON object: p50/p95 milliseconds of `Agent.parse_message` over the benchmark
scripts' messages. bench/run.py subtracts it from the end-to-end latency to show how much of a
turn is NLU and how much is dialogue policies, actions and storage.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from typing import List, Optional


async def measure(model: str, texts: List[str], rounds: int) -> dict:
    """Loads the model and times every text `rounds` times (after one unrecorded round)."""
    from rasa.core.agent import load_agent

    from attune.profiling import percentile

    started = time.perf_counter()
    agent = await load_agent(model_path=model)
    load_s = time.perf_counter() - started
    for text in texts:
        await agent.parse_message(text)
    samples = []
    for _ in range(rounds):
        for text in texts:
            t0 = time.perf_counter()
            await agent.parse_message(text)
            samples.append((time.perf_counter() - t0) * 1000.0)
    samples.sort()
    return {
        "model_load_s": round(load_s, 2),
        "messages": len(samples),
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "mean_ms": round(sum(samples) / len(samples), 2),
    }


def main(argv: Optional[List[str]] = None) -> int:
    """Command line: model path, which scripts' texts, rounds."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model")
    parser.add_argument("--texts", choices=("attune", "baseline"), default="attune")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from bench import loadgen

    scripts = loadgen.ATTUNE_SCRIPTS if args.texts == "attune" else loadgen.BASELINE_SCRIPTS
    texts = [m for s in scripts for m in s.messages]
    print(json.dumps(asyncio.run(measure(args.model, texts, args.rounds))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
