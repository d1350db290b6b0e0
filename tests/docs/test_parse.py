"""How blocks.py reads a document: languages, markers, indents, unclosed fences,
and the example server address pointed at the test's server."""

from __future__ import annotations

import pytest

from tests.docs.blocks import for_server, parse

DOC = """# A page

```sh
echo one
```

<!-- doc-test: skip needs a GPU -->
```python
import torch
```

<!-- doc-test: file points.csv -->
```csv
x1,x2,label
```

- a list item with a block:

  ```python
  print("indented")
  ```
"""


def test_parse_reads_languages_markers_and_indents() -> None:
    blocks = parse("a.md", DOC)
    assert [(b.line, b.lang, b.action, b.arg) for b in blocks] == [
        (3, "sh", "run", ""), (8, "python", "skip", "needs a GPU"),
        (13, "csv", "file", "points.csv"), (19, "python", "run", "")]
    assert blocks[0].code == "echo one\n"
    assert blocks[3].code == 'print("indented")\n'
    assert blocks[1].name == "a.md:8"


def test_parse_refuses_an_unclosed_fence() -> None:
    with pytest.raises(ValueError, match=r"a\.md:2: a fence that is never closed"):
        parse("a.md", "text\n```sh\nls\n")


def test_for_server_points_examples_at_the_test_server() -> None:
    code = ('httpx.Client(base_url="http://192.0.2.10:8000/api")\n'
            'curl "http://127.0.0.1:8000/api/uploads"\nSERVER = "127.0.0.1:8000"\n'
            "open http://<server>:8000/teacher; keep http://127.0.0.1:80001\n"
            "NNPLAY_HOST=0.0.0.0 make run")
    assert for_server(code, 4321) == (
        'httpx.Client(base_url="http://127.0.0.1:4321/api")\n'
        'curl "http://127.0.0.1:4321/api/uploads"\nSERVER = "127.0.0.1:4321"\n'
        "open http://127.0.0.1:4321/teacher; keep http://127.0.0.1:80001\n"
        "NNPLAY_HOST=127.0.0.1 make run")


def test_blocks_that_work_on_the_checkout_run_in_it() -> None:
    blocks = parse("a.md", "```sh\nmake bench\n```\n```sh\n.venv/bin/python bench/x.py\n```\n"
                           "```sh\nNNPLAY_HOST=0.0.0.0 make run\n```\n"
                           "```sh\nnnplay train spec.json --steps 5\n```\n"
                           "```sh\ncurl --data-binary @points.csv http://x/make\n```\n")
    assert [b.in_checkout for b in blocks] == [True, True, True, False, False]
