"""The wheel, built as the Dockerfile's build stage builds it, and installed for real.

- It carries every git-tracked file of ``static/`` and ``templates/`` (a new folder
  missing from pyproject's data-files fails here) and every module of the packages.
- Installed into a fresh virtualenv outside the checkout, ``nnplay serve`` run by an
  unprivileged user from another folder serves every page, every file the pages
  load and both languages' catalogues; a model saved through the API is there
  again after a restart.
- Installed with ``pip install --user`` (data files under the user base, where no
  ``sys.prefix`` guess finds them), the server starts and serves the catalogues.

Dependencies come from the package index pip is configured with (its cache makes
a second run quicker); nothing but loopback is contacted by the servers.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.dockerfile_parts import copy_context, wheel_command
from tests.http_checks import (
    TEACHER_TOKEN,
    assert_pages_complete,
    free_port,
    read_model,
    save_model,
    stop_group,
    wait_until_up,
    without_settings,
)

ROOT = Path(__file__).resolve().parents[1]
PIP_TIMEOUT = 600
"""Seconds a pip install may take (a cold cache downloads every dependency)."""

SCRUBBED = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONUSERBASE",
            "PYTHONNOUSERSITE")
"""Environment variables that would let an installed Python see the checkout or
another environment."""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The nnplay wheel, built from a copy of just the files the Dockerfile copies."""
    context = tmp_path_factory.mktemp("context")
    copy_context(context)
    out = tmp_path_factory.mktemp("wheels")
    done = subprocess.run(wheel_command(out), cwd=context, capture_output=True, text=True,
                          env=clean_env(), timeout=PIP_TIMEOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    wheels = list(out.glob("nnplay-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def tracked(*folders: str) -> list[str]:
    """The git-tracked files under ``folders`` that exist in the working tree."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", *folders], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        pytest.skip(f"no git checkout to list the tracked files of: {err}")
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def test_wheel_carries_every_tracked_page_file_and_module(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {name.split(".data/data/share/nnplay-pages/", 1)[1] for name in names
            if ".data/data/share/nnplay-pages/" in name}
    pages = tracked("static", "templates")
    assert pages and any(p.startswith("static/i18n/zh-Hant/") for p in pages)
    missing = sorted(set(pages) - data)
    assert not missing, f"not in the wheel (pyproject's data-files): {missing}"
    modules = [m for m in tracked("app", "engine") if m.endswith(".py")]
    assert modules and not sorted(set(modules) - names), set(modules) - names


# ---------------------------------------------------------------- installs


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without what would point Python at the checkout
    and without nnplay's own settings (a test sets those), plus ``extra``."""
    env = without_settings({k: v for k, v in os.environ.items() if k not in SCRUBBED})
    env.setdefault("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip"))
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return {**env, **extra}


def pip_install(python: Path | str, *args: str, env: dict[str, str]) -> None:
    """``python -m pip install --quiet args``, failing the test with pip's output."""
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", *args],
                          capture_output=True, text=True, env=env, timeout=PIP_TIMEOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def as_user_command() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that runs a program as an unprivileged user, and that user
    (None: this process is not root, so it runs as itself). Skips, saying why, when
    root has no way to drop its privileges here."""
    if os.geteuid() != 0:
        return [], None
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root, and there is no 'nobody' user to serve as")
    if shutil.which("setpriv"):
        return ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}",
                "--clear-groups"], nobody
    if shutil.which("runuser"):
        return ["runuser", "-u", nobody.pw_name, "--"], nobody
    pytest.skip("running as root without setpriv or runuser to serve as an unprivileged user")


def base_python_for(prefix: list[str]) -> str:
    """A Python 3.11+ that the unprivileged user runs as it is (its own standard
    library, not a fallback), to make the virtualenv from."""
    base = getattr(sys, "_base_executable", sys.executable)
    candidates = dict.fromkeys(filter(None, (base, shutil.which("python3"),
                                             "/usr/bin/python3", "/usr/local/bin/python3")))
    probe = "import sys, venv, ensurepip; print(sys.prefix, sys.version_info >= (3, 11))"
    reasons = []
    for candidate in candidates:
        if not Path(candidate).is_file():
            continue
        mine = subprocess.run([candidate, "-c", probe], capture_output=True, text=True,
                              env=clean_env())
        theirs = subprocess.run([*prefix, candidate, "-c", probe], capture_output=True,
                                text=True, env=clean_env(), cwd="/")
        if mine.returncode == 0 and mine.stdout == theirs.stdout \
                and mine.stdout.split()[-1] == "True":
            return candidate
        reasons.append(f"{candidate}: {theirs.stdout.strip() or theirs.stderr.strip()[-200:]}")
    pytest.skip("no Python 3.11+ with venv that the unprivileged user can run: "
                + "; ".join(reasons))


@dataclass
class Install:
    """A fresh virtualenv outside the checkout with the wheel installed, a folder to
    start the server from, and the user that runs it."""

    venv: Path
    work: Path
    data: Path
    prefix: list[str]


@pytest.fixture(scope="module")
def venv_install(wheel: Path) -> Iterator[Install]:
    """The wheel installed into a new virtualenv in a folder of its own (readable by
    the unprivileged user), with a data folder that user owns."""
    prefix, user = as_user_command()
    python = base_python_for(prefix)
    top = Path(tempfile.mkdtemp(prefix="nnplay-wheel-"))
    try:
        top.chmod(0o755)
        venv = top / "venv"
        made = subprocess.run([python, "-m", "venv", str(venv)], capture_output=True,
                              text=True, env=clean_env())
        assert made.returncode == 0, made.stderr
        pip_install(venv / "bin" / "python", str(wheel), env=clean_env())
        subprocess.run(["chmod", "-R", "a+rX", str(venv)], check=True)
        work, data = top / "work", top / "data"
        for folder in (work, data):
            folder.mkdir()
            if user is not None:
                os.chown(folder, user.pw_uid, user.pw_gid)
        yield Install(venv, work, data, prefix)
    finally:
        shutil.rmtree(top, ignore_errors=True)


class Server:
    """``nnplay serve`` started as a program of an install, on a free loopback port,
    in its own process group (stopped with its engine processes)."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {**env, "NNPLAY_HOST": "127.0.0.1", "NNPLAY_PORT": str(self.port),
               "NNPLAY_ENGINE_PROCESSES": "1", "NNPLAY_TEACHER_TOKEN": TEACHER_TOKEN,
               "PYTHONDONTWRITEBYTECODE": "1"}
        with log.open("a") as out:
            self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_up(self.base, lambda: self.proc.poll() is None, 120, self.tail)
        except BaseException:  # never leave a server that did not come up running
            self.stop()
            raise

    def tail(self) -> str:
        """The end of the server's log."""
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        """Stop the server and its engine processes; wait until they are gone."""
        stop_group(self.proc)


def served_from(install: Install, log: Path) -> Server:
    """The venv's ``nnplay serve``, run by the unprivileged user from its work folder."""
    env = clean_env(HOME=str(install.work), NNPLAY_DATA_DIR=str(install.data),
                    PATH=f"{install.venv / 'bin'}:/usr/bin:/bin")
    return Server([*install.prefix, str(install.venv / "bin" / "nnplay"), "serve"], env,
                  install.work, log)


def test_venv_install_is_the_wheel_not_the_checkout(venv_install: Install) -> None:
    code = ("import app, engine; from app.assets import asset_dir; "
            "print(app.__file__); print(engine.__file__); print(asset_dir('static')); "
            "print(asset_dir('templates'))")
    done = subprocess.run([*venv_install.prefix, str(venv_install.venv / "bin" / "python"),
                           "-c", code], capture_output=True, text=True, cwd=venv_install.work,
                          env=clean_env(HOME=str(venv_install.work)))
    assert done.returncode == 0, done.stderr
    app_file, engine_file, static, templates = map(Path, done.stdout.split("\n")[:4])
    venv = venv_install.venv.resolve()
    for path in (app_file, engine_file):
        assert path.is_relative_to(venv) and not path.is_relative_to(ROOT), path
    assert static == venv / "share" / "nnplay-pages" / "static"
    assert templates == venv / "share" / "nnplay-pages" / "templates"


def test_venv_install_serves_every_page_and_keeps_a_model_across_a_restart(
        venv_install: Install) -> None:
    log = venv_install.work.parent / "server.log"
    server = served_from(venv_install, log)
    try:
        if venv_install.prefix:
            owner = subprocess.run(["ps", "-o", "user=", "-p", str(server.proc.pid)],
                                   capture_output=True, text=True).stdout.strip()
            assert owner and owner != "root", f"the server runs as {owner!r}"
        with httpx.Client(base_url=server.base, timeout=10) as client:
            assert_pages_complete(client)
            model_id = save_model(client, "wheel install check")
            before = read_model(client, model_id, "wheel install check")
    finally:
        server.stop()
    assert any(venv_install.data.iterdir()), "nothing written to the data folder"
    server = served_from(venv_install, log)
    try:
        with httpx.Client(base_url=server.base, timeout=10) as client:
            assert read_model(client, model_id, "wheel install check") == before
    finally:
        server.stop()
    assert "Traceback" not in log.read_text(errors="replace"), server.tail()


def test_user_install_serves_the_catalogues(wheel: Path, tmp_path: Path) -> None:
    # pip install --user puts the pages' files under the user base's share/, which
    # a sys.prefix guess missed (RuntimeError about the pages' folder at start); and
    # on Linux the user base is ~/.local, whose share/nnplay is the default data
    # folder: deleting that to start afresh must leave the pages alone
    python = getattr(sys, "_base_executable", sys.executable)
    home, work = tmp_path / "home", tmp_path / "work"
    userbase = home / ".local"
    for folder in (home, work):
        folder.mkdir()
    env = clean_env(HOME=str(home), PYTHONUSERBASE=str(userbase),
                    PIP_BREAK_SYSTEM_PACKAGES="1")  # a distribution's own Python refuses else
    env.pop("XDG_DATA_HOME", None)
    user_config = Path.home() / ".config" / "pip" / "pip.conf"
    if "PIP_CONFIG_FILE" not in env and user_config.is_file():
        env["PIP_CONFIG_FILE"] = str(user_config)  # HOME moved: keep the user's pip setup
    probe = subprocess.run([python, "-c", "import site, importlib.metadata as m; "
                            "print(site.ENABLE_USER_SITE); m.distribution('nnplay')"],
                           capture_output=True, text=True, env=env, cwd=work)
    if probe.stdout.strip() != "True" or probe.returncode == 0:
        pytest.skip(f"{python} has no user site or already has nnplay installed")
    pip_install(python, "--user", str(wheel), env=env)
    nnplay = userbase / "bin" / "nnplay"
    assert nnplay.is_file(), sorted(p.name for p in (userbase / "bin").iterdir())
    assert (userbase / "share" / "nnplay-pages" / "static" / "i18n" / "zh-Hant").is_dir()
    data = userbase / "share" / "nnplay"  # the default data folder (no NNPLAY_DATA_DIR)
    for start in ("first", "after the data folder was deleted"):
        server = Server([str(nnplay), "serve"], env, work, tmp_path / "server.log")
        try:
            assert (data / "nnplay.db").is_file(), start
            with httpx.Client(base_url=server.base, timeout=10) as client:
                common = client.get("/static/i18n/zh-Hant/common.json")
                assert common.status_code == 200 and isinstance(common.json(), dict), start
                page = client.get("/lab?lang=zh-Hant")
                assert page.status_code == 200 and 'lang="zh-Hant"' in page.text, start
        finally:
            server.stop()
        shutil.rmtree(data)
