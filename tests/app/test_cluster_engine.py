"""The cluster engine against a real Ray cluster: a head node (3 CPUs) and a second
node (1 CPU) on loopback addresses of this machine
(:class:`tests.ray_cluster.LocalCluster`), and the server started as `make run`
starts it with ``NNPLAY_ENGINE=auto``, capped at two engine workers; a second
server, outside the cluster (through Ray Client, capped at one), shares the head.
The cluster and the servers are started once for the module; the tests run in
order, the last ones taking a node and then the cluster down, and starting the
cluster again."""

from __future__ import annotations

import ipaddress
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("ray", reason="the cluster extra (pip install 'nnplay[cluster]') is "
                                  "not installed")

from fastapi.testclient import TestClient
from websockets.sync.client import ClientConnection, connect

from app.frames import header_of
from app.main import create_app
from app.settings import Settings
from tests.http_checks import ROOT, run_alone, running_server
from tests.ray_cluster import LocalCluster

TOKEN = "cluster-teacher-token"
HEAD, SECOND = "127.0.0.2", "127.0.0.3"
SPEC = {"hidden": [8, 8], "activation": "tanh", "seed": 11, "batch_size": 10,
        "data": {"name": "spiral", "n_samples": 200}}


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(cpus=(3, 1)) as started:
        yield started


@pytest.fixture(scope="module")
def server(cluster: LocalCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("cluster-server"),
                        {**os.environ, **cluster.env()}, NNPLAY_ENGINE="auto",
                        NNPLAY_ENGINE_PROCESSES="2", NNPLAY_TEACHER_TOKEN=TOKEN,
                        NNPLAY_RUNS_PER_MINUTE="1000", NNPLAY_JOINS_PER_MINUTE="1000") as base:
        yield base


@pytest.fixture(scope="module")
def client_server(cluster: LocalCluster,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server outside the cluster: through Ray Client, one engine worker."""
    with running_server(tmp_path_factory.mktemp("client-server"), os.environ,
                        NNPLAY_ENGINE=cluster.client_address,
                        NNPLAY_ENGINE_PROCESSES="1") as base:
        yield base


@pytest.fixture(scope="module")
def api(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=60) as client:
        yield client


def engine(api: httpx.Client) -> dict[str, Any]:
    answer = api.get("/healthz")
    assert answer.status_code == 200, answer.text
    return answer.json()["engine"]


def worker_nodes(described: dict[str, Any]) -> list[str]:
    """The node of each worker of an engine as /healthz describes it."""
    return [worker["node"] for worker in described["workers"]]


def runs_by_node(api: httpx.Client) -> dict[str, int]:
    counts: dict[str, int] = {}
    for worker in engine(api)["workers"]:
        counts[worker["node"]] = counts.get(worker["node"], 0) + worker["runs"]
    return counts


def new_run(api: httpx.Client | TestClient, body: dict[str, Any],
            headers: dict[str, str] | None = None) -> str:
    made = api.post("/api/runs", json=body, headers=headers)
    assert made.status_code == 201, made.text
    return made.json()["id"]


def run_on_node(api: httpx.Client, body: dict[str, Any]) -> tuple[str, str]:
    """A new run of ``body`` and the node it went to."""
    before = runs_by_node(api)
    run_id = new_run(api, body)
    after = runs_by_node(api)
    (node,) = (node for node in after if after[node] == before.get(node, 0) + 1)
    return run_id, node


@contextmanager
def live(server: str, run_id: str, headers: dict[str, str] | None = None,
         play: bool = True) -> Iterator[ClientConnection]:
    """The run's live socket, its first frame read; playing at 30 frames a second
    unless ``play`` is False."""
    with connect(f"ws{server.removeprefix('http')}/ws/runs/{run_id}", max_size=None,
                 additional_headers=headers, open_timeout=30) as socket:
        assert isinstance(socket.recv(timeout=30), bytes)
        if play:
            for command in ({"type": "fps", "value": 30},
                            {"type": "speed", "steps_per_frame": 5}, {"type": "play"}):
                socket.send(json.dumps(command))
        yield socket


def frames_until(socket: ClientConnection, count: int, seconds: float = 60) -> list[dict]:
    """The headers of the next ``count`` frames; fails on an error message."""
    headers: list[dict] = []
    deadline = time.monotonic() + seconds
    while len(headers) < count:
        message = socket.recv(timeout=max(0.1, deadline - time.monotonic()))
        assert isinstance(message, bytes), message
        header = header_of(message)
        if header.get("type", "frame") == "frame":
            headers.append(header)
    return headers


def test_the_engine_is_a_worker_on_each_node(api: httpx.Client) -> None:
    described = engine(api)
    assert described["kind"] == "ray" and described["reachable"] is True
    assert described["nodes"] == 2
    # capped at two workers: one on each node, not two on the head
    assert sorted(w["node"] for w in described["workers"]) == [HEAD, SECOND]


def test_new_runs_go_to_the_least_loaded_worker_on_either_node(api: httpx.Client) -> None:
    before = runs_by_node(api)
    made = [new_run(api, {"lesson": "xor-two-relu"}) for _ in range(4)]
    after = runs_by_node(api)
    assert {node: after[node] - before.get(node, 0) for node in after} == {HEAD: 2, SECOND: 2}
    for run_id in made:
        assert api.delete(f"/api/runs/{run_id}").status_code == 204
    assert runs_by_node(api) == before


def train_and_read(client: httpx.Client | TestClient, run_id: str) -> tuple[dict, dict, dict]:
    """The run trained 150 steps: its metrics, weights and snapshot (less the run's
    id); then it is deleted."""
    trained = client.post(f"/api/runs/{run_id}/train", json={"steps": 150})
    assert trained.status_code == 200, trained.text
    params = client.get(f"/api/runs/{run_id}/params").json()
    snapshot = client.get(f"/api/runs/{run_id}/snapshot", params={"output_grid": 20}).json()
    client.delete(f"/api/runs/{run_id}")
    assert params.pop("run") == snapshot.pop("run") == run_id
    return trained.json(), params, snapshot


@pytest.mark.parametrize("body", [{"spec": SPEC}, {"lesson": "convolution"}],
                         ids=["dense-spec", "convolution-lesson"])
def test_a_run_gives_the_numbers_of_the_local_engine(api: httpx.Client, body: dict[str, Any],
                                                     tmp_path: Path) -> None:
    local = create_app(Settings(data_dir=tmp_path, engine_processes=0))
    with TestClient(local, base_url="http://127.0.0.1") as client:
        expected = train_and_read(client, new_run(client, body))
    placed = dict(run_on_node(api, body) for _ in range(2))  # the second on the emptier node
    assert sorted(placed.values()) == [HEAD, SECOND]
    for run_id in placed:
        assert train_and_read(api, run_id) == expected


def test_jobs_commands_and_probes_work_on_the_cluster(api: httpx.Client, server: str) -> None:
    run_id = new_run(api, {"lesson": "convolution"})
    job = api.post(f"/api/runs/{run_id}/jobs", json={"steps": 60})
    assert job.status_code == 202, job.text
    deadline = time.monotonic() + 120
    while (state := api.get(job.headers["location"]).json())["state"] == "running":
        assert time.monotonic() < deadline, state
        time.sleep(0.2)
    assert (state["state"], state["done"], state["metrics"]["step"]) == ("finished", 60, 60)
    probe = api.post(f"/api/runs/{run_id}/probe", json={"set": "test", "index": 2})
    assert probe.status_code == 200, probe.text
    followed = probe.json()
    assert (followed["set"], followed["index"]) == ("test", 2)
    assert len(followed["scores"]) == len(followed["class_names"])
    with live(server, run_id, play=False) as socket:
        socket.send(json.dumps({"type": "step", "n": 7}))
        assert frames_until(socket, 1)[0]["step"] == 67
        socket.send(json.dumps({"type": "set", "name": "lr", "value": 0.2}))
        socket.send(json.dumps({"type": "reset"}))
        steps = [frames_until(socket, 1)[0]["step"]]
        while steps[-1] != 0:  # a frame of the change of rate may come first
            assert len(steps) < 3, steps
            steps.append(frames_until(socket, 1)[0]["step"])
        assert steps in ([0], [67, 0])
    api.delete(f"/api/runs/{run_id}")


def talks_on_loopback_only(cluster: LocalCluster) -> None:
    """No socket of the cluster's processes is bound or connected to an address
    other than loopback ones. Ray's C++ servers listen on the wildcard address
    (Ray 2.60 has no setting for it with a node address other than 127.0.0.1), so
    such listeners are allowed: a real cluster's firewall closes them (README)."""
    sockets = cluster.sockets()
    assert any(s.listening for s in sockets) and any(not s.listening for s in sockets)
    for s in sockets:
        local = ipaddress.ip_address(s.local_ip)
        assert local.is_loopback or local.is_unspecified, s
        if not s.listening:
            assert ipaddress.ip_address(s.remote_ip).is_loopback, s


def test_a_class_plays_on_the_cluster(api: httpx.Client, server: str,
                                      cluster: LocalCluster) -> None:
    teacher = {"Authorization": f"Bearer {TOKEN}"}
    made = api.post("/api/classes", json={"name": "3B", "lesson": "dead-relu"}, headers=teacher)
    assert made.status_code == 201, made.text
    students = []
    for name in ("Mei", "Jun", "Lin", "Hao"):
        joined = api.post("/api/classroom/join", json={"code": made.json()["code"], "name": name})
        assert joined.status_code == 201, joined.text
        headers = {"X-Nnplay-Student": joined.json()["token"]}
        students.append((headers, new_run(api, {"lesson": "dead-relu"}, headers)))
    assert set(runs_by_node(api)) == {HEAD, SECOND}
    with ExitStack() as stack:
        sockets = [stack.enter_context(live(server, run_id, headers))
                   for headers, run_id in students]
        for socket in sockets:  # every student gets frames, their run advancing
            steps = [header["step"] for header in frames_until(socket, 5)]
            assert steps == sorted(steps) and steps[-1] > steps[0]
        table = api.get(f"/api/classes/{made.json()['id']}", headers=teacher).json()
        assert sorted(row["name"] for row in table["students"]) == ["Hao", "Jun", "Lin", "Mei"]
        talks_on_loopback_only(cluster)
    assert api.delete(f"/api/classes/{made.json()['id']}", headers=teacher).status_code == 204


def plays(base: str, body: dict[str, Any]) -> None:
    """A new run of ``body`` on the server at ``base`` plays: its frames advance."""
    with httpx.Client(base_url=base, timeout=60) as client:
        run_id = new_run(client, body)
    with live(base, run_id) as socket:
        steps = [header["step"] for header in frames_until(socket, 5)]
    assert steps == sorted(steps) and steps[-1] > steps[0]


def test_a_server_outside_the_cluster_uses_ray_client(cluster: LocalCluster,
                                                      client_server: str) -> None:
    with httpx.Client(base_url=client_server, timeout=60) as client:
        described = engine(client)
    assert described["address"] == cluster.client_address
    assert worker_nodes(described) == [HEAD]  # capped at one
    plays(client_server, {"spec": SPEC})


def test_losing_a_node_loses_its_runs_only(api: httpx.Client, server: str,
                                           cluster: LocalCluster) -> None:
    placed = dict(run_on_node(api, {"lesson": "xor-two-relu"}) for _ in range(2))
    assert sorted(placed.values()) == [HEAD, SECOND]
    lost_run, kept_run = sorted(placed, key=lambda run_id: placed[run_id] != SECOND)
    models = []
    for run_id in placed:
        saved = api.post(f"/api/runs/{run_id}/save", json={"name": f"kept on {placed[run_id]}"})
        assert saved.status_code == 201, saved.text
        models.append(saved.json()["id"])
    with ExitStack() as stack:
        sockets = {run_id: stack.enter_context(live(server, run_id)) for run_id in placed}
        for socket in sockets.values():
            frames_until(socket, 3)
        cluster.kill_node(1)
        deadline = time.monotonic() + 60
        while isinstance(message := sockets[lost_run].recv(timeout=60), bytes):
            assert time.monotonic() < deadline, "no error frame for the lost run"
        error = json.loads(message)
        assert (error["type"], error["field"], error["code"]) == ("error", "run",
                                                                 "run_lost_live")
        assert frames_until(sockets[kept_run], 10)  # the other run plays on
    gone = api.get(f"/api/runs/{lost_run}")
    assert gone.status_code == 404 and gone.json()["detail"][0]["type"] == "run_lost"
    assert api.get(f"/api/runs/{kept_run}").status_code == 200
    # the cap is two workers: the watcher starts one on the head's CPU left
    deadline = time.monotonic() + 60
    while worker_nodes(left := engine(api)) != [HEAD, HEAD]:
        assert time.monotonic() < deadline, left
        time.sleep(0.2)
    assert left["nodes"] == 1
    assert sorted(w["runs"] for w in left["workers"]) == [0, 1]  # the kept run
    assert run_on_node(api, {"lesson": "xor-two-relu"})[1] == HEAD  # new runs: the node left
    for model_id in models:  # every saved model is still there, and opens
        assert api.get(f"/api/models/{model_id}").status_code == 200
        reopened = api.post("/api/models/import", json={"model_id": model_id})
        assert reopened.status_code == 201, reopened.text


def test_healthz_says_when_the_cluster_is_lost(api: httpx.Client, client_server: str,
                                              cluster: LocalCluster) -> None:
    cluster.close()
    assert not cluster.pids()  # nothing of the cluster is left running
    with httpx.Client(base_url=client_server, timeout=60) as client:
        for each in (api, client):
            deadline = time.monotonic() + 60
            while (health := each.get("/healthz")).status_code == 200:
                assert time.monotonic() < deadline, health.json()
                time.sleep(0.2)
            assert health.status_code == 503
            assert health.json()["status"] == "engine_unreachable"
            assert health.json()["engine"]["reachable"] is False
            assert "Ray cluster" in health.json()["engine"]["problem"]
            refused = each.post("/api/runs", json={"lesson": "xor-two-relu"})
            assert refused.status_code == 503
            assert refused.json()["detail"][0]["type"] == "engine_unavailable"
    assert len(api.get("/api/models").json()["items"]) == 2  # saved before: still there


def test_a_ray_client_server_joins_its_cluster_started_again(client_server: str,
                                                              cluster: LocalCluster) -> None:
    cluster.start()  # the same addresses
    deadline = time.monotonic() + 90
    with httpx.Client(base_url=client_server, timeout=60) as client:
        while (health := client.get("/healthz")).status_code != 200:
            assert time.monotonic() < deadline, health.json()
            time.sleep(0.2)
        assert health.json()["engine"]["nodes"] == 2
        assert len(worker_nodes(health.json()["engine"])) == 1  # capped at one, anew
    plays(client_server, {"lesson": "xor-two-relu"})


CLOSE_WITH_ACTORS_WAITING = """
import os
from tests.ray_cluster import LocalCluster
with LocalCluster(cpus=(2,)) as cluster:
    os.environ.update(cluster.env())
    import ray
    from app import cluster_engine
    cluster_engine.connect("auto")

    @ray.remote(num_cpus=1)
    class Hog:
        def ping(self) -> int:
            return 1

    hog = Hog.remote()
    ray.get(hog.ping.remote())  # holds one of the two CPUs
    cluster_engine.GRACE_SECONDS = 2.0
    pool = cluster_engine.RayPool("auto")
    print(len(pool.workers), len(pool._starting))
    # an actor carries a batch of one cohort's frames as this process would
    from app.engine_pool import carry_out_many
    from app.run_host import RunHost
    from engine.spec import Limits
    here, actor = RunHost(), pool.workers[0].actor
    batch = []
    for seed in (1, 2, 3):
        spec = {"data": {"name": "moons", "seed": seed}, "hidden": [6], "seed": seed}
        recipe = ("spec", spec, Limits())
        here.handle(f"r{seed}", "create", (recipe,))
        ray.get(actor.carry_out.options(num_returns=1).remote(
            [(f"r{seed}", "create", (recipe,))]))
        batch.append((f"r{seed}", "live_frame", (10, 30, 8, {}, None, None)))
    there = ray.get(actor.carry_out.options(num_returns=3).remote(batch))
    print(all(a == b for (a, _), (b, _) in zip(there, carry_out_many(here, batch))))
    pool.close()
    print("closed")
    ray.shutdown()
"""


def test_a_pool_closes_with_an_actor_still_waiting_for_a_cpu() -> None:
    """Also: an actor carries out a batch of one cohort's live frames with the
    answers this process gives them."""
    # a cluster of its own, driven from a process of its own (this one stays no driver)
    done = run_alone([sys.executable, "-c", CLOSE_WITH_ACTORS_WAITING], timeout=180,
                     cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1", "1", "True", "closed"]
