"""The real Docker image, built from the Dockerfile and run with podman (``make
test`` runs it with everything else; ``make image-check`` runs it alone, printing
how long each stage took).

No outside image registry is needed: when the Dockerfile's base image (FROM) is not
in podman's storage, a stand-in is made with debootstrap from the Debian mirror
apt already uses here (Debian's Python, pip and useradd), with this machine's pip
settings and certificate authorities so pip inside the build reaches the package
index as pip does here. The stand-in stays in podman's storage, so later runs
start at the image build, and podman's layer cache makes an unchanged build quick.

The image is built (runc, chroot isolation) and run with a published port on
127.0.0.1, then:

- every page, every file the pages load and the zh-Hant catalogues answer 200
  (the same crawl as tests/test_wheel.py, tests/http_checks.py);
- the server is PID 1 running as uid 10001, and finds its pages where pip put
  them (under /usr/local);
- the image's own HEALTHCHECK passes;
- a model saved through the API is read back from a new container on the same
  named volume.

It skips, saying why, where containers cannot run here: not Linux, not root
(rootful podman is what this check drives), podman or runc missing, or podman
not working. Containers and volumes it makes are removed at the end.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.http_checks import (
    TEACHER_TOKEN,
    assert_pages_complete,
    free_port,
    read_model,
    save_model,
    wait_until_up,
)
from tests.image_base import (
    CONTAINERS_CONF,
    LABEL,
    TIMINGS,
    Podman,
    ensure_base_image,
    say,
    timed,
)

ROOT = Path(__file__).resolve().parents[1]
IMAGE = "localhost/nnplay-image-check:latest"


@pytest.fixture(scope="module")
def podman() -> Iterator[Podman]:
    """Podman, if this machine can run containers with it; else the check skips."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the image check needs Linux")
    if os.geteuid() != 0:
        pytest.skip("the image check drives rootful podman: run `make image-check` as root")
    missing = [tool for tool in ("podman", "runc") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (`make image-check` installs "
                    "them with apt-get where it can)")
    with tempfile.TemporaryDirectory(prefix="nnplay-image-check-") as folder:
        conf = Path(folder) / "containers.conf"
        conf.write_text(CONTAINERS_CONF)
        tool = Podman(conf)
        info = tool.run("info", check=False, timeout=60)
        if info.returncode != 0:
            pytest.skip(f"podman does not work here: {info.stderr.strip()[-500:]}")
        yield tool


@pytest.fixture(scope="module")
def image(podman: Podman) -> str:
    """The nnplay image, built from the Dockerfile. The previous build's image and
    layers left over from earlier builds on the stand-in base are removed; this
    build's layers stay, as the cache of the next."""
    ensure_base_image(podman)
    before = podman.run("image", "inspect", "--format", "{{.Id}}", IMAGE,
                        check=False).stdout.strip()
    with timed("image build"):
        built = podman.run("build", "--isolation", "chroot", "--pull=never",
                           "--format", "docker", "-t", IMAGE, "-f", str(ROOT / "Dockerfile"),
                           str(ROOT), timeout=1800)
    after = podman.run("image", "inspect", "--format", "{{.Id}}", IMAGE).stdout.strip()
    if before and before != after:
        podman.run("rmi", before, check=False)
    layers = re.findall(r"^--> (?:Using cache )?([0-9a-f]{11,64})$", built.stdout, re.M)
    stale = podman.run("images", "--all", "--quiet", "--no-trunc", "--filter", "dangling=true",
                       "--filter", f"label={LABEL}", check=False).stdout.split()
    for layer in stale:
        if not any(layer.removeprefix("sha256:").startswith(mine) for mine in layers):
            podman.run("rmi", layer, check=False)  # fails harmlessly when in use
    return IMAGE


# ---------------------------------------------------------------- containers


class Container:
    """One container of the image on a volume, its port published on 127.0.0.1."""

    def __init__(self, podman: Podman, image: str, name: str, volume: str) -> None:
        self.podman, self.image, self.name, self.volume = podman, image, name, volume
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Run the container and wait until the server answers through the port."""
        inside = exposed_port(self.podman, self.image)
        with timed("container start"):
            self.podman.run("run", "--detach", "--name", self.name,
                            "--publish", f"127.0.0.1:{self.port}:{inside}",
                            "--volume", f"{self.volume}:/data",
                            "--env", f"NNPLAY_TEACHER_TOKEN={TEACHER_TOKEN}", self.image)
            wait_until_up(self.base, self.running, 90, self.logs)

    def running(self) -> bool:
        """Whether the container is still running."""
        state = self.podman.run("inspect", "--format", "{{.State.Running}}", self.name,
                                check=False)
        return state.stdout.strip() == "true"

    def logs(self) -> str:
        """The end of the container's output."""
        out = self.podman.run("logs", self.name, check=False)
        return (out.stdout + out.stderr)[-3000:]

    def exec(self, *command: str) -> subprocess.CompletedProcess[str]:
        """Run a command in the container (as the image's user)."""
        return self.podman.run("exec", self.name, *command, check=False)

    def remove(self) -> None:
        """Stop and remove the container."""
        self.podman.run("rm", "--force", "--time", "10", self.name, check=False)


def exposed_port(podman: Podman, image: str) -> str:
    """The one TCP port the image exposes."""
    ports = json.loads(podman.run("image", "inspect", "--format",
                                  "{{json .Config.ExposedPorts}}", image).stdout)
    assert ports and len(ports) == 1, f"the image exposes {ports}"
    return next(iter(ports)).split("/")[0]


@pytest.fixture
def volume(podman: Podman) -> Iterator[str]:
    """A named volume for /data, removed afterwards."""
    name = f"nnplay-image-check-{os.getpid()}-{time.monotonic_ns()}"
    podman.run("volume", "create", name)
    try:
        yield name
    finally:
        podman.run("volume", "rm", "--force", name, check=False)


@pytest.fixture
def containers(podman: Podman, image: str, volume: str) -> Iterator[list[Container]]:
    """Containers the test starts (``start()`` appends), all removed afterwards."""
    made: list[Container] = []
    try:
        yield made
    finally:
        for container in made:
            container.remove()


def start(made: list[Container], podman: Podman, image: str, volume: str) -> Container:
    """A new container of the image on ``volume``, recorded for removal first."""
    container = Container(podman, image, f"nnplay-image-check-{os.getpid()}-{len(made)}",
                          volume)
    made.append(container)
    container.start()
    return container


# ---------------------------------------------------------------- the checks


def test_image_serves_every_page_as_its_unprivileged_user(
        podman: Podman, image: str, volume: str, containers: list[Container]) -> None:
    container = start(containers, podman, image, volume)
    status = container.exec("cat", "/proc/1/status").stdout
    uids = re.search(r"^Uid:\s+(.*)$", status, re.M)
    assert uids and set(uids.group(1).split()) == {"10001"}, status
    assert container.exec("id", "-u").stdout.strip() == "10001"
    where = container.exec("python", "-c", "from app.assets import asset_dir; "
                           "print(asset_dir('static')); print(asset_dir('templates'))")
    assert where.stdout.split() == ["/usr/local/share/nnplay-pages/static",
                                    "/usr/local/share/nnplay-pages/templates"], where
    with timed("crawl"), httpx.Client(base_url=container.base, timeout=15) as client:
        assert_pages_complete(client)
    health = podman.run("image", "inspect", "--format", "{{json .HealthCheck}}", image).stdout
    assert "/healthz" in health, f"the image has no HEALTHCHECK of /healthz: {health}"
    check = podman.run("healthcheck", "run", container.name, check=False)
    assert check.returncode == 0, f"HEALTHCHECK failed: {check.stdout}{check.stderr}"


def test_image_keeps_a_saved_model_on_its_volume(
        podman: Podman, image: str, volume: str, containers: list[Container]) -> None:
    first = start(containers, podman, image, volume)
    with httpx.Client(base_url=first.base, timeout=15) as client:
        model_id = save_model(client, "image check")
        before = read_model(client, model_id, "image check")
    first.remove()
    assert podman.run("container", "exists", first.name, check=False).returncode != 0
    second = start(containers, podman, image, volume)
    with httpx.Client(base_url=second.base, timeout=15) as client:
        assert read_model(client, model_id, "image check") == before
    say("stage times: " + ", ".join(f"{k} {v:.1f} s" for k, v in TIMINGS))
