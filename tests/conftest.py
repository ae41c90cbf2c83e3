"""Shared fixtures: the real Attune servers on free local ports."""

from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from attune.paths import REPO_ROOT
from tools.stack import DEFAULT_MODEL, Stack, free_port


class RunningStack(Stack):
    """A Stack for tests, with helpers to talk to it like a client would."""

    def restart_rasa(self) -> None:
        """Starts the Rasa server again after `stop_rasa`."""
        if "rasa" not in self.processes:
            self.start_rasa()

    def stop_rasa(self) -> None:
        """Stops the Rasa server (the website and action server keep running)."""
        self.stop_process("rasa")

    def stop_actions(self) -> None:
        """Stops the action server."""
        self.stop_process("actions")

    def restart_actions(self) -> None:
        """Starts the action server again after `stop_actions`."""
        if "actions" not in self.processes:
            self.start_actions()

    def send(self, sender: str, text: str, timeout: float = 60) -> List[Dict[str, Any]]:
        """Posts one message to the REST channel and returns the bot's replies."""
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return json.loads(answer.read())


def reply_text(replies: List[Dict[str, Any]]) -> str:
    """All reply texts of one turn, joined."""
    return "\n".join(reply.get("text", "") for reply in replies)


def reply_payloads(replies: List[Dict[str, Any]]) -> List[str]:
    """Every button payload offered in one turn."""
    return [b.get("payload", "") for r in replies for b in r.get("buttons", []) or []]


def new_sender() -> str:
    """A fresh, unguessable conversation id."""
    return uuid.uuid4().hex


# Every test request comes from 127.0.0.1: a per-address budget of 5 x 40 per minute leaves
# room for the whole suite, and 40 per sender lets the flood test see a 429 quickly.
TEST_MESSAGES_PER_MINUTE = 40


def practice_file_for_tests(directory: Path, web_url: Optional[str] = None) -> Path:
    """The shipped practice.yml with the test suite's rate limit and website origin."""
    import yaml

    data = yaml.safe_load((REPO_ROOT / "practice.yml").read_text())
    data.setdefault("limits", {})["messages_per_minute"] = TEST_MESSAGES_PER_MINUTE
    if web_url:
        website = data.setdefault("website", {})
        website["allowed_origins"] = list(website.get("allowed_origins") or []) + [web_url]
    data["region"]["subdivision"] = str(data["region"].get("subdivision", "ON"))
    path = directory / "practice.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def started_stack(workdir: Path, log_dir: Path, extra_env: Optional[Dict[str, str]] = None) -> RunningStack:
    """The real action server, Rasa server and website on free ports, with a fresh database
    in `workdir`; the caller stops it."""
    if not DEFAULT_MODEL.is_file():
        pytest.fail(f"No trained model at {DEFAULT_MODEL}; run `make train` first.")
    web_port = free_port()
    practice_file = practice_file_for_tests(workdir, f"http://127.0.0.1:{web_port}")
    running = RunningStack(
        model=DEFAULT_MODEL,
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=web_port,
        tracker_db=workdir / "tracker.db",
        log_dir=log_dir,
        extra_env={
            "ATTUNE_DATABASE_URL": f"sqlite:///{workdir / 'attune.db'}",
            "ATTUNE_PRACTICE_FILE": str(practice_file),
            **(extra_env or {}),
        },
    )
    running.start()
    return running


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The real action server, Rasa server and website, on free ports, with a fresh database."""
    running = started_stack(tmp_path_factory.mktemp("stack"), REPO_ROOT / "var" / "test-logs")
    try:
        yield running
    finally:
        running.stop()
