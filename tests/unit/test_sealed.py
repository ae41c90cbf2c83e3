"""Contact details are sealed while a form is filled in."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from attune.handoff.sealed import PREFIX, mask, seal, unseal


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("ATTUNE_SECRET_KEY", Fernet.generate_key().decode())


def test_a_sealed_contact_reads_back_only_with_the_key(monkeypatch):
    token = seal("robin@gmail.com")
    assert token.startswith(PREFIX) and "robin" not in token
    assert unseal(token) == "robin@gmail.com"
    monkeypatch.setenv("ATTUNE_SECRET_KEY", Fernet.generate_key().decode())
    assert unseal(token) is None


@pytest.mark.parametrize("token", [None, "", "robin@gmail.com", PREFIX + "garbage", 42])
def test_anything_else_does_not_unseal(token):
    assert unseal(token) is None


def test_masks_show_only_a_hint():
    assert mask("robin@gmail.com") == "r***@gmail.com"
    assert mask("+14169791234") == "***-1234"
