"""Per-message cost of the risk detector over a realistic mix of visitor messages.

Run from the repository root:  .venv/bin/python bench/bench_risk_detector.py
Prints mean / p50 / p99 microseconds per message and writes var/bench/risk_detector.json.
"""

from __future__ import annotations

import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from attune.safety.detector import RiskDetector  # noqa: E402

# Most website messages carry no risk at all, so the mix is weighted that way: about two
# thirds everyday and relationship talk (with idioms), one third risk of every kind, plus a
# few long pastes.
EVERYDAY = [
    "hi",
    "what is anxious attachment?",
    "can I book a session with a therapist next week?",
    "I get really anxious when my partner doesn't text back for a few hours",
    "how much does a session cost and do you take insurance?",
    "my boyfriend says I'm too clingy and I don't know how to stop overthinking",
    "I think I might be avoidant, I pull away whenever things get serious",
    "this commute is killing me, can we do online sessions?",
    "I'd kill for a coffee right now lol",
    "we ran 5 kms this morning and I felt great",
    "I'm dying to know more about the reflective exercise",
    "my feet are killing me after the wedding",
    "do you have evening appointments?",
    "she broke up with me last month and I keep checking her instagram",
    "I'm scared of my girlfriend leaving me if I tell her how I feel",
    "thanks, that was really helpful",
    "is this chat private? who can read it?",
    "my parents divorced when I was 8 and I think it affects how I trust people",
    "I hit the gym every day to cope with stress",
    "the presentation bombed and I feel embarrassed",
]
RISK = [
    "I want to kill myself",
    "since he left I keep thinking about ending my life",
    "everyone would be better off without me",
    "I lost my job. Which bridges are tallest near me?",
    "how many pills would it take",
    "gonna kms honestly",
    "i wanna kil myself",
    "I'm not suicidal, just tired",
    "I self-harmed years ago, doing ok now",
    "my friend said she'll kill herself",
    "my stepdad touches me at night",
    "my mom hits me with a belt",
    "he won't let me see my friends or have money",
    "someone keeps following me home",
    "I want to hurt my baby",
    "I took a bunch of pills",
    "I'm on the bridge now",
    "I've been cutting again and I can't stop",
]
LONG = [
    ("We have been together for three years and most of the time it is good, but when he goes "
     "quiet I start to panic and send lots of messages. ") * 12,
    ("I had a long day at work and the bus was late again, and then my sister called about "
     "the holidays. ") * 30 + "Honestly I don't want to wake up tomorrow.",
]


def build_mix(size: int, seed: int = 7) -> List[str]:
    rng = random.Random(seed)
    mix: List[str] = []
    for _ in range(size):
        roll = rng.random()
        if roll < 0.64:
            mix.append(rng.choice(EVERYDAY))
        elif roll < 0.98:
            mix.append(rng.choice(RISK))
        else:
            mix.append(rng.choice(LONG))
    return mix


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def main() -> Dict[str, object]:
    started = time.perf_counter()
    detector = RiskDetector.load()
    load_seconds = time.perf_counter() - started

    mix = build_mix(3000)
    for text in mix[:200]:  # warm caches
        detector.assess(text)
    timings: List[float] = []
    for text in mix:
        begin = time.perf_counter()
        detector.assess(text)
        timings.append((time.perf_counter() - begin) * 1e6)

    long_timings = []
    for text in LONG:
        begin = time.perf_counter()
        detector.assess(text)
        long_timings.append((time.perf_counter() - begin) * 1e6)

    result: Dict[str, object] = {
        "benchmark": "risk_detector",
        "messages": len(mix),
        "mean_us": round(statistics.fmean(timings), 1),
        "p50_us": round(percentile(timings, 0.50), 1),
        "p99_us": round(percentile(timings, 0.99), 1),
        "max_us": round(max(timings), 1),
        "long_message_chars": [len(t) for t in LONG],
        "long_message_us": [round(t, 1) for t in long_timings],
        "load_seconds": round(load_seconds, 2),
        "lexicon_fingerprint": detector.fingerprint(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print(f"risk detector: {result['messages']} messages  mean {result['mean_us']} us  "
          f"p50 {result['p50_us']} us  p99 {result['p99_us']} us  (load {result['load_seconds']} s)")
    print(f"long messages ({', '.join(str(n) for n in result['long_message_chars'])} chars): "
          f"{', '.join(str(t) for t in result['long_message_us'])} us")
    out = ROOT / "var" / "bench" / "risk_detector.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    return result


if __name__ == "__main__":
    main()
