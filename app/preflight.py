"""What the server checks before it starts: settings that parse, and a data folder it
can write. Each problem is one line that names the environment variable to change
and what it needs, instead of a traceback that names an internal field.

    settings = load_settings()         # ConfigError: "NNPLAY_PORT: ..." per bad variable
    settings_store(settings)           # ConfigError: "NNPLAY_DATA_DIR: ..." if unwritable
    check_listening(host, port)        # ConfigError: the port in use, an unknown host
    check_engine(settings.engine)      # ConfigError: "NNPLAY_ENGINE: ..." if not joined
"""

from __future__ import annotations

import errno
import os
import re
import socket
import sqlite3
import threading
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import SettingsError

from app.settings import Settings, get_settings
from app.store import ModelStore

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


JSON_EXAMPLES = {"allowed_hosts": '["laptop.school.example"]'}
"""An example value of each setting written as JSON (the origins' is the default)."""


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
        example = JSON_EXAMPLES.get(field, '["https://school.example"]')
        raise ConfigError([f"{variable(field)}: must be JSON, e.g. '{example}'"]) from None


def open_store(path: Path, name: str, max_models: int = 1000) -> ModelStore:
    """The model store in the SQLite file ``path``, opened as the server opens it
    (its folder made, its tables written if new); ConfigError naming the variable
    (or option) ``name`` when that cannot be done."""
    if path.is_dir():
        raise ConfigError([f"{name}: {path} is a folder; name the database file"])
    for folder in (path.parent, *path.parent.parents):
        if folder.exists() and not folder.is_dir():
            raise ConfigError([f"{name}: {folder} is a file, not a folder"])
    try:
        return ModelStore(path, max_models=max_models)
    except (OSError, sqlite3.Error, RuntimeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise ConfigError(
            [f"{name}: cannot write the database {path} ({reason}); choose a folder "
             "this user can write"]) from None


def settings_store(settings: Settings) -> ModelStore:
    """The settings' database, opened as :func:`open_store` does, or ConfigError
    naming NNPLAY_DATABASE (when it is set) or NNPLAY_DATA_DIR."""
    name = variable("database") if settings.database is not None else variable("data_dir")
    return open_store(settings.database_path, name, settings.max_models)


def check_listening(host: str, port: int) -> None:
    """ConfigError naming NNPLAY_HOST or NNPLAY_PORT (or the options) when the
    server could not listen there (an unknown address, or a port in use), found by
    binding a socket the way uvicorn will (IPv6 for an address with a colon)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except (OSError, UnicodeError) as err:
            code = getattr(err, "errno", None)
            if code == errno.EADDRINUSE:
                raise ConfigError([f"NNPLAY_PORT (or --port): cannot listen on {host}:{port} "
                                   "(in use: is another server running there?)"]) from None
            reason = getattr(err, "strerror", None) or str(err)
            raise ConfigError([f"NNPLAY_HOST (or --host): cannot listen on {host!r} "
                               f"({reason})"]) from None


ENGINE_CHECK_SECONDS = 5.0
"""How long the server tries to reach a Ray cluster's port before it says it cannot."""

ENGINE_JOIN_SECONDS = 60.0
"""How long joining a Ray cluster that answers may take (Ray retries for minutes)."""


def check_engine(engine: str) -> None:
    """Join the Ray cluster the setting ``engine`` names (nothing for "local"), or
    ConfigError naming NNPLAY_ENGINE: Ray not installed, the cluster's port (for
    ``auto``, RAY_ADDRESS's, when set) not answering within
    :data:`ENGINE_CHECK_SECONDS`, joining failing or taking over
    :data:`ENGINE_JOIN_SECONDS`, or a cluster with no free CPU for an engine worker."""
    if engine == "local":
        return
    name = f"{variable('engine')}={engine}"
    try:
        from app.cluster_engine import connect, free_cpus, unanswered
    except ImportError:
        raise ConfigError([f"{name}: Ray is not installed with this server; install it "
                           "with: pip install 'nnplay[cluster]'"]) from None
    target = os.environ.get("RAY_ADDRESS", "") if engine == "auto" else engine
    if target:
        where = f" (RAY_ADDRESS={target})" if engine == "auto" else ""
        reason = unanswered(target, ENGINE_CHECK_SECONDS)
        if reason is not None:
            raise ConfigError([f"{name}: cannot reach the Ray cluster{where} ({reason}): is "
                               "it running, and is its port open to this machine?"])
    outcome: list[BaseException | tuple[int, int]] = []

    def join() -> None:
        try:
            connect(engine)
            outcome.append(free_cpus())
        except BaseException as err:  # reported below, in the caller's thread
            outcome.append(err)

    joiner = threading.Thread(target=join, daemon=True, name="engine-join")
    joiner.start()
    joiner.join(ENGINE_JOIN_SECONDS)
    if not outcome:
        raise ConfigError([f"{name}: the Ray cluster did not let this server join within "
                           f"{ENGINE_JOIN_SECONDS:.0f} s"])
    if isinstance(outcome[0], BaseException):
        err = outcome[0]
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise ConfigError([f"{name}: cannot join the Ray cluster ({first})"])
    free, total = outcome[0]
    if free < 1:
        raise ConfigError([f"{name}: the Ray cluster has no free CPU for an engine worker "
                           f"({total} in all, all in use; `ray start` takes --num-cpus)"])


OLD_DATA_DIR = Path("data")
"""Where nnplay kept its data, relative to the folder it started in, before the
default became the user's data folder."""


def older_data(settings: Settings, cwd: Path | None = None) -> str | None:
    """A line for the start when the data folder is the default but ``./data``
    holds the database of an older nnplay (which used that folder); else None."""
    if {"data_dir", "database"} & settings.model_fields_set:
        return None
    old = (cwd if cwd is not None else Path.cwd()) / OLD_DATA_DIR / "nnplay.db"
    if not old.is_file() or old.resolve() == settings.database_path.resolve():
        return None
    return (f"{old} holds saved models of an older nnplay, which kept its data in ./data; "
            f"set NNPLAY_DATA_DIR={old.parent} to keep using them")
