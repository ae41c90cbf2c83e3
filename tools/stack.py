"""Starts Attune's processes on this machine: action server, Rasa server, website.

`make run` calls `python -m tools.stack`, the integration tests and benchmarks use `Stack`
directly. Everything binds to 127.0.0.1 unless told otherwise, and Ctrl-C (or SIGTERM) stops
every process cleanly.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Dict, List, Optional

from attune.paths import REPO_ROOT

DEFAULT_MODEL = REPO_ROOT / "models" / "attune.tar.gz"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, timeout: float, process: Optional[subprocess.Popen] = None) -> None:
    """Waits until `url` answers 200, or raises if it does not in time or the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@dataclass
class Stack:
    """The assistant's processes and the ports they listen on."""

    model: Path = DEFAULT_MODEL
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_port: int = 5055
    web_port: Optional[int] = 8080
    tracker_db: Path = REPO_ROOT / "var" / "tracker.db"
    log_dir: Optional[Path] = None
    extra_env: Dict[str, str] = field(default_factory=dict)
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    _logs: List[IO[bytes]] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        """Base URL of the action server."""
        return f"http://{self.host}:{self.actions_port}"

    @property
    def web_url(self) -> Optional[str]:
        """Base URL of the website chat page, if served."""
        return f"http://{self.host}:{self.web_port}" if self.web_port else None

    def environment(self) -> Dict[str, str]:
        """The environment every process gets: ports, tracker store, telemetry off."""
        env = dict(os.environ)
        env.update(
            {
                "RASA_TELEMETRY_ENABLED": "false",
                "ATTUNE_ACTIONS_PORT": str(self.actions_port),
                "ATTUNE_RASA_PORT": str(self.rasa_port),
                "ATTUNE_TRACKER_DB": str(self.tracker_db),
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])
                ),
                "TF_CPP_MIN_LOG_LEVEL": "2",
            }
        )
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, command: List[str]) -> subprocess.Popen:
        output: Optional[IO[bytes]] = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = open(self.log_dir / f"{name}.log", "ab")
            self._logs.append(output)
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=self.environment(),
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def start_actions(self, timeout: float = 120) -> None:
        """Starts the action server and waits until it answers."""
        process = self._spawn(
            "actions",
            [
                sys.executable, "-m", "attune.action_server",
                "--host", self.host, "--port", str(self.actions_port),
            ],
        )
        wait_for_http(f"{self.actions_url}/health", timeout, process)

    def start_rasa(self, timeout: float = 240) -> None:
        """Starts the Rasa server with the trained model and waits until it answers."""
        if not Path(self.model).is_file():
            raise FileNotFoundError(f"No trained model at {self.model}: run `make train`.")
        self.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        from attune.practice import load_practice

        practice_file = self.environment().get("ATTUNE_PRACTICE_FILE")
        practice = load_practice(Path(practice_file) if practice_file else None)
        origins = list(practice.website.allowed_origins)
        rasa = str(Path(sys.executable).with_name("rasa"))
        process = self._spawn(
            "rasa",
            [
                rasa, "run",
                "--model", str(self.model),
                "--interface", self.host,
                "--port", str(self.rasa_port),
                "--credentials", "credentials.yml",
                "--endpoints", "endpoints.yml",
                "--cors", *origins,
            ],
        )
        wait_for_http(f"{self.rasa_url}/webhooks/rest/", timeout, process)

    def start_web(self, timeout: float = 30) -> None:
        """Serves the website chat page."""
        if not self.web_port:
            return
        process = self._spawn(
            "web",
            [
                sys.executable, "-m", "attune.web.server",
                "--host", self.host, "--port", str(self.web_port),
                "--rasa-url", self.rasa_url,
            ],
        )
        wait_for_http(f"{self.web_url}/", timeout, process)

    def start(self) -> None:
        """Starts everything, the action server first."""
        try:
            self.start_actions()
            self.start_rasa()
            self.start_web()
        except BaseException:
            self.stop()
            raise

    def stop_process(self, name: str, grace: float = 10) -> None:
        """Stops one process (SIGTERM, then SIGKILL after `grace` seconds)."""
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass

    def stop(self) -> None:
        """Stops every process, the website and Rasa before the action server."""
        for name in ("web", "rasa", "actions"):
            self.stop_process(name)
        for log in self._logs:
            log.close()
        self._logs.clear()


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the whole assistant until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--host", default=os.environ.get("ATTUNE_HOST", "127.0.0.1"))
    parser.add_argument("--rasa-port", type=int, default=int(os.environ.get("ATTUNE_RASA_PORT", 5005)))
    parser.add_argument("--actions-port", type=int, default=int(os.environ.get("ATTUNE_ACTIONS_PORT", 5055)))
    parser.add_argument("--web-port", type=int, default=int(os.environ.get("ATTUNE_WEB_PORT", 8080)))
    args = parser.parse_args(argv)

    stack = Stack(
        model=args.model,
        host=args.host,
        rasa_port=args.rasa_port,
        actions_port=args.actions_port,
        web_port=args.web_port,
    )

    def _stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)  # also when started where SIGINT was ignored
    print("Starting Attune (action server, Rasa server, website)...", flush=True)
    try:
        stack.start()
        print(
            f"\nAttune is running. Open {stack.web_url}/ in your browser.\n"
            f"Rasa server: {stack.rasa_url}   Action server: {stack.actions_url}\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        while all(process.poll() is None for process in stack.processes.values()):
            time.sleep(0.5)
        failed = [name for name, p in stack.processes.items() if p.poll() is not None]
        print(f"Stopped because {', '.join(failed)} exited.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping Attune...", flush=True)
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
