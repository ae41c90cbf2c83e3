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

Each has its own module: 1 `normalise.py`, 2 `lexicon.py` (the pattern language; the matchers are
built here), 3 `scope.py`, and 4 here, with loading and the one shared detector per process.

It never raises: if anything unexpected happens a plain keyword check decides instead, so a
bug can cost precision but not a missed crisis line. Signals carry rule names, never text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

import yaml

from attune.safety.risk_model import EXPLICIT_TAGS, WORD_LIST_EMERGENCIES
from attune.safety.lexicon import (
    ABUSE_SUBCATEGORIES,
    CATEGORIES,
    LexiconError,
    PatternCompiler,
    Rule,
)
from attune.safety.normalise import Normaliser
from attune.safety.scope import Doc, Hit, Scope

logger = logging.getLogger(__name__)

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

# Assessments `RiskDetector.assess_remembered` keeps (by digest): many more than the messages
# between a turn's lane check and its NLU reading, however many conversations are waiting.
REMEMBERED = 512
# Risk may sit at the end of a long paste, so long messages are read whole up to this bound
# (about 10 ms); beyond it only the head and the tail are read.
MAX_CHARS = 40_000

# Severity among non-emergency categories (emergency always wins).
_SEVERITY = ("suicide", "harm_others", "self_harm", "abuse")
# When several rules of one category fire, the audit log records the gravest tag. A medical
# emergency named in plain words ("bleeding so much after the birth, soaked through pads in
# under an hour") comes first: its match stands alone (attune/safety/risk_model.py).
_TAG_PRIORITY = ("medical_now", "means_ready", "in_progress", "overdose", "unresponsive", "poisoning",
                 "method_seeking", "method", "plan", "intent", "explicit", "violence", "medical", "veiled",
                 "passive", "indirect", "slang", "distress", "reassurance")
# The tags of rules whose match stands whatever the model reads, and of the emergencies that
# stand as one: one definition, the model's decision's (attune/safety/risk_model.py).
_STANDING_TAGS = EXPLICIT_TAGS
_STANDING_EMERGENCY_TAGS = WORD_LIST_EMERGENCIES
_ABUSE_PRIORITY = ("child_abuse", "sexual_violence", "partner_violence", "stalking", "coercive_control")


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
    # The tag the model's decision reads (risk_model.combine): the subcategory, unless a rule
    # whose match stands whatever the model reads fired too, whose tag it is then.
    standing_tag: Optional[str] = None

    @property
    def decision_tag(self) -> Optional[str]:
        """The tag `risk_model.combine` weighs: a standing rule's when one fired, else the
        subcategory (the gravest tag, which the audit log records)."""
        return self.standing_tag or self.subcategory

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


class RiskDetector(Scope):
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
        compiler = PatternCompiler(self._tokenize, self._lemma_of, terms)
        self._rules: Dict[str, Rule] = {}
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
        self._normalise = Normaliser(lexicon.get("normalise") or {}, known, vocabulary)
        self._setup_scope(lexicon)
        self._recent: Dict[bytes, RiskAssessment] = {}
        self._recent_lock = threading.Lock()

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

    def _build_rules(self, compiler: PatternCompiler) -> None:
        def as_phrases(values: Any) -> Tuple[Tuple[str, ...], ...]:
            phrases = []
            for value in values or []:
                words = value if isinstance(value, (list, tuple)) else [value]
                if any(isinstance(v, bool) for v in words):
                    # YAML reads a bare on, off, yes or no as true or false: "[on, social]"
                    # would never match "on social". Quote them.
                    raise LexiconError(f"Unquoted on/off/yes/no in a word list's phrase: {value!r}")
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
            rule = Rule(
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
                not_inside=frozenset(" ".join(as_phrases([x])[0]) for x in entry.get("not_inside") or ()),
                stands=bool(entry.get("stands", False)),
            )
            self._add(rule, "R:" + rule.name, entry.get("patterns") or [], compiler)
        for entry in self._lexicon.get("idioms") or []:
            rule = Rule(str(entry["name"]), "idiom", None, None, "object", frozenset(), False, (), (), False)
            self._add(rule, "I:" + rule.name, entry.get("patterns") or [], compiler)
        for cue_name, patterns in (self._lexicon.get("cues") or {}).items():
            rule = Rule(str(cue_name), "cue", None, None, "object", frozenset(), False, (), (), False)
            self._add(rule, "C:" + rule.name, patterns or [], compiler)

    def _add(self, rule: Rule, key: str, patterns: Sequence[str], compiler: PatternCompiler) -> None:
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

    def assess_remembered(self, text: Any) -> RiskAssessment:
        """`assess`, remembered for the last `REMEMBERED` texts read this way in this process.

        The crisis lane's check (attune/crisis_lane.py) reads each message on the event loop,
        and the NLU component reads the same text again a moment later in a model thread: the
        second reading is the first one's answer. A detector keeps nothing between messages,
        so the same lists read the same text to the same assessment, and nothing decided
        changes. Kept by a digest of the text, never its words.
        """
        if not isinstance(text, str):
            return self.assess(text)
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        known = self._recent.get(key)
        if known is not None:
            return known
        assessment = self.assess(text)
        with self._recent_lock:
            if len(self._recent) >= REMEMBERED:
                del self._recent[next(iter(self._recent))]
            self._recent[key] = assessment
        return assessment

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
        hits: List[Hit] = []
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
            hits.append(Hit(rule, start, end, about, status, figurative, info.sent[start]))

        hits = self._apply_needs(hits, {name for name, spans in cues.items() if spans})
        hits = self._share_fixed_about(hits)
        hits = self._drop_parental_limits(hits, info)
        if not hits:
            return RiskAssessment(signals=tuple(sorted(signals))) if signals else NO_RISK
        signals.update(h.rule.name for h in hits)
        return self._decide(hits, info, cues, signals)

    def _match(self, doc: Any, info: Doc, risk: bool,
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
    def _apply_needs(hits: List[Hit], cue_names: Set[str]) -> List[Hit]:
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
    def _share_fixed_about(hits: List[Hit]) -> List[Hit]:
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

    def _as_harm_others(self, rule: Rule) -> Rule:
        from dataclasses import replace

        name = rule.name + "_by_visitor"
        cached = self._rules.get("V:" + name)
        if cached is None:
            cached = replace(rule, name=name, category="harm_others", subcategory="intent",
                             victim="visitor", agent_not_self=False, figurative_prone=True)
            self._rules["V:" + name] = cached
        return cached

    # ------------------------------------------------------------------ decision

    def _decide(self, hits: List[Hit], info: Doc, cues: Dict[str, List[Tuple[int, int]]],
                signals: Set[str]) -> RiskAssessment:
        current = [h for h in hits if h.status == "current"]
        pool = current or hits
        status = "current" if current else "past_or_negated"
        if not current:
            signals.update("scope:" + s for s in sorted({h.status for h in hits}))

        emergency = [h for h in pool if h.rule.category == "emergency"]
        if emergency:
            about = "self" if any(h.about == "self" for h in emergency) else "other"
            tag = self._gravest_tag(emergency)
            # An emergency the word lists name plainly (an overdose, a child who swallowed
            # medicine) stands whatever the model reads (risk_model.WORD_LIST_EMERGENCIES): it
            # must not be hidden behind a tag that does not ("my toddler got into my
            # antidepressants" was also read as something under way).
            # It is also what the emergency is, for the replies and the record: a poisoning,
            # with the Poison Centre kept in the turns after.
            plain = [h for h in emergency if h.rule.subcategory in _STANDING_EMERGENCY_TAGS]
            if plain and tag not in _STANDING_EMERGENCY_TAGS:
                tag = self._gravest_tag(plain)
            return RiskAssessment("emergency", tag, about, status, tuple(sorted(signals)))
        for about in ("self", "other"):
            group = [h for h in pool if h.about == about]
            if not group:
                continue
            by_cat: Dict[str, List[Hit]] = {}
            for h in group:
                by_cat.setdefault(str(h.rule.category), []).append(h)
            category = next(c for c in _SEVERITY if c in by_cat)
            if (category == "suicide" and "abuse" in by_cat
                    and all(h.figurative for h in by_cat["suicide"])):
                category = "abuse"
            chosen = by_cat[category]
            sub: Optional[str]
            standing_tag: Optional[str] = None
            if category == "abuse":
                sub = self._abuse_subcategory(chosen, info, cues)
                if any(h.rule.stands for h in chosen):
                    standing_tag = "explicit"
            else:
                sub = self._gravest_tag(chosen)
                # A plain statement's rule stands whatever the model reads (risk_model.combine
                # reads `decision_tag`): it must not be hidden behind a graver-sounding tag of a
                # rule that does not stand ("searched 'how to die painlessly'" is a method
                # question and a search for a way to die). The gravest stays the record.
                stands = sorted({str(h.rule.subcategory) for h in chosen} & _STANDING_TAGS)
                if stands and sub not in _STANDING_TAGS:
                    standing_tag = stands[0]
            if about == "other":
                signals.add("scope:third_party")
            return RiskAssessment(category, sub, about, status, tuple(sorted(signals)), standing_tag)
        return NO_RISK  # pragma: no cover - every hit has an about

    @staticmethod
    def _gravest_tag(hits: List[Hit]) -> Optional[str]:
        tags = [h.rule.subcategory for h in hits]
        return min(tags, key=lambda t: (_TAG_PRIORITY.index(t) if t in _TAG_PRIORITY else len(_TAG_PRIORITY), str(t)))

    def _abuse_subcategory(self, hits: List[Hit], info: Doc, cues: Dict[str, List[Tuple[int, int]]]) -> str:
        subs = {str(h.rule.subcategory) for h in hits}
        if subs & {"partner_violence", "sexual_violence", "child_abuse"}:
            if "child_abuse" in subs or self._child_context(hits, info, cues):
                return "child_abuse"
        return next(s for s in _ABUSE_PRIORITY if s in subs)

    def _child_context(self, hits: List[Hit], info: Doc, cues: Dict[str, List[Tuple[int, int]]]) -> bool:
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
