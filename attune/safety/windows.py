"""Windows over a long message, so the model reads all of it. Pure Python.

The encoder reads at most 256 word pieces, about 170 words of chat English: the rest of a
longer message (the practice's limit allows about 350) would never reach the model, and a
message that ends "...anyway, I have the pills here" would be read without its last line.
A message longer than `WHOLE_WORDS` is therefore also read in windows of `WINDOW_WORDS`
words, the last one ending at the message's end and each earlier one `STEP_WORDS` before it,
until the whole reading covers the rest. Each window is one more encoder pass (two for a
message at the practice's limit), and is weighed like a long message of its own.

Where one reading must do (two messages read together, a training example), `last_reading`
gives the whole when it fits, else the last window: the trainer (training/risk_model) learns
a long message from there, where the writers' long risk messages carry it.
"""

from __future__ import annotations

from typing import List

# What the whole reading covers with room to spare (typos and emoji cost extra pieces).
WHOLE_WORDS = 170
WINDOW_WORDS = 150
STEP_WORDS = 120
# At most this many windows (the practice's limit needs two): a longer text, which only a
# raised limit lets through, is read at its start (the whole) and its end.
MAX_WINDOWS = 4


def extra_windows(text: str) -> List[str]:
    """The windows to read besides the whole message, last first; none for a message the
    whole reading covers."""
    words = text.split()
    if len(words) <= WHOLE_WORDS:
        return []
    windows: List[str] = []
    end = len(words)
    while True:
        start = max(0, end - WINDOW_WORDS)
        windows.append(" ".join(words[start:end]))
        if start <= WHOLE_WORDS - WINDOW_WORDS // 5 or len(windows) == MAX_WINDOWS:
            break
        end -= STEP_WORDS
    return windows


def last_reading(text: str) -> str:
    """One reading of a text: the whole when the encoder reads all of it, else its last window."""
    windows = extra_windows(text)
    return windows[0] if windows else text
