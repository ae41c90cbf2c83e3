"""A multi-replica Attune on this machine: PostgreSQL, Redis, N Rasa replicas, an action server
pool and nginx in front, every one of them on 127.0.0.1, from Debian and PyPI packages.

    python -m deploy.cluster up [--replicas 2 --actions 2 --port 8000 --ttl 3600]
    python -m deploy.cluster status
    python -m deploy.cluster down
    python -m deploy.cluster bench [--replicas 2 --concurrency 20 --seconds 30]
    python -m deploy.cluster check [--replicas 2 --conversations 20 --messages 12]

`up` returns once every process answers and leaves them running (for at most --ttl seconds:
a watchdog runs `down` then). `bench` and `check` start their own cluster and stop it at the
end. `bench` measures throughput through nginx with 1, 2, ... replicas, then runs `check`.
`check` is the no-loss test: numbered messages in concurrent conversations spread round-robin
over the replicas, one replica killed (SIGKILL) mid-run, and PostgreSQL's tracker store then
must hold every message of every conversation exactly once, in the order it was sent.

Layout (state, logs, data) under var/cluster/ unless --root says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from attune.paths import REPO_ROOT
from attune.stack import DEFAULT_MODEL, free_port, wait_for_http

HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = REPO_ROOT / "var" / "cluster"
RASA = str(Path(sys.executable).with_name("rasa"))
PG_USER = "attune"
PG_DB = "attune"
# A replica that dies while holding a conversation's lock leaves a ticket in Redis; the next
# message of that conversation waits until the ticket expires. Rasa's default is 60 s; one
# message never takes 15 s here (the action call times out first), so 15 s is safe and short.
LOCK_LIFETIME_S = 15


def _postgres_bindir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return str(Path(found[-1]).parent) if found else ""


def ensure_packages() -> None:
    """Installs PostgreSQL, Redis and nginx from Debian if any is missing."""
    nginx = shutil.which("nginx") or Path("/usr/sbin/nginx").exists()
    if _postgres_bindir() and shutil.which("redis-server") and nginx:
        return
    subprocess.run(["bash", str(HERE / "install-packages.sh")], check=True, timeout=1800)


def _nginx() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


@dataclass
class Proc:
    """A process the cluster started: its role, pid and port."""

    name: str
    pid: int
    port: int


@dataclass
class ClusterState:
    """Everything `down` and `status` need, saved as JSON in the cluster's folder."""

    root: str
    port: int
    actions_port: int
    pg_port: int
    redis_port: int
    pg_password: str
    redis_password: str
    replicas: List[Proc] = field(default_factory=list)
    actions: List[Proc] = field(default_factory=list)
    others: List[Proc] = field(default_factory=list)
    scaling_ports: Dict[str, int] = field(default_factory=dict)

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL of the shared PostgreSQL database."""
        return f"postgresql+psycopg2://{PG_USER}:{self.pg_password}@127.0.0.1:{self.pg_port}/{PG_DB}"

    @property
    def url(self) -> str:
        """The load balancer, in front of every replica."""
        return f"http://127.0.0.1:{self.port}"

    def save(self) -> None:
        """Writes the state file, readable by root only (it holds the passwords)."""
        path = Path(self.root) / "state.json"
        path.write_text(json.dumps(asdict(self), indent=2))
        path.chmod(0o600)

    @classmethod
    def load(cls, root: Path) -> Optional["ClusterState"]:
        """The saved state, or None when no cluster was started there."""
        path = root / "state.json"
        if not path.is_file():
            return None
        data = json.loads(path.read_text())
        for key in ("replicas", "actions", "others"):
            data[key] = [Proc(**p) for p in data[key]]
        return cls(**data)


def alive(pid: int) -> bool:
    """Whether a process with this pid exists (and is not a zombie)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def stop_pid(pid: int, sig: int = signal.SIGTERM, grace: float = 15) -> None:
    """Signals a process group we started, then SIGKILL if it outlives `grace` seconds."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, sig)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and alive(pid):
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    if alive(pid):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Cluster:
    """Starts and stops the whole deployment."""

    def __init__(
        self,
        root: Path = DEFAULT_ROOT,
        replicas: int = 2,
        actions: int = 2,
        port: int = 0,
        model: Path = DEFAULT_MODEL,
        practice_file: Optional[Path] = None,
    ) -> None:
        """`port` 0: a free port for nginx. `practice_file`: a practice.yml for the replicas."""
        self.root = Path(root).resolve()
        self.replica_count = replicas
        self.action_count = actions
        self.model = Path(model)
        self.practice_file = practice_file
        self.port = port or free_port()
        self.state: Optional[ClusterState] = None

    # -------------------------------------------------------------- helpers
    @property
    def logs(self) -> Path:
        """Log files of every process."""
        return self.root / "logs"

    def _spawn(self, name: str, command: List[str], env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
        self.logs.mkdir(parents=True, exist_ok=True)
        with open(self.logs / f"{name}.log", "ab") as log:
            return subprocess.Popen(
                command, cwd=REPO_ROOT, env=env or dict(os.environ), stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )

    def _as_postgres(self) -> List[str]:
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def environment(self) -> Dict[str, str]:
        """What the replicas and action servers read (deploy/endpoints.production.yml)."""
        s = self.state
        assert s is not None
        env = dict(os.environ)
        env.update(
            {
                "RASA_TELEMETRY_ENABLED": "false",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
                "ATTUNE_ACTION_URL": f"http://127.0.0.1:{s.actions_port}/webhook",
                "ATTUNE_PG_HOST": "127.0.0.1",
                "ATTUNE_PG_PORT": str(s.pg_port),
                "ATTUNE_PG_DB": PG_DB,
                "ATTUNE_PG_USER": PG_USER,
                "ATTUNE_PG_PASSWORD": s.pg_password,
                "ATTUNE_REDIS_HOST": "127.0.0.1",
                "ATTUNE_REDIS_PORT": str(s.redis_port),
                "ATTUNE_REDIS_PASSWORD": s.redis_password,
                "ATTUNE_DATABASE_URL": s.database_url,
                "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_S),
            }
        )
        if self.practice_file:
            env["ATTUNE_PRACTICE_FILE"] = str(self.practice_file)
        return env

    # -------------------------------------------------------------- services
    def _start_postgres(self) -> None:
        s = self.state
        bindir = _postgres_bindir()
        pg_root = self.root / "pg"
        pg_root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(pg_root, account.pw_uid, account.pw_gid)
        pg_root.chmod(0o700)
        data = pg_root / "data"
        as_user = self._as_postgres()
        if not (data / "PG_VERSION").exists():
            password_file = pg_root / "password"
            password_file.write_text(s.pg_password + "\n")
            if as_user:
                os.chown(password_file, pwd.getpwnam("postgres").pw_uid, -1)
            subprocess.run(
                as_user + [f"{bindir}/initdb", "-D", str(data), "-U", PG_USER, f"--pwfile={password_file}",
                           "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync"],
                check=True, capture_output=True, timeout=120,
            )
            password_file.unlink()
        # Durability settings are PostgreSQL's defaults (fsync on): this measures the real cost.
        options = f"-c listen_addresses=127.0.0.1 -p {s.pg_port} -k {pg_root} -c max_connections=200"
        subprocess.run(
            as_user + [f"{bindir}/pg_ctl", "-D", str(data), "-l", str(pg_root / "server.log"),
                       "-o", options, "-w", "-t", "60", "start"],
            check=True, capture_output=True, timeout=90,
        )
        import sqlalchemy as sa

        admin = sa.create_engine(s.database_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.exec_driver_sql(f"SELECT 1 FROM pg_database WHERE datname = '{PG_DB}'").first()
            if not exists:
                connection.exec_driver_sql(f"CREATE DATABASE {PG_DB}")
        admin.dispose()

    def _stop_postgres(self) -> None:
        data = self.root / "pg" / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run(
                self._as_postgres() + [f"{_postgres_bindir()}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True, timeout=60,
            )

    def _start_redis(self) -> None:
        s = self.state
        directory = self.root / "redis"
        directory.mkdir(parents=True, exist_ok=True)
        # The password goes in a config file, not on the command line other users can read.
        config = directory / "redis.conf"
        config.write_text(
            f"bind 127.0.0.1\nport {s.redis_port}\nprotected-mode yes\nrequirepass {s.redis_password}\n"
            f"save \"\"\nappendonly no\ndir {directory}\ndaemonize no\n"
        )
        config.chmod(0o600)
        process = self._spawn("redis", ["redis-server", str(config)])
        s.others.append(Proc("redis", process.pid, s.redis_port))
        import redis

        client = redis.Redis(host="127.0.0.1", port=s.redis_port, password=s.redis_password)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError as err:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("Redis did not start: see " + str(self.logs / "redis.log")) from err
                time.sleep(0.2)

    def _create_tables(self) -> None:
        """Creates every table once, before the replicas start, so they never race to."""
        s = self.state
        code = (
            "from attune.tracker_store import PrivateSQLTrackerStore\n"
            "from attune.safety.audit import SafetyAuditLog\n"
            "from attune.handoff.store import CallbackStore\n"
            "import os\n"
            f"PrivateSQLTrackerStore(dialect='postgresql', host='127.0.0.1:{s.pg_port}', db='{PG_DB}',"
            f" username='{PG_USER}', password=os.environ['ATTUNE_PG_PASSWORD'])\n"
            "SafetyAuditLog(os.environ['ATTUNE_DATABASE_URL'])\n"
            "CallbackStore(os.environ['ATTUNE_DATABASE_URL'])\n"
        )
        subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=self.environment(),
                       check=True, capture_output=True, timeout=300)

    def _nginx_config(self) -> str:
        s = self.state
        directory = self.root / "nginx"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (directory / sub).mkdir(parents=True, exist_ok=True)
        template = (HERE / "nginx.conf.template").read_text()

        def servers(procs: Sequence[Proc]) -> str:
            return "\n".join(
                f"        server 127.0.0.1:{p.port} max_fails=1 fail_timeout=10s;" for p in procs
            )

        scaling = []
        for k in range(1, len(s.replicas)):
            port = s.scaling_ports[str(k)]
            scaling.append(
                f"    upstream rasa_first_{k} {{\n{servers(s.replicas[:k])}\n    }}\n"
                f"    server {{\n        listen 127.0.0.1:{port};\n"
                f"        location / {{ proxy_pass http://rasa_first_{k}; include {directory}/proxy.conf; }}\n    }}\n"
            )
        (directory / "proxy.conf").write_text((HERE / "nginx-proxy.conf").read_text())
        user = "user nobody nogroup;" if os.geteuid() == 0 else ""
        return (
            template.replace("@USER@", user)
            .replace("@DIR@", str(directory))
            .replace("@LOGS@", str(self.logs))
            .replace("@PORT@", str(s.port))
            .replace("@ACTIONS_PORT@", str(s.actions_port))
            .replace("@RASA_SERVERS@", servers(s.replicas))
            .replace("@ACTION_SERVERS@", servers(s.actions))
            .replace("@SCALING@", "\n".join(scaling))
        )

    def _start_nginx(self) -> None:
        s = self.state
        config = self.root / "nginx" / "nginx.conf"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(self._nginx_config())
        test = subprocess.run([_nginx(), "-t", "-c", str(config)], capture_output=True, text=True)
        if test.returncode != 0:
            raise RuntimeError(f"nginx rejected {config}:\n{test.stderr}")
        process = self._spawn("nginx", [_nginx(), "-c", str(config), "-g", "daemon off;"])
        s.others.append(Proc("nginx", process.pid, s.port))
        wait_for_http(f"{s.url}/webhooks/rest/", 30, process)

    def _start_replica(self, index: int, port: int) -> subprocess.Popen:
        return self._spawn(
            f"rasa-{index}",
            [RASA, "run", "--model", str(self.model), "--interface", "127.0.0.1", "--port", str(port),
             "--credentials", str(HERE / "credentials.production.yml"),
             "--endpoints", str(HERE / "endpoints.production.yml")],
            self.environment(),
        )

    # -------------------------------------------------------------- lifecycle
    def up(self) -> ClusterState:
        """Starts everything and waits until nginx answers for every replica."""
        if not self.model.is_file():
            raise FileNotFoundError(f"No trained model at {self.model}: run `make train`.")
        existing = ClusterState.load(self.root)
        if existing and any(alive(p.pid) for p in existing.replicas + existing.actions + existing.others):
            raise RuntimeError(f"A cluster is already running from {self.root}: `down` it first.")
        ensure_packages()
        self.root.mkdir(parents=True, exist_ok=True)
        self.state = ClusterState(
            root=str(self.root), port=self.port, actions_port=free_port(), pg_port=free_port(),
            redis_port=free_port(), pg_password=self._database_password(existing),
            redis_password=secrets.token_hex(16),
        )
        s = self.state
        try:
            self._start_postgres()
            s.save()
            self._start_redis()
            s.save()
            self._create_tables()
            started: List[tuple] = []
            for i in range(self.action_count):
                port = free_port()
                process = self._spawn(
                    f"actions-{i + 1}",
                    [sys.executable, "-m", "attune.action_server", "--host", "127.0.0.1", "--port", str(port)],
                    self.environment(),
                )
                s.actions.append(Proc(f"actions-{i + 1}", process.pid, port))
                started.append((process, f"http://127.0.0.1:{port}/health"))
            for i in range(self.replica_count):
                port = free_port()
                process = self._start_replica(i + 1, port)
                s.replicas.append(Proc(f"rasa-{i + 1}", process.pid, port))
                started.append((process, f"http://127.0.0.1:{port}/webhooks/rest/"))
            s.scaling_ports = {str(k): free_port() for k in range(1, self.replica_count)}
            s.save()
            for process, url in started:
                wait_for_http(url, 600, process)
            self._start_nginx()
            s.save()
        except BaseException:
            self.down()
            raise
        return s

    def _database_password(self, existing: Optional[ClusterState]) -> str:
        """A new password for a new database; the saved one when `down` kept the data.

        PostgreSQL keeps the password it was created with, so a second `up` on the same folder
        must reuse it. Without the saved state the data cannot be opened: say so plainly
        rather than delete conversations."""
        if not (self.root / "pg" / "data" / "PG_VERSION").exists():
            return secrets.token_hex(16)
        if existing is None:
            raise RuntimeError(
                f"{self.root / 'pg' / 'data'} holds a database but {self.root / 'state.json'} with its "
                "password is gone: restore the file, or delete the folder to start with an empty database."
            )
        return existing.pg_password

    def kill_replica(self, index: int, sig: int = signal.SIGKILL) -> Proc:
        """Kills one Rasa replica (0-based), SIGKILL by default: a crash, not a shutdown."""
        proc = self.state.replicas[index]
        os.killpg(proc.pid, sig)
        return proc

    def down(self) -> None:
        """Stops every process this cluster started; data stays under the root folder."""
        s = self.state or ClusterState.load(self.root)
        if s is None:
            return
        for proc in [p for p in s.others if p.name == "nginx"] + s.replicas + s.actions:
            stop_pid(proc.pid)
        for proc in [p for p in s.others if p.name == "redis"]:
            stop_pid(proc.pid)
        self._stop_postgres()
        watchdog = self.root / "watchdog.pid"
        if watchdog.is_file():
            try:
                pid = int(watchdog.read_text())
                if pid != os.getpid():
                    os.kill(pid, signal.SIGTERM)
            except (ValueError, ProcessLookupError):
                pass
            watchdog.unlink(missing_ok=True)

    def status(self) -> List[Dict[str, Any]]:
        """Each process: name, pid, port, running or not."""
        s = self.state or ClusterState.load(self.root)
        if s is None:
            return []
        rows = [{"name": p.name, "pid": p.pid, "port": p.port, "running": alive(p.pid)}
                for p in s.others + s.replicas + s.actions]
        pid_file = self.root / "pg" / "data" / "postmaster.pid"
        pg_pid = int(pid_file.read_text().split()[0]) if pid_file.exists() else 0
        rows.insert(0, {"name": "postgresql", "pid": pg_pid, "port": s.pg_port,
                        "running": bool(pg_pid) and alive(pg_pid)})
        return rows

    def __enter__(self) -> "Cluster":
        self.up()
        return self

    def __exit__(self, *_: Any) -> None:
        self.down()


# ------------------------------------------------------------------ the no-loss check

CHECK_MESSAGES = (
    "what is attachment theory?",
    "what does anxious attachment mean?",
    "why do I push people away when they get close?",
    "can attachment patterns change?",
    "is what I write here private?",
    "thanks, that helps",
)
TAG = re.compile(r"\[check (\d+)\.(\d+)\]")
RETRYABLE = {502, 503, 504}


async def _numbered_conversation(
    url: str, sender: str, number: int, messages: int, log: List[Dict[str, Any]], retries: int
) -> None:
    import aiohttp

    address = f"127.0.0.{2 + number % 200}"
    connector = aiohttp.TCPConnector(limit=1, local_addr=(address, 0))
    async with aiohttp.ClientSession(connector=connector) as session:
        for i in range(messages):
            text = f"{CHECK_MESSAGES[i % len(CHECK_MESSAGES)]} [check {number}.{i}]"
            # The same key on every retry of this message: a replica that already stored it
            # answers with the stored replies instead of storing it twice.
            message_id = f"{sender}.{i}"
            entry: Dict[str, Any] = {"conversation": number, "message": i, "attempts": 0, "ok": False}
            while entry["attempts"] <= retries:
                entry["attempts"] += 1
                started = time.monotonic()
                try:
                    async with session.post(
                        f"{url}/webhooks/rest/webhook",
                        json={"sender": sender, "message": text, "message_id": message_id},
                        timeout=aiohttp.ClientTimeout(total=90),
                    ) as answer:
                        body = await answer.read()
                        # nginx lists every replica it tried; the last one answered.
                        tried = answer.headers.get("X-Attune-Replica", "?").split(", ")
                        entry["replica"] = tried[-1]
                        entry["rerouted"] = entry.get("rerouted", 0) + len(tried) - 1
                        entry["status"] = answer.status
                        entry["replies"] = len(json.loads(body)) if answer.status == 200 else None
                        # 200 means the replica processed it; whether the bot had words to say is
                        # the bot's business (counted apart as `empty_replies`).
                        if answer.status == 200:
                            entry["ok"] = True
                            entry["sent_at"] = started
                            entry["answered_at"] = time.monotonic()
                            break
                        if answer.status not in RETRYABLE:
                            break
                except (aiohttp.ClientError, asyncio.TimeoutError) as problem:
                    entry["status"] = type(problem).__name__
                # A visitor's widget retries after a failed send, as a person would.
                await asyncio.sleep(0.5)
            log.append(entry)
            if not entry["ok"]:
                return


def tracker_messages(database_url: str, prefix: str) -> Dict[str, List[str]]:
    """The user messages stored for each conversation whose id starts with `prefix`, in order."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    stored: Dict[str, List[str]] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT sender_id, data FROM events WHERE type_name = 'user' AND sender_id LIKE :p ORDER BY id"),
            {"p": prefix + "%"},
        )
        for sender, data in rows:
            stored.setdefault(sender, []).append(json.loads(data).get("text") or "")
    engine.dispose()
    return stored


def verify(stored: Dict[str, List[str]], prefix: str, conversations: int, messages: int) -> Dict[str, Any]:
    """Counts lost, duplicated and out-of-order messages against what was sent."""
    lost = duplicated = out_of_order = foreign = 0
    bad: List[str] = []
    for number in range(conversations):
        sender = f"{prefix}{number:03d}"
        tags = []
        for text in stored.get(sender, []):
            match = TAG.search(text)
            if not match or int(match.group(1)) != number:
                foreign += 1
                continue
            tags.append(int(match.group(2)))
        expected = list(range(messages))
        lost += len(set(expected) - set(tags))
        duplicated += len(tags) - len(set(tags))
        out_of_order += sum(1 for a, b in zip(tags, tags[1:]) if b < a)
        if tags != expected:
            bad.append(f"{sender}: {tags}")
    return {
        "lost": lost, "duplicated": duplicated, "out_of_order": out_of_order, "foreign": foreign,
        "conversations_exact": conversations - len(bad), "conversations": conversations, "examples": bad[:5],
    }


def no_loss_check(
    cluster: Cluster, conversations: int = 20, messages: int = 12, kill_after: Optional[float] = 0.35,
    retries: int = 5,
) -> Dict[str, Any]:
    """Numbered messages in concurrent conversations; optionally SIGKILLs replica 2 mid-run.

    `kill_after`: the share of all messages answered before the kill (None: no kill).
    """
    s = cluster.state
    prefix = f"nl-{uuid.uuid4().hex[:8]}-"
    log: List[Dict[str, Any]] = []
    total = conversations * messages
    killed: Dict[str, Any] = {}

    async def killer() -> None:
        if kill_after is None or len(s.replicas) < 2:
            return
        deadline = time.monotonic() + 600
        while sum(1 for e in log if e["ok"]) < total * kill_after and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        proc = cluster.kill_replica(1)
        killed.update({"replica": proc.name, "port": proc.port, "at": time.monotonic(),
                       "answered_before": sum(1 for e in log if e["ok"])})

    async def main() -> float:
        started = time.monotonic()
        await asyncio.gather(
            killer(),
            *(_numbered_conversation(s.url, f"{prefix}{n:03d}", n, messages, log, retries)
              for n in range(conversations)),
        )
        return time.monotonic() - started

    seconds = asyncio.run(main())
    result = verify(tracker_messages(s.database_url, prefix), prefix, conversations, messages)
    by_replica: Dict[str, int] = {}
    after_kill: Dict[str, int] = {}
    for e in log:
        if e["ok"]:
            by_replica[e["replica"]] = by_replica.get(e["replica"], 0) + 1
            if killed and e["sent_at"] > killed["at"]:
                after_kill[e["replica"]] = after_kill.get(e["replica"], 0) + 1
    result.update({
        "messages_sent": total,
        "answered": sum(1 for e in log if e["ok"]),
        "unanswered": total - sum(1 for e in log if e["ok"]),
        "retried": sum(1 for e in log if e["attempts"] > 1),
        "rerouted_by_nginx": sum(e.get("rerouted", 0) for e in log),
        "empty_replies": sum(1 for e in log if e["ok"] and not e.get("replies")),
        "answered_by_replica": by_replica,
        "killed": {k: v for k, v in killed.items() if k != "at"},
        "answered_after_kill_by_replica": after_kill,
        "failures": [
            {k: e.get(k) for k in ("conversation", "message", "attempts", "status", "replica", "replies")}
            for e in log if not e["ok"]
        ][:10],
        "seconds": round(seconds, 1),
    })
    result["passed"] = (
        result["lost"] == 0 and result["duplicated"] == 0 and result["out_of_order"] == 0
        and result["foreign"] == 0 and result["unanswered"] == 0
    )
    return result


def scaling_bench(cluster: Cluster, concurrency: int, seconds: float) -> List[Dict[str, Any]]:
    """Throughput and latency through nginx with the first 1, 2, ... replicas behind it."""
    from bench import loadgen

    s = cluster.state
    results = []
    for k in range(1, len(s.replicas) + 1):
        port = s.scaling_ports.get(str(k), s.port)
        url = f"http://127.0.0.1:{port}"
        asyncio.run(loadgen.run_level(url, loadgen.ATTUNE_SCRIPTS, len(loadgen.ATTUNE_SCRIPTS), 600,
                                      max_conversations=1, spread=1))
        level = asyncio.run(loadgen.run_level(url, loadgen.ATTUNE_SCRIPTS, concurrency, seconds))
        summary = level.summary()
        summary["replicas"] = k
        results.append(summary)
        print(f"  {k} replica(s): {summary['throughput_msg_s']} msg/s, p50 {summary['p50_ms']} ms, "
              f"p95 {summary['p95_ms']} ms, {summary['errors']} errors", flush=True)
    return results


def bench_practice_file(root: Path) -> Path:
    """practice.yml with the load-test rate limit (bench/run.py)."""
    from bench.run import bench_practice_file as make

    root.mkdir(parents=True, exist_ok=True)
    return make(root)


# ------------------------------------------------------------------ command line

def main(argv: Optional[List[str]] = None) -> int:
    """up | down | status | bench | check."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("up", "down", "status", "bench", "check", "_watchdog"))
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--actions", type=int, default=2)
    parser.add_argument("--port", type=int, default=8000, help="nginx's port for the Rasa replicas")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--ttl", type=float, default=3600, help="`up`: stop everything after this many seconds")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--messages", type=int, default=12)
    parser.add_argument("--no-kill", action="store_true", help="`check`: do not kill a replica")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "reports" / "cluster.json")
    args = parser.parse_args(argv)

    if args.command == "_watchdog":
        time.sleep(args.ttl)
        Cluster(args.root).down()
        return 0

    cluster = Cluster(args.root, args.replicas, args.actions, args.port, args.model)
    if args.command == "down":
        cluster.down()
        print("Stopped.")
        return 0
    if args.command == "status":
        rows = cluster.status()
        if not rows:
            print(f"No cluster in {args.root}.")
            return 1
        for row in rows:
            print(f"  {row['name']:<12} pid {row['pid']:<8} 127.0.0.1:{row['port']:<6} "
                  f"{'running' if row['running'] else 'STOPPED'}")
        return 0 if all(r["running"] for r in rows) else 1

    cluster.practice_file = bench_practice_file(args.root) if args.command in ("bench", "check") else None
    print(f"Starting PostgreSQL, Redis, {args.actions} action servers, {args.replicas} Rasa replicas "
          f"and nginx on 127.0.0.1 (logs in {cluster.logs})...", flush=True)
    started = time.monotonic()
    state = cluster.up()
    print(f"Up in {time.monotonic() - started:.0f} s: {state.url}/webhooks/rest/webhook", flush=True)
    if args.command == "up":
        watchdog = subprocess.Popen(
            [sys.executable, "-m", "deploy.cluster", "_watchdog", "--root", str(args.root), "--ttl", str(args.ttl)],
            cwd=REPO_ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        (cluster.root / "watchdog.pid").write_text(str(watchdog.pid))
        print(f"Stops by itself in {args.ttl:.0f} s, or now with `python -m deploy.cluster down`.")
        return 0

    report: Dict[str, Any] = {"replicas": args.replicas, "action_servers": args.actions}
    try:
        if args.command == "bench":
            print(f"Throughput with 1..{args.replicas} replicas, {args.concurrency} conversations, "
                  f"{args.seconds:.0f} s each:", flush=True)
            report["scaling"] = scaling_bench(cluster, args.concurrency, args.seconds)
        print(f"No-loss check: {args.conversations} conversations x {args.messages} numbered messages"
              f"{'' if args.no_kill else ', replica 2 killed mid-run'}...", flush=True)
        report["no_loss"] = no_loss_check(cluster, args.conversations, args.messages,
                                          None if args.no_kill else 0.35)
    finally:
        cluster.down()
    from bench.run import machine

    report["machine"] = machine()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report["no_loss"], indent=2))
    print(f"JSON: {args.out}")
    return 0 if report["no_loss"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
