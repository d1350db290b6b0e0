"""The `nnplay` command line. For now it has one subcommand:

    nnplay serve [--host HOST] [--port PORT]

Options left out fall back to the settings (NNPLAY_HOST, NNPLAY_PORT).
"""

import argparse
from collections.abc import Sequence

from app import __version__
from app.settings import get_settings


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
    return parser


def serve(host: str, port: int) -> int:
    """Run the server until it is stopped."""
    import uvicorn  # imported here so `nnplay --help` stays quick

    uvicorn.run("app.main:app", host=host, port=port)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for the `nnplay` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        settings = get_settings()
        host = args.host if args.host is not None else settings.host
        port = args.port if args.port is not None else settings.port
        return serve(host, port)
    return 2  # unreachable: argparse rejects unknown commands


if __name__ == "__main__":
    raise SystemExit(main())
