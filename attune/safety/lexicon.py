"""The risk detector's second layer: the lexicon's vocabulary and its pattern language.

`risk_lexicon.yml` names each rule's category and writes its patterns in a small language
(`PatternCompiler`) that becomes spaCy Matcher patterns. Pure: spaCy is only handed the result.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

CATEGORIES = ("suicide", "self_harm", "abuse", "harm_others", "emergency")
ABUSE_SUBCATEGORIES = (
    "partner_violence",
    "sexual_violence",
    "child_abuse",
    "coercive_control",
    "stalking",
)
_PATTERNS_PER_RULE_LIMIT = 4000
# Words too frequent to make good anchors (see PatternCompiler.anchor).
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
class Rule:
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
    # Abuse only: a plain disclosure ("he goes ahead while I'm still saying no") that stands
    # whatever the model reads, as a plain statement's tag does for the other categories.
    stands: bool = False


class PatternCompiler:
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

    def _word_token(self, word: str, exact: bool) -> "PatternCompiler._Tok":
        if word == "#":
            return ("LIKE_NUM", frozenset(), "")
        if exact:
            return ("LOWER", frozenset([word]), "")
        return ("LEMMA", frozenset([self.lemma_of(word)]), "")

    def _variants(self, spec: str) -> List[Tuple["PatternCompiler._Tok", ...]]:
        optional = spec.endswith("?") and len(spec) > 1
        if optional:
            spec = spec[:-1]
        if spec.startswith("*"):
            count = int(spec[1:] or 1)
            return [tuple(("WILD", frozenset(), "?") for _ in range(count))]
        variants: List[Tuple[PatternCompiler._Tok, ...]] = []
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
    def _merge(patterns: List[Tuple["PatternCompiler._Tok", ...]]) -> List[Tuple["PatternCompiler._Tok", ...]]:
        """Merges patterns that differ in the values of one token only (exact, no widening)."""
        current = list(dict.fromkeys(patterns))
        changed = True
        while changed:
            changed = False
            width = max((len(p) for p in current), default=0)
            for pos in range(width):
                buckets: Dict[Any, List[Tuple[PatternCompiler._Tok, ...]]] = {}
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

    def to_spacy(self, pattern: Tuple["PatternCompiler._Tok", ...]) -> List[Dict[str, Any]]:
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

    def compile(self, pattern: str) -> List[Tuple["PatternCompiler._Tok", ...]]:
        per_spec = [self._variants(spec) for spec in self.split(pattern)]
        size = 1
        for variants in per_spec:
            size *= len(variants)
        if size > _PATTERNS_PER_RULE_LIMIT:
            raise LexiconError(f"pattern {pattern!r} expands to too many variants ({size})")
        combos: List[Tuple[PatternCompiler._Tok, ...]] = []
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
    def anchor(pattern: Tuple["PatternCompiler._Tok", ...]) -> Optional[Tuple[FrozenSet[Tuple[str, str]], ...]]:
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
