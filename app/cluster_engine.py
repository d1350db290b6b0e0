"""Engine workers on a Ray cluster: each a Ray actor holding a :class:`RunHost`.

With the setting ``engine`` set to a cluster's address (``ray://HOST:PORT`` for
Ray Client, ``HOST:PORT`` for the cluster's GCS, or ``auto`` for the cluster this
machine belongs to), the server keeps its runs on actors spread over the cluster's
nodes instead of in processes of its own: one actor per CPU, one CPU each, at
most ``engine_processes`` of them when that is set. Everything else stays as with
the local engine (:mod:`app.engine_pool`): each worker has its fair priority
queue in the server, a run stays on the worker that created it, new runs go to
the worker holding the fewest, and every request's answer is the same
:data:`app.engine_pool.Answer` an engine process gives.

A worker talks to its actor asynchronously: a sender thread takes requests off the
queue in the queue's order and sends them in small batches (live frames, at most
:data:`BATCH`; a command or a training slice ends a batch), keeping up to
:data:`DEPTH` batches in flight so the actor always has work while a reply
travels back, and one more when a command waits (it need not wait for a batch to
come back to be sent); a receiver thread
settles the futures in order and charges each client the time the actor spent on
its request. An actor runs its calls one at a time, in the order sent.

A watcher thread asks the cluster for its nodes every :data:`WATCH_SECONDS`:
workers on a node that is gone are lost (their runs end as a dead local engine
process's do: :class:`WorkerLostError`, then "run was lost"), and actors are
started while there are fewer than the cluster's CPUs (or the cap): Ray places
each on a node with a free CPU, spreading them over the nodes (a machine added to
the cluster, or one that came back, gets workers). When the cluster cannot be
reached, :meth:`RayPool.describe` says so and new runs are refused
(:class:`EngineUnavailableError`). Through Ray
Client (``ray://``) the server joins the cluster again once it answers at its
address (a head started again); its runs were lost with the old cluster. A server
that is a node of the cluster (``auto``, ``HOST:PORT``) cannot: Ray ends its
process about a minute after the head is gone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import socket
import threading
import time
from typing import Any

# Ray joins a cluster by itself (the newest one started on this machine) when a call
# finds none; it reads this switch when it is imported. A server that lost its
# cluster must not wander into another one, e.g. when it ends its actors at exit.
os.environ["RAY_ENABLE_AUTO_CONNECT"] = "0"

import ray

from app import __version__
from app.allocator import keep_freed_memory
from app.engine_pool import (
    LOST_MESSAGE,
    Answer,
    EnginePool,
    EngineUnavailableError,
    RunFailedError,
    Worker,
    WorkerLostError,
    carry_out_many,
    unpack,
)
from app.fair_queue import COMMAND, FRAME, Request
from app.run_host import RunHost
from app.settings import cluster_address

log = logging.getLogger(__name__)

DEPTH = 2
"""Batches in flight to one actor: one running, one waiting there."""

BATCH = 8
"""Requests in one batch at most (a busy class's frames share one call's cost)."""

WATCH_SECONDS = 1.0
"""How often the watcher asks the cluster for its nodes."""

STALE_SECONDS = 10.0
"""A cluster that has not answered the watcher for this long is out of reach."""

GRACE_SECONDS = 10.0
"""How long the server waits at its start for its other actors, once one has started."""

READY_SECONDS = 60.0
"""How long the server waits at its start for its first actors to start (import
NumPy and the engine); those still waiting for a CPU become workers later."""

NAMESPACE = "nnplay"

ACTOR_OPTIONS: dict[str, Any] = {"num_cpus": 1, "max_restarts": 0, "max_task_retries": 0}
"""Each actor holds one CPU; one that dies is not started again (its runs are lost)."""

CLIENT_TRIES = 3
"""Attempts to join a cluster through Ray Client before giving up."""

RECONNECT_SECONDS = 5.0
"""How often a server that lost its Ray Client connection tries the address again."""

LOST_ERRORS: tuple[type[BaseException], ...] = (ray.exceptions.RayActorError,
                                                  ray.exceptions.ObjectLostError)
"""What a call on an actor raises once the actor or its node is gone."""


class EngineActor:
    """What lives in each Ray actor: a :class:`RunHost` and a batch entry point."""

    def __init__(self) -> None:
        keep_freed_memory()
        self.host = RunHost()

    def ready(self) -> tuple[str, str]:
        """(the id of the node this actor runs on, the nnplay version installed there)."""
        return ray.get_runtime_context().get_node_id(), __version__

    def carry_out(self, requests: list[tuple[str, str, tuple]]) -> list[tuple[Answer, float]]:
        """Each (run id, operation, arguments) carried out in order, live frames of
        one cohort training together (:func:`app.engine_pool.carry_out_many`): its
        :data:`Answer` and the seconds it took (called with as many returns as
        requests, so each answer travels as an object of its own)."""
        return carry_out_many(self.host, requests)


class RayWorker(Worker):
    """A worker whose runs live in one Ray actor on the node ``node_ip``.

    Attributes:
        actor: the actor's handle.
        node_id: Ray's id of the actor's node; node_ip: its address.
        alive: False once the actor or its node is gone (it takes no new runs).
    """

    def __init__(self, index: int, actor: Any, node_id: str, node_ip: str) -> None:
        self.actor = actor
        self.node_id = node_id
        self.node_ip = node_ip
        self.alive = True
        self._in_flight: queue.Queue[tuple[list[Request], Any, str] | None] = queue.Queue()
        self._flying = 0  # batches in flight (at most DEPTH), and the command lane's:
        self._lane_taken = False
        super().__init__(index)
        self._receiver = threading.Thread(target=self._receive, daemon=True,
                                          name=f"engine-{index}-replies")
        self._receiver.start()

    def lose(self, why: str) -> None:
        """The actor is gone: its runs are lost (their slots see a new generation)."""
        with self._ready:
            if not self.alive:
                return
            self.alive = False
            self.generation += 1
            lost, self.runs = self.runs, 0
        log.error("engine worker %d on node %s is gone (%s); its %d run(s) are lost",
                  self.index, self.node_ip, why, lost)

    def close(self, reachable: bool = True) -> None:
        """Stop sending; end the actor if the cluster can be reached (a call that
        waits on a cluster gone is left to its daemon thread)."""
        super().close()
        self._receiver.join(timeout=10 if reachable else 0.5)
        if self.alive and reachable:
            end_actor(self.actor)

    def _batch(self) -> list[Request] | None:
        """The next requests to send, in the queue's order: up to :data:`BATCH`
        requests, all live frames but the last, which may be a command or a slice of
        training (None once closed). A command or a slice that comes first goes
        alone, since a batch's answers come back together."""
        return self._gather(BATCH, lambda batch: (
            batch[-1].priority == FRAME and bool(self._queue)))

    def _dispatch(self) -> None:
        """The sender: batches off the queue to the actor, :data:`DEPTH` in flight,
        and one more when a command waits (it need not wait for a batch to come
        back before it is sent; the actor still runs it after those sent before)."""
        while True:
            room = self._wait_for_room()
            batch = None if room is None else self._batch()
            if batch is None:
                self._in_flight.put(None)
                return
            if not self.alive:
                self._fail(batch, WorkerLostError(LOST_MESSAGE))
                self._free_room(room)
                continue
            try:
                # an object per answer: each frame (about 50 KB) stays under Ray's limit
                # for objects sent back directly; one list of a batch's frames would go
                # through the object store, its raylets costing a millisecond a frame
                ref = self.actor.carry_out.options(num_returns=len(batch)).remote(
                    [(r.run_id, r.op, r.args) for r in batch])
            except Exception as err:  # the cluster connection itself failed
                ref = err
            self._in_flight.put((batch, ref, room))

    def _wait_for_room(self) -> str | None:
        """Take a place in flight: ``"depth"`` (one of :data:`DEPTH`) or ``"lane"``
        (the one more a waiting command may take); None once closed. Woken by a new
        request and by a batch coming back."""
        with self._ready:
            while not self._closed:
                if self._flying < DEPTH:
                    self._flying += 1
                    return "depth"
                if not self._lane_taken and self._queue.waiting(COMMAND) > 0:
                    self._lane_taken = True
                    return "lane"
                self._ready.wait()
            return None

    def _free_room(self, room: str) -> None:
        with self._ready:
            if room == "lane":
                self._lane_taken = False
            else:
                self._flying -= 1
            self._ready.notify()

    def _receive(self) -> None:
        """The receiver: each batch's answers, in the order sent, to its futures."""
        while (item := self._in_flight.get()) is not None:
            batch, ref, room = item
            try:
                if isinstance(ref, Exception):
                    raise ref
                answers = ray.get(ref)
            except LOST_ERRORS as err:
                self.lose(type(err).__name__)
                self._fail(batch, WorkerLostError(LOST_MESSAGE))
            except Exception as err:  # e.g. the cluster cannot be reached
                log.error("engine worker %d: a call failed: %s", self.index, err)
                self._fail(batch, RunFailedError(f"{type(err).__name__}: {err}"))
            else:
                for request, (answer, seconds) in zip(batch, answers, strict=True):
                    try:
                        request.future.set_result(unpack(answer))
                    except BaseException as err:  # handed to the caller, never lost
                        request.future.set_exception(err)
                    with self._ready:
                        self._queue.charge(request.tenant, seconds)
            finally:
                self._free_room(room)

    @staticmethod
    def _fail(batch: list[Request], err: BaseException) -> None:
        for request in batch:
            request.future.set_exception(err)


class RayPool(EnginePool):
    """Workers as actors on the Ray cluster at ``address``: one per CPU of its
    nodes, at most ``max_workers`` (None: no cap)."""

    kind = "ray"

    def __init__(self, address: str, max_workers: int | None = None) -> None:
        self.in_process = False
        self.address = address
        self.max_workers = max_workers
        self.workers: list[RayWorker] = []
        self.reachable = True
        self.problem: str | None = None
        self.nodes: dict[str, str] = {}  # alive node id -> its address
        self._seen = time.monotonic()  # when the cluster last answered
        self._disconnected = False  # a Ray Client connection lost, to make again
        self._tried = 0.0  # when it was last tried
        self._count = 0  # workers started so far (their indexes)
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._starting: list[tuple[Any, Any]] = []  # (actor, its ready()) not yet ready
        self._refused: set[str] = set()  # nodes with another nnplay version
        connect(address)
        self._actor_class = ray.remote(**ACTOR_OPTIONS)(EngineActor)
        self.refresh()
        self._settle_starting(wait=READY_SECONDS, first=True)
        self._settle_starting(wait=GRACE_SECONDS)
        self.refresh()  # a fresh look after the wait (it may have been long)
        if not self.workers:
            problem = self.problem or (f"no engine worker started within {READY_SECONDS:.0f} s "
                                       "(are its CPUs all in use?)")
            self.close()
            raise EngineUnavailableError(f"the Ray cluster at {address}: {problem}")
        self._watcher = threading.Thread(target=self._watch, daemon=True,
                                         name="engine-watcher")
        self._watcher.start()

    def _answering(self) -> bool:
        """Whether the cluster answered lately (a call to a cluster that is gone can
        hang rather than fail, so silence counts too)."""
        if self.reachable and time.monotonic() - self._seen > STALE_SECONDS:
            self.reachable = False
            self.problem = f"the Ray cluster has not answered for over {STALE_SECONDS:.0f} s"
            log.error("%s (at %s)", self.problem, self.address)
        return self.reachable

    def live_workers(self) -> list[RayWorker]:
        with self._lock:
            return [w for w in self.workers if w.alive]

    def assign(self) -> Worker:
        """The live worker holding the fewest runs, on any node (of those, one on the
        node holding the fewest)."""
        workers = self.live_workers()
        if not workers or not self._answering():
            raise EngineUnavailableError(self.problem or "no engine worker is running")
        on_node: dict[str, int] = {}
        for worker in workers:
            on_node[worker.node_id] = on_node.get(worker.node_id, 0) + worker.runs
        return min(workers, key=lambda w: (w.runs, on_node[w.node_id]))

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "address": self.address, "reachable": self._answering(),
                "problem": self.problem, "nodes": len(self.nodes),
                "workers": [{"node": w.node_ip, "runs": w.runs}
                            for w in self.live_workers()]}

    def refresh(self) -> None:
        """Ask the cluster for its nodes: lose the workers of nodes that are gone,
        and start workers on CPUs no worker uses (up to the cap). Through Ray Client,
        a connection that was lost is made again (every :data:`RECONNECT_SECONDS`)
        once the address answers: a cluster started again there gets workers anew."""
        if self._disconnected and not self._reconnect():
            return
        try:
            nodes = {n["NodeID"]: n for n in ray.nodes() if n.get("Alive")}
        except Exception as err:  # the cluster is out of reach
            if self.reachable:
                log.error("the Ray cluster at %s cannot be reached: %s", self.address, err)
            self.reachable, self.problem = False, f"cannot reach the Ray cluster ({err})"
            self._disconnected = self.address.startswith("ray://")
            return
        if not self.reachable:
            log.warning("the Ray cluster at %s can be reached again", self.address)
        self.reachable, self.problem = True, None
        self._seen = time.monotonic()
        self.nodes = {node_id: n.get("NodeManagerAddress", node_id)
                      for node_id, n in nodes.items()}
        with self._lock:
            for worker in self.workers:
                if worker.node_id not in nodes:
                    worker.lose("its node left the cluster")
            gone = [w for w in self.workers if not w.alive]
            self.workers = [w for w in self.workers if w not in gone]
        for worker in gone:
            threading.Thread(target=worker.close, args=(False,), daemon=True).start()
        self._start_workers(nodes)

    def _reconnect(self) -> bool:
        """Join the cluster at the address again, if it answers there; whether joined.
        Workers of the cluster that was lost are lost at the next look at the nodes
        (theirs are gone)."""
        if time.monotonic() - self._tried < RECONNECT_SECONDS:
            return False
        self._tried = time.monotonic()
        if unanswered(self.address, 2.0) is not None:
            return False
        with contextlib.suppress(Exception):  # the old connection is gone anyway
            ray.shutdown()
        try:
            connect(self.address)
        except Exception as err:
            log.error("joining the Ray cluster at %s again failed: %s", self.address, err)
            return False
        self._actor_class = ray.remote(**ACTOR_OPTIONS)(EngineActor)
        self._starting = []  # actors asked of the cluster that was lost
        self._disconnected = False
        log.warning("joined the Ray cluster at %s again", self.address)
        return True

    def _start_workers(self, nodes: dict[str, dict[str, Any]]) -> None:
        """Workers from the actors that have started, and new actors up to one per CPU
        of the cluster's nodes (at most the cap), spread over the nodes by Ray
        (``SPREAD``: each where a CPU is free, the nodes in turn). An actor waits to
        start while every CPU is taken, e.g. by another server's workers."""
        self._settle_starting()
        cpus = sum(int(n.get("Resources", {}).get("CPU", 0)) for node_id, n in nodes.items()
                   if node_id not in self._refused)
        target = cpus if self.max_workers is None else min(cpus, self.max_workers)
        for _ in range(target - len(self.live_workers()) - len(self._starting)):
            actor = self._actor_class.options(namespace=NAMESPACE,
                                              scheduling_strategy="SPREAD").remote()
            self._starting.append((actor, actor.ready.remote()))

    def _settle_starting(self, wait: float = 0.0, first: bool = False) -> None:
        """The actors that have started become workers (waiting up to ``wait``
        seconds for all of them, or for the first one if ``first``); those that
        failed are dropped."""
        if not self._starting:
            return
        refs = [ref for _, ref in self._starting]
        ready, _ = ray.wait(refs, num_returns=1 if first else len(refs), timeout=wait)
        done = set(ready)
        starting, self._starting = self._starting, []
        for actor, ref in starting:
            if ref not in done:
                self._starting.append((actor, ref))
                continue
            try:
                actual, version = ray.get(ref)
            except Exception as err:
                log.error("an engine worker could not start: %s", err)
                continue
            where = self.nodes.get(actual, actual)
            if version != __version__:
                if actual not in self._refused:
                    log.error("node %s has nnplay %s, this server %s: no engine workers "
                              "there (install the same version on every node)", where,
                              version, __version__)
                self._refused.add(actual)
                end_actor(actor)
                continue
            with self._lock:
                self.workers.append(RayWorker(self._count, actor, actual, where))
                self._count += 1
            log.info("engine worker %d started on node %s", self._count - 1, where)

    def _watch(self) -> None:
        while not self._closed.wait(WATCH_SECONDS):
            try:
                self.refresh()
            except Exception:  # the watcher must outlive any one bad look
                log.exception("looking at the Ray cluster failed")

    def close(self) -> None:
        self._closed.set()
        reachable = self.reachable and ray.is_initialized()
        with self._lock:
            workers, self.workers = self.workers, []
            starting, self._starting = self._starting, []
        for worker in workers:
            worker.close(reachable)
        if reachable:
            for actor, _ in starting:
                end_actor(actor)


def end_actor(actor: Any) -> None:
    """Ask the cluster to end ``actor`` (nothing if the cluster is gone)."""
    try:
        ray.kill(actor, no_restart=True)
    except Exception as err:  # the actor or the cluster is gone already
        log.info("could not end an engine worker's actor: %s", err)


def connect(address: str) -> None:
    """Join the Ray cluster at ``address`` as a driver (or its client), unless this
    process already has; raises ConnectionError or RuntimeError when it cannot.

    Through Ray Client it tries :data:`CLIENT_TRIES` times: the head starts a proxy
    process for each client, which can fail to start on a busy machine ("Initialization
    failure from server"). (Ray's habit of joining a cluster by itself is off: see
    the imports.)"""
    tries = CLIENT_TRIES if address.startswith("ray://") else 1
    for attempt in range(1, tries + 1):
        if ray.is_initialized():
            return
        try:
            ray.init(address=address, namespace=NAMESPACE, log_to_driver=False,
                     logging_level=logging.WARNING)
        except (ConnectionError, RuntimeError) as err:
            with contextlib.suppress(Exception):  # whatever the failed join left
                ray.shutdown()
            if attempt == tries:
                raise
            log.warning("joining the Ray cluster at %s failed (%s); trying again",
                        address, err)
            time.sleep(1.0)


def unanswered(address: str, seconds: float) -> str | None:
    """Why nothing accepts a connection at a cluster's ``address`` (``ray://HOST:PORT``
    or ``HOST:PORT``) within ``seconds``, e.g. "Connection refused"; None if
    something does."""
    where = cluster_address(address)
    if where is None:
        return f"{address!r} is not HOST:PORT"
    try:
        socket.create_connection(where, timeout=seconds).close()
    except OSError as err:
        return getattr(err, "strerror", None) or str(err) or type(err).__name__
    return None


def free_cpus() -> tuple[int, int]:
    """(CPUs no task or actor holds, all CPUs) of the cluster this process has joined."""
    return (int(ray.available_resources().get("CPU", 0)),
            int(ray.cluster_resources().get("CPU", 0)))
