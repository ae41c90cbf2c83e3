"""Channel input checks: text cleaning and unguessable session ids."""

from __future__ import annotations

import pytest

from attune.channels.guard import clean_text
from attune.channels.socketio import accepted_session_id, new_session_id


@pytest.mark.parametrize("value", [None, 42, ["hi"], {"text": "hi"}, b"hi"])
def test_anything_but_text_is_refused(value):
    assert clean_text(value) is None


def test_control_and_invisible_characters_are_removed_but_newlines_kept():
    assert clean_text("i want\u200b to\x00 die\nnow\x1b") == "i want to die\nnow"


def test_bidi_overrides_cannot_hide_words():
    assert clean_text("\u202ekill myself\u202c") == "kill myself"


def test_new_session_ids_are_long_random_and_distinct():
    ids = {new_session_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) >= 32 for i in ids)


@pytest.mark.parametrize("candidate", ["1", "abc", "alice", "' OR 1=1 --", None, 7, "x" * 200])
def test_short_or_odd_session_ids_are_replaced(candidate):
    accepted = accepted_session_id(candidate)
    assert accepted != candidate
    assert len(accepted) >= 32


def test_a_random_client_session_id_is_kept_so_a_tab_can_reconnect():
    candidate = new_session_id()
    assert accepted_session_id(candidate) == candidate


@pytest.mark.parametrize("text,expected", [
    ("/greet", "/greet"),
    ('/greet{"note": "i want to die"}', 'greet{"note": "i want to die"}'),
    ("/zebra i feel alone", "zebra i feel alone"),
    ("// i want to die", "i want to die"),
])
def test_only_well_formed_payloads_keep_their_slash(text, expected):
    assert clean_text(text) == expected
