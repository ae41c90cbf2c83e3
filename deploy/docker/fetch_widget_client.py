"""Puts the website chat's socket.io-client into node_modules/ inside the Rasa image.

    python deploy/docker/fetch_widget_client.py [--lock package-lock.json] [--into node_modules]

The image has no npm. This reads the version and the SHA-512 integrity that package-lock.json
pins for socket.io-client, downloads that release's tarball from the npm registry, refuses it
unless its hash matches, and keeps only what the chat server serves: the package's
package.json and its self-contained browser build, dist/socket.io.min.js
(attune.web.server.find_socketio_client). Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path
from typing import Tuple

PACKAGE = "socket.io-client"
REGISTRY = "https://registry.npmjs.org"
# The two files the chat server reads, inside the npm tarball ("package/...").
WANTED = ("package/package.json", "package/dist/socket.io.min.js")


def pinned(lock: Path) -> Tuple[str, str]:
    """(version, integrity) of socket.io-client in package-lock.json."""
    entry = json.loads(lock.read_text(encoding="utf-8"))["packages"][f"node_modules/{PACKAGE}"]
    return str(entry["version"]), str(entry["integrity"])


def verified(tarball: bytes, integrity: str) -> bool:
    """Whether the tarball's hash is the lock file's ("sha512-<base64>")."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        return False
    return base64.b64encode(hashlib.sha512(tarball).digest()).decode() == expected


def unpack(tarball: bytes, into: Path) -> Path:
    """Writes the two wanted files under `into`/socket.io-client; returns that folder."""
    target = into / PACKAGE
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for name in WANTED:
            member = archive.getmember(name)
            data = archive.extractfile(member)
            if data is None:
                raise ValueError(f"{name} is not a file in the tarball")
            path = target / name.split("/", 1)[1]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data.read())
    return target


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, default=Path("package-lock.json"))
    parser.add_argument("--into", type=Path, default=Path("node_modules"))
    args = parser.parse_args(argv)
    version, integrity = pinned(args.lock)
    url = f"{REGISTRY}/{PACKAGE}/-/{PACKAGE}-{version}.tgz"
    with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 - a fixed https address
        tarball = answer.read()
    if not verified(tarball, integrity):
        print(f"{url} does not match the integrity package-lock.json pins; not installed.", file=sys.stderr)
        return 1
    print(f"{PACKAGE} {version} in {unpack(tarball, args.into)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
