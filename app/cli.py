"""The `nnplay` command line:

    nnplay serve [--host HOST] [--port PORT]
    nnplay lessons [--language zh-Hant] [--json]
    nnplay train (SPEC.json | --lesson NAME [--variant V] [--seed S]) --steps N
                 [--save NAME [--database FILE]]

`serve` checks the settings and the data folder (one line naming the environment
variable if either is wrong, exit status 2), then starts the web server (options
left out fall back to NNPLAY_HOST and NNPLAY_PORT). `lessons` lists the lessons
with their variants. `train` trains in the terminal, with a progress bar on
standard error when that is a terminal, prints the final metrics on standard
output, and with `--save` stores the run as a saved model in the server's database
(the same settings as the server: NNPLAY_DATA_DIR or NNPLAY_DATABASE, or
`--database`), where the page and the API list it.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app import __version__
from app.preflight import (
    ConfigError,
    check_engine,
    check_listening,
    load_settings,
    older_data,
    open_store,
    settings_store,
)
from engine.errors import SpecError

if TYPE_CHECKING:
    from app.store import ModelStore
    from engine.trainer import Trainer

BAR_WIDTH = 30


def port_number(text: str) -> int:
    """A TCP port to listen on, 1 to 65535 (argparse type)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (1 to 65535)")
    return port


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser for `nnplay`."""
    parser = argparse.ArgumentParser(
        prog="nnplay", description="A live neural-network playground for classrooms."
    )
    parser.add_argument("--version", action="version", version=f"nnplay {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="start the web server")
    serve.add_argument("--host", default=None, help="address to listen on (default: settings)")
    serve.add_argument(
        "--port", type=port_number, default=None, help="port to listen on (default: settings)"
    )

    lessons = commands.add_parser("lessons", help="list the lessons and their variants")
    lessons.add_argument("--language", choices=("en", "zh-Hant"), default="en",
                         help="language of the titles (default: en)")
    lessons.add_argument("--json", action="store_true",
                         help="print names, titles and variants as JSON")

    train = commands.add_parser("train", help="train a spec or a lesson in the terminal")
    source = train.add_mutually_exclusive_group(required=True)
    source.add_argument("spec", nargs="?", type=Path, help="a JSON spec file")
    source.add_argument("--lesson", help="a lesson name (see `nnplay lessons`)")
    train.add_argument("--variant", help="one of the lesson's variants")
    train.add_argument("--seed", type=int, default=None,
                       help="with --lesson: a seed drawn for it, for the run and its data "
                            "set both (the preset is 0)")
    train.add_argument("--steps", type=int, required=True, help="training steps")
    train.add_argument("--save", metavar="NAME", help="save the trained run as a model")
    train.add_argument("--database", type=Path, default=None,
                       help="the SQLite file to save into (default: the server's, from "
                            "NNPLAY_DATABASE or NNPLAY_DATA_DIR)")
    return parser


def serve(host: str, port: int) -> int:
    """Run the server until it is stopped."""
    import uvicorn  # imported here so `nnplay --help` stays quick

    from app.settings import get_settings

    # proxy_headers off: uvicorn would believe X-Forwarded-For from 127.0.0.1 (or
    # its FORWARDED_ALLOW_IPS); the app believes it from NNPLAY_TRUSTED_PROXIES only
    uvicorn.run("app.main:app", host=host, port=port, proxy_headers=False,
                ws_per_message_deflate=get_settings().ws_compression)
    return 0


def progress_line(done: int, total: int, loss: float | None) -> str:
    """``[#####-----]  50%  500/1000 steps  loss 0.123``"""
    share = done / total if total else 1.0
    filled = round(share * BAR_WIDTH)
    loss_text = f"  loss {loss:.4g}" if loss is not None else ""
    return (f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {share:4.0%}  "
            f"{done}/{total} steps{loss_text}")


def lessons(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Print each lesson's name and title, and its variants indented below it."""
    out = out if out is not None else sys.stdout
    from engine.lessons import list_lessons

    entries = [{"name": lesson["name"], "title": lesson["title"],
                "variants": [{"name": v["name"], "label": v["label"]}
                             for v in lesson["variants"]]}
               for lesson in list_lessons(args.language)]
    if args.json:
        print(json.dumps(entries, ensure_ascii=False, indent=2), file=out)
        return 0
    width = max(len(entry["name"]) for entry in entries)
    for entry in entries:
        print(f"{entry['name']:{width}s}  {entry['title']}", file=out)
        for variant in entry["variants"]:
            print(f"{'':{width}s}    --variant {variant['name']}: {variant['label']}", file=out)
    return 0


def read_spec(path: Path) -> dict:
    """The JSON spec in ``path`` (UTF-8, a byte-order mark allowed, as editors on
    Windows write it); ValueError or OSError saying what is wrong."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text (save it as UTF-8)") from None
    return json.loads(text)


def store_for(args: argparse.Namespace) -> ModelStore:
    """The store ``--save`` writes to (``--database``, else the server's), opened
    before training so that a problem is said before the wait; ConfigError."""
    from app.store import check_name

    try:
        check_name(args.save)
    except ValueError as err:
        raise ConfigError([f"--save: {err}"]) from None
    settings = load_settings()
    if args.database is not None:
        return open_store(args.database.expanduser(), "--database", settings.max_models)
    return settings_store(settings)


def train(args: argparse.Namespace, out: TextIO | None = None,
          progress: TextIO | None = None) -> int:
    """Train, show progress (on ``progress``, default standard error when it is a
    terminal, else nowhere) and print the final metrics on ``out``; 0 on success,
    2 on bad input."""
    out = out if out is not None else sys.stdout
    if progress is None and sys.stderr.isatty():
        progress = sys.stderr
    from engine.lessons import get_lesson
    from engine.lessons.base import Draw
    from engine.spec import MAX_SEED
    from engine.trainer import Trainer

    if args.steps < 0:
        print("nnplay train: --steps must be 0 or more", file=sys.stderr)
        return 2
    if args.variant and not args.lesson:
        print("nnplay train: --variant goes with --lesson", file=sys.stderr)
        return 2
    if args.seed is not None and not args.lesson:
        print("nnplay train: --seed goes with --lesson (a spec file has its own seed)",
              file=sys.stderr)
        return 2
    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        print(f"nnplay train: --seed must be 0 to {MAX_SEED}", file=sys.stderr)
        return 2
    try:
        store = store_for(args) if args.save is not None else None
    except ConfigError as problem:
        print(f"nnplay train: {problem}", file=sys.stderr)
        return 2
    try:
        if args.lesson:
            draw = None if args.seed is None else Draw.both(args.seed)
            trainer = get_lesson(args.lesson).trainer(args.variant, draw=draw)
        else:
            trainer = Trainer(read_spec(args.spec))
    except SpecError as err:  # before ValueError, which it is
        print(f"nnplay train: bad spec: {err}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as err:  # json.JSONDecodeError is a ValueError
        print(f"nnplay train: cannot read {args.spec}: {err}", file=sys.stderr)
        return 2
    except KeyError as err:
        print(f"nnplay train: {err.args[0]}", file=sys.stderr)
        return 2

    chunk = max(1, args.steps // 100)
    done = 0
    while done < args.steps:
        n = min(chunk, args.steps - done)
        metrics = trainer.train(n)
        done += n
        if progress is not None:
            print("\r" + progress_line(done, args.steps, metrics["train_loss"]), end="",
                  file=progress, flush=True)
        if metrics["status"] == "diverged":
            break
    if progress is not None and args.steps:
        print(file=progress)
    metrics = trainer.metrics()
    for key, value in metrics.items():
        print(f"{key:15s} {value}", file=out)
    if store is not None:
        return save(trainer, args, store, out)
    return 0


def save(trainer: Trainer, args: argparse.Namespace, store: ModelStore, out: TextIO) -> int:
    """Store the trained run as a model in ``store``; say its id and where."""
    from app.store import summary_of
    from engine.checkpoint import export_run

    record = export_run(trainer)
    try:
        saved = store.save(args.save, record, summary_of(record, args.lesson, args.variant))
    except (ValueError, OSError, sqlite3.Error, RuntimeError) as err:  # StoreFull too
        print(f"nnplay train: not saved: {err}", file=sys.stderr)
        return 2
    print(f"saved as model {saved['id']} ({saved['name']}) in {store.path.resolve()}",
          file=out)
    return 0


def start_server(host: str | None, port: int | None) -> int:
    """Check the settings and the data folder, then serve; 2 with one line per problem."""
    try:
        settings = load_settings()
        database = settings_store(settings).path
        host = host if host is not None else settings.host
        port = port if port is not None else settings.port
        check_listening(host, port)
        check_engine(settings.engine)
    except ConfigError as problem:
        for line in problem.lines:
            print(f"nnplay: {line}", file=sys.stderr)
        return 2
    print(f"nnplay: saved models and uploads in {database.resolve()}", file=sys.stderr)
    older = older_data(settings)
    if older is not None:
        print(f"nnplay: {older}", file=sys.stderr)
    return serve(host, port)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for the `nnplay` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    commands = {"serve": lambda: start_server(args.host, args.port),
                "lessons": lambda: lessons(args), "train": lambda: train(args)}
    try:
        status = commands[args.command]()
        sys.stdout.flush()  # here, where a closed pipe can still be answered quietly
        return status
    except BrokenPipeError:  # the reader went away (`nnplay lessons | head -1`): fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
