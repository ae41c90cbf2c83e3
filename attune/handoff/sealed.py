"""Seals a contact detail while a call-back form is being filled in.

A form keeps its answers in conversation slots, and the tracker store writes every slot change.
The contact (email or phone number) is the one answer that identifies the visitor, so the
form keeps it sealed (encrypted with the server's key) and opens it only to send the request
the visitor consented to. The stored conversation holds only the sealed form, which is
useless without the key and is deleted with the conversation.

The key comes from ATTUNE_SECRET_KEY (a Fernet key: `python -m attune.handoff.sealed new-key`),
else from var/secret.key, created with owner-only permissions on first use.
"""

from __future__ import annotations

import os
import sys
from typing import Optional

from cryptography.fernet import Fernet, InvalidToken

from attune.paths import REPO_ROOT

PREFIX = "sealed:"
KEY_FILE = REPO_ROOT / "var" / "secret.key"


def _key() -> bytes:
    configured = os.environ.get("ATTUNE_SECRET_KEY")
    if configured:
        return configured.encode()
    if not KEY_FILE.is_file():
        KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(Fernet.generate_key())
    return KEY_FILE.read_bytes().strip()


def seal(value: str) -> str:
    """The value encrypted, marked so that it is recognised as sealed."""
    return PREFIX + Fernet(_key()).encrypt(value.encode()).decode()


def unseal(token: Optional[str]) -> Optional[str]:
    """The original value, or None if the token is missing, not sealed or not ours."""
    if not isinstance(token, str) or not token.startswith(PREFIX):
        return None
    try:
        return Fernet(_key()).decrypt(token[len(PREFIX):].encode()).decode()
    except (InvalidToken, ValueError):
        return None


def mask(value: str) -> str:
    """A hint of the contact for messages: r***@gmail.com, or the last 4 digits."""
    if "@" in value:
        name, _, domain = value.partition("@")
        return f"{name[:1]}***@{domain}"
    digits = [c for c in value if c.isdigit()]
    return "***-" + "".join(digits[-4:])


if __name__ == "__main__" and sys.argv[1:] == ["new-key"]:
    print(Fernet.generate_key().decode())
