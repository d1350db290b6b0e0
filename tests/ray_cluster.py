"""A real Ray cluster of a few nodes on loopback addresses of this one machine, for
tests and benchmarks.

`LocalCluster(cpus=(1, 1))` starts a head node on 127.0.0.2 and a second node on
127.0.0.3, each a `ray start ... --block` subprocess in its own session, with its
own temporary folder (Ray's `--temp-dir`: its session, sockets and logs land there,
the second node's too), its own free ports and the console output of `ray start` in
`<node folder>/ray-start.log`. Nothing of it is shared with another Ray cluster on
the machine, so several can run side by side; `close()` ends only its own
processes (never `ray stop`, which ends every Ray process of the machine).

    with LocalCluster(cpus=(1, 1)) as cluster:
        subprocess.run([...server...], env={**os.environ, **cluster.env()})
        seconds = cluster.kill_node(1)

The process that starts the cluster does not become a Ray driver: every question to
the cluster (which nodes are alive) is asked by a short `python -c` subprocess.

What was measured on a 2-core machine (Ray 2.60, two 1-CPU nodes):
- Start, until the GCS reports both nodes alive: 8-10 s on an idle machine, 13-24 s
  while other work keeps it busy (load 4-6).
- A SIGKILLed node is declared dead by the GCS 1.1-1.5 s after the kill with the
  health check settings of `FAST_DEATH_CONFIG`; Ray's defaults (3 s period, 10 s
  timeout, 5 failures) took 15.7 s.
- At rest: 15 processes (the head's `ray start`, GCS, autoscaler monitor, Ray Client
  server, minimal dashboard, log monitor, raylet and its two agents; the same last
  four and `ray start` for the second node; one idle worker), RSS 1.34 GiB summed,
  PSS 0.69 GiB (what they really hold), and 6-8 % of one core over 10 s.
- Ray's C++ servers (GCS, raylets, object managers, workers) listen on the wildcard
  address whenever the node address is not exactly 127.0.0.1 or localhost, and
  `ray start` replaces 127.0.0.1 by the machine's outward address; Ray 2.60 has no
  setting for their listening address. (RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 keeps
  127.0.0.1, and then everything listens on 127.0.0.1 only, but that setting also
  refuses a second node.) The cluster is reached, and talks, only on loopback
  addresses (`sockets()` lists what its processes listen on and where they connect),
  but the wildcard listeners are reachable from outside unless a firewall closes
  their ports. The Python components (runtime-env agent, Ray Client server) listen
  on the node address only.
- Ray Client (`client_address`) starts a server per client on 127.0.0.1, on a port
  of 23000-23999 that every Ray cluster of the machine draws from: with other
  clusters running, a connection failed once ("Starting Ray client server failed").
  The GCS address (`env()`, `gcs_address`) has no such shared range.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

FIRST_NODE_IP = 2
"""Node i gets the address 127.0.0.(FIRST_NODE_IP + i): 127.0.0.1 is not usable,
since `ray start` replaces it by the machine's outward address."""

WORKER_PORTS = range(10002, 20000)
"""Ray's default port range of worker processes: the ports this module picks avoid it."""

FAST_DEATH_CONFIG: dict[str, Any] = {
    "health_check_initial_delay_ms": 0,
    "health_check_period_ms": 500,
    "health_check_timeout_ms": 500,
    "health_check_failure_threshold": 3,
}
"""Ray system settings under which the GCS declares a node dead about 1.5 s after its
raylet stops answering (3 missed checks 0.5 s apart), instead of about 15 s."""

OBJECT_STORE_BYTES = 100_000_000
"""Each node's object store (Ray's minimum is 75 MiB)."""

START_TIMEOUT = 90.0
"""Seconds a start may take until every node is reported alive."""

JOIN_TIMEOUT = 60.0
"""Seconds a watcher subprocess may take to join the cluster as a driver."""

TERM_GRACE = 1.0
"""Seconds that processes get after SIGTERM before they are sent SIGKILL (the head's
`ray start` takes over 10 s to stop gracefully; a test cluster's state is thrown away
anyway)."""

STOP_TIMEOUT = 10.0
"""Seconds to wait for processes to disappear after SIGKILL."""

MARKER = "LOCAL_RAY_CLUSTER_NODE"
"""Environment variable holding the node's folder in every process of that node
(Ray's processes inherit their parent's environment): it finds the processes that
rename themselves (``ray::IDLE``, ``ray::DashboardAgent``) or leave the session."""

_WATCH = r"""
import json, sys, time
import ray
address, want, timeout = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3])
ray.init(address=address, logging_level="ERROR", log_to_driver=False)
def nodes():
    return [{"ip": n["NodeManagerAddress"], "node_id": n["NodeID"], "alive": n["Alive"],
             "cpus": n["Resources"].get("CPU", 0.0)} for n in ray.nodes()]
def met(seen):
    for ip, alive in want.items():
        if any(n["ip"] == ip and n["alive"] for n in seen) != alive:
            return False
    return True
print("watching", flush=True)
deadline = time.monotonic() + timeout
while True:
    seen = nodes()
    if met(seen) or time.monotonic() > deadline:
        break
    time.sleep(0.05)
print(json.dumps({"met": met(seen), "at": time.time(), "nodes": seen}), flush=True)
"""
"""The watcher: joins the cluster as a driver, says "watching", polls `ray.nodes()`
until each address of `want` is alive (true) or not alive (false), then prints the
nodes and the time it saw them so, as one JSON line."""


class ClusterError(RuntimeError):
    """The cluster did not reach the state it was asked for (the message carries the
    end of the nodes' logs)."""


@dataclass(frozen=True)
class Socket:
    """One TCP socket of a cluster process (from /proc/net/tcp and tcp6)."""

    pid: int
    listening: bool
    local_ip: str
    local_port: int
    remote_ip: str
    remote_port: int


@dataclass(frozen=True)
class Usage:
    """The cluster's processes at one moment: their number, their resident memory (RSS
    counts shared pages once per process; PSS splits them among the sharers, so its
    sum is the memory the cluster really holds) and the CPU time they have used so far
    (user plus system, seconds)."""

    processes: int
    rss_bytes: int
    pss_bytes: int
    cpu_seconds: float


@dataclass
class _Node:
    """One started node: its `ray start` process and its folder."""

    ip: str
    cpus: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None
    killed: bool = False
    """Whether `kill_node` ended it (its `ray start` is then expected to be gone)."""

    @property
    def log(self) -> Path:
        """The console output of `ray start`."""
        return self.folder / "ray-start.log"


class LocalCluster:
    """A Ray cluster of one node per entry of `cpus` (that node's CPU count) on
    127.0.0.2, 127.0.0.3, ...; the first is the head. `system_config` adds to, or
    overrides, `FAST_DEATH_CONFIG` as the head's Ray system settings."""

    def __init__(
        self,
        cpus: tuple[int, ...] = (1, 1),
        system_config: Mapping[str, Any] | None = None,
    ) -> None:
        if not cpus:
            raise ValueError("a cluster needs at least one node")
        self.cpus = tuple(cpus)
        self.system_config = {**FAST_DEATH_CONFIG, **(system_config or {})}
        self.folder: Path | None = None
        self._nodes: list[_Node] = []
        self._gcs_port = 0
        self._client_port = 0
        self._ray_env = {"RAY_USAGE_STATS_ENABLED": "0"}
        """Ray's environment variables for every process of, or joining, the cluster."""
        self.start_seconds: float | None = None
        """How long the last `start()` took, until every node was reported alive."""

    # ----- addresses -----

    @property
    def node_ips(self) -> tuple[str, ...]:
        """The nodes' addresses, head first: ("127.0.0.2", "127.0.0.3")."""
        return tuple(f"127.0.0.{FIRST_NODE_IP + i}" for i in range(len(self.cpus)))

    @property
    def gcs_address(self) -> str:
        """The head's GCS, "127.0.0.2:PORT": for `ray.init(address=...)`."""
        self._require_started()
        return f"{self.node_ips[0]}:{self._gcs_port}"

    @property
    def client_address(self) -> str:
        """The head's Ray Client server, "ray://127.0.0.2:PORT"."""
        self._require_started()
        return f"ray://{self.node_ips[0]}:{self._client_port}"

    def env(self) -> dict[str, str]:
        """Environment variables for a process that is to use this cluster: with them,
        `ray.init(address="auto")` (or `ray.init()`) joins it as a driver on the head
        node. Add them to the process's environment (``{**os.environ, **env()}``)."""
        return {"RAY_ADDRESS": self.gcs_address, **self._ray_env}

    # ----- start and stop -----

    def start(self) -> LocalCluster:
        """Start every node and wait until the GCS reports them all alive. On failure
        everything started is ended and `ClusterError` tells why, with the logs' end."""
        if self._nodes:
            raise RuntimeError("the cluster is already started")
        began = time.monotonic()
        self.folder = Path(tempfile.mkdtemp(prefix="ray-cluster-"))
        _open_clusters.add(self)
        self._nodes = [
            _Node(ip, n, self.folder / f"node{i}")
            for i, (ip, n) in enumerate(zip(self.node_ips, self.cpus, strict=True))
        ]
        try:
            if not self._gcs_port:  # started again after close(): the same addresses
                self._gcs_port, self._client_port = _free_ports(2)
            head = self._nodes[0]
            self._launch(head, self._head_arguments())
            for node in self._nodes[1:]:
                self._launch(node, ["--address", self.gcs_address])
            self._wait_for_gcs(began + START_TIMEOUT)
            self._watch({ip: True for ip in self.node_ips}, began + START_TIMEOUT)
        except BaseException:
            self.close()
            raise
        self.start_seconds = time.monotonic() - began
        return self

    def close(self) -> None:
        """End every process of the cluster (SIGTERM, then SIGKILL after
        `TERM_GRACE`), check that none is left and remove the cluster's folder.
        Safe to call twice and after a failed start."""
        for node in reversed(self._nodes):
            self._end(node, signal.SIGTERM)
        self._wait_gone(self.pids, TERM_GRACE)
        for node in reversed(self._nodes):
            self._end(node, signal.SIGKILL)
        self._wait_gone(self.pids, STOP_TIMEOUT)
        left = self.pids()
        folder, self.folder, self._nodes = self.folder, None, []
        _open_clusters.discard(self)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if left:
            raise ClusterError(f"cluster processes survived SIGKILL: {sorted(left)}")

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # ----- faults -----

    def kill_node(self, index: int) -> float:
        """SIGKILL every process of node `index` (not the head: 1 or more), wait until
        they are gone and the GCS reports the node not alive while the other nodes
        stay alive; return the seconds from the kill to the GCS's report (measured by
        a watcher that is already polling when the kill happens)."""
        if not 1 <= index < len(self._nodes):
            raise ValueError(f"node {index} is not a non-head node of this cluster")
        node = self._nodes[index]
        want = {ip: ip != node.ip for ip in self.node_ips}
        with self._watcher(want, START_TIMEOUT) as watcher:
            killed = time.time()
            node.killed = True
            self._end(node, signal.SIGKILL)
            self._wait_gone(lambda: self._node_pids(node), STOP_TIMEOUT)
            report = self._report(watcher)
        return max(0.0, report["at"] - killed)

    # ----- inspection -----

    def nodes(self) -> list[dict[str, Any]]:
        """The nodes as the GCS reports them, asked by a subprocess: dicts with ip,
        node_id, alive and cpus."""
        return self._watch({}, time.monotonic() + START_TIMEOUT)

    def pids(self) -> set[int]:
        """Every live process of the cluster: in the session of a node's `ray start`,
        or with the node's marker in its environment, or its folder on its command
        line."""
        return set().union(*(self._node_pids(node) for node in self._nodes))

    def usage(self) -> Usage:
        """The cluster's processes now: how many, their resident memory, their CPU time."""
        pids = self.pids()
        rss = pss = cpu = 0
        for pid in pids:
            stat = _stat(pid)
            if stat is not None:
                cpu += int(stat[11]) + int(stat[12])
            rss += _memory(pid, "status", "VmRSS:")
            pss += _memory(pid, "smaps_rollup", "Pss:")
        return Usage(len(pids), rss, pss, cpu / os.sysconf("SC_CLK_TCK"))

    def sockets(self) -> list[Socket]:
        """The TCP sockets (listening or connected) of the cluster's processes."""
        owners: dict[int, int] = {}
        for pid in self.pids():
            for inode in _socket_inodes(pid):
                owners[inode] = pid
        return [
            Socket(owners[inode], *row) for inode, row in _tcp_table().items() if inode in owners
        ]

    def log_tail(self, lines: int = 20) -> str:
        """The end of every node's logs (`ray start`, raylet, GCS), for error messages."""
        parts = []
        for node in self._nodes:
            files = [node.log, *sorted(node.folder.glob("session_*/logs/raylet.err"))]
            files += sorted(node.folder.glob("session_*/logs/gcs_server.err"))
            for path in files:
                try:
                    text = path.read_text(errors="replace").splitlines()[-lines:]
                except OSError:
                    continue
                parts.append(f"--- {path}\n" + "\n".join(text))
        return "\n".join(parts)

    # ----- internals -----

    def _require_started(self) -> None:
        if not self._nodes:
            raise RuntimeError("the cluster is not started")

    def _head_arguments(self) -> list[str]:
        return [
            "--head",
            f"--port={self._gcs_port}",
            f"--ray-client-server-port={self._client_port}",
            "--include-dashboard=false",
            f"--system-config={json.dumps(self.system_config)}",
        ]

    def _launch(self, node: _Node, arguments: list[str]) -> None:
        """Start `ray start` for one node, in its own session, logging to its folder."""
        node.folder.mkdir(parents=True)
        command = [
            str(Path(sys.executable).with_name("ray")),
            "start",
            *arguments,
            f"--node-ip-address={node.ip}",
            f"--num-cpus={node.cpus}",
            "--num-gpus=0",
            f"--object-store-memory={OBJECT_STORE_BYTES}",
            f"--temp-dir={node.folder}",
            "--disable-usage-stats",
            "--block",
        ]
        if not Path(command[0]).exists():
            command[:1] = [sys.executable, "-m", "ray.scripts.scripts"]
        with node.log.open("wb") as log:
            node.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._node_env(node),
                start_new_session=True,
            )

    def _node_env(self, node: _Node) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
        env.update({**self._ray_env, MARKER: str(node.folder)})
        return env

    def _wait_for_gcs(self, deadline: float) -> None:
        """Wait until the head's GCS port accepts connections (or the head has exited)."""
        head = self._nodes[0]
        while True:
            if head.process is not None and head.process.poll() is not None:
                raise ClusterError(f"the head node exited at start\n{self.log_tail()}")
            try:
                with socket.create_connection((head.ip, self._gcs_port), timeout=1):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise ClusterError(f"the head's GCS did not open its port\n{self.log_tail()}")
            time.sleep(0.05)

    def _watcher(self, want: Mapping[str, bool], timeout: float) -> _Watcher:
        return _Watcher(self, want, timeout)

    def _watch(self, want: Mapping[str, bool], deadline: float) -> list[dict[str, Any]]:
        """Wait, through a watcher subprocess, until the nodes are as `want` says;
        return them as the GCS reports them."""
        with self._watcher(want, max(1.0, deadline - time.monotonic())) as watcher:
            return self._report(watcher)["nodes"]

    def _report(self, watcher: _Watcher) -> dict[str, Any]:
        """The watcher's final line; `ClusterError` if the state was not reached."""
        report = watcher.result()
        if not report["met"]:
            raise ClusterError(
                f"the nodes did not reach {dict(watcher.want)}: {report['nodes']}\n"
                + self.log_tail()
            )
        return report

    def _node_pids(self, node: _Node) -> set[int]:
        session = node.process.pid if node.process is not None else None
        return set(_find_processes(session, str(node.folder)))

    def _end(self, node: _Node, signum: signal.Signals) -> None:
        """Send `signum` to the node's process group and to each of its processes."""
        if node.process is not None and node.process.poll() is None:
            with contextlib.suppress(OSError):
                os.killpg(node.process.pid, signum)
        for pid in self._node_pids(node):
            with contextlib.suppress(OSError):
                os.kill(pid, signum)
        if node.process is not None and signum == signal.SIGKILL:
            with contextlib.suppress(subprocess.TimeoutExpired):
                node.process.wait(timeout=STOP_TIMEOUT)

    def _wait_gone(self, pids: Any, timeout: float) -> None:
        """Wait until `pids()` is empty or `timeout` seconds have passed."""
        deadline = time.monotonic() + timeout
        while pids() and time.monotonic() < deadline:
            for node in self._nodes:
                if node.process is not None:
                    node.process.poll()  # reaps the `ray start` process once it ends
            time.sleep(0.05)


class _Watcher:
    """A running watcher subprocess (see `_WATCH`); as a context manager it waits
    until the watcher has joined the cluster and ends it on the way out."""

    def __init__(self, cluster: LocalCluster, want: Mapping[str, bool], timeout: float):
        self.cluster = cluster
        self.want = dict(want)
        self.timeout = timeout
        self.process: subprocess.Popen[str] | None = None
        self.errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed in __exit__)
        """The watcher's stderr (a file, not a pipe, that it cannot fill up)."""

    def __enter__(self) -> _Watcher:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
        env.update(self.cluster._ray_env)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _WATCH,
                self.cluster.gcs_address,
                json.dumps(self.want),
                str(self.timeout),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], JOIN_TIMEOUT)
        if not ready or self.process.stdout.readline().strip() != "watching":
            self._fail("the watcher could not join the cluster")
        return self

    def result(self) -> dict[str, Any]:
        """The watcher's report, once it has seen the state or run out of time."""
        assert self.process is not None and self.process.stdout is not None
        deadline = time.monotonic() + self.timeout + 30
        while self.process.poll() is None:
            for node in self.cluster._nodes:
                process = None if node.killed else node.process
                if process is not None and process.poll() is not None:
                    self._fail(f"the node at {node.ip} exited")
            if time.monotonic() > deadline:
                self._fail("the watcher did not answer")
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=0.1)
        out, _ = self.process.communicate()
        try:
            return json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            self._fail("the watcher gave no report")

    def _fail(self, why: str) -> Any:
        assert self.process is not None
        self.process.kill()
        self.process.communicate()
        self.errors.seek(0)
        err = self.errors.read()[-2000:]
        self.errors.close()
        raise ClusterError(f"{why}: {err}\n{self.cluster.log_tail()}")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
        self.errors.close()


_open_clusters: set[LocalCluster] = set()
"""Started clusters not yet closed: closed when the interpreter exits, so that an
interrupted test run leaves no Ray processes behind."""


@atexit.register
def _close_open_clusters() -> None:
    for cluster in list(_open_clusters):
        with contextlib.suppress(Exception):
            cluster.close()


# ----- ports and processes -----


def _free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports that are free on every address, outside
    `WORKER_PORTS` (they are free when picked; Ray binds them moments later)."""
    held: list[socket.socket] = []
    try:
        while len(held) < count:
            s = socket.socket()
            s.bind(("", 0))
            if s.getsockname()[1] in WORKER_PORTS:
                s.close()
                continue
            held.append(s)
        return [s.getsockname()[1] for s in held]
    finally:
        for s in held:
            s.close()


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state first), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def _memory(pid: int, name: str, label: str) -> int:
    """Bytes of the line `label` ("VmRSS:", in kB) of /proc/PID/name, 0 if unknown."""
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(label):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _find_processes(session: int | None, folder: str) -> Iterator[int]:
    """Live (not zombie) processes in `session`, or with `MARKER=folder` in their
    environment, or `folder` on their command line."""
    marker = f"{MARKER}={folder}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        stat = _stat(pid)
        if stat is None or stat[0] in "ZX":
            continue
        if session is not None and int(stat[3]) == session:
            yield pid
            continue
        try:
            if folder.encode() in (entry / "cmdline").read_bytes():
                yield pid
                continue
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                yield pid
        except OSError:
            continue


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(int(target[8:-1]))
    except OSError:
        pass
    return inodes


def _tcp_table() -> dict[int, tuple[bool, str, int, str, int]]:
    """Every TCP socket of the machine's network namespace by inode: (listening,
    local ip, local port, remote ip, remote port); IPv4-mapped IPv6 shown as IPv4."""
    table = {}
    for name, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        try:
            lines = Path(f"/proc/net/{name}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
            table[inode] = (state == "0A", *_address(local, family), *_address(remote, family))
    return table


def _address(text: str, family: socket.AddressFamily) -> tuple[str, int]:
    """Decode a /proc/net/tcp address ("0100007F:1F90")."""
    hex_ip, hex_port = text.split(":")
    raw = bytes.fromhex(hex_ip)
    # the kernel writes the address as 32-bit words in host byte order
    raw = (
        b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
        if sys.byteorder == "little"
        else raw
    )
    ip = socket.inet_ntop(family, raw)
    if ip.startswith("::ffff:") and "." in ip:
        ip = ip[7:]
    return ip, int(hex_port, 16)
