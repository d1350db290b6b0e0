"""What `nnplay serve` checks before starting: a bad setting or an unwritable data
folder is one line naming the environment variable, and exit status 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app import preflight
from app.settings import Settings, get_settings
from tests.http_checks import free_port, run_alone, without_settings

NNPLAY = str(Path(sys.executable).parent / "nnplay")


@pytest.fixture(autouse=True)
def fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def serve(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``nnplay serve`` with ``env`` added, where it must stop before serving: its
    port is one a listening socket of this test holds, so even a check that let a
    bad setting through could not start a server (and the test would see why)."""
    base = without_settings(os.environ)
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        base.update({"NNPLAY_DATA_DIR": str(tmp_path / "data"),
                     "NNPLAY_PORT": str(held.getsockname()[1])}, **env)
        return run_alone([NNPLAY, "serve"], cwd=tmp_path, env=base, timeout=60)


def test_serve_with_a_short_teacher_token_says_one_line(tmp_path) -> None:
    done = serve(tmp_path, NNPLAY_TEACHER_TOKEN="short")
    assert done.returncode == 2
    assert done.stderr == "nnplay: NNPLAY_TEACHER_TOKEN: must be at least 8 characters long\n"
    assert "short" not in done.stderr.split(":", 2)[2]  # the token is not repeated


def test_python_m_app_checks_the_same_way(tmp_path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NNPLAY_")}
    done = subprocess.run([sys.executable, "-m", "app"], capture_output=True, text=True,
                          env={**base, "NNPLAY_MAX_RUNS": "0",
                               "NNPLAY_DATA_DIR": str(tmp_path)}, timeout=60)
    assert done.returncode == 2
    assert done.stderr == ("nnplay: NNPLAY_MAX_RUNS: must be greater than or equal to 1\n")


def test_serve_with_an_unwritable_data_folder_names_it(tmp_path) -> None:
    done = serve(tmp_path, NNPLAY_DATA_DIR="/proc/nnplay-cannot-be-here/data")
    assert done.returncode == 2
    assert done.stderr.startswith("nnplay: NNPLAY_DATA_DIR: cannot write the database "
                                  "/proc/nnplay-cannot-be-here/data/nnplay.db (")
    assert len(done.stderr.splitlines()) == 1


def test_serve_with_a_file_for_a_data_folder_says_so(tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    done = serve(tmp_path, NNPLAY_DATA_DIR=str(blocker / "data"))
    assert done.returncode == 2
    assert done.stderr == f"nnplay: NNPLAY_DATA_DIR: {blocker} is a file, not a folder\n"


def test_serve_on_a_port_in_use_says_so_before_starting(tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = serve(tmp_path, NNPLAY_PORT=str(port))
    assert done.returncode == 2
    assert done.stderr == (f"nnplay: NNPLAY_PORT (or --port): cannot listen on 127.0.0.1:{port} "
                           "(in use: is another server running there?)\n")


def test_serve_on_an_unknown_host_names_it(tmp_path) -> None:
    done = serve(tmp_path, NNPLAY_HOST="no-such-host.invalid", NNPLAY_PORT="8000")
    assert done.returncode == 2
    assert done.stderr.startswith("nnplay: NNPLAY_HOST (or --host): cannot listen on "
                                  "'no-such-host.invalid' (")
    assert len(done.stderr.splitlines()) == 1


def test_serve_refuses_a_port_out_of_range(tmp_path) -> None:
    done = serve(tmp_path, NNPLAY_PORT="99999")
    assert (done.returncode, done.stderr) == (
        2, "nnplay: NNPLAY_PORT: must be less than or equal to 65535\n")
    option = subprocess.run([NNPLAY, "serve", "--port", "0"], capture_output=True, text=True,
                            timeout=60)
    assert option.returncode == 2 and "0 is not a port (1 to 65535)" in option.stderr


def test_load_settings_names_every_bad_variable(monkeypatch) -> None:
    monkeypatch.setenv("NNPLAY_PORT", "eighty")
    monkeypatch.setenv("NNPLAY_MAX_UNITS", "0")
    with pytest.raises(preflight.ConfigError) as caught:
        preflight.load_settings()
    assert caught.value.lines == [
        "NNPLAY_PORT: must be a valid integer, unable to parse string as an integer",
        "NNPLAY_MAX_UNITS: must be greater than or equal to 1",
    ]


def test_load_settings_explains_a_list_that_is_not_json(monkeypatch) -> None:
    monkeypatch.setenv("NNPLAY_ALLOWED_ORIGINS", "https://school.example")
    with pytest.raises(preflight.ConfigError) as caught:
        preflight.load_settings()
    assert caught.value.lines == [
        "NNPLAY_ALLOWED_ORIGINS: must be JSON, e.g. '[\"https://school.example\"]'"]


def test_a_bad_host_list_is_explained_with_a_host_name(monkeypatch) -> None:
    monkeypatch.setenv("NNPLAY_ALLOWED_HOSTS", "laptop.school.example")
    with pytest.raises(preflight.ConfigError) as caught:
        preflight.load_settings()
    assert caught.value.lines == [
        "NNPLAY_ALLOWED_HOSTS: must be JSON, e.g. '[\"laptop.school.example\"]'"]
    monkeypatch.setenv("NNPLAY_ALLOWED_HOSTS", '["http://laptop.school.example"]')
    with pytest.raises(preflight.ConfigError) as named:
        preflight.load_settings()
    assert named.value.lines[0].startswith(
        "NNPLAY_ALLOWED_HOSTS: 'http://laptop.school.example' is not a host name")


def test_settings_store_names_the_database_variable_when_set(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    settings = Settings(data_dir=tmp_path, database=blocker / "x.db")
    with pytest.raises(preflight.ConfigError, match=r"^NNPLAY_DATABASE: .* is a file, not a"):
        preflight.settings_store(settings)
    folder = Settings(data_dir=tmp_path, database=tmp_path)
    with pytest.raises(preflight.ConfigError, match=r"is a folder; name the database file"):
        preflight.settings_store(folder)
    fine = Settings(data_dir=tmp_path / "new" / "folder")
    assert preflight.settings_store(fine).path == tmp_path / "new" / "folder" / "nnplay.db"
    assert fine.database_path.is_file()


def test_load_settings_refuses_an_origin_with_a_path(monkeypatch) -> None:
    monkeypatch.setenv("NNPLAY_ALLOWED_ORIGINS", '["https://school.example/", "school.example"]')
    with pytest.raises(preflight.ConfigError) as caught:
        preflight.load_settings()
    assert caught.value.lines == [
        "NNPLAY_ALLOWED_ORIGINS: 'https://school.example/' is not an origin: write the scheme "
        "and host only, e.g. 'https://school.example' (no path, no slash at the end)"]
    monkeypatch.setenv("NNPLAY_ALLOWED_ORIGINS", '["https://school.example:8443", "*"]')
    assert preflight.load_settings().allowed_origins == ["https://school.example:8443", "*"]


def test_settings_expand_a_home_folder_left_unexpanded(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NNPLAY_DATA_DIR", "~/nnplay-data")
    assert preflight.load_settings().data_dir == tmp_path / "nnplay-data"


def test_an_older_data_folder_in_the_start_folder_is_pointed_out(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("NNPLAY_DATA_DIR", raising=False)
    monkeypatch.delenv("NNPLAY_DATABASE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    settings = preflight.load_settings()
    assert preflight.older_data(settings, tmp_path) is None
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "nnplay.db").write_bytes(b"")
    assert preflight.older_data(settings, tmp_path) == (
        f"{tmp_path / 'data' / 'nnplay.db'} holds saved models of an older nnplay, which kept "
        f"its data in ./data; set NNPLAY_DATA_DIR={tmp_path / 'data'} to keep using them")
    chosen = Settings(data_dir=tmp_path / "data")
    assert preflight.older_data(chosen, tmp_path) is None  # the folder was chosen


def serve_on_a_free_port(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``nnplay serve`` with ``env`` added on a port it could listen on: for checks
    that come after the port's (a check that let the setting through would serve
    until the timeout, and the test would fail)."""
    base = without_settings(os.environ)
    base.update({"NNPLAY_DATA_DIR": str(tmp_path / "data"),
                 "NNPLAY_PORT": str(free_port())}, **env)
    return run_alone([NNPLAY, "serve"], cwd=tmp_path, env=base, timeout=90)


def test_serve_with_a_cluster_out_of_reach_says_one_line(tmp_path) -> None:
    port = free_port()  # nothing listens there
    done = serve_on_a_free_port(tmp_path, NNPLAY_ENGINE=f"ray://127.0.0.1:{port}")
    assert done.returncode == 2
    assert done.stderr == (f"nnplay: NNPLAY_ENGINE=ray://127.0.0.1:{port}: cannot reach the "
                           "Ray cluster (Connection refused): is it running, and is its port "
                           "open to this machine?\n")


def test_serve_with_auto_names_the_ray_address_it_could_not_reach(tmp_path) -> None:
    port = free_port()  # nothing listens there
    done = serve_on_a_free_port(tmp_path, NNPLAY_ENGINE="auto",
                                RAY_ADDRESS=f"127.0.0.1:{port}")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"nnplay: NNPLAY_ENGINE=auto: cannot reach the Ray cluster (RAY_ADDRESS="
        f"127.0.0.1:{port}) (Connection refused): is it running, and is its port open to "
        "this machine?"]


@pytest.mark.parametrize("engine", ["rai://head:10001", "head", "ray://head:port",
                                    "ray://:10001", "http://head:8265/x"])
def test_an_engine_that_is_no_address_is_refused(engine: str, monkeypatch) -> None:
    monkeypatch.setenv("NNPLAY_ENGINE", engine)
    with pytest.raises(preflight.ConfigError) as refused:
        preflight.load_settings()
    assert refused.value.lines == [
        f"NNPLAY_ENGINE: {engine!r} is not an engine: write 'local', 'auto', "
        "'ray://HOST:PORT' (a Ray cluster's client port) or 'HOST:PORT' (its GCS port)"]


@pytest.mark.parametrize("engine", ["local", "auto", "ray://head.school:10001", "10.0.0.5:6379",
                                    "ray://[fd00::5]:10001"])
def test_engines_that_are_addresses_are_taken(engine: str, monkeypatch) -> None:
    monkeypatch.setenv("NNPLAY_ENGINE", engine)
    assert preflight.load_settings().engine == engine


def test_the_local_engine_needs_no_check() -> None:
    preflight.check_engine("local")  # no Ray, no network: returns at once
