"""A multi-replica Attune on this machine: PostgreSQL, Redis, N Rasa replicas, an action server
pool and nginx in front, every one of them on 127.0.0.1, from Debian and PyPI packages.

    python -m deploy.cluster up [--replicas 2 --actions 2 --port 8000 --ttl 3600]
    python -m deploy.cluster status
    python -m deploy.cluster down

`up` returns once every process answers and leaves them running (for at most --ttl seconds:
a watchdog runs `down` then). Its throughput and the no-loss check: `python -m bench.cluster`.

Layout (state, logs, data) under var/cluster/ unless --root says otherwise.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from attune.paths import REPO_ROOT
from tools.stack import DEFAULT_MODEL, free_port, wait_for_http

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


# ------------------------------------------------------------------ command line

def main(argv: Optional[List[str]] = None) -> int:
    """up | down | status."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("up", "down", "status", "_watchdog"))
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--actions", type=int, default=2)
    parser.add_argument("--port", type=int, default=8000, help="nginx's port for the Rasa replicas")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--ttl", type=float, default=3600, help="`up`: stop everything after this many seconds")
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

    start(cluster)
    watchdog = subprocess.Popen(
        [sys.executable, "-m", "deploy.cluster", "_watchdog", "--root", str(args.root), "--ttl", str(args.ttl)],
        cwd=REPO_ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    (cluster.root / "watchdog.pid").write_text(str(watchdog.pid))
    print(f"Stops by itself in {args.ttl:.0f} s, or now with `python -m deploy.cluster down`.")
    return 0


def start(cluster: Cluster) -> ClusterState:
    """Starts every process, saying what and where, and returns once all of them answer."""
    print(f"Starting PostgreSQL, Redis, {cluster.action_count} action servers, {cluster.replica_count} Rasa "
          f"replicas and nginx on 127.0.0.1 (logs in {cluster.logs})...", flush=True)
    started = time.monotonic()
    state = cluster.up()
    print(f"Up in {time.monotonic() - started:.0f} s: {state.url}/webhooks/rest/webhook", flush=True)
    return state


if __name__ == "__main__":
    sys.exit(main())
