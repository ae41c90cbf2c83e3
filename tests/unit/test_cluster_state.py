"""The multi-replica deployment can be stopped and started again on the same data.

`down` keeps PostgreSQL's data folder, and PostgreSQL keeps the password it was created with,
so a second `up` has to reuse the saved password instead of making a new one (a new one locked
the database out on the second `make cluster-bench`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.cluster import Cluster, ClusterState


def saved_state(root: Path, pg_password: str) -> ClusterState:
    state = ClusterState(root=str(root), port=1, actions_port=2, pg_port=3, redis_port=4,
                         pg_password=pg_password, redis_password="r")
    state.save()
    return state


def with_database(root: Path) -> None:
    (root / "pg" / "data").mkdir(parents=True)
    (root / "pg" / "data" / "PG_VERSION").write_text("15\n")


def test_a_new_cluster_gets_a_new_random_password(tmp_path):
    cluster = Cluster(root=tmp_path)
    first, second = cluster._database_password(None), cluster._database_password(None)
    assert len(first) == 32 and first != second


def test_a_restarted_cluster_reuses_the_password_its_database_was_created_with(tmp_path):
    with_database(tmp_path)
    saved_state(tmp_path, "the-original-password")
    cluster = Cluster(root=tmp_path)
    assert cluster._database_password(ClusterState.load(tmp_path)) == "the-original-password"


def test_a_saved_password_is_not_reused_once_the_database_is_gone(tmp_path):
    saved_state(tmp_path, "the-original-password")
    cluster = Cluster(root=tmp_path)
    assert cluster._database_password(ClusterState.load(tmp_path)) != "the-original-password"


def test_a_database_without_its_password_is_kept_and_explained(tmp_path):
    with_database(tmp_path)
    with pytest.raises(RuntimeError, match="delete the folder"):
        Cluster(root=tmp_path)._database_password(None)
    assert (tmp_path / "pg" / "data" / "PG_VERSION").is_file()
