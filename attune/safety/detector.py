"""Risk detector: decides, for every visitor message, whether it contains risk language.

The detector is deliberately rule-based and reviewable. Every word list and pattern lives in
``risk_lexicon.yml`` beside this module, so a practice can read and extend what is caught
without touching Python. The code here only does four things:

1. normalise the text (lowercase, apostrophes, leetspeak, stretched letters, a misspelling map
   and a cheap one-edit spelling fix for key words);
2. run one spaCy ``Matcher`` (blank English pipeline + lookup lemmatizer) holding every risk
   rule, idiom and scope cue;
3. scope each hit: suppressed by an overlapping idiom, negated ("I'm not suicidal"), past and
   resolved ("years ago, doing ok now"), and about whom (the visitor or someone else);
4. pick one category by severity and map it to a Rasa intent.

It never raises: if anything unexpected happens a plain keyword check decides instead, so a
bug can cost precision but not a missed crisis line. Signals carry rule names, never text.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

import yaml

logger = logging.getLogger(__name__)

CATEGORIES = ("suicide", "self_harm", "abuse", "harm_others", "emergency")
ABUSE_SUBCATEGORIES = (
    "partner_violence",
    "sexual_violence",
    "child_abuse",
    "coercive_control",
    "stalking",
)
STATUSES = ("current", "past_or_negated")
ABOUTS = ("self", "other")

# Bump when the scoping logic changes in a way that should count as a new detector.
DETECTOR_VERSION = "1"
DEFAULT_LEXICON_PATH = Path(__file__).with_name("risk_lexicon.yml")
# Detectors built in this process, by lexicon fingerprint.
_LOADED: Dict[str, "RiskDetector"] = {}
# Held while a detector is built: two threads asking at once get one detector, not two.
_BUILDING = threading.Lock()
# The process's one detector (`shared_detector`): what every message is read with.
_SHARED: Optional["RiskDetector"] = None

# Risk may sit at the end of a long paste, so long messages are read whole up to this bound
# (about 10 ms); beyond it only the head and the tail are read.
MAX_CHARS = 40_000

# Severity among non-emergency categories (emergency always wins).
_SEVERITY = ("suicide", "harm_others", "self_harm", "abuse")
# When several rules of one category fire, the audit log records the gravest tag.
_TAG_PRIORITY = ("in_progress", "overdose", "method_seeking", "method", "plan", "intent", "explicit",
                 "violence", "medical", "veiled", "passive", "indirect", "slang", "distress", "reassurance")
_ABUSE_PRIORITY = ("child_abuse", "sexual_violence", "partner_violence", "stalking", "coercive_control")
_PATTERNS_PER_RULE_LIMIT = 4000
# Words too frequent to make good anchors (see _PatternCompiler.anchor).
_COMMON_WORDS = frozenset("""i me my myself you your he she it we they him her them his their be have do
not to a an the and or but of in on at for with about from by so just really will would can could
should might may want go get feel think know like this that what how why when if all no never
now up out as is 's 'm 're n't 'll 'd day night time work school home house friend friends family
mom mum dad sister brother partner boyfriend girlfriend husband wife kid kids child baby son daughter
people someone again still every long late call say tell thing way good bad much many right last
year week make take give see come one there here then than because""".split())


class LexiconError(ValueError):
    """The lexicon file is malformed."""


@dataclass(frozen=True)
class RiskAssessment:
    """What the detector concluded about one message.

    Attributes:
        category: None (no risk) or one of CATEGORIES.
        subcategory: abuse kind for "abuse", otherwise None or a short rule tag.
        about: "self" (the visitor) or "other" (a third party).
        status: "current" or "past_or_negated".
        signals: names of the lexicon rules that fired; never message text.
    """

    category: Optional[str] = None
    subcategory: Optional[str] = None
    about: str = "self"
    status: str = "current"
    signals: Tuple[str, ...] = ()

    @property
    def is_risk(self) -> bool:
        """True when any risk category was found (current, negated or past)."""
        return self.category is not None

    @property
    def intent(self) -> Optional[str]:
        """The Rasa intent the safety rules listen for, or None for no risk."""
        if self.category is None:
            return None
        if self.category == "emergency" and self.status == "current":
            return "risk_emergency"
        if self.status == "past_or_negated":
            return "risk_check_in"
        if self.about == "other":
            return "risk_third_party"
        if self.category == "abuse" and self.subcategory == "child_abuse":
            return "risk_child_abuse"
        return "risk_" + self.category


NO_RISK = RiskAssessment()


@dataclass(frozen=True)
class _Rule:
    name: str
    kind: str  # "risk", "idiom" or "cue"
    category: Optional[str]
    subcategory: Optional[str]
    victim: str  # "object", "subject", "agent", "possessor", "self"
    needs: FrozenSet[str]
    figurative_prone: bool
    not_followed_by: Tuple[Tuple[str, ...], ...]
    not_preceded_by: Tuple[Tuple[str, ...], ...]
    clause_final: bool
    agent_not_self: bool = False
    min_number: int = 0
    fixed_status: Optional[str] = None
    not_followed_by_suffix: Tuple[str, ...] = ()
    not_inside: FrozenSet[str] = frozenset()


@dataclass(frozen=True)
class _Hit:
    rule: _Rule
    start: int
    end: int
    about: str
    status: str  # "current", "negated" or "past"
    figurative: bool
    sentence: int


class _Doc:
    """Per-message token facts shared by the scoping helpers."""

    __slots__ = ("lowers", "lemmas", "sent", "clause", "look", "n")

    def __init__(self, lowers: List[str], lemmas: List[str], sent: List[int], clause: List[int],
                 look: List[int]) -> None:
        self.lowers = lowers
        self.lemmas = lemmas
        self.sent = sent
        self.clause = clause
        self.look = look
        self.n = len(lowers)


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


class _Normaliser:
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


class _PatternCompiler:
    """Turns the lexicon's small pattern language into spaCy Matcher patterns.

    Syntax (tokens separated by spaces):
        word        any inflection of word (lemma match)      =word   exactly this word
        (a|b c|=d)  one of several words or phrases           @list   one of a named term list
        X?          X is optional                             *N      up to N other words
        #           a number
    """

    _WILD_STOP = [".", "!", "?", "...", ";", "\n"]

    def __init__(self, tokenize: Any, lemma_of: Any, terms: Dict[str, List[str]]) -> None:
        self.tokenize = tokenize
        self.lemma_of = lemma_of
        self.terms = terms

    @staticmethod
    def split(pattern: str) -> List[str]:
        specs: List[str] = []
        buf, depth = "", 0
        for ch in pattern.strip():
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            if ch == " " and depth == 0:
                if buf:
                    specs.append(buf)
                buf = ""
            else:
                buf += ch
        if buf:
            specs.append(buf)
        if depth != 0:
            raise LexiconError(f"unbalanced parentheses in pattern {pattern!r}")
        return specs

    @staticmethod
    def _split_bar(body: str) -> List[str]:
        parts: List[str] = []
        buf, depth = "", 0
        for ch in body:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            if ch == "|" and depth == 0:
                parts.append(buf.strip())
                buf = ""
            else:
                buf += ch
        parts.append(buf.strip())
        return parts

    def _alternatives(self, spec: str, depth: int = 0) -> List[str]:
        """Expands groups, term lists and phrases that contain them into plain phrases."""
        if depth > 6:
            raise LexiconError(f"pattern nests too deeply at {spec!r}")
        words = self.split(spec)
        if len(words) > 1:
            parts = [self._alternatives(w, depth + 1) for w in words]
            phrases = (" ".join(w for w in combo if w) for combo in itertools.product(*parts))
            return list(dict.fromkeys(p for p in phrases if p))
        if spec.endswith("?") and len(spec) > 1 and depth > 0:
            return self._alternatives(spec[:-1], depth + 1) + [""]
        if spec.startswith("(") and spec.endswith(")"):
            alts: List[str] = []
            for alt in self._split_bar(spec[1:-1]):
                if alt:
                    alts.extend(self._alternatives(alt, depth + 1))
            return alts
        if spec.startswith("@"):
            name = spec[1:]
            if name not in self.terms:
                raise LexiconError(f"unknown term list @{name}")
            out: List[str] = []
            for entry in self.terms[name]:
                out.extend(self._alternatives(entry, depth + 1))
            return out
        return [spec]

    # A token is kept as (attribute, values, op) until the end so that alternatives can be
    # merged: "want to" + "going to" + "plan to" become one pattern with a set of verbs.
    _Tok = Tuple[str, FrozenSet[str], str]

    def _word_token(self, word: str, exact: bool) -> "_PatternCompiler._Tok":
        if word == "#":
            return ("LIKE_NUM", frozenset(), "")
        if exact:
            return ("LOWER", frozenset([word]), "")
        return ("LEMMA", frozenset([self.lemma_of(word)]), "")

    def _variants(self, spec: str) -> List[Tuple["_PatternCompiler._Tok", ...]]:
        optional = spec.endswith("?") and len(spec) > 1
        if optional:
            spec = spec[:-1]
        if spec.startswith("*"):
            count = int(spec[1:] or 1)
            return [tuple(("WILD", frozenset(), "?") for _ in range(count))]
        variants: List[Tuple[_PatternCompiler._Tok, ...]] = []
        for alt in self._alternatives(spec):
            exact = alt.startswith("=")
            words = [w for w in self.tokenize(alt.lstrip("=").lower()) if w.strip()]
            if words:
                variants.append(tuple(self._word_token(w, exact) for w in words))
        if not variants:
            raise LexiconError(f"empty pattern element {spec!r}")
        variants = self._merge(variants)
        if optional:
            if len(variants) == 1 and len(variants[0]) == 1:
                attr, values, _ = variants[0][0]
                return [((attr, values, "?"),)]
            variants.append(())
        return variants

    @staticmethod
    def _merge(patterns: List[Tuple["_PatternCompiler._Tok", ...]]) -> List[Tuple["_PatternCompiler._Tok", ...]]:
        """Merges patterns that differ in the values of one token only (exact, no widening)."""
        current = list(dict.fromkeys(patterns))
        changed = True
        while changed:
            changed = False
            width = max((len(p) for p in current), default=0)
            for pos in range(width):
                buckets: Dict[Any, List[Tuple[_PatternCompiler._Tok, ...]]] = {}
                order: List[Any] = []
                for pat in current:
                    if pos >= len(pat) or pat[pos][0] in ("WILD", "LIKE_NUM"):
                        key: Any = ("keep", pat)
                    else:
                        key = (len(pat), pat[:pos], pat[pos + 1:], pat[pos][0], pat[pos][2])
                    if key not in buckets:
                        buckets[key] = []
                        order.append(key)
                    buckets[key].append(pat)
                merged = []
                for key in order:
                    group = buckets[key]
                    if len(group) == 1:
                        merged.append(group[0])
                        continue
                    changed = True
                    attr, _, op = group[0][pos]
                    values = frozenset().union(*(g[pos][1] for g in group))
                    merged.append(group[0][:pos] + ((attr, values, op),) + group[0][pos + 1:])
                current = merged
        return current

    def to_spacy(self, pattern: Tuple["_PatternCompiler._Tok", ...]) -> List[Dict[str, Any]]:
        out: List[Dict[str, Any]] = []
        for attr, values, op in pattern:
            if attr == "WILD":
                tok: Dict[str, Any] = {"IS_SPACE": False, "LOWER": {"NOT_IN": self._WILD_STOP}}
            elif attr == "LIKE_NUM":
                tok = {"LIKE_NUM": True}
            else:
                tok = {attr: next(iter(values)) if len(values) == 1 else {"IN": sorted(values)}}
            if op:
                tok["OP"] = op
            out.append(tok)
        return out

    def compile(self, pattern: str) -> List[Tuple["_PatternCompiler._Tok", ...]]:
        per_spec = [self._variants(spec) for spec in self.split(pattern)]
        size = 1
        for variants in per_spec:
            size *= len(variants)
        if size > _PATTERNS_PER_RULE_LIMIT:
            raise LexiconError(f"pattern {pattern!r} expands to too many variants ({size})")
        combos: List[Tuple[_PatternCompiler._Tok, ...]] = []
        for combo in itertools.product(*per_spec):
            tokens = [tok for part in combo for tok in part]
            while tokens and tokens[0][2] == "?":
                tokens.pop(0)
            while tokens and tokens[-1][2] == "?":
                tokens.pop()
            if tokens:
                combos.append(tuple(tokens))
        return self._merge(combos)

    @staticmethod
    def anchor(pattern: Tuple["_PatternCompiler._Tok", ...]) -> Optional[Tuple[FrozenSet[Tuple[str, str]], ...]]:
        """The two rarest required tokens of a pattern (each a set of alternatives): the
        pattern cannot match a sentence that lacks either, so its matcher is skipped there.
        Two, not one: many patterns have no rare word at all ("he told me not to tell"),
        and one common anchor made every sentence of a long paste run them."""
        slots: List[Tuple[Tuple[float, int], FrozenSet[Tuple[str, str]]]] = []
        for attr, values, op in pattern:
            if op or attr not in ("LEMMA", "LOWER"):
                continue
            score = (len(values & _COMMON_WORDS) / len(values), len(values))
            slot = frozenset((attr, v) for v in values)
            if all(slot != other for _, other in slots):
                slots.append((score, slot))
        slots.sort(key=lambda item: (item[0], sorted(item[1])))
        return tuple(slot for _, slot in slots[:2]) or None


class RiskDetector:
    """Finds risk language in one message at a time. Build it once with ``load()``."""

    def __init__(self, lexicon: Dict[str, Any], nlp: Any, fingerprint: str) -> None:
        from spacy.matcher import Matcher  # spaCy is heavy: imported only when a detector is built

        self._lexicon = lexicon
        self._nlp = nlp
        self._fingerprint = fingerprint
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        for word, lemma in (lexicon.get("normalise", {}).get("lemma_overrides") or {}).items():
            table.set(str(word).lower(), str(lemma).lower())
        self._table = table

        terms = {name: [str(x) for x in values] for name, values in (lexicon.get("terms") or {}).items()}
        self._terms = terms
        compiler = _PatternCompiler(self._tokenize, self._lemma_of, terms)
        self._rules: Dict[str, _Rule] = {}
        self._pending: Dict[Tuple[bool, Optional[Tuple[FrozenSet[Tuple[str, str]], ...]]], Dict[str, List[Any]]] = {}
        self._build_rules(compiler)
        # One Matcher per pair of anchor sets; a message only runs the matchers whose anchor
        # words share a sentence of it. spaCy's Matcher costs time per pattern and token, so
        # this keeps a typical message well under a millisecond with thousands of patterns.
        # Risk matchers run first; idioms and cues only when a risk rule fired.
        self._matchers: List[Any] = []
        self._anchor_index: Dict[bool, Dict[Tuple[str, str], List[int]]] = {True: {}, False: {}}
        self._second_anchor: List[Optional[FrozenSet[Tuple[str, str]]]] = []
        self._always: Dict[bool, List[int]] = {True: [], False: []}
        for (is_risk, anchor), by_key in self._pending.items():
            matcher = Matcher(nlp.vocab, validate=False)
            for key, patterns in by_key.items():
                matcher.add(key, [compiler.to_spacy(p) for p in patterns])
            index = len(self._matchers)
            self._matchers.append(matcher)
            self._second_anchor.append(anchor[1] if anchor and len(anchor) > 1 else None)
            if anchor is None:
                self._always[is_risk].append(index)
            else:
                for item in anchor[0]:
                    self._anchor_index[is_risk].setdefault(item, []).append(index)
        del self._pending

        vocabulary = {w for values in terms.values() for v in values for w in v.lstrip("=").split()}
        known = self._english_words()
        known.update(str(w) for w in (lexicon.get("normalise", {}).get("known_words") or []))
        known.update(vocabulary)
        self._normalise = _Normaliser(lexicon.get("normalise") or {}, known, vocabulary)
        self._setup_scope(lexicon)

    # ------------------------------------------------------------------ construction

    @classmethod
    def load(cls, lexicon_path: Optional[Path] = None) -> "RiskDetector":
        """Builds a detector from a lexicon file (default: risk_lexicon.yml beside this module)."""
        import spacy

        path = Path(lexicon_path) if lexicon_path is not None else DEFAULT_LEXICON_PATH
        raw = path.read_text(encoding="utf-8")
        lexicon = yaml.safe_load(raw)
        if not isinstance(lexicon, dict) or "rules" not in lexicon:
            raise LexiconError(f"{path} is not a risk lexicon (no 'rules' section)")
        canonical = json.dumps(lexicon, sort_keys=True, ensure_ascii=False, default=str)
        fingerprint = hashlib.sha256(f"{DETECTOR_VERSION}\n{canonical}".encode("utf-8")).hexdigest()[:16]
        # The same lexicon in one process is built once (about 6-12 s and 180 MB on 2 cores).
        # A detector holds no per-message state, so every thread can share it.
        with _BUILDING:
            if fingerprint in _LOADED:
                return _LOADED[fingerprint]
            nlp = spacy.blank("en")
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            nlp.initialize()
            detector = cls(lexicon, nlp, fingerprint)
            _LOADED[fingerprint] = detector
            return detector

    @staticmethod
    def _english_words() -> Set[str]:
        """Word forms the spelling repair must leave alone (from spacy-lookups-data)."""
        import gzip

        import spacy_lookups_data

        data = Path(spacy_lookups_data.__file__).parent / "data"
        words: Set[str] = set()
        with gzip.open(data / "en_lemma_lookup.json.gz", "rt", encoding="utf-8") as fh:
            for form, lemma in json.load(fh).items():
                words.add(form.lower())
                words.add(str(lemma).lower())
        with gzip.open(data / "en_lemma_index.json.gz", "rt", encoding="utf-8") as fh:
            for forms in json.load(fh).values():
                words.update(str(w).lower() for w in forms)
        return words

    def fingerprint(self) -> str:
        """A stable hash of the lexicon contents (comments excluded) and detector version."""
        return self._fingerprint

    def _tokenize(self, text: str) -> List[str]:
        return [t.text for t in self._nlp.tokenizer(text)]

    def _lemma_of(self, word: str) -> str:
        return self._table.get(word, word)

    def _build_rules(self, compiler: _PatternCompiler) -> None:
        def as_phrases(values: Any) -> Tuple[Tuple[str, ...], ...]:
            phrases = []
            for value in values or []:
                text = " ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
                phrases.append(tuple(self._tokenize(text.lower())))
            return tuple(phrases)

        for entry in self._lexicon.get("rules") or []:
            category = entry.get("category")
            if category not in CATEGORIES:
                raise LexiconError(f"rule {entry.get('name')!r}: unknown category {category!r}")
            sub = entry.get("subcategory")
            if category == "abuse" and sub not in ABUSE_SUBCATEGORIES:
                raise LexiconError(f"rule {entry.get('name')!r}: abuse needs a known subcategory")
            default_victim = "agent" if category == "harm_others" else "object"
            rule = _Rule(
                name=str(entry["name"]),
                kind="risk",
                category=category,
                subcategory=sub or entry.get("tag"),
                victim=str(entry.get("victim", default_victim)),
                needs=frozenset(entry.get("needs") or ()),
                figurative_prone=bool(entry.get("figurative_prone", False)),
                not_followed_by=as_phrases(entry.get("not_followed_by")),
                not_preceded_by=as_phrases(entry.get("not_preceded_by")),
                clause_final=bool(entry.get("clause_final", False)),
                agent_not_self=bool(entry.get("agent_not_self", False)),
                min_number=int(entry.get("min_number", 0)),
                fixed_status=entry.get("status"),
                not_followed_by_suffix=tuple(str(x).lower() for x in entry.get("not_followed_by_suffix") or ()),
                not_inside=frozenset(str(x).lower() for x in entry.get("not_inside") or ()),
            )
            self._add(rule, "R:" + rule.name, entry.get("patterns") or [], compiler)
        for entry in self._lexicon.get("idioms") or []:
            rule = _Rule(str(entry["name"]), "idiom", None, None, "object", frozenset(), False, (), (), False)
            self._add(rule, "I:" + rule.name, entry.get("patterns") or [], compiler)
        for cue_name, patterns in (self._lexicon.get("cues") or {}).items():
            rule = _Rule(str(cue_name), "cue", None, None, "object", frozenset(), False, (), (), False)
            self._add(rule, "C:" + rule.name, patterns or [], compiler)

    def _add(self, rule: _Rule, key: str, patterns: Sequence[str], compiler: _PatternCompiler) -> None:
        if key in self._rules:
            raise LexiconError(f"duplicate name {key}")
        compiled: List[Any] = []
        for pattern in patterns:
            compiled.extend(compiler.compile(str(pattern)))
        if not compiled:
            raise LexiconError(f"{key} has no patterns")
        self._rules[key] = rule
        for pattern in compiled:
            group = (key.startswith("R:"), compiler.anchor(pattern))
            self._pending.setdefault(group, {}).setdefault(key, []).append(pattern)

    def _setup_scope(self, lexicon: Dict[str, Any]) -> None:
        scope = lexicon.get("scope") or {}
        people = lexicon.get("people") or {}

        def words(values: Any) -> FrozenSet[str]:
            return frozenset(str(v).lower() for v in values or [])

        self._sentence_breaks = words(scope.get("sentence_breaks"))
        self._clause_breaks = words(scope.get("clause_breaks"))
        self._lookback_breaks = words(scope.get("lookback_breaks"))
        neg = scope.get("negation") or {}
        self._neg_cues = words(neg.get("cues"))
        self._neg_short_cues = words(neg.get("short_cues"))
        self._neg_window = int(neg.get("window", 6))
        self._neg_short_window = int(neg.get("short_window", 3))
        self._neg_cancel = words(neg.get("cancel_after"))
        self._neg_extend = words(neg.get("extend_after"))
        self._neg_subjects = words(neg.get("subjects"))
        self._stop_words = words(neg.get("stopped_words"))
        self._post_window = int(scope.get("post_negation_window", 4))
        self._humor_regex = [re.compile(r) for r in scope.get("humor_regex") or []]

        self._self_refs = words(people.get("self"))
        self._other_pronouns = words(people.get("other_pronouns"))
        self._other_possessives = words(people.get("other_possessives"))
        self._relations = words(people.get("relations"))
        self._agents = words(people.get("agents"))
        self._caregivers = words(people.get("caregivers"))
        self._partners = words(people.get("partners"))
        self._coercion_ignore = words(people.get("coercion_ignore"))
        self._visitor_agents = words(people.get("visitor_agents"))
        self._subject_pronouns = words(people.get("subject_pronouns"))
        self._object_refs = words(people.get("object_refs"))
        self._modifiers = words(people.get("modifiers"))
        self._bridge = words(people.get("bridge"))
        self._bridge_max = int(people.get("bridge_max", 6))
        self._child_max_age = int(people.get("child_max_age", 17))
        self._number_words = {str(k): int(v) for k, v in (people.get("number_words") or {}).items()}
        self._fallback = [(re.compile(str(item["regex"]), re.I), str(item["category"]))
                          for item in lexicon.get("fallback") or []]

    # ------------------------------------------------------------------ public API

    def assess(self, text: Any) -> RiskAssessment:
        """Assesses one visitor message. Never raises; empty input is no risk."""
        try:
            raw = self._coerce(text)
            if not raw.strip():
                return NO_RISK
            normalised = self._normalise(raw)
            if not normalised.strip():
                return NO_RISK
            return self._assess_normalised(normalised)
        except Exception:  # noqa: BLE001 - the detector must answer whatever happens
            logger.error("risk detector failed on a message; using the keyword fallback", exc_info=True)
            return self._fallback_assess(text)

    @staticmethod
    def _coerce(text: Any) -> str:
        if text is None:
            return ""
        if isinstance(text, (bytes, bytearray, memoryview)):
            text = bytes(text).decode("utf-8", "replace")
        elif not isinstance(text, str):
            text = str(text)
        text = text.encode("utf-8", "replace").decode("utf-8", "replace")  # lone surrogates
        if len(text) > MAX_CHARS:
            half = MAX_CHARS // 2
            text = text[:half] + "\n" + text[-half:]
        return text

    def _fallback_assess(self, text: Any) -> RiskAssessment:
        try:
            raw = self._coerce(text).lower()
            for regex, category in self._fallback:
                if regex.search(raw):
                    sub = "partner_violence" if category == "abuse" else None
                    return RiskAssessment(category, sub, "self", "current", ("fallback",))
        except Exception:  # noqa: BLE001
            logger.error("risk detector fallback failed", exc_info=True)
        return NO_RISK

    # ------------------------------------------------------------------ assessment

    def _assess_normalised(self, text: str) -> RiskAssessment:
        doc = self._nlp(text)
        info = self._doc_info(doc)
        rules = self._rules
        strings = self._nlp.vocab.strings

        idioms: List[Tuple[str, int, int]] = []
        cues: Dict[str, List[Tuple[int, int]]] = {}
        raw_hits: Set[Tuple[str, int, int]] = set()
        for key_id, start, end in self._match(doc, info, risk=True):
            raw_hits.add((strings[key_id], start, end))
        if not raw_hits:
            return NO_RISK
        # Scope needs the hit sentences and their neighbours ("I self-harmed. That was years
        # ago."); message-wide cues (resolved, distress) are cheap enough for short messages.
        hit_sentences = {info.sent[s] for _, s, _ in raw_hits}
        window = {n for sid in hit_sentences for n in (sid - 1, sid, sid + 1)}
        scope_sentences = None if info.sent[-1] < 12 else window
        for key_id, start, end in self._match(doc, info, risk=False, sentences=scope_sentences):
            rule = rules[strings[key_id]]
            if rule.kind == "idiom":
                idioms.append((rule.name, start, end))
            else:
                cues.setdefault(rule.name, []).append((start, end))

        humor = [i for i, low in enumerate(info.lowers)
                 if low and (low[0] in "hlxjr" or ord(low[0]) > 127) and any(r.match(low) for r in self._humor_regex)]
        humor += [s for s, _ in cues.get("humor", [])]
        signals: Set[str] = set()
        hits: List[_Hit] = []
        for key, start, end in self._shortest(raw_hits):
            rule = rules[key]
            blocking = [name for name, s, e in idioms if s < end and start < e]
            if blocking:
                signals.update("idiom:" + name for name in blocking)
                continue
            if not self._context_ok(rule, start, end, info):
                continue
            if rule.agent_not_self and self._agent_is_visitor(start, info):
                # "I hit my girlfriend" is the visitor harming someone, not being abused;
                # "I hit my head" is neither.
                if rule.category != "abuse" or self._victim_in_span(start, end, info) != "other":
                    continue
                rule = self._as_harm_others(rule)
            figurative = any(info.sent[h] == info.sent[start] or start <= h <= end + 3 for h in humor)
            if figurative and rule.figurative_prone:
                signals.add("figurative:" + rule.name)
                continue
            status = rule.fixed_status or self._status(start, end, info, cues)
            about = "self" if rule.category == "harm_others" and rule.victim == "visitor" else \
                self._about(rule, start, end, info)
            hits.append(_Hit(rule, start, end, about, status, figurative, info.sent[start]))

        hits = self._apply_needs(hits, {name for name, spans in cues.items() if spans})
        hits = self._share_fixed_about(hits)
        hits = self._drop_parental_limits(hits, info)
        if not hits:
            return RiskAssessment(signals=tuple(sorted(signals))) if signals else NO_RISK
        signals.update(h.rule.name for h in hits)
        return self._decide(hits, info, cues, signals)

    def _match(self, doc: Any, info: _Doc, risk: bool,
               sentences: Optional[Set[int]] = None) -> List[Tuple[int, int, int]]:
        """Runs each matcher only on the sentences that contain both its anchors, so
        a long paste costs little more than its risky sentences. Risk rules first (risk=True);
        idioms and cues (risk=False) only for the sentences given."""
        index = self._anchor_index[risk]
        chosen: Dict[int, Set[int]] = {}
        present: Dict[int, Set[Tuple[str, str]]] = {}
        for i, (low, lemma) in enumerate(zip(info.lowers, info.lemmas)):
            sid = info.sent[i]
            if sentences is not None and sid not in sentences:
                continue
            keys = (("LEMMA", lemma), ("LOWER", low))
            present.setdefault(sid, set()).update(keys)
            for key in keys:
                for m in index.get(key, ()):
                    chosen.setdefault(m, set()).add(sid)
        second = self._second_anchor
        for m in list(chosen):
            anchor = second[m]
            if anchor is not None:
                sids = {sid for sid in chosen[m] if not anchor.isdisjoint(present[sid])}
                if sids:
                    chosen[m] = sids
                else:
                    del chosen[m]
        bounds: Dict[int, List[int]] = {}
        for i, sid in enumerate(info.sent):
            if sid in bounds:
                bounds[sid][1] = i + 1
            else:
                bounds[sid] = [i, i + 1]
        matches: List[Tuple[int, int, int]] = []
        for m in self._always[risk]:
            matches.extend(self._matchers[m](doc))
        single = len(bounds) == 1
        for m, sids in chosen.items():
            matcher = self._matchers[m]
            if single:
                matches.extend(matcher(doc))
                continue
            for lo, hi in self._runs(sorted(sids), bounds):
                matches.extend((k, s + lo, e + lo) for k, s, e in matcher(doc[lo:hi]))
        return matches

    @staticmethod
    def _runs(sids: List[int], bounds: Dict[int, List[int]]) -> Iterable[Tuple[int, int]]:
        """Token ranges covering runs of consecutive sentence ids."""
        run_start = prev = sids[0]
        for sid in sids[1:]:
            if sid != prev + 1:
                yield bounds[run_start][0], bounds[prev][1]
                run_start = sid
            prev = sid
        yield bounds[run_start][0], bounds[prev][1]

    @staticmethod
    def _shortest(raw_hits: Set[Tuple[str, int, int]]) -> List[Tuple[str, int, int]]:
        """Of overlapping matches of one rule keep the shortest: "*N" gaps otherwise stretch a
        match back over unrelated words ("my cousin told me her stepdad touches her")."""
        kept: List[Tuple[str, int, int]] = []
        # The rule name breaks ties, so the answer never depends on set order (which changes
        # with Python's per-process string hashing).
        for key, start, end in sorted(raw_hits, key=lambda h: (h[2] - h[1], h[1], h[0])):
            if not any(k == key and s < end and start < e for k, s, e in kept):
                kept.append((key, start, end))
        return sorted(kept, key=lambda h: (h[1], h[2]))

    @staticmethod
    def _apply_needs(hits: List[_Hit], cue_names: Set[str]) -> List[_Hit]:
        """Context-only rules count when the message has a category they need, a cue they
        name (distress, grievance, child, ...), or two different context-only signals of the
        same category ("I bought a rope" + "I know where"; "I know where he lives" + "I've
        started carrying a knife")."""
        present = {h.rule.category for h in hits if not h.rule.needs}
        weak = [h for h in hits if h.rule.needs]

        def distinct(category: Optional[str]) -> bool:
            # Only rules that accept a cue (not just another category) may pair up.
            group = [h for h in weak if h.rule.category == category and h.rule.needs - set(CATEGORIES)]
            spans = {(h.start, h.end) for h in group}
            return len({h.start for h in group}) >= 2 and not all(
                a[0] < b[1] and b[0] < a[1] for a in spans for b in spans)

        return [h for h in hits if not h.rule.needs or (h.rule.needs & present)
                or (h.rule.needs & cue_names)
                or (bool(h.rule.needs - set(CATEGORIES)) and distinct(h.rule.category))]

    @staticmethod
    def _share_fixed_about(hits: List[_Hit]) -> List[_Hit]:
        """A rule that knows whom it is about ("I found a suicide note in my son's bag")
        decides for the other hits on the same words."""
        from dataclasses import replace

        fixed = [h for h in hits if h.rule.victim in ("self", "other")]
        if not fixed:
            return hits
        out = []
        for hit in hits:
            for f in fixed:
                if f is not hit and f.start < hit.end and hit.start < f.end:
                    hit = replace(hit, about=f.about)
                    break
            out.append(hit)
        return out

    def _as_harm_others(self, rule: _Rule) -> _Rule:
        from dataclasses import replace

        name = rule.name + "_by_visitor"
        cached = self._rules.get("V:" + name)
        if cached is None:
            cached = replace(rule, name=name, category="harm_others", subcategory="intent",
                             victim="visitor", agent_not_self=False, figurative_prone=True)
            self._rules["V:" + name] = cached
        return cached

    def _doc_info(self, doc: Any) -> _Doc:
        lowers = [t.lower_ for t in doc]
        lemmas = [t.lemma_ for t in doc]
        sent, clause, look = [], [], []
        s = c = lk = 0
        for i, tok in enumerate(doc):
            low = lowers[i]
            is_sentence_break = low in self._sentence_breaks or (tok.is_space and "\n" in tok.text)
            sent.append(s)
            clause.append(c)
            look.append(lk)
            if is_sentence_break:
                s += 1
                c += 1
                lk += 1
            elif low in self._clause_breaks:
                c += 1
                if low in self._lookback_breaks:
                    lk += 1
            elif low in self._lookback_breaks:
                lk += 1
        return _Doc(lowers, lemmas, sent, clause, look)

    def _context_ok(self, rule: _Rule, start: int, end: int, info: _Doc) -> bool:
        lowers = info.lowers
        for phrase in rule.not_followed_by:
            if tuple(lowers[end:end + len(phrase)]) == phrase:
                return False
        for phrase in rule.not_preceded_by:
            if start >= len(phrase) and tuple(lowers[start - len(phrase):start]) == phrase:
                return False
        if rule.not_inside and any(info.lowers[i] in rule.not_inside for i in range(start + 1, end - 1)):
            # A "*N" gap must not swallow a negation: "I hope he doesn't hit me".
            return False
        if rule.not_followed_by_suffix and end < info.n:
            if any(lowers[end].endswith(sfx) for sfx in rule.not_followed_by_suffix):
                return False
        if rule.min_number:
            for i in range(start, end):
                number = self._number(lowers[i]) if lowers[i][:1].isdigit() else self._number_words.get(lowers[i])
                if number is not None and number < rule.min_number:
                    return False
        if rule.clause_final and end < info.n:
            nxt = lowers[end]
            if not (nxt in self._clause_breaks or nxt in self._sentence_breaks or not nxt.strip()
                    or lowers[end] in self._terms_set("clause_final_ok")):
                return False
        return True

    @staticmethod
    def _number(word: str) -> Optional[int]:
        try:
            return int(float(word.replace(",", "")))
        except ValueError:
            return None

    def _agent_is_visitor(self, start: int, info: _Doc) -> bool:
        """True when the nearest person before the hit in its clause is the visitor (or "you",
        the assistant): "I hit my head", "I check my phone", "can you tell me what to wear"."""
        clause = info.clause[start]
        passive_marker = False
        for i in range(start - 1, -1, -1):
            if info.clause[i] != clause:
                break
            low = info.lowers[i]
            if info.lemmas[i] in ("be", "get") or low in ("being", "been", "got", "gets"):
                passive_marker = True
            if low in self._visitor_agents:
                # "I'm being stalked", "I was hit by him": the visitor is the one it happens to.
                return not (passive_marker and not info.lowers[start].endswith("ing"))
            if low in self._other_pronouns or low in self._relations or low in self._agents:
                return False
        return False

    def _terms_set(self, name: str) -> FrozenSet[str]:
        cache = self.__dict__.setdefault("_term_sets", {})
        if name not in cache:
            cache[name] = frozenset(str(v).lower() for v in self._terms.get(name, []))
        return cache[name]

    # ------------------------------------------------------------------ scope: status

    def _status(self, start: int, end: int, info: _Doc, cues: Dict[str, List[Tuple[int, int]]]) -> str:
        if self._negated(start, info):
            return "negated"
        for s, _ in cues.get("post_negation", []):
            if end <= s <= end + self._post_window:
                return "negated"
        sentence = info.sent[start]
        resolved = cues.get("resolved", [])

        def in_resolved(s: int, e: int) -> bool:
            return any(rs <= s and e <= re_ for rs, re_ in resolved)

        clause = info.clause[start]
        current_here = any(info.clause[s] == clause and not in_resolved(s, e) for s, e in cues.get("current", []))
        current_here = current_here or any(
            info.sent[s] == sentence and not in_resolved(s, e) for s, e in cues.get("current_strong", []))
        if current_here:
            return "current"
        if any(info.sent[s] == sentence for s, _ in cues.get("past", [])):
            return "past"
        all_current = cues.get("current", []) + cues.get("current_strong", [])
        if resolved and not any(not in_resolved(s, e) for s, e in all_current):
            return "past"
        if self._stopped(start, info):
            return "past"
        return "current"

    def _negated(self, start: int, info: _Doc) -> bool:
        clause = info.clause[start]
        lowers, lemmas = info.lowers, info.lemmas
        lo = max(0, start - self._neg_window)
        # A hit that opens with its own subject ("... isn't right, he gets physical") starts
        # a new statement: an earlier negation only reaches it through "I don't think".
        own_subject = lowers[start] in self._neg_subjects
        for i in range(start - 1, lo - 1, -1):
            if info.clause[i] != clause:
                break
            lemma = lemmas[i]
            is_cue = lemma in self._neg_cues or lowers[i] in self._neg_cues
            is_short = lemma in self._neg_short_cues or lowers[i] in self._neg_short_cues
            if not is_cue and not is_short:
                continue
            if is_short and not is_cue and start - i > self._neg_short_window:
                continue
            between = range(i + 1, start)
            if i + 2 < start and lowers[i + 1] == "like" and lowers[i + 2] in self._neg_subjects:
                return True  # "it's not like I want to die"
            if any(lemmas[j] in self._neg_cancel or lowers[j] in self._neg_cancel for j in between):
                continue
            extended = any(lemmas[j] in self._neg_extend or lowers[j] in self._neg_extend
                           for j in range(i + 1, min(start, i + 3)))
            if not extended and (own_subject or any(lowers[j] in self._neg_subjects for j in between)):
                continue
            return True
        return False

    def _stopped(self, start: int, info: _Doc) -> bool:
        for i in range(max(0, start - 2), start):
            if info.lowers[i] in self._stop_words and info.clause[i] == info.clause[start]:
                before = info.lemmas[max(0, i - 2):i]
                return "not" not in before
        return False

    # ------------------------------------------------------------------ scope: about whom

    def _ref_at(self, i: int, info: _Doc) -> Optional[Tuple[str, int]]:
        """Classifies the person reference starting at token i as ("self"|"other", width)."""
        low = info.lowers[i]
        if low == "my" or low in ("his", "their", "her"):
            j = i + 1
            while j < info.n and j <= i + 2 and info.lowers[j] in self._modifiers:
                j += 1
            if j < info.n and info.lowers[j] in self._relations:
                return ("other", j - i + 1)
            if low == "my":
                return ("self", 1)
            return ("other", 1)
        if low in self._self_refs:
            return ("self", 1)
        if low in self._other_pronouns or low in self._relations:
            return ("other", 1)
        return None

    def _victim_in_span(self, start: int, end: int, info: _Doc) -> Optional[str]:
        """The first person a violent act is done to, inside the hit or right after it.
        Subject pronouns and bare relation nouns are skipped: in "he hits me" or "my
        husband says he will kill me" they are the one acting."""
        i = start
        stop = min(info.n, end + 1)
        while i < stop:
            low = info.lowers[i]
            if i == end and low not in self._object_refs and low != "my":
                break
            ref = self._ref_at(i, info)
            if ref is not None and low not in self._relations and low not in self._subject_pronouns:
                return ref[0]
            i += ref[1] if ref else 1
        return None

    def _about(self, rule: _Rule, start: int, end: int, info: _Doc) -> str:
        if rule.victim in ("self", "other"):
            return rule.victim
        if rule.category == "abuse":
            if rule.victim == "subject":
                return self._lookback(start, info)
            if rule.victim == "object":
                victim = self._victim_in_span(start, end, info)
                if victim is not None:
                    return victim
            return self._possessor(start, end, info)
        if rule.victim == "object":
            # "kill herself", "end his life", "cut my arms"; a relative named in the hit
            # ("a burden to my family") is not the one at risk.
            i = start
            while i < end:
                ref = self._ref_at(i, info)
                if ref is not None and ref[1] == 1 and info.lowers[i] not in self._relations:
                    return ref[0]
                i += ref[1] if ref else 1
        return self._lookback(start, info)

    def _lookback(self, start: int, info: _Doc) -> str:
        """Nearest subject before the hit in its clause: "I" anywhere, others only when they
        are joined to the hit by auxiliaries and reporting verbs ("my friend said she ...").
        After "about"/"of" ("an essay about wanting to die") any earlier person counts."""
        look = info.look[start]
        gerund = start > 0 and info.lowers[start - 1] in ("about", "of")
        bridge_ok = True
        bridged = 0
        for i in range(start - 1, -1, -1):
            if info.look[i] != look:
                break
            low = info.lowers[i]
            if low == "my":
                ref = self._ref_at(i, info)
                if ref is not None and ref[0] == "other":  # "my sister ..."
                    if bridge_ok or gerund:
                        return "other"
                    continue
            if low in self._self_refs or low == "my":
                return "self"
            if low in self._other_pronouns or low in self._relations:
                if (bridge_ok or gerund) and low not in ("him", "her", "them"):
                    return "other"
            elif low in self._other_possessives or low.isdigit():
                pass
            elif info.lemmas[i] not in self._bridge and low not in self._bridge:
                bridge_ok = False
            bridged += 1
            if bridged > self._bridge_max:
                bridge_ok = False
        return "self"

    def _possessor(self, start: int, end: int, info: _Doc) -> str:
        """For abuse with no victim in the hit: whose partner or parent is the abuser?"""
        look = info.look[start]
        for i in range(min(end, info.n) - 1, -1, -1):
            if info.look[i] != look:
                break
            low = info.lowers[i]
            if low in self._agents:
                j = i - 1
                while j >= 0 and info.lowers[j] in self._modifiers:
                    j -= 1
                det = info.lowers[j] if j >= 0 else ""
                if det == "my":
                    return "self"
                if det in ("her", "his", "their", "'s", "your"):
                    return "other"
                continue
            if i < start and low in self._relations and low not in self._agents:
                return "other"
            if i < start and low in self._self_refs:
                return "self"
            if i < start and low in self._subject_pronouns and any(
                    info.lemmas[j] in ("be", "get") for j in range(i + 1, start)):
                return "other"  # "she was raped", "he's being abused"
        return "self"

    # ------------------------------------------------------------------ decision

    def _drop_parental_limits(self, hits: List[_Hit], info: _Doc) -> List[_Hit]:
        """A parent's rules ("my mom won't let me go out") are not coercive control."""
        out = []
        for hit in hits:
            if hit.rule.category == "abuse" and hit.rule.subcategory in ("coercive_control", "stalking"):
                sentence = [info.lowers[i] for i in range(info.n) if info.sent[i] == hit.sentence
                            and not self._contacted(i, info)]
                if (any(w in self._coercion_ignore for w in sentence)
                        and not any(w in self._partners for w in sentence)):
                    continue
            out.append(hit)
        return out

    _CONTACT_VERBS = frozenset(["see", "call", "text", "visit", "phone", "ring", "message", "talk", "speak",
                                "contact", "meet"])

    def _contacted(self, i: int, info: _Doc) -> bool:
        """True for "(see|call|talk to) my mum": the parent is the one being cut off, not the
        one setting the rules ("he won't let me call my mum")."""
        j = i - 1
        while j >= 0 and info.lowers[j] in self._modifiers:
            j -= 1
        if j < 1 or info.lowers[j] != "my":
            return False
        k = j - 1
        if info.lowers[k] in ("to", "with") and k >= 1:
            k -= 1
        return info.lemmas[k] in self._CONTACT_VERBS

    def _decide(self, hits: List[_Hit], info: _Doc, cues: Dict[str, List[Tuple[int, int]]],
                signals: Set[str]) -> RiskAssessment:
        current = [h for h in hits if h.status == "current"]
        pool = current or hits
        status = "current" if current else "past_or_negated"
        if not current:
            signals.update("scope:" + s for s in sorted({h.status for h in hits}))

        emergency = [h for h in pool if h.rule.category == "emergency"]
        if emergency:
            about = "self" if any(h.about == "self" for h in emergency) else "other"
            return RiskAssessment("emergency", self._gravest_tag(emergency), about, status,
                                  tuple(sorted(signals)))
        for about in ("self", "other"):
            group = [h for h in pool if h.about == about]
            if not group:
                continue
            by_cat: Dict[str, List[_Hit]] = {}
            for h in group:
                by_cat.setdefault(str(h.rule.category), []).append(h)
            category = next(c for c in _SEVERITY if c in by_cat)
            if (category == "suicide" and "abuse" in by_cat
                    and all(h.figurative for h in by_cat["suicide"])):
                category = "abuse"
            chosen = by_cat[category]
            sub: Optional[str]
            if category == "abuse":
                sub = self._abuse_subcategory(chosen, info, cues)
            else:
                sub = self._gravest_tag(chosen)
            if about == "other":
                signals.add("scope:third_party")
            return RiskAssessment(category, sub, about, status, tuple(sorted(signals)))
        return NO_RISK  # pragma: no cover - every hit has an about

    @staticmethod
    def _gravest_tag(hits: List[_Hit]) -> Optional[str]:
        tags = [h.rule.subcategory for h in hits]
        return min(tags, key=lambda t: (_TAG_PRIORITY.index(t) if t in _TAG_PRIORITY else len(_TAG_PRIORITY), str(t)))

    def _abuse_subcategory(self, hits: List[_Hit], info: _Doc, cues: Dict[str, List[Tuple[int, int]]]) -> str:
        subs = {str(h.rule.subcategory) for h in hits}
        if subs & {"partner_violence", "sexual_violence", "child_abuse"}:
            if "child_abuse" in subs or self._child_context(hits, info, cues):
                return "child_abuse"
        return next(s for s in _ABUSE_PRIORITY if s in subs)

    def _child_context(self, hits: List[_Hit], info: _Doc, cues: Dict[str, List[Tuple[int, int]]]) -> bool:
        sentences = {h.sentence for h in hits if h.rule.subcategory in ("partner_violence", "sexual_violence")}
        for i in range(info.n):
            if info.sent[i] in sentences and info.lowers[i] in self._caregivers:
                return True
        for s, e in cues.get("child", []):
            for i in range(s, e):
                age = self._age(info.lowers[i])
                if age is not None:
                    if age <= self._child_max_age:
                        return True
                    break
            else:
                return True
        return False

    def _age(self, word: str) -> Optional[int]:
        if word.isdigit():
            return int(word)
        return self._number_words.get(word)


def share(detector: RiskDetector) -> RiskDetector:
    """Makes `detector` the process's one detector (`shared_detector`) and returns it.

    The NLU component calls this when it loads a trained model: the word lists copied into the
    model are the ones every message is read with, so the channels' guard (the risk check of
    refused and over-long messages) and the crisis lane read with the same lists and the same
    detector, instead of building a second one from the file beside the code.
    """
    global _SHARED
    _SHARED = detector
    return detector


def shared_detector() -> RiskDetector:
    """The process's one detector: the one the NLU component loaded with the model's word
    lists, or, in a process without a model (a channel on its own, a tool), the shipped lists
    built once. Cheap after the first call."""
    global _SHARED
    detector = _SHARED
    if detector is None:
        detector = RiskDetector.load()
        with _BUILDING:
            if _SHARED is None:
                _SHARED = detector
            detector = _SHARED
    return detector
