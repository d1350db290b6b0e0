"""`python -m app`: what `nnplay serve` does (check the settings, then serve on the
configured host and port)."""

from app.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["serve"]))
