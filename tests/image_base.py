"""Podman as the image check drives it (tests/test_image.py), and the Dockerfile's
base image for it when no registry can supply one.

The stand-in base is a minimal Debian of the release whose own Python is the base
image's (python:3.11-slim: bookworm), made with debootstrap from the mirror apt
already uses here, with Python, pip and useradd, without Debian's guard against
pip installing outside a virtualenv (pip then installs under /usr/local, as in the
python images). This machine's pip settings (index, proxy, trusted hosts) and the
certificate authorities pip trusts here are added, so pip inside the image build
reaches the package index as pip does here. The debootstrapped system and the
base made from it stay in podman's storage, labelled; the base is made again
only when the pip settings or the certificate authorities change.
"""

from __future__ import annotations

import configparser
import contextlib
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROOTFS_IMAGE = "localhost/nnplay-image-check-rootfs"
"""The debootstrapped Debian, before this machine's pip settings are added to it."""
LABEL = "nnplay.image-check"
"""The label that marks a stand-in base image made here (its value: what made it)."""

DEBIAN_RELEASE = {"3.11": "bookworm"}
"""The Debian release whose own Python is the Dockerfile's base image's version."""
DEBOOTSTRAP_PACKAGES = "python3,python3-pip,python3-venv,python-is-python3,passwd"
SEARCH_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
IN_IMAGE_CA = "/etc/ssl/certs/build-host-ca.crt"
"""Where the stand-in base keeps this machine's certificate authorities for pip."""
PIP_URL_KEYS = ("index-url", "extra-index-url", "find-links")
PIP_PLAIN_KEYS = ("trusted-host", "proxy", "timeout", "default-timeout", "retries")
"""pip settings carried into the stand-in base (local files and folders are not)."""

CONTAINERS_CONF = """\
# written by tests/test_image.py: podman on a machine without systemd or cgroup
# delegation (runc, plain cgroupfs, no ulimits of its own, events in a file)
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
"""

TIMINGS: list[tuple[str, float]] = []
"""Seconds each stage took, in order, printed at the end."""


def say(text: str) -> None:
    """One line of progress on the terminal (make image-check runs pytest with -s)."""
    print(f"image-check: {text}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def timed(stage: str) -> Iterator[None]:
    """Record how long ``stage`` takes."""
    start = time.monotonic()
    try:
        yield
    finally:
        TIMINGS.append((stage, time.monotonic() - start))
        say(f"{stage}: {TIMINGS[-1][1]:.1f} s")


# ---------------------------------------------------------------- podman


class Podman:
    """Runs podman as root with runc and the check's own containers.conf."""

    def __init__(self, conf: Path) -> None:
        self.env = {**os.environ, "CONTAINERS_CONF": str(conf)}

    def run(self, *args: str, check: bool = True,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """``podman --runtime runc args``; a failure fails the test with its output."""
        done = subprocess.run(["podman", "--runtime", "runc", *args], env=self.env,
                              capture_output=True, timeout=timeout)
        out = subprocess.CompletedProcess(done.args, done.returncode,
                                          done.stdout.decode(errors="replace"),
                                          done.stderr.decode(errors="replace"))
        if check and out.returncode != 0:
            pytest.fail(f"podman {shlex.join(args)} failed ({out.returncode}):\n"
                        f"{out.stdout[-4000:]}\n{out.stderr[-4000:]}")
        return out

    def exists(self, image: str) -> bool:
        """Whether ``image`` is in podman's storage."""
        return self.run("image", "exists", image, check=False).returncode == 0

    def labels(self, image: str) -> dict[str, str]:
        """The labels of an image in storage."""
        out = self.run("image", "inspect", "--format", "{{json .Labels}}", image).stdout
        return json.loads(out) or {}


# ---------------------------------------------------------------- the base image


def base_image() -> str:
    """The Dockerfile's base image (every stage's FROM), with its registry spelled out."""
    froms = {line.split()[1] for line in (ROOT / "Dockerfile").read_text().splitlines()
             if line.strip().upper().startswith("FROM ")}
    assert len(froms) == 1, f"the stages start from different images: {froms}"
    name = froms.pop()
    if "/" not in name:
        name = f"library/{name}"
    if "." not in name.split("/")[0] and ":" not in name.split("/")[0]:
        name = f"docker.io/{name}"
    return name


def debian_release(image: str) -> str:
    """The Debian release with the Python of ``python:X.Y-slim``."""
    match = re.search(r"python:(\d+\.\d+)", image)
    assert match and match.group(1) in DEBIAN_RELEASE, \
        f"no Debian release known for {image}: add it to DEBIAN_RELEASE"
    return DEBIAN_RELEASE[match.group(1)]


def apt_sources() -> list[tuple[str, list[str]]]:
    """This machine's apt sources of binary packages: (URI, suites), in apt's order."""
    apt = Path("/etc/apt")
    found: list[tuple[str, list[str]]] = []
    one_line = [apt / "sources.list", *sorted((apt / "sources.list.d").glob("*.list"))]
    for path in one_line:
        if not path.is_file():
            continue
        for line in path.read_text(errors="replace").splitlines():
            words = re.sub(r"\[[^\]]*\]", "", line.split("#")[0]).split()
            if len(words) >= 3 and words[0] == "deb":
                found.append((words[1], [words[2]]))
    for path in sorted((apt / "sources.list.d").glob("*.sources")):
        for stanza in re.split(r"\n\s*\n", path.read_text(errors="replace")):
            fields: dict[str, str] = {}
            for line in stanza.splitlines():
                if line.strip() and not line.startswith("#") and ":" in line \
                        and not line[0].isspace():
                    key, _, value = line.partition(":")
                    fields[key.strip().lower()] = value.strip()
            if "deb" in fields.get("types", "").split() \
                    and fields.get("enabled", "yes").lower() != "no":
                found += [(uri, fields.get("suites", "").split())
                          for uri in fields.get("uris", "").split()]
    return found


def debian_mirror(release: str) -> str | None:
    """The mirror apt uses here for ``release`` (else for another Debian release);
    None lets debootstrap take its own default."""
    sources = apt_sources()
    for uri, suites in sources:
        if release in suites:
            return uri
    for uri, _ in sources:
        if uri.rstrip("/").endswith("/debian"):
            return uri
    return None


def host_pip_settings() -> dict[str, str]:
    """The pip settings in force here (files and PIP_* variables), by key, as
    ``pip config list`` reports them; later sources win, as in pip."""
    done = subprocess.run([sys.executable, "-m", "pip", "config", "list"],
                          capture_output=True, text=True, timeout=60)
    settings: dict[str, str] = {}
    for line in done.stdout.splitlines():
        match = re.match(r"^([^.=]*)\.([\w-]+)='(.*)'$", line)
        if match and match.group(1) in ("global", ":env:", "install", "wheel"):
            settings[match.group(2)] = match.group(3)
    return settings


def host_ca_bundle(settings: dict[str, str]) -> Path | None:
    """The certificate authorities pip trusts here, if set (a proxy's own CA included)."""
    for value in (settings.get("cert"), os.environ.get("REQUESTS_CA_BUNDLE"),
                  os.environ.get("SSL_CERT_FILE")):
        if value and Path(value).is_file():
            return Path(value)
    return None


def stand_in_pip_conf(settings: dict[str, str], ca: Path | None) -> str:
    """The pip.conf for the stand-in base: this machine's index, proxy and trusted
    hosts (addresses only: local folders and files mean nothing in the image)."""
    conf = configparser.ConfigParser()
    conf["global"] = {}
    for key in PIP_URL_KEYS:
        urls = [u for u in settings.get(key, "").split() if u.startswith(("http:", "https:"))]
        if urls:
            conf["global"][key] = " ".join(urls)
    for key in PIP_PLAIN_KEYS:
        if settings.get(key):
            conf["global"][key] = settings[key]
    if ca is not None:
        conf["global"]["cert"] = IN_IMAGE_CA
    lines = ["# this build machine's pip settings (tests/test_image.py)"]
    with tempfile.TemporaryFile("w+") as out:
        conf.write(out)
        out.seek(0)
        lines.append(out.read())
    return "\n".join(lines)


def debootstrap_rootfs(podman: Podman, release: str, tag: str) -> None:
    """Make ``ROOTFS_IMAGE:tag``: a minimal Debian ``release`` with Python, pip and
    useradd, Debian's guard against pip installing into /usr removed (as in the
    python images, whose pip installs under /usr/local)."""
    if shutil.which("debootstrap") is None:
        pytest.skip("debootstrap not installed: needed to make a stand-in for the base "
                    "image (`make image-check` installs it with apt-get where it can)")
    mirror = debian_mirror(release)
    work = Path(tempfile.mkdtemp(prefix="nnplay-rootfs-", dir="/var/tmp"))
    try:
        rootfs = work / "rootfs"
        say(f"debootstrap {release} from {mirror or 'its default mirror'} (once)")
        command = ["debootstrap", "--variant=minbase", f"--include={DEBOOTSTRAP_PACKAGES}",
                   release, str(rootfs), *([mirror] if mirror else [])]
        with timed("debootstrap"):
            done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        for marker in rootfs.glob("usr/lib/python3*/EXTERNALLY-MANAGED"):
            marker.unlink()
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for path in (rootfs / junk).glob("*"):
                if path.is_file():
                    path.unlink()
        archive = work / "rootfs.tar"
        subprocess.run(["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(archive), "."],
                       check=True, timeout=600)
        with timed("import"):
            podman.run("import", "--change", f"ENV PATH={SEARCH_PATH}",
                       "--change", "ENV LANG=C.UTF-8", "--change", 'CMD ["python3"]',
                       "--change", f"LABEL {LABEL}=debootstrap-{tag}",
                       str(archive), f"{ROOTFS_IMAGE}:{tag}", timeout=600)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ensure_base_image(podman: Podman) -> str:
    """The Dockerfile's base image in podman's storage: the real one if it is there,
    else a stand-in made here (kept, and remade only when this machine's pip
    settings or certificate authorities change)."""
    name = base_image()
    if podman.exists(name) and LABEL not in podman.labels(name):
        say(f"{name} is in podman's storage: using it as it is")
        return name
    release = debian_release(name)
    settings = host_pip_settings()
    ca = host_ca_bundle(settings)
    pip_conf = stand_in_pip_conf(settings, ca)
    digest = hashlib.sha256(pip_conf.encode() + (ca.read_bytes() if ca else b"")
                            + DEBOOTSTRAP_PACKAGES.encode() + release.encode())
    made_here = f"{release}-{digest.hexdigest()[:16]}"
    if podman.exists(name) and podman.labels(name).get(LABEL) == made_here:
        return name
    if not podman.exists(f"{ROOTFS_IMAGE}:{release}"):
        debootstrap_rootfs(podman, release, release)
    with tempfile.TemporaryDirectory(prefix="nnplay-base-") as folder:
        context = Path(folder)
        (context / "pip.conf").write_text(pip_conf)
        steps = [f"FROM {ROOTFS_IMAGE}:{release}", "COPY pip.conf /etc/pip.conf"]
        if ca is not None:
            shutil.copyfile(ca, context / "ca.crt")
            steps.append(f"COPY ca.crt {IN_IMAGE_CA}")
        steps.append(f"LABEL {LABEL}={made_here}")
        (context / "Containerfile").write_text("\n".join(steps) + "\n")
        say(f"{name}: a stand-in from {ROOTFS_IMAGE}:{release} with this machine's pip setup")
        podman.run("build", "--isolation", "chroot", "--pull=never", "-t", name, str(context))
    return name
