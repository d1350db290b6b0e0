"""The frame sizes docs/protocol.md quotes are the sizes the server sends (within
15%): a live frame of a 6 x 8 net at the default grids, and of the convolution
lesson, each the first frame a socket gets on connecting."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.app.conftest import TEST_HOSTS
from tests.docs.blocks import ROOT

PROTOCOL = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")


def quoted_kb(sentence_start: str) -> int:
    """The number of KB in the sentence of protocol.md that starts so."""
    found = re.search(re.escape(sentence_start) + r"[^.]*?about (\d+) KB", PROTOCOL)
    assert found, f"protocol.md no longer says: {sentence_start} ... about N KB"
    return int(found[1])


def first_frame_bytes(tmp_path: Path, body: dict[str, Any]) -> int:
    settings = Settings(data_dir=tmp_path, engine_processes=0, allowed_hosts=TEST_HOSTS)
    with TestClient(create_app(settings)) as client:
        run_id = client.post("/api/runs", json=body).json()["id"]
        with client.websocket_connect(f"/ws/runs/{run_id}") as ws:
            return len(ws.receive_bytes())


@pytest.mark.parametrize(("sentence", "body"), [
    ("A 6 x 8 network's frame at the default grids",
     {"spec": {"hidden": [8] * 6, "data": {"name": "circle"}}}),
    ("The convolution lesson's frame", {"lesson": "convolution"}),
])
def test_quoted_frame_size_matches_the_server(sentence: str, body: dict[str, Any],
                                              tmp_path: Path) -> None:
    quoted = quoted_kb(sentence) * 1000
    sent = first_frame_bytes(tmp_path, body)
    assert abs(sent - quoted) <= 0.15 * quoted, f"{sentence}: quoted {quoted}, sent {sent}"
