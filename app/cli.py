"""The `nnplay` command line:

    nnplay serve [--host HOST] [--port PORT]
    nnplay train (SPEC.json | --lesson NAME [--variant V]) --steps N [--save NAME]

`serve` starts the web server (options left out fall back to the settings,
NNPLAY_HOST and NNPLAY_PORT). `train` trains in the terminal with a progress bar,
prints the final metrics, and with `--save` stores the run as a saved model in the
server's database (NNPLAY_DATA_DIR or NNPLAY_DATABASE), where the page and the API
find it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from app import __version__
from app.settings import get_settings
from engine.errors import SpecError

BAR_WIDTH = 30


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
        "--port", type=int, default=None, help="port to listen on (default: settings)"
    )

    train = commands.add_parser("train", help="train a spec or a lesson in the terminal")
    source = train.add_mutually_exclusive_group(required=True)
    source.add_argument("spec", nargs="?", type=Path, help="a JSON spec file")
    source.add_argument("--lesson", help="a lesson name (see the catalogue)")
    train.add_argument("--variant", help="one of the lesson's variants")
    train.add_argument("--steps", type=int, required=True, help="training steps")
    train.add_argument("--save", metavar="NAME", help="save the trained run as a model")
    return parser


def serve(host: str, port: int) -> int:
    """Run the server until it is stopped."""
    import uvicorn  # imported here so `nnplay --help` stays quick

    uvicorn.run("app.main:app", host=host, port=port,
                ws_per_message_deflate=get_settings().ws_compression)
    return 0


def progress_line(done: int, total: int, loss: float | None) -> str:
    """``[#####-----]  50%  500/1000 steps  loss 0.123``"""
    share = done / total if total else 1.0
    filled = round(share * BAR_WIDTH)
    loss_text = f"  loss {loss:.4g}" if loss is not None else ""
    return (f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {share:4.0%}  "
            f"{done}/{total} steps{loss_text}")


def train(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Train, print progress and final metrics; 0 on success, 2 on bad input."""
    out = out if out is not None else sys.stdout
    from engine.checkpoint import export_run
    from engine.lessons import get_lesson
    from engine.trainer import Trainer

    if args.steps < 0:
        print("nnplay train: --steps must be 0 or more", file=sys.stderr)
        return 2
    try:
        if args.lesson:
            trainer = get_lesson(args.lesson).trainer(args.variant)
        else:
            spec = json.loads(args.spec.read_text(encoding="utf-8"))
            trainer = Trainer(spec)
    except (OSError, json.JSONDecodeError) as err:
        print(f"nnplay train: cannot read {args.spec}: {err}", file=sys.stderr)
        return 2
    except KeyError as err:
        print(f"nnplay train: {err.args[0]}", file=sys.stderr)
        return 2
    except SpecError as err:
        print(f"nnplay train: bad spec: {err}", file=sys.stderr)
        return 2

    chunk = max(1, args.steps // 100)
    done = 0
    while done < args.steps:
        n = min(chunk, args.steps - done)
        metrics = trainer.train(n)
        done += n
        print("\r" + progress_line(done, args.steps, metrics["train_loss"]), end="", file=out)
        if metrics["status"] == "diverged":
            break
    print(file=out)
    metrics = trainer.metrics()
    for key, value in metrics.items():
        print(f"{key:15s} {value}", file=out)
    if args.save:
        from app.store import ModelStore

        store = ModelStore(get_settings().database_path, max_models=get_settings().max_models)
        summary = {"lesson": args.lesson, "dataset": trainer.spec.data.name,
                   "step": trainer.step_count}
        try:
            saved = store.save(args.save, export_run(trainer), summary)
        except ValueError as err:
            print(f"nnplay train: not saved: {err}", file=sys.stderr)
            return 2
        print(f"saved as model {saved['id']} ({saved['name']})", file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for the `nnplay` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        settings = get_settings()
        host = args.host if args.host is not None else settings.host
        port = args.port if args.port is not None else settings.port
        return serve(host, port)
    if args.command == "train":
        return train(args)
    return 2  # unreachable: argparse rejects unknown commands


if __name__ == "__main__":
    raise SystemExit(main())
