"""Run a document's Python blocks in order in one namespace, as a reader pasting
them into one interpreter would: ``python run_python_blocks.py BLOCKS.json``, where
the file holds ``[{"name": "README.md:60", "code": "..."}, ...]``. A traceback
names the document and line of the failing block."""

from __future__ import annotations

import json
import sys


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        blocks = json.load(f)
    namespace: dict[str, object] = {"__name__": "__main__"}
    for block in blocks:
        print(f"--- {block['name']}", flush=True)
        doc, line = block["name"].rsplit(":", 1)
        # pad so that traceback line numbers are the document's own
        source = "\n" * int(line) + block["code"]
        exec(compile(source, doc, "exec"), namespace)


if __name__ == "__main__":
    main(sys.argv[1])
