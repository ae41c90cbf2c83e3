"""How long the first visitor after a start waits: `python -m bench.first_message`.

Starts the whole stack (action server, Rasa server) with a fresh database, as a deploy or a
restart would, then times three messages from new visitors through REST: the first one pays
for whatever the server left for later. Prints the start time, each reply time and the
server's own warm-up line (attune/warmup.py).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


def main() -> int:
    from tests.conftest import new_sender, started_stack

    work = Path(tempfile.mkdtemp(prefix="attune-first-"))
    started = time.perf_counter()
    stack = started_stack(work, work / "logs")
    print(f"stack ready in {time.perf_counter() - started:.1f} s")
    try:
        for text in ("hi there", "i want to kill myself", "what is anxious attachment?"):
            sent = time.perf_counter()
            stack.send(new_sender(), text)
            print(f"{text!r}: {time.perf_counter() - sent:.2f} s")
    finally:
        stack.stop()
    for line in (work / "logs" / "rasa.log").read_text(errors="replace").splitlines():
        if "warmed up" in line:
            print(line.split("  - ", 1)[-1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
