"""The fenced code blocks of README.md and docs/*.md, and what the tests do with each.

Every fence names its language. A block of ``sh``/``bash`` or ``python`` is run
against a real server; a ``json`` block must parse; other languages (``text``,
``csv``...) are shown, not run. An HTML comment on the line just above a fence
changes that:

    <!-- doc-test: skip REASON -->   not run; the reason is printed with the skips
    <!-- doc-test: file NAME -->     written to NAME in the folder the blocks run in
    <!-- doc-test: server -->        a command that serves until stopped: it is
                                     started on a free port (NNPLAY_PORT), must
                                     answer /healthz, and is stopped again

A block that works on the checkout (it calls ``make`` or names ``.venv/`` or
``bench/``) runs in the checkout itself, as its reader would; the others run in
a scratch folder that holds the documents' files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ("README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")))
SHELL = ("sh", "bash")
RUNNABLE = (*SHELL, "python")

FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w+-]*)\s*$")
MARKER = re.compile(
    r"^\s*<!--\s*doc-test:\s*(?P<action>skip|file|server)\b\s*(?P<arg>.*?)\s*-->\s*$")
CHECKOUT_COMMAND = re.compile(r"(?:^|[\s;&|(])(?:make\b|\.venv/|bench/)", re.MULTILINE)
SERVER_ADDRESS = re.compile(
    r"(?:https?://)?(?:127\.0\.0\.1|localhost|192\.0\.2\.\d+|<server>):8000(?!\d)")


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its language, its text and what to do with it."""

    doc: str       # e.g. "README.md"
    line: int      # line number of the opening fence (1-based)
    lang: str      # the fence's language, "" if none
    code: str
    action: str    # "run", "skip", "file", "server" or "show"
    arg: str = ""  # the skip's reason or the file's name

    @property
    def name(self) -> str:
        return f"{self.doc}:{self.line}"

    @property
    def in_checkout(self) -> bool:
        """Whether the block works on the checkout (make, .venv/, bench/)."""
        return bool(CHECKOUT_COMMAND.search(self.code))


def parse(doc: str, text: str) -> list[Block]:
    """The blocks of one Markdown document; ValueError for an unclosed fence."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        start, lang = i, opening["lang"]
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "```"), None)
        if end is None:
            raise ValueError(f"{doc}:{start + 1}: a fence that is never closed")
        indent = len(opening["indent"])
        code = "\n".join(line[indent:] for line in lines[start + 1:end]) + "\n"
        marker = MARKER.match(lines[start - 1]) if start > 0 else None
        if marker:
            action, arg = marker["action"], marker["arg"]
        else:
            action, arg = ("run" if lang in RUNNABLE else "show"), ""
        blocks.append(Block(doc, start + 1, lang, code, action, arg))
        i = end + 1
    return blocks


def all_blocks() -> list[Block]:
    """Every block of README.md and docs/*.md, in document order."""
    return [block for doc in DOCUMENTS
            for block in parse(doc, (ROOT / doc).read_text(encoding="utf-8"))]


def for_server(code: str, port: int) -> str:
    """``code`` with the documents' example server addresses (127.0.0.1:8000, the
    example address 192.0.2.10:8000, <server>:8000) pointed at the test's server,
    and a server told to listen on every address (NNPLAY_HOST=0.0.0.0, as a class
    needs) kept to the loopback address."""
    def replace(found: re.Match[str]) -> str:
        scheme = "http://" if found[0].startswith("http") else ""
        return f"{scheme}127.0.0.1:{port}"

    return SERVER_ADDRESS.sub(replace, code).replace("NNPLAY_HOST=0.0.0.0",
                                                     "NNPLAY_HOST=127.0.0.1")
