"""Sorting real SQLite failures: busy (try again), a full disk, a data folder the
server cannot write, a data folder that is gone."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.store_errors import BUSY, FULL, MISSING, diagnose, probe_folder
from tests.app.conftest import SMALL_SPEC, CheckedClient, only_error
from tests.app.store_trouble import database_cannot_grow, read_only_folder

POINTS = "".join(f"{i / 100},{-i / 50},{i % 2}\n" for i in range(400)).encode()
"""An upload of 400 points: more than the free room of the database's pages."""


def make_database(folder: Path) -> Path:
    """A WAL-mode SQLite file with one table in ``folder``, closed again."""
    folder.mkdir(exist_ok=True)
    path = folder / "nnplay.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (a TEXT)")
    conn.execute("INSERT INTO t VALUES ('first')")
    conn.close()
    return path


def failed_write(path: Path, timeout: float = 5.0) -> sqlite3.Error:
    """The error of writing a row into ``path`` (the write must fail)."""
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t VALUES (?)", ("x" * 20_000,))
            conn.execute("COMMIT")
        finally:
            conn.close()
    except sqlite3.Error as err:
        return err
    raise AssertionError(f"writing {path} did not fail")


def test_a_full_database_is_a_507_without_retry(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_database(tmp_path / "data")
    with database_cannot_grow(monkeypatch):
        err = failed_write(path)
    assert err.sqlite_errorname == "SQLITE_FULL"
    trouble = diagnose(err, path)
    assert trouble == FULL
    assert (trouble.status, trouble.kind, trouble.retry_after) == (507, "disk_full", None)
    assert "disk is full" in trouble.message


def test_a_folder_that_cannot_be_written_is_a_503_without_retry(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "data"
    path = make_database(folder)
    with read_only_folder(folder, monkeypatch) as how:
        err = failed_write(path)
        trouble = diagnose(err, path)
    assert (trouble.status, trouble.kind, trouble.retry_after) == (
        503, "data_folder_not_writable", None), (how, err)
    assert trouble.message.startswith("the server's data folder cannot be written ("), how
    assert err.sqlite_errorname != "SQLITE_BUSY"
    assert probe_folder(folder) is None  # writable again afterwards


def test_a_locked_database_is_busy_and_worth_a_retry(tmp_path: Path) -> None:
    path = make_database(tmp_path / "data")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        err = failed_write(path, timeout=0)
    finally:
        holder.close()
    assert err.sqlite_errorname == "SQLITE_BUSY"
    trouble = diagnose(err, path)
    assert trouble == BUSY
    assert (trouble.status, trouble.kind, trouble.retry_after) == (503, "store_unavailable", 5)


def test_a_folder_that_is_gone_is_said_so(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    path = make_database(folder)
    shutil.rmtree(folder)
    err = failed_write(path)
    assert err.sqlite_errorname == "SQLITE_CANTOPEN"
    assert diagnose(err, path) == MISSING
    assert MISSING.retry_after is None and "gone" in MISSING.message


def test_probing_a_writable_folder_leaves_nothing_behind(tmp_path: Path) -> None:
    assert probe_folder(tmp_path) is None
    assert list(tmp_path.iterdir()) == []
    assert isinstance(probe_folder(tmp_path / "missing"), FileNotFoundError)


# -- what a client gets -------------------------------------------------------------
def saved_run(client: CheckedClient) -> str:
    """A run whose saved record (two layers of 64 units, about 100 KB) needs new
    pages in the database."""
    spec = {**SMALL_SPEC, "hidden": [64, 64]}
    run_id = client.post("/api/runs", json={"spec": spec}).json()["id"]
    client.post(f"/api/runs/{run_id}/train", json={"steps": 5})
    return run_id


def test_a_full_disk_answers_507_saying_so(open_client: Callable[..., Any],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    with open_client() as client:
        run_id = saved_run(client)
        with database_cannot_grow(monkeypatch):
            response = client.post(f"/api/runs/{run_id}/save", json={"name": "kept?"})
            assert response.status_code == 507
            error = only_error(response)
            assert error["type"] == "disk_full" and "disk is full" in error["msg"]
            assert "retry-after" not in response.headers
            upload = client.post("/api/uploads", content=POINTS,
                                 headers={"content-type": "text/csv"})
            assert upload.status_code == 507 and only_error(upload)["type"] == "disk_full"
            listing = client.get("/api/models")  # reading needs no room
            assert listing.status_code == 200 and listing.json()["total"] == 0
        assert client.post(f"/api/runs/{run_id}/save", json={"name": "kept"}).status_code == 201


def test_a_data_folder_that_cannot_be_written_answers_503_saying_so(
        open_client: Callable[..., Any], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with open_client() as client:
        run_id = saved_run(client)
        with read_only_folder(tmp_path, monkeypatch) as how:
            response = client.post(f"/api/runs/{run_id}/save", json={"name": "kept?"})
            assert response.status_code == 503, (how, response.text)
            error = only_error(response)
            assert error["type"] == "data_folder_not_writable", how
            assert error["msg"].startswith("the server's data folder cannot be written")
            assert "retry-after" not in response.headers
        assert client.post(f"/api/runs/{run_id}/save", json={"name": "kept"}).status_code == 201


def test_a_busy_database_still_answers_503_with_retry_after(
        open_client: Callable[..., Any], tmp_path: Path) -> None:
    with open_client() as client:
        run_id = saved_run(client)
        holder = sqlite3.connect(tmp_path / "nnplay.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process writing for longer than 5 s
        try:
            response = client.post(f"/api/runs/{run_id}/save", json={"name": "later"})
        finally:
            holder.close()
        assert response.status_code == 503
        assert only_error(response)["type"] == "store_unavailable"
        assert response.headers["retry-after"] == "5"
        assert client.post(f"/api/runs/{run_id}/save", json={"name": "now"}).status_code == 201
