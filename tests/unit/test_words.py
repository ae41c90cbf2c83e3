"""Every word Attune can say is checked: no judging or labels, grade 8 or lower, short bubbles.

Covers every response variation and button title in domain.yml, and every sentence written in
the action code (actions/) and in the exercise's summary headings (attune/reflection.py).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import yaml

from attune.style import judging_phrases

REPO = Path(__file__).resolve().parents[2]
MAX_WORDS = 60
MAX_GRADE = 8.0

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _plain(text: str) -> str:
    # A placeholder stands for a name, a link or a list of help lines: count it as one word.
    return _PLACEHOLDER.sub("it", text.replace("’", "'"))


def words(text: str) -> List[str]:
    """The words of a text, placeholders counted as one word each."""
    return re.findall(r"[A-Za-z0-9']+(?:[-'][A-Za-z0-9']+)*", _plain(text))


def syllables(word: str) -> int:
    """An estimate of the syllables in an English word (the usual vowel-group rule)."""
    word = re.sub(r"[^a-z]", "", word.lower())
    if not word:
        return 0
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", word)))


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade level of a text (sentences end at . ! ? : or a line break)."""
    plain = _plain(text).replace("-", " ")
    sentences = [s for s in re.split(r"[.!?:]+|\n+", plain) if re.search(r"[A-Za-z]", s)]
    found = words(plain)
    if not found or not sentences:
        return 0.0
    total_syllables = sum(syllables(word) for word in found)
    return 0.39 * len(found) / len(sentences) + 11.8 * total_syllables / len(found) - 15.59


# --------------------------------------------------------------------------- what is said


def domain_texts() -> Iterator[Tuple[str, str]]:
    """(where, text) for every response variation and button title in domain.yml."""
    domain = yaml.safe_load((REPO / "domain.yml").read_text())
    for name, variations in domain["responses"].items():
        for index, variation in enumerate(variations):
            if variation.get("text"):
                yield f"{name}[{index}]", variation["text"]
            for button in variation.get("buttons") or []:
                yield f"{name}[{index}] button", button["title"]


def code_texts() -> Iterator[Tuple[str, str]]:
    """(where, text) for every sentence-like string literal in actions/ and the summary."""
    files = sorted((REPO / "actions").glob("*.py")) + [REPO / "attune" / "reflection.py"]
    for path in files:
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and " " in node.value.strip()
            ):
                yield f"{path.relative_to(REPO)}:{node.lineno}", node.value


DOMAIN_TEXTS = list(domain_texts())
ALL_TEXTS = DOMAIN_TEXTS + list(code_texts())
BUBBLES = [(where, text) for where, text in DOMAIN_TEXTS if "button" not in where]


# --------------------------------------------------------------------------- the tests


def test_the_checks_see_every_response_in_the_domain():
    domain = yaml.safe_load((REPO / "domain.yml").read_text())
    checked = {where.split("[")[0] for where, _ in BUBBLES}
    assert checked == set(domain["responses"])


@pytest.mark.parametrize("where,text", ALL_TEXTS, ids=[where for where, _ in ALL_TEXTS])
def test_no_judging_words_or_labels(where: str, text: str):
    assert judging_phrases(text) == [], f"{where}: {text!r}"


@pytest.mark.parametrize("where,text", BUBBLES, ids=[where for where, _ in BUBBLES])
def test_each_bubble_is_short(where: str, text: str):
    assert len(words(text)) <= MAX_WORDS, f"{where} has {len(words(text))} words"


@pytest.mark.parametrize("where,text", BUBBLES, ids=[where for where, _ in BUBBLES])
def test_each_bubble_reads_at_grade_8_or_lower(where: str, text: str):
    assert reading_grade(text) <= MAX_GRADE, f"{where}: grade {reading_grade(text):.1f}"


# The checks themselves must be able to fail.
@pytest.mark.parametrize(
    "text",
    [
        "You are avoidant, and that's okay.",
        "It sounds like you're anxiously attached.",
        "You have an anxious attachment style.",
        "You've got some attachment issues.",
        "That seems a bit needy.",
        "Being clingy is common.",
        "That relationship sounds toxic.",
        "You are not crazy.",
        "You might be overreacting.",
        "That's manipulative.",
        "Your attachment style is avoidant.",
        "You should text them less.",
    ],
)
def test_the_judging_check_catches_labels(text: str):
    assert judging_phrases(text)


@pytest.mark.parametrize(
    "text",
    [
        "Some people notice they pull back when someone gets close.",
        "You have the right to feel safe.",
        "A therapist can help you explore what you notice.",
    ],
)
def test_the_judging_check_leaves_kind_words_alone(text: str):
    assert judging_phrases(text) == []


def test_the_grade_check_tells_hard_text_from_easy_text():
    easy = "You can stop at any time. There are no right answers."
    hard = (
        "Attachment-oriented psychotherapeutic interventions systematically operationalise "
        "intergenerational relational dysregulation through neurobiologically informed methodology."
    )
    assert reading_grade(easy) <= MAX_GRADE < reading_grade(hard)


def test_the_length_check_counts_a_placeholder_as_one_word():
    assert len(words("Call {crisis_line_primary} or book at {booking_url}.")) == 6


# The crisis turns and what follows them are read by people in distress: grade 6 at most.
CRISIS_MAX_GRADE = 6.0
_CRISIS_RESPONSES = re.compile(
    r"^(utter_crisis_|utter_ask_safe|utter_ask_how|utter_not_safe|utter_glad_safe|"
    r"utter_respect_denial|utter_check_in_gently|utter_next_step|utter_refuse_hospital|"
    r"utter_cant_call|utter_quick_exit_reminder|utter_stop_hotlines|utter_feeling_calmer|"
    r"utter_feeling_worse|utter_unsure_after_crisis|utter_unreadable_language|utter_safety_plan|"
    r"utter_lines_did_not_help|utter_region_lines|utter_hopeless_after_crisis|utter_about_the_lines)"
)
CRISIS_BUBBLES = [(where, text) for where, text in BUBBLES if _CRISIS_RESPONSES.match(where)]


def test_the_crisis_turns_are_all_checked():
    names = {where.split("[")[0] for where, _ in CRISIS_BUBBLES}
    assert {"utter_crisis_suicide", "utter_next_step", "utter_refuse_hospital", "utter_cant_call",
            "utter_stop_hotlines", "utter_not_safe"} <= names


@pytest.mark.parametrize("where,text", CRISIS_BUBBLES, ids=[where for where, _ in CRISIS_BUBBLES])
def test_each_crisis_bubble_reads_at_grade_6_or_lower(where: str, text: str):
    assert reading_grade(text) <= CRISIS_MAX_GRADE, f"{where}: grade {reading_grade(text):.1f}"
