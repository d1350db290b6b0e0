"""docs/page.md names every ES module and template the pages are made of, so a new
module cannot go undocumented."""

from __future__ import annotations

import pytest

from tests.docs.blocks import ROOT

PAGE_DOC = (ROOT / "docs" / "page.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", ["static/js", "templates"])
def test_page_doc_names_every_file(folder: str) -> None:
    """Modules are named by their path under static/js (``network/view.js``)."""
    files = sorted(p.relative_to(ROOT / folder).as_posix() for p in (ROOT / folder).rglob("*")
                   if p.suffix in (".js", ".html"))
    missing = [name for name in files if name not in PAGE_DOC]
    assert files and not missing, f"docs/page.md does not describe {missing}"
