"""Several Rasa replicas behind nginx lose, repeat and reorder nothing, even when one crashes.

Starts the multi-replica deployment (deploy/cluster.py; the check: bench/cluster.py): PostgreSQL,
Redis, two Rasa replicas, two action servers and nginx, all on 127.0.0.1, in a temporary folder.
Takes about two minutes (mostly the replicas loading the model); Debian's packages are installed
first if missing.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from tools.stack import DEFAULT_MODEL

pytestmark = pytest.mark.skipif(
    not DEFAULT_MODEL.is_file(), reason=f"no trained model at {DEFAULT_MODEL}; run `make train`"
)


@pytest.fixture(scope="module")
def cluster() -> Iterator["object"]:
    from bench.cluster import practice_file
    from deploy.cluster import Cluster

    # Not pytest's tmp_path: PostgreSQL runs as the `postgres` user, who must be able to reach
    # its data folder, and pytest's base folder is private to root.
    root = Path(tempfile.mkdtemp(prefix="attune-cluster-"))
    root.chmod(0o755)
    running = Cluster(root, replicas=2, actions=2, practice_file=practice_file(root / "practice"))
    try:
        running.up()
        yield running
    finally:
        running.down()
        shutil.rmtree(root, ignore_errors=True)


def test_conversations_spread_over_replicas_keep_every_message_once_in_order(cluster):
    from bench.cluster import no_loss_check

    result = no_loss_check(cluster, conversations=10, messages=8, kill_after=None)

    assert result["passed"], result
    assert len(result["answered_by_replica"]) == 2, "round robin should use both replicas"


@pytest.fixture(scope="module")
def after_a_crash(cluster) -> dict:
    """The no-loss check with replica 2 killed (SIGKILL) once 40% of the messages are answered."""
    from bench.cluster import no_loss_check

    return no_loss_check(cluster, conversations=10, messages=8, kill_after=0.4)


def test_killing_a_replica_mid_run_loses_nothing_and_the_other_keeps_answering(after_a_crash):
    result = after_a_crash

    assert result["killed"], "the replica was not killed"
    assert result["lost"] == 0 and result["unanswered"] == 0, result
    assert result["out_of_order"] == 0 and result["foreign"] == 0, result
    killed = f"127.0.0.1:{result['killed']['port']}"
    answered_after = result["answered_after_kill_by_replica"]
    assert sum(answered_after.values()) > 0, "no message was sent after the kill"
    assert all(killed not in replica for replica in answered_after), answered_after
    # A duplicate can only come from a message the dead replica stored but never answered,
    # which the client then sent again.
    assert result["duplicated"] <= result["retried"], result


def test_a_message_retried_after_a_crash_is_not_stored_twice(after_a_crash):
    """The client resends with the same message_id; a replica that finds it stored replays."""
    assert after_a_crash["duplicated"] == 0, after_a_crash["examples"]


def test_state_a_visitor_built_survives_on_the_remaining_replica(cluster):
    """A conversation started before the crash carries on where it was (shared tracker store)."""
    import json
    import urllib.request
    import uuid

    def send(sender: str, text: str) -> list:
        request = urllib.request.Request(
            f"{cluster.state.url}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=90) as answer:
            return json.loads(answer.read())

    sender = uuid.uuid4().hex
    send(sender, "I'd like to try the reflection exercise")
    replies = send(sender, "yes")
    first_question = "\n".join(r.get("text", "") for r in replies)
    replies = send(sender, "I feel close when we spend quiet evenings together")
    second_question = "\n".join(r.get("text", "") for r in replies)

    assert second_question and second_question != first_question, "the exercise did not move on"
