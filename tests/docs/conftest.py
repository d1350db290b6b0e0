"""At the end of a run that collected the documentation tests: how many blocks of
README.md and docs/*.md were run, skipped (with their reasons) or only shown."""

from __future__ import annotations

import pytest

from tests.docs.blocks import RUNNABLE, all_blocks


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    blocks = all_blocks()
    skipped = [b for b in blocks if b.action == "skip"]
    run = [b for b in blocks if b.action in ("run", "server") and b.lang in RUNNABLE]
    shown = len(blocks) - len(skipped) - len(run)
    terminalreporter.write_line(
        f"documentation blocks: {len(run)} run, {len(skipped)} skipped, {shown} data or "
        "examples (files written, JSON parsed, layouts shown)")
    for block in skipped:
        terminalreporter.write_line(f"  skipped {block.name}: {block.arg}")
