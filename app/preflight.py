"""What the server checks before it starts: settings that parse, and a data folder it
can write. Each problem is one line that names the environment variable to change
and what it needs, instead of a traceback that names an internal field.

    settings = load_settings()         # ConfigError: "NNPLAY_PORT: ..." per bad variable
    check_data_folder(settings)        # ConfigError: "NNPLAY_DATA_DIR: ..." if unwritable
    check_listening(host, port)        # ConfigError: the port in use, an unknown host
"""

from __future__ import annotations

import errno
import re
import socket
import sqlite3
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import SettingsError

from app.settings import Settings, get_settings

ENV_PREFIX = "NNPLAY_"


class ConfigError(Exception):
    """Settings the server cannot start with; ``lines`` holds one sentence per problem."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def variable(field: str) -> str:
    """The environment variable that sets ``field``: ``teacher_token`` -> NNPLAY_TEACHER_TOKEN."""
    return ENV_PREFIX + field.upper()


def explain(error: dict[str, Any]) -> str:
    """One pydantic error as ``NNPLAY_X: what it needs`` (the value itself is not
    repeated: it may be the teacher's token)."""
    field = str(error["loc"][0]) if error.get("loc") else "?"
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "too_short" and "min_length" in ctx:
        need = f"must be at least {ctx['min_length']} characters long"
    elif kind == "value_error":
        need = str(error["msg"]).removeprefix("Value error, ")
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        need = error["msg"].replace("Input should", "must").replace("Value should", "must")
    else:
        msg = str(error.get("msg", "is not valid"))
        need = re.sub(r"^(Input|Value) should", "must", msg)
    return f"{variable(field)}: {need}"


def load_settings() -> Settings:
    """The settings from the environment; ConfigError naming each bad variable."""
    get_settings.cache_clear()
    try:
        return get_settings()
    except ValidationError as err:
        raise ConfigError([explain(e) for e in err.errors()]) from None  # type: ignore[arg-type]
    except SettingsError as err:
        found = re.search(r'field "(\w+)"', str(err))
        field = found.group(1) if found else "?"
        raise ConfigError(
            [f"{variable(field)}: must be JSON, e.g. '[\"https://school.example\"]'"]) from None


def check_database(path: Path, name: str) -> Path:
    """Make ``path``'s folder if missing and open the SQLite file for writing;
    returns ``path``, or ConfigError naming the variable (or option) ``name``."""
    try:
        if path.is_dir():
            raise ConfigError([f"{name}: {path} is a folder; name the database file"])
        for folder in (path.parent, *path.parent.parents):
            if folder.exists() and not folder.is_dir():
                raise ConfigError([f"{name}: {folder} is a file, not a folder"])
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path, timeout=5) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS _nnplay_write_check (x)")
            conn.execute("DROP TABLE _nnplay_write_check")
        conn.close()
    except (OSError, sqlite3.Error) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise ConfigError(
            [f"{name}: cannot write the database {path} ({reason}); choose a folder "
             "this user can write"]) from None
    return path


def check_data_folder(settings: Settings) -> Path:
    """The settings' database, checked as :func:`check_database` does, naming
    NNPLAY_DATABASE (when it is set) or NNPLAY_DATA_DIR."""
    name = variable("database") if settings.database is not None else variable("data_dir")
    return check_database(settings.database_path, name)


def check_listening(host: str, port: int) -> None:
    """ConfigError naming NNPLAY_HOST or NNPLAY_PORT (or the options) when the
    server could not listen there: an unknown address, or a port in use."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as err:
        raise ConfigError([f"NNPLAY_HOST (or --host): cannot listen on {host!r} "
                           f"({getattr(err, 'strerror', None) or err})"]) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            reason = ("in use: is another server running there?"
                      if err.errno == errno.EADDRINUSE else err.strerror or str(err))
            which = "NNPLAY_HOST (or --host)" if err.errno == errno.EADDRNOTAVAIL \
                else "NNPLAY_PORT (or --port)"
            raise ConfigError([f"{which}: cannot listen on {host}:{port} ({reason})"]) from None
