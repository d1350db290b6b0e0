"""What a failed SQLite call says about the database: busy, or a disk that is full,
or a data folder the server cannot write.

The stores (saved models, uploads, classes) share one SQLite file and let a
``sqlite3.Error`` escape when a call fails. Most failures pass: another process
held the write lock for longer than the stores wait (``SQLITE_BUSY``), and the
client should try again. Two do not pass by themselves, and the client is told so,
with no ``Retry-After``:

* the disk is full: SQLite's ``SQLITE_FULL``;
* the data folder cannot be written: ``SQLITE_READONLY`` (a read-only file or
  folder, a file system remounted read-only), or a database SQLite cannot open
  (``SQLITE_CANTOPEN``) or write (``SQLITE_IOERR``) in a folder where creating a
  file fails for want of permission or on a read-only file system (as root,
  whom permissions do not stop, an immutable folder shows up only this way).
  Creating that file also tells a full disk (no space) and a folder that is gone.

:func:`diagnose` sorts an error into a :class:`StoreTrouble`: the status, the
error ``type`` and the sentence the client gets, and whether to send
``Retry-After``.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from app.error_codes import message

SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN = 8, 10, 13, 14
"""SQLite's primary result codes (the low byte of an extended code)."""

RETRY_SECONDS = 5
"""Told to a client that found the database busy (the stores wait 5 s for a lock)."""

CANNOT_WRITE = (errno.EROFS, errno.EACCES, errno.EPERM)
"""What creating a file in a folder that cannot be written fails with."""


@dataclass(frozen=True)
class StoreTrouble:
    """How to answer a failed database call.

    Attributes:
        status: 507 for a full disk, else 503.
        kind: the error's ``type``: ``disk_full``, ``data_folder_not_writable``,
            ``data_folder_missing`` or ``store_unavailable`` (busy: try again).
        message: the sentence the client reads.
        retry_after: seconds for ``Retry-After``, or None where waiting does not help.
        params: the parameters of ``message`` (its ``ctx``).
    """

    status: int
    kind: str
    message: str
    retry_after: int | None = None
    params: dict[str, str] = field(default_factory=dict)


BUSY = StoreTrouble(503, "store_unavailable", "the database is busy or unavailable; try "
                    "again in a moment", RETRY_SECONDS)
FULL = StoreTrouble(507, "disk_full", "the server's disk is full: nothing can be saved "
                    "until space is freed on it (tell whoever runs the server)")


def not_writable(reason: str) -> StoreTrouble:
    """The answer for a data folder the server cannot write, ``reason`` saying why."""
    return StoreTrouble(503, "data_folder_not_writable",
                        message("data_folder_not_writable", reason=reason),
                        params={"reason": reason})


MISSING = StoreTrouble(503, "data_folder_missing", "the server's data folder is gone: "
                       "saved models, uploads and classes fail until it is back (tell "
                       "whoever runs the server)")


def _code(err: sqlite3.Error) -> int | None:
    code = getattr(err, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def probe_folder(folder: Path) -> OSError | None:
    """Create and remove a file in ``folder``: the OSError that fails it, or None."""
    try:
        handle, name = tempfile.mkstemp(prefix=".nnplay-probe-", dir=folder)
    except OSError as err:
        return err
    os.close(handle)
    os.unlink(name)
    return None


def diagnose(err: sqlite3.Error, database: Path) -> StoreTrouble:
    """Sort a failed call on the SQLite file ``database`` (see the module docstring);
    the folder is probed only for an error SQLite does not explain itself."""
    code = _code(err)
    if code == SQLITE_FULL:
        return FULL
    if code == SQLITE_READONLY:
        return not_writable("the database file or its folder is read-only")
    if code not in (SQLITE_CANTOPEN, SQLITE_IOERR):
        return BUSY
    problem = probe_folder(database.parent)
    if problem is None:
        return BUSY
    if problem.errno == errno.ENOSPC:
        return FULL
    if problem.errno == errno.ENOENT:
        return MISSING
    if problem.errno in CANNOT_WRITE:
        return not_writable(os.strerror(problem.errno).lower())
    return BUSY
