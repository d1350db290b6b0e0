"""Tests for the SQLite store of uploaded data sets (app/upload_store.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from app.client_limits import ClientLimitError
from app.store import ModelStore
from app.upload_store import (
    UploadNotFound,
    UploadsFull,
    UploadStore,
    content_id,
    resolve_uploads,
    summarise,
)
from engine.errors import SpecError

ROWS = [[0.0, 0.0, 0.0], [0.0, 2.0, 1.0], [4.0, 0.0, 1.0], [4.0, 2.0, 0.0], [1.0, 1.0, 1.0]]


def fragment(rows: list[list[float]] = ROWS, kind: str = "binary") -> dict[str, Any]:
    return {"name": "points", "kind": kind, "points": rows}


@pytest.fixture
def store(tmp_path: Path) -> UploadStore:
    return UploadStore(tmp_path / "nnplay.db", max_uploads=3)


def test_add_get_list_delete(store: UploadStore) -> None:
    entry, created = store.add(" square ", fragment())
    assert created and entry["name"] == "square" and entry["kind"] == "binary"
    assert entry["rows"] == 5 and entry["classes"] == 2 and entry["counts"] == [2, 3]
    assert entry["extent"] == pytest.approx([-0.4, 4.4, -0.2, 2.2])
    assert entry["id"] == content_id("binary", ROWS) and len(entry["id"]) == 24
    assert store.list() == [entry]
    assert store.get(entry["id"]) == {**entry, "points": ROWS}
    store.delete(entry["id"])
    assert store.count() == 0
    with pytest.raises(UploadNotFound):
        store.get(entry["id"])
    with pytest.raises(UploadNotFound):
        store.delete(entry["id"])


def test_same_content_same_id_first_name_kept(store: UploadStore) -> None:
    first, _ = store.add("a", fragment())
    again, created = store.add("b", fragment([[int(v) for v in row] for row in ROWS]))
    assert not created and again == first and store.count() == 1
    other, created = store.add("c", fragment(kind="regression"))
    assert created and other["id"] != first["id"] and other["counts"] is None


def test_cap_and_bad_input(store: UploadStore) -> None:
    for i in range(3):
        store.add(f"set {i}", fragment([*ROWS, [9.0, float(i), 1.0]]))
    with pytest.raises(UploadsFull) as err:
        store.add("one more", fragment())
    assert "at most 3 uploaded data sets" in str(err.value)
    assert store.add("set 0 again", fragment([*ROWS, [9.0, 0.0, 1.0]]))[1] is False
    with pytest.raises(ValueError, match="empty"):
        store.add("  ", fragment())
    with pytest.raises(SpecError) as spec_err:
        store.add("bad", fragment([*ROWS[:3], [0.0, 0.0, 2.0]]))
    assert spec_err.value.field == "data.points.3"
    with pytest.raises(SpecError):
        store.add("not points", {"name": "circle"})


def test_survives_a_new_store_and_shares_the_file_with_models(tmp_path: Path) -> None:
    path = tmp_path / "nnplay.db"
    models = ModelStore(path)
    entry, _ = UploadStore(path).add("kept", fragment())
    models.save("model", {"spec": {}})
    again = UploadStore(path)
    assert again.get(entry["id"])["points"] == ROWS
    assert ModelStore(path).count() == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master "
                                                  "WHERE type = 'table'")}
    assert {"models", "uploads"} <= tables


def test_store_refuses_memory_and_bad_cap(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        UploadStore(":memory:")
    with pytest.raises(ValueError):
        UploadStore(tmp_path / "x.db", max_uploads=0)


def test_summary_of_three_classes() -> None:
    rows = [[float(i), 0.0, float(i % 3)] for i in range(7)]
    summary = summarise("multiclass", rows)
    assert summary["classes"] == 3 and summary["counts"] == [3, 2, 2]
    assert summary["preview"] == rows[:5]


def test_resolve_uploads_puts_the_points_inline(store: UploadStore) -> None:
    entry, _ = store.add("square", fragment())
    spec = {"hidden": [4], "data": {"name": "upload", "upload": entry["id"], "seed": 2}}
    resolved = resolve_uploads(spec, store)
    assert resolved == {"hidden": [4], "data": {"name": "points", "kind": "binary",
                                                "points": ROWS, "seed": 2}}
    assert spec["data"]["name"] == "upload"  # the request's spec is left alone
    plain = {"data": {"name": "circle"}}
    assert resolve_uploads(plain, store) is plain
    assert resolve_uploads("not a spec", store) == "not a spec"
    for data, field in (({"name": "upload", "upload": "nope"}, "data.upload"),
                        ({"name": "upload"}, "data.upload"),
                        ({"name": "upload", "upload": entry["id"], "points": []}, "data.points"),
                        ({"name": "xor", "upload": entry["id"]}, "data.name")):
        with pytest.raises(SpecError) as err:
            resolve_uploads({"data": data}, store)
        assert err.value.field == field


def test_a_students_upload_is_theirs_with_its_own_id(store: UploadStore) -> None:
    shared, _ = store.add("shared", fragment())
    mine, created = store.add("mine", fragment(), owner="s1")
    assert created and mine["id"] == content_id("binary", ROWS, "s1") != shared["id"]
    again, created = store.add("again", fragment(), owner="s1")
    assert not created and again["id"] == mine["id"]  # the same file, the same student
    assert [e["name"] for e in store.list()] == ["shared"]
    assert [e["name"] for e in store.list("s1")] == ["mine"]
    assert store.list("s2") == []
    assert {e["name"] for e in store.list(everyone=True)} == {"shared", "mine"}
    assert [e["name"] for e in store.list(everyone=True, limit=1, offset=1)] == ["shared"]
    assert (store.count_listed(), store.count_listed("s1"), store.count_listed("s2"),
            store.count_listed(everyone=True)) == (1, 1, 0, 2)
    assert store.owner(mine["id"]) == "s1" and store.owner(shared["id"]) is None
    with pytest.raises(UploadNotFound):
        store.delete(mine["id"], owner="s2")
    with pytest.raises(UploadNotFound):
        store.delete(mine["id"])
    spec = {"data": {"name": "upload", "upload": mine["id"]}}
    with pytest.raises(SpecError) as refused:
        resolve_uploads(spec, store)  # by default only uploads nobody owns
    assert refused.value.field == "data.upload"
    assert resolve_uploads(spec, store, lambda owner: owner == "s1")["data"]["points"] == ROWS
    store.delete(mine["id"], owner="s1")
    assert store.list(everyone=True) == [shared]


def test_an_upload_table_from_before_owners_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE uploads (id TEXT PRIMARY KEY, name TEXT NOT NULL, "
                     "created TEXT NOT NULL, summary TEXT NOT NULL, points TEXT NOT NULL)")
        conn.execute("INSERT INTO uploads VALUES ('u1', 'old', '2026-01-01', "
                     "'{\"kind\": \"binary\", \"rows\": 5}', ?)",
                     ('{"kind": "binary", "points": ' + str(ROWS) + "}",))
    conn.close()
    store = UploadStore(path)
    assert [e["id"] for e in store.list()] == ["u1"]
    assert store.owner("u1") is None and store.get("u1")["points"] == ROWS
    store.add("new", fragment(ROWS[:4]), client="address:192.0.2.1")  # the client column too


def test_uploads_per_client_are_capped_and_an_owners_all_go(tmp_path: Path) -> None:
    store = UploadStore(tmp_path / "nnplay.db", max_per_client=2)
    for i in range(2):
        store.add(f"a{i}", fragment([[float(i), 0.0, 0.0], *ROWS[1:]]), client="address:a")
    with pytest.raises(ClientLimitError, match="holds 2 uploaded data sets"):
        store.add("a2", fragment([[9.0, 0.0, 0.0], *ROWS[1:]]), client="address:a")
    store.add("b", fragment(), owner="s1", client="student:s1")  # another client
    store.add("b2", fragment(ROWS[:4]), owner="s1", client="student:s1")
    assert store.delete_owned("s1") == 2
    assert [e["name"] for e in store.list(everyone=True)] == ["a1", "a0"]
