"""Input checks shared by every channel. Pure functions, no Rasa imports."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Optional

# Control characters other than tab and newline; also zero-width and bidi controls, which can
# hide words from the risk detector or make a log line lie.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)


def clean_text(value: Any) -> Optional[str]:
    """The message text with control characters removed, or None if it is not text."""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFC", value)
    return _INVISIBLE.sub("", text).strip()
