"""The test cluster of tests/ray_cluster.py: a real two-node Ray cluster on loopback,
started once for the module, joined by a driver in another process, one of its nodes
killed, and nothing of it left after close()."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="Ray is not installed (pip install 'nnplay[cluster]')")

from tests.ray_cluster import LocalCluster

CPUS = (1, 2)
"""Different CPU counts, so that a node's count is seen to go to that node."""

DRIVER = r"""
import json, ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy
ray.init(address="auto", logging_level="ERROR", log_to_driver=False)

@ray.remote(num_cpus=0)
class Where:
    def node(self):
        ctx = ray.get_runtime_context()
        return ctx.get_node_id(), ray.util.get_node_ip_address()

alive = [n["NodeID"] for n in ray.nodes() if n["Alive"]]
actors = [Where.options(scheduling_strategy=NodeAffinitySchedulingStrategy(i, soft=False))
          .remote() for i in alive]
print(json.dumps({"driver_node": ray.get_runtime_context().get_node_id(),
                  "actors": ray.get([a.node.remote() for a in actors], timeout=60)}))
"""
"""A driver that joins with address="auto", places one actor on each alive node and
reports where each actor runs."""


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(cpus=CPUS) as started:
        yield started


def test_nodes_are_alive_with_their_cpus_at_loopback_addresses(cluster: LocalCluster) -> None:
    nodes = {n["ip"]: n for n in cluster.nodes()}
    assert cluster.node_ips == ("127.0.0.2", "127.0.0.3")
    assert set(nodes) == set(cluster.node_ips)
    for ip, cpus in zip(cluster.node_ips, CPUS, strict=True):
        assert nodes[ip]["alive"] is True
        assert nodes[ip]["cpus"] == cpus
    assert cluster.gcs_address.startswith("127.0.0.2:")
    assert cluster.client_address.startswith("ray://127.0.0.2:")
    client_port = int(cluster.client_address.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.2", client_port), timeout=5):
        pass  # the Ray Client server listens


def test_driver_with_env_joins_and_runs_an_actor_on_each_node(cluster: LocalCluster) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    env.update(cluster.env())
    assert env["RAY_ADDRESS"] == cluster.gcs_address
    done = subprocess.run(
        [sys.executable, "-c", DRIVER], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    ids = {n["ip"]: n["node_id"] for n in cluster.nodes()}
    assert sorted(map(tuple, report["actors"])) == sorted((ids[ip], ip) for ip in cluster.node_ips)
    assert report["driver_node"] == ids["127.0.0.2"]


def test_processes_talk_on_loopback_only(cluster: LocalCluster) -> None:
    """No socket of the cluster is bound to, or connected to, a non-loopback address.
    Ray's C++ servers listen on the wildcard address (Ray 2.60 has no setting for it
    with node addresses other than 127.0.0.1), so wildcard listeners are allowed."""
    sockets = cluster.sockets()
    assert any(s.listening for s in sockets)
    for s in sockets:
        local = ipaddress.ip_address(s.local_ip)
        assert local.is_loopback or local.is_unspecified, s
        if not s.listening:
            assert ipaddress.ip_address(s.remote_ip).is_loopback, s


def test_killed_node_is_declared_dead_while_the_head_stays(cluster: LocalCluster) -> None:
    seconds = cluster.kill_node(1)
    assert 0 <= seconds < 10
    nodes = {n["ip"]: n["alive"] for n in cluster.nodes()}
    assert nodes == {"127.0.0.2": True, "127.0.0.3": False}


def test_close_leaves_no_process_and_no_folder(cluster: LocalCluster) -> None:
    started = cluster.pids()
    assert len(started) >= 5  # the head's GCS, raylet and agents at least
    folder = cluster.folder
    assert folder is not None
    cluster.close()
    assert not Path(folder).exists()
    assert [pid for pid in started if _alive(Path(f"/proc/{pid}"))] == []
    leftovers = [
        p.name
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and _alive(p) and _mentions(p, str(folder).encode())
    ]
    assert leftovers == []
    cluster.close()  # a second close does nothing


def _alive(proc: Path) -> bool:
    """Whether the process of a /proc entry exists and is not a zombie."""
    try:
        return (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except (OSError, IndexError):
        return False


def _mentions(proc: Path, text: bytes) -> bool:
    """Whether a process's command line or environment contains `text`."""
    try:
        return text in (proc / "cmdline").read_bytes() or text in (proc / "environ").read_bytes()
    except OSError:
        return False
