"""The risk detector's third layer: the scope of each match.

Whether a rule's hit is negated ("I'm not suicidal"), past and resolved ("years ago, doing ok
now"), and about whom (the visitor or someone else), from the token facts of one message (`Doc`)
and the lexicon's `scope` and `people` sections. `Scope` is the part of `RiskDetector` that
reads them; the decision is in `attune/safety/detector.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from attune.safety.lexicon import Rule


# Quotation marks, as their own tokens: a quoted phrase is read with the words around it.
_QUOTE_MARKS = frozenset({"'", '"', "‘", "’", "“", "”", "`"})
# Finding someone else's writing: the risk words that follow are theirs.
_FINDING = frozenset({"find", "see", "read", "check", "discover", "notice", "saw", "found"})
_THEIR_WRITING = frozenset({"history", "searches", "search", "notes", "note", "diary", "journal", "texts", "messages",
                            "notebook", "posts", "post", "letter", "tabs", "google"})
_CLOCK = re.compile(r"^(?:\d{1,2}(?::\d\d)?(?:am|pm)?|am|pm|a\.m\.|p\.m\.)$")
# Verbs that introduce someone's words: "he said '...'".
_SAYING = frozenset({"say", "tell", "text", "write", "post", "message", "type", "dm", "email", "scream", "yell",
                     "shout", "whisper", "go", "send", "reply", "answer", "snap", "comment", "tweet"})
# Their past forms as typed, for the verbs the lemmatiser leaves alone ("texted" stays
# "texted"): "my boyfriend texted me 'dont look for me'".
_SAID_FORMS = frozenset({"said", "told", "texted", "wrote", "posted", "messaged", "typed", "dmed", "dm'd", "emailed",
                         "sent", "replied", "answered", "snapped", "commented", "tweeted", "screamed", "yelled",
                         "shouted", "whispered", "says", "texts", "writes", "posts", "messages"})
# Sent to the visitor: "he texted me saying ...", "she emailed me at 11pm saying ...".
_TO_ME_VERBS = frozenset({"email", "emailed", "text", "texted", "message", "messaged", "dm", "dmed", "dm'd",
                          "write", "wrote", "send", "sent", "snap", "snapped", "call", "called", "ring", "rang",
                          "tell", "told", "ping", "pinged", "voicemail"})
# Someone else's writing that says it ("a student's essay describes wanting to die").
_WRITINGS = frozenset({"essay", "essays", "assignment", "poem", "poems", "story", "paper", "email", "emails",
                       "text", "tweet", "tweets", "status", "caption", "bio", "song", "lyrics", "drawing",
                       "drawings", "letters", "writing", "entry", "entries", "story's"})
_REPORTING = frozenset({"describe", "mention", "talk", "say", "include", "contain", "read", "reference",
                        "express", "detail", "discuss", "be", "hint", "sound", "speak"})
# Who else writes them: "a student's essay", "the client's email".
_WRITERS = frozenset({"student", "students", "student's", "client", "client's", "employee", "employee's", "patient",
                      "patient's", "kid", "kids", "child", "child's", "teen", "teen's"})
_OTHER_OWNERS = frozenset({"his", "her", "their", "olds", "old", "year", "yr", "yo", "son's", "daughter's", "kid's"})
# What a "they" or "it" just after them refers to is the visitor's own mind.
_INNER_VOICES = frozenset({"thoughts", "thought", "voices", "voice", "urges", "urge", "brain", "mind", "head",
                           "demons"})


def _inside_phrase(phrases: FrozenSet[str], words: List[str]) -> bool:
    """Whether one of the several-word `phrases` ("last week", "when i was") is among `words`."""
    several = [p for p in phrases if " " in p]
    if not several:
        return False
    joined = " " + " ".join(words) + " "
    return any(f" {p} " in joined for p in several)


@dataclass(frozen=True)
class Hit:
    rule: Rule
    start: int
    end: int
    about: str
    status: str  # "current", "negated" or "past"
    figurative: bool
    sentence: int


class Doc:
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


class Scope:
    """Scoping of hits: set up from the lexicon, then asked about one message at a time."""

    _terms: Dict[str, List[str]]

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

    def _doc_info(self, doc: Any) -> Doc:
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
        return Doc(lowers, lemmas, sent, clause, look)

    def _context_ok(self, rule: Rule, start: int, end: int, info: Doc) -> bool:
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
        if rule.not_inside and _inside_phrase(rule.not_inside, lowers[start + 1:end - 1]):
            # Nor a time or a frame of several words: "talking funny last week".
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

    def _agent_is_visitor(self, start: int, info: Doc) -> bool:
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

    def _status(self, start: int, end: int, info: Doc, cues: Dict[str, List[Tuple[int, int]]]) -> str:
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

    def _negated(self, start: int, info: Doc) -> bool:
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

    def _stopped(self, start: int, info: Doc) -> bool:
        for i in range(max(0, start - 2), start):
            if info.lowers[i] in self._stop_words and info.clause[i] == info.clause[start]:
                before = info.lemmas[max(0, i - 2):i]
                return "not" not in before
        return False

    # ------------------------------------------------------------------ scope: about whom

    def _ref_at(self, i: int, info: Doc) -> Optional[Tuple[str, int]]:
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

    def _victim_in_span(self, start: int, end: int, info: Doc) -> Optional[str]:
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

    def _about(self, rule: Rule, start: int, end: int, info: Doc) -> str:
        if rule.victim in ("self", "other"):
            return rule.victim
        if rule.category != "abuse" and self._quoted_from_someone_else(start, info):
            # "this morning he said 'you and the kids will be fine without me'": his words.
            return "other"
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

    def _quoted_from_someone_else(self, start: int, info: Doc) -> bool:
        """Whether the hit is inside a quote that someone else said or wrote: an opening
        quote mark at most 30 tokens back with none between, after a reporting verb whose
        subject is another person ("he said '...'", "my sister texted me '...'")."""
        first = max(0, start - 30)
        quote = next((i for i in range(start - 1, first - 1, -1) if info.lowers[i] in _QUOTE_MARKS), None)
        if quote is None:
            return False
        return self._attributed_to_someone_else(quote, info, depth=0)

    def _attributed_to_someone_else(self, quote: int, info: Doc, depth: int) -> bool:
        """Whether the quote opening at `quote` is another person's words: a reporting verb
        with another person as its subject just before it; or, after "like", such a verb
        earlier in the sentence ("he keeps saying things, like '...'"); or a quote of theirs
        just before it ("like 'I've had a good innings' and 'I won't be a burden'")."""
        reach = 5
        before = quote - 1
        while before >= 0 and info.lowers[before] in (",", "and", "or", "like", "things", "stuff"):
            before -= 1
        if depth < 3 and before >= 0 and info.lowers[before] in _QUOTE_MARKS:
            opening = next((i for i in range(before - 1, max(-1, before - 30), -1)
                            if info.lowers[i] in _QUOTE_MARKS), None)
            if opening is not None:
                return self._attributed_to_someone_else(opening, info, depth + 1)
        if (quote > 0 and info.lowers[quote - 1] == "like") or (
                before < quote - 1 and "like" in info.lowers[before:quote]):
            reach = 15
        for v in range(quote - 1, max(-1, quote - reach), -1):
            if info.sent[v] != info.sent[quote]:
                break
            if info.lemmas[v] in _SAYING or info.lowers[v] in _SAID_FORMS:
                # The subject, past auxiliaries and an aside: "my dad (71) has been saying".
                for k in range(v - 1, max(-1, v - 8), -1):
                    low = info.lowers[k]
                    if low in self._self_refs:
                        return False
                    if low in self._other_pronouns or low in self._relations:
                        return True
                return False
        return False

    def _lookback(self, start: int, info: Doc) -> str:
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
            if low in _QUOTE_MARKS:
                # "she wants to 'disappear permanently'": the quote is not a word between them.
                continue
            if low == "my":
                ref = self._ref_at(i, info)
                if ref is not None and ref[0] == "other":  # "my sister ..."
                    if bridge_ok or gerund:
                        return "other"
                    continue
            if low == "me" and i > 0 and info.lemmas[i - 1] in _TO_ME_VERBS:
                # "One of my staff just emailed me ... saying thanks for everything": what
                # follows is what was sent to the visitor, the sender's words.
                continue
            if low in self._self_refs or low == "my":
                return "self"
            if low in self._other_pronouns or low in self._relations:
                if low in ("they", "it") and any(w in _INNER_VOICES for w in info.lowers[max(0, i - 4):i]):
                    # "the thoughts r loud they keep saying walk into traffic": the visitor's
                    # own thoughts, not someone else.
                    return "self"
                if (bridge_ok or gerund) and low not in ("him", "her", "them"):
                    return "other"
            elif low in self._other_possessives or low.isdigit():
                pass
            elif (info.lemmas[i] not in self._bridge and low not in self._bridge
                  and not (info.lemmas[i] in _TO_ME_VERBS and i + 1 < start and info.lowers[i + 1] == "me")
                  # "emailed me at 11pm saying ...": a time of day is no one.
                  and not _CLOCK.match(low)
                  and not (low in ("at", "around") and i + 1 < start and _CLOCK.match(info.lowers[i + 1]))):
                bridge_ok = False
            bridged += 1
            if bridged > self._bridge_max:
                bridge_ok = False
        if self._found_their_words(start, info) or self._their_writing_says(start, info):
            return "other"
        return "self"

    def _their_writing_says(self, start: int, info: Doc) -> bool:
        """Whether, before a hit that names no one, someone else's writing is what says it: "A
        grade 10 student's English essay describes wanting to die", "her journal talks about
        not being here". Reads the hit's sentence back, at most 12 tokens, and not past the
        visitor speaking of themselves."""
        first = max(0, start - 12)
        sentence = info.sent[start]
        for i in range(start - 1, first - 1, -1):
            if info.sent[i] != sentence or info.lowers[i] in ("i", "me", "myself", "i'm", "im"):
                return False
            if info.lowers[i] not in _THEIR_WRITING and info.lowers[i] not in _WRITINGS:
                continue
            says = info.lemmas[i + 1:min(start + 1, i + 4)]
            if not any(lemma in _REPORTING for lemma in says):
                continue
            owner = info.lowers[max(0, i - 4):i]
            if any(w in ("my", "mine", "our") for w in owner):
                return False  # "my journal's last entry talks about...": the visitor's own
            return any(w in self._relations or w in _OTHER_OWNERS or w in ("'s", "s'") or w.endswith("'s")
                       or w in _WRITERS for w in owner)
        return False

    def _found_their_words(self, start: int, info: Doc) -> bool:
        """Whether, before a hit that names no one, the message says the visitor found someone
        else's writing: "i just found my 14 year olds search history. 'how many advil to die'"
        (what follows is the daughter's, not the visitor's). Reads at most 40 tokens back,
        and not past a sentence in which the visitor speaks of themselves."""
        first = max(0, start - 40)
        for i in range(start - 1, first - 1, -1):
            if info.lemmas[i] not in _FINDING:
                continue
            between = info.lowers[i + 1:min(start, i + 8)]
            for j, low in enumerate(between):
                if low in _THEIR_WRITING:
                    owner = between[:j]
                    others = (any(w in self._relations or w in _OTHER_OWNERS or w.endswith("'s") for w in owner))
                    if not others:
                        return False
                    # Nothing about the visitor themselves between that and the hit.
                    rest = info.lowers[i + 1 + j + 1:start]
                    return not any(w in ("i", "me", "myself", "i'm", "im") for w in rest)
        return False

    def _possessor(self, start: int, end: int, info: Doc) -> str:
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

    # ------------------------------------------------------------------ scope: a parent's rules

    def _drop_parental_limits(self, hits: List[Hit], info: Doc) -> List[Hit]:
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

    def _contacted(self, i: int, info: Doc) -> bool:
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
