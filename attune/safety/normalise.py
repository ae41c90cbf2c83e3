"""The risk detector's first layer: text to the spelling its patterns are written in.

Lowercase, apostrophes and dashes, invisible characters, leetspeak, stretched letters, masked
letters ("k*ll"), the lexicon's misspelling map and a cheap one-edit spelling fix for its key
words. Pure: no spaCy, no Rasa.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Any, Dict, Iterable, List, Set


def _damerau1(a: str, b: str) -> bool:
    """True when a and b differ by at most one edit (incl. a transposition)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if la > lb:
        a, b = b, a
    for i in range(len(b)):
        if b[:i] + b[i + 1:] == a:
            return True
    return False


class Normaliser:
    """Lowercases and repairs spelling so that patterns can stay simple."""

    _CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
    _INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
    _QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
                             "\u201c": '"', "\u201d": '"', "\u2014": " - ", "\u2013": " - "})
    _CHUNK = re.compile(r"\S+")
    _EDGE = re.compile(r"^([^a-z0-9$@*]*)(.*?)([^a-z0-9*]*)$", re.S)
    _STRETCH = re.compile(r"([a-z])\1{2,}")
    _NUM_UNIT = re.compile(r"\b(\d+)([a-z]{2,})\b")
    _GLUED_STOP = re.compile(r"([a-z]{2})([.!?,;])([a-z]{2})")
    _STEP = re.compile(r"\b(step)[- ](?=(dad|daddy|mom|mum|father|mother|brother|sister|son|daughter|parent)s?\b)"
                       r"|\b(ex)-(?=[a-z])")
    _HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
    # "shed be better off dead": "she'd" typed without its apostrophe, read as one only before
    # the words that follow "she'd" (not "the shed out back").
    _SHED = re.compile(r"\bshed(?=\s+(?:be|been|rather|never|have|had|kill|want|do|go|end|hurt|take|try|"
                       r"jump|die|probably|just|already|said|say|told|tell|like|love|leave)\b)")

    # "im scared ill hurt her": "i'll" typed without its apostrophe, read as one only before a
    # verb of acting or harm ("i feel ill", "ill health" stay as they are).
    _ILL = re.compile(r"\bill(?=\s+(?:hurt|kill|harm|hit|shake|smother|drown|strangle|stab|snap|lose\s+it|"
                      r"do\s+something|end\s+it|end\s+my|jump|cut|overdose|od)\b)")

    # "done w everything": "w" for "with" after "done" (not "w/" or a lone letter elsewhere).
    _DONE_W = re.compile(r"\bdone\s+w(?=\s+(?:everything|it\s+all|life|living|all\s+of\s+(?:it|this)|this|people|"
                         r"trying|being|myself|me)\b)")

    def __init__(self, config: Dict[str, Any], known: Set[str], vocabulary: Set[str]) -> None:
        self.map: Dict[str, str] = {str(k).lower(): str(v).lower()
                                    for k, v in (config.get("misspellings") or {}).items()}
        self.leet = str.maketrans({str(k): str(v) for k, v in (config.get("leet") or {}).items()})
        self.known = known
        self.vocabulary = vocabulary
        self.targets = [str(t).lower() for t in config.get("fuzzy_targets") or []]
        self.min_fuzzy = int(config.get("fuzzy_min_length", 6))
        self._deletes: Dict[str, List[str]] = {}
        for target in self.targets:
            for variant in {target, *self._deletions(target)}:
                self._deletes.setdefault(variant, []).append(target)

    @staticmethod
    def _deletions(word: str) -> Iterable[str]:
        return (word[:i] + word[i + 1:] for i in range(len(word)))

    def __call__(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text)
        text = self._INVISIBLE.sub("", text)
        text = self._CONTROL.sub(" ", text).translate(self._QUOTES).lower()
        text = self._STEP.sub(lambda m: m.group(1) or (m.group(3) + " "), text)
        text = self._HYPHEN.sub(" ", text)
        text = self._SHED.sub("she'd", text)
        text = self._ILL.sub("i'll", text)
        text = self._DONE_W.sub("done with", text)
        text = self._GLUED_STOP.sub(r"\1\2 \3", text)
        text = self._NUM_UNIT.sub(r"\1 \2", text)
        return self._CHUNK.sub(self._fix_chunk, text)

    def _fix_chunk(self, match: "re.Match[str]") -> str:
        chunk = match.group(0)
        edge = self._EDGE.match(chunk)
        if edge is None:  # pragma: no cover - the pattern always matches
            return chunk
        lead, core, trail = edge.groups()
        if not core:
            return chunk
        return lead + self.fix_word(core) + trail

    def fix_word(self, word: str) -> str:
        """Returns the repaired spelling of one lowercase word (may become several words)."""
        if word in self.map:
            return self.map[word]
        if word in self.known:
            return word
        if word[0] not in "0123456789" and sum(c.isalpha() for c in word) >= 2:
            if re.search(r"[0-9$@!]", word):
                word = re.sub(r"(?<=[a-z])!(?=[a-z])", "i", word).translate(self.leet)
            if "*" in word:
                word = self._unmask(word)
        if self._STRETCH.search(word):
            double = self._STRETCH.sub(r"\1\1", word)
            single = self._STRETCH.sub(r"\1", word)
            word = single if (single in self.known or single in self.map) and double not in self.known else double
        if word in self.map:
            return self.map[word]
        if word in self.known:
            return word
        if word.endswith("in") and word + "g" in self.known:
            return word + "g"
        if len(word) >= self.min_fuzzy and word.isalpha():
            return self._fuzzy(word)
        return word

    def _unmask(self, word: str) -> str:
        regex = re.compile("^" + re.escape(word).replace(r"\*", "[a-z]") + "$")
        for candidate in itertools.chain(self.targets, self.map):
            if regex.match(candidate):
                return self.map.get(candidate, candidate)
        return word

    def _fuzzy(self, word: str) -> str:
        for variant in itertools.chain((word,), self._deletions(word)):
            for target in self._deletes.get(variant, ()):
                if target[0] == word[0] and _damerau1(word, target):
                    return self.map.get(target, target)
        return word
