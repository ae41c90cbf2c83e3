"""Fixtures for integration tests: a real, throwaway PostgreSQL server on loopback.

``postgres_url`` installs Debian's PostgreSQL if it is missing (scripts/install-postgres.sh),
creates a new cluster in a temporary directory, starts it on 127.0.0.1 on a free port with its
unix socket in that directory, creates a database and yields its SQLAlchemy URL; the server
is stopped and the directory removed afterwards. Set ``ATTUNE_TEST_POSTGRES_URL`` to use an
existing server instead.

``handoff_db_url`` runs a test once on SQLite and once on PostgreSQL, each time on empty tables.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator, List

import pytest
import sqlalchemy as sa

from attune.paths import REPO_ROOT
from tools.stack import free_port

INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install-postgres.sh"
DATABASE = "attune_test"
USER = "attune"


def _bindir() -> str:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4])
    )
    return str(Path(found[-1]).parent) if found else ""


def _ensure_postgres() -> str:
    bindir = _bindir()
    if bindir:
        return bindir
    result = subprocess.run(
        ["bash", str(INSTALL_SCRIPT)], capture_output=True, text=True, timeout=1800
    )
    if result.returncode != 0 or not _bindir():
        pytest.fail(
            f"Could not install PostgreSQL with {INSTALL_SCRIPT} (run it as root):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return _bindir()


class _Cluster:
    """One throwaway PostgreSQL cluster, run as the `postgres` user when we are root."""

    def __init__(self, bindir: str) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="attune-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.password = secrets.token_hex(16)
        self.as_user: List[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def run(self, *command: str) -> None:
        result = subprocess.run(
            self.as_user + list(command), capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{command[0]} failed:\n{result.stdout}\n{result.stderr}\n{tail}")

    def start(self) -> str:
        password_file = self.root / "password"
        password_file.write_text(self.password + "\n")
        if self.as_user:
            account = pwd.getpwnam("postgres")
            os.chown(password_file, account.pw_uid, account.pw_gid)
        self.run(
            f"{self.bindir}/initdb",
            "-D", str(self.data),
            "-U", USER,
            f"--pwfile={password_file}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        password_file.unlink()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self.run(
            f"{self.bindir}/pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"),
            "-o", options, "-w", "-t", "60", "start",
        )
        admin = sa.create_engine(self.url("postgres"), future=True, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {DATABASE}")
        admin.dispose()
        return self.url(DATABASE)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.run(f"{self.bindir}/pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL of an empty database on a throwaway PostgreSQL server on loopback."""
    existing = os.environ.get("ATTUNE_TEST_POSTGRES_URL")
    if existing:
        yield existing
        return
    cluster = _Cluster(_ensure_postgres())
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def handoff_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database for the call-back store, on each backend in turn, with no tables in it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'attune.db'}"
        return
    url = request.getfixturevalue("postgres_url")
    from attune.handoff.store import metadata

    engine = sa.create_engine(url, future=True)
    metadata.drop_all(engine)
    engine.dispose()
    try:
        yield url
    finally:
        engine = sa.create_engine(url, future=True)
        metadata.drop_all(engine)
        engine.dispose()
