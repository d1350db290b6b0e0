"""Real database trouble for the tests: a data folder the server cannot write, and
a database that cannot grow (SQLite's own full-disk error)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


def _chattr(flag: str, folder: Path) -> bool:
    """Set or clear the immutable attribute of ``folder``; False where the file
    system or the process cannot."""
    try:
        done = subprocess.run(["chattr", flag, str(folder)], capture_output=True, check=False)
    except OSError:
        return False
    return done.returncode == 0


@contextmanager
def read_only_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``folder`` (and the files in it) read-only for this process while inside;
    yields how. A normal user gets its permissions taken away (chmod). Root, whom
    permissions do not stop, gets the folder made immutable (chattr +i); where the
    file system has no such attribute, every SQLite file is opened read-only
    (``mode=ro``) instead, which SQLite refuses to write just the same."""
    if os.geteuid() != 0:
        files = [p for p in folder.iterdir() if p.is_file()]
        for path in files:
            path.chmod(0o444)
        folder.chmod(0o555)
        try:
            yield "chmod"
        finally:
            folder.chmod(0o755)
            for path in files:
                path.chmod(0o644)
        return
    if _chattr("+i", folder):
        try:
            yield "chattr +i"
        finally:
            assert _chattr("-i", folder), f"could not make {folder} writable again"
        return
    connect = sqlite3.connect

    def read_only(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        return connect(f"{Path(database).resolve().as_uri()}?mode=ro", *args, uri=True,
                       **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(sqlite3, "connect", read_only)
        yield "mode=ro"


@contextmanager
def database_cannot_grow(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every SQLite connection opened while inside caps its file at the pages it
    has (``PRAGMA max_page_count``), so a write that needs one more page fails
    with SQLite's SQLITE_FULL, as on a full disk."""
    connect = sqlite3.connect

    def capped(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        (pages,) = conn.execute("PRAGMA page_count").fetchone()
        conn.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
        return conn

    with monkeypatch.context() as patch:
        patch.setattr(sqlite3, "connect", capped)
        yield
