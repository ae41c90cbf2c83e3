"""What hostile input and the risk model cost per message: `make bench-hostile`.

    python -m bench.hostile [--out var/reports/bench-hostile.json]

1. Every pattern that reads visitor text, on 1 MB adversarial strings built to make a
   backtracking pattern slow (long runs without the character that would end a match): the
   redaction patterns, the input cleaner, and the guard's bounded risk check (which reads at
   most two windows of the practice's limit). All should grow linearly: the report gives
   milliseconds per megabyte.
2. The risk detector and the risk model on a 2,000-character message of each adversarial
   shape (the practice's limit: nothing longer reaches them).
3. The risk model's own cost per typed message: the encoder pass (shared with the intent
   classifier), the heads, and the extra sentence readings of a long message; and the second
   opinion's pass, paid only by the messages the shipped model leaves unanswered but unsure
   (attune.safety.risk_model.wants_second_opinion).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Callable, Dict, List

from attune.paths import REPO_ROOT


ADVERSARIAL: Dict[str, str] = {
    "letters": "a" * 1_000_000,
    "letters then @": "a" * 999_999 + "@",
    "digits spaced, then a letter": "1 " * 500_000 + "x",
    "domain-like run": "x@" + "a-" * 499_999,
    "brackets and digits": "(1" * 500_000,
    "digits then a letter": "1" * 999_999 + "a",
    "many @": "a@b" * 333_333,
    "dots": "a." * 500_000,
    "invisible characters": "\u200b" * 1_000_000,
}


def timed(function: Callable[[], object], repeat: int = 3) -> float:
    """Best of `repeat` runs, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "reports" / "bench-hostile.json")
    args = parser.parse_args(argv)

    from attune.channels.guard import clean_text, screen_text
    from attune.nlu.sentence_encoder import shared_encoder
    from attune.privacy import redact
    from attune.safety.detector import RiskDetector
    from attune.safety.risk_model import shared_risk_model

    detector = RiskDetector.load()
    model = shared_risk_model()
    encoder = shared_encoder()

    def risk_intent(text: str):
        return detector.assess(text).intent

    report: Dict[str, object] = {"per_megabyte_ms": {}, "at_the_limit_ms": {}}
    for name, text in ADVERSARIAL.items():
        report["per_megabyte_ms"][name] = {
            "email pattern": round(timed(lambda: redact._EMAIL.sub("", text)), 1),
            "phone pattern": round(timed(lambda: redact._PHONE.sub("", text)), 1),
            "input cleaner": round(timed(lambda: clean_text(text)), 1),
            "bounded risk check": round(timed(lambda: screen_text(text, 2000, risk_intent)), 1),
        }
        window = text[:2000]
        report["at_the_limit_ms"][name] = {
            "risk detector": round(timed(lambda: detector.assess(window)), 2),
            "risk model (encoder + heads + sentences)": round(
                timed(lambda: model.verdict(model.scores(encoder.encode(model.readings(window))))), 2),
        }

    typed = [
        "when he doesnt text back i panic",
        "I gave the dog to my neighbour and wrote letters to everyone",
        "what does a session cost?",
        "i want to kill myself",
    ]
    long = ("We met at work two years ago and it was lovely at first, but lately he goes quiet "
            "for days and I panic. ") * 4 + "I don't think I want to be here anymore."
    for text in typed + [long]:
        encoder.encode([text])
    vectors = encoder.encode(typed)
    encode_ms = [timed(lambda t=t: encoder.encode([t]), 20) for t in typed]
    heads_ms = timed(lambda: model.scores(vectors[:1]), 200)
    long_ms = timed(lambda: model.verdict(model.scores(encoder.encode(model.readings(long)))), 10)
    long_whole_ms = timed(lambda: encoder.encode([long]), 10)
    from attune.nlu.risk_component import second_opinion

    unsure = "i keep a pencil sharpener blade in my phone case for bad days"
    unsure_assessment = detector.assess(unsure)
    second_opinion(unsure, unsure_assessment)
    second_ms = timed(lambda: second_opinion(unsure, unsure_assessment), 20)
    report["risk_model_per_message_ms"] = {
        "encoder pass (shared with the intent classifier), typed message": round(statistics.median(encode_ms), 2),
        "risk heads on that vector": round(heads_ms, 3),
        "a long message read whole": round(long_whole_ms, 2),
        "a long message read whole and by sentence": round(long_ms, 2),
        "the second opinion's pass, when it is asked (a typed message)": round(second_ms, 2),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
