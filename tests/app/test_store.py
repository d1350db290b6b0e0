"""Tests for the SQLite store of saved models (app/store.py)."""

from __future__ import annotations

import gc
import re
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from app.client_limits import ClientLimitError
from app.store import ModelNotFound, ModelStore, StoreFull


def make_record(seed: int = 0) -> dict[str, Any]:
    """A record shaped like a downloaded run: spec, weights, metrics, nested."""
    return {
        "format": "nnplay-model",
        "version": 1,
        "spec": {
            "inputs": 2,
            "layers": [
                {"type": "dense", "units": 4, "activation": "relu", "init": "he"},
                {"type": "dense", "units": 1, "activation": "sigmoid", "init": "xavier"},
            ],
            "loss": "bce",
            "optimizer": {"name": "adam", "lr": 0.01, "betas": [0.9, 0.999]},
            "seed": seed,
        },
        "weights": [
            {"W": [[0.1 * seed, -0.25, 1e-12, 3.5], [2.0, -0.0, 0.333333333333, -7.25]],
             "b": [0.0, 0.5, -0.5, 1.0]},
            {"W": [[1.5], [-2.25], [0.125], [1e300]], "b": [-0.75]},
        ],
        "metrics": {"step": 1200 + seed, "train_loss": 0.0123456789, "test_loss": 0.02,
                    "history": [0.69, 0.5, 0.1, 0.0123456789], "accuracy": None},
        "lesson": "xor-two-relu",
        "note": "héllo, 你好 ✓",
    }


def make_summary(seed: int = 0) -> dict[str, Any]:
    return {"lesson": "xor-two-relu", "dataset": "xor", "step": 1200 + seed,
            "test_loss": 0.02}


@pytest.fixture
def store(tmp_path: Path) -> ModelStore:
    return ModelStore(tmp_path / "data" / "models.db")


def test_init_creates_parent_folder_and_file(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "nnplay.db"
    ModelStore(path)
    assert path.is_file()


def test_init_sets_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    ModelStore(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3


def test_a_version_1_file_gains_owners_and_keeps_its_models(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE models (id TEXT PRIMARY KEY, name TEXT NOT NULL, "
                     "created TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '{}', "
                     "record TEXT NOT NULL)")
        conn.execute("INSERT INTO models VALUES ('old1', 'kept', '2026-01-01T00:00:00', "
                     "'{\"step\": 5}', '{\"spec\": {}}')")
        conn.execute("PRAGMA user_version = 1")
    store = ModelStore(path)
    assert store.list() == [{"id": "old1", "name": "kept", "created": "2026-01-01T00:00:00",
                             "step": 5}]
    assert store.get("old1")["record"] == {"spec": {}}
    assert store.owner("old1") is None
    ModelStore(path)  # opening it again changes nothing
    assert len(store.list()) == 1


def test_a_version_2_file_gains_the_client_column(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE models (id TEXT PRIMARY KEY, name TEXT NOT NULL, "
                     "created TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '{}', "
                     "record TEXT NOT NULL, owner TEXT)")
        conn.execute("INSERT INTO models VALUES ('old2', 'kept', '2026-01-01T00:00:00', "
                     "'{}', '{\"spec\": {}}', 's1')")
        conn.execute("PRAGMA user_version = 2")
    store = ModelStore(path, max_per_client=1)
    assert store.owner("old2") == "s1" and store.get("old2")["record"] == {"spec": {}}
    store.save("new", {"a": 1}, owner="s1", client="student:s1")
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3


def test_models_per_client_are_capped_and_an_owners_all_go(tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "m.db", max_per_client=2)
    for i in range(2):
        store.save(f"a{i}", {"a": i}, client="address:192.0.2.1")
    with pytest.raises(ClientLimitError, match="holds 2 saved models"):
        store.save("a2", {"a": 2}, client="address:192.0.2.1")
    store.save("cli", {"a": 3})  # the command line is no client: not capped
    store.save("s", {"a": 4}, owner="s1", client="student:s1")
    store.save("s2", {"a": 5}, owner="s1", client="student:s1")
    assert store.delete_owned("s1") == 2
    assert {m["name"] for m in store.list(everyone=True)} == {"a0", "a1", "cli"}


def test_owned_models_are_listed_and_deleted_by_their_owner_only(tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "m.db")
    mine = store.save("mine", {"a": 1}, owner="s1")
    theirs = store.save("theirs", {"a": 2}, owner="s2")
    shared = store.save("shared", {"a": 3})
    assert [m["name"] for m in store.list(owner="s1")] == ["mine"]
    assert [m["name"] for m in store.list()] == ["shared"]
    assert {m["name"] for m in store.list(everyone=True)} == {"mine", "theirs", "shared"}
    assert store.owner(theirs["id"]) == "s2"
    with pytest.raises(ModelNotFound):
        store.delete(theirs["id"], owner="s1")
    with pytest.raises(ModelNotFound):
        store.delete(mine["id"])  # nobody's delete cannot reach an owned model
    store.delete(mine["id"], owner="s1")
    store.delete(shared["id"])
    assert [m["name"] for m in store.list(everyone=True)] == ["theirs"]


def test_init_newer_schema_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    ModelStore(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        ModelStore(path)


def test_init_memory_database_refused() -> None:
    with pytest.raises(ValueError, match="file path"):
        ModelStore(":memory:")


def test_init_bad_max_models_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_models"):
        ModelStore(tmp_path / "m.db", max_models=0)


def test_journal_mode_is_wal(store: ModelStore) -> None:
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_save_returns_listing_entry(store: ModelStore) -> None:
    entry = store.save("  my xor net ", make_record(), make_summary())
    assert set(entry) == {"id", "name", "created", "lesson", "dataset", "step", "test_loss"}
    assert entry["name"] == "my xor net"
    assert entry["lesson"] == "xor-two-relu"
    assert entry["step"] == 1200
    assert entry["test_loss"] == 0.02
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", entry["created"])


def test_round_trip_save_list_get_delete(store: ModelStore) -> None:
    record = make_record(3)
    entry = store.save("round trip", record, make_summary(3))

    assert store.list() == [entry]
    got = store.get(entry["id"])
    assert got == {"id": entry["id"], "name": "round trip", "created": entry["created"],
                   "record": record}
    assert got["record"]["weights"][1]["W"][3] == [1e300]
    assert got["record"]["weights"][0]["W"][0][2] == 1e-12
    assert got["record"]["note"] == "héllo, 你好 ✓"
    assert store.count() == 1

    store.delete(entry["id"])
    assert store.list() == []
    assert store.count() == 0
    with pytest.raises(ModelNotFound):
        store.get(entry["id"])


def test_list_newest_first(store: ModelStore) -> None:
    ids = [store.save(f"model {i}", make_record(i), make_summary(i))["id"] for i in range(5)]
    listing = store.list()
    assert [e["id"] for e in listing] == ids[::-1]
    assert [e["name"] for e in listing] == [f"model {i}" for i in range(4, -1, -1)]
    assert all("record" not in e for e in listing)


def test_list_after_delete_keeps_order(store: ModelStore) -> None:
    ids = [store.save(f"m{i}", make_record(i), {})["id"] for i in range(4)]
    store.delete(ids[1])
    assert [e["id"] for e in store.list()] == [ids[3], ids[2], ids[0]]


def test_get_unknown_id_raises_model_not_found(store: ModelStore) -> None:
    store.save("present", make_record(), {})
    with pytest.raises(ModelNotFound) as info:
        store.get("no-such-id")
    assert isinstance(info.value, KeyError)
    assert info.value.model_id == "no-such-id"
    assert str(info.value) == "no saved model with id 'no-such-id'"


def test_get_non_string_id_raises_model_not_found(store: ModelStore) -> None:
    with pytest.raises(ModelNotFound):
        store.get(["not", "an", "id"])  # type: ignore[arg-type]


def test_delete_unknown_id_raises_model_not_found(store: ModelStore) -> None:
    kept = store.save("kept", make_record(), {})
    with pytest.raises(ModelNotFound):
        store.delete("no-such-id")
    assert store.count() == 1
    store.delete(kept["id"])
    with pytest.raises(ModelNotFound):
        store.delete(kept["id"])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "empty"),
        ("   \t ", "control characters|empty"),
        ("x" * 81, "at most 80"),
        ("bad\nname", "control characters"),
        ("bell\x07", "control characters"),
        ("nul\x00", "control characters"),
        ("line\u2028sep", "control characters"),
        ("lone\ud800", "control characters"),
        ("invoice\u202egnp.exe", "U\\+202E"),  # right-to-left override: shows "exe.png"
        ("left\u202dto right", "U\\+202D"),
        ("\u2067isolate\u2069", "U\\+2067"),
        ("mark\u200fed", "U\\+200F"),
        ("arabic\u061cmark", "U\\+061C"),
        ("zero\u200bwidth", "U\\+200B"),
        ("\ufeffbom", "U\\+FEFF"),
        (None, "must be a string"),
        (42, "must be a string"),
    ],
)
def test_save_bad_name_raises_value_error(store: ModelStore, name: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        store.save(name, make_record(), {})
    assert store.count() == 0


def test_save_name_limits_accepted(store: ModelStore) -> None:
    assert store.save("x" * 80, make_record(), {})["name"] == "x" * 80
    assert store.save(" y ", make_record(), {})["name"] == "y"
    assert store.save("réseau ✓ 网络", make_record(), {})["name"] == "réseau ✓ 网络"
    scientist = "\U0001f469\u200d\U0001f52c net"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    for joined in (scientist, persian):  # the zero-width joiner and non-joiner stay
        assert store.save(joined, make_record(), {})["name"] == joined


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_save_nan_in_record_raises_value_error(store: ModelStore, bad: float) -> None:
    record = make_record()
    record["weights"][0]["W"][1][2] = bad
    with pytest.raises(ValueError, match="NaN or Infinity"):
        store.save("diverged", record, {})
    assert store.count() == 0


def test_save_nan_in_summary_raises_value_error(store: ModelStore) -> None:
    with pytest.raises(ValueError, match="summary contains NaN"):
        store.save("diverged", make_record(), {"test_loss": float("nan")})


def test_save_non_json_record_raises_value_error(store: ModelStore) -> None:
    with pytest.raises(ValueError, match="cannot be stored as JSON"):
        store.save("odd", {"weights": {1, 2, 3}}, {})
    with pytest.raises(ValueError, match="must be a JSON object"):
        store.save("odd", [1, 2, 3], {})  # type: ignore[arg-type]
    assert store.count() == 0


def test_save_summary_reserved_key_raises_value_error(store: ModelStore) -> None:
    with pytest.raises(ValueError, match="must not use the keys"):
        store.save("clash", make_record(), {"id": "mine"})


def test_restart_reads_every_model_back(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nnplay.db"
    first = ModelStore(path)
    saved = {}
    for i in range(6):
        entry = first.save(f"model {i}", make_record(i), make_summary(i))
        saved[entry["id"]] = (entry, make_record(i))
    listing = first.list()
    del first
    gc.collect()

    second = ModelStore(path)
    assert second.count() == 6
    assert second.list() == listing
    for model_id, (entry, record) in saved.items():
        got = second.get(model_id)
        assert got["name"] == entry["name"]
        assert got["created"] == entry["created"]
        assert got["record"] == record


def test_close_then_reopen_keeps_models(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    first = ModelStore(path)
    entry = first.save("kept", make_record(), {})
    first.close()
    first.close()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    assert ModelStore(path).get(entry["id"])["record"] == make_record()


def test_concurrent_saves_all_land(store: ModelStore) -> None:
    threads_n, per_thread = 8, 25
    ids: list[str] = []
    errors: list[BaseException] = []
    ids_lock = threading.Lock()
    start = threading.Barrier(threads_n)

    def worker(t: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                entry = store.save(f"t{t} m{i}", make_record(i), make_summary(i))
                with ids_lock:
                    ids.append(entry["id"])
        except BaseException as err:  # collected, then asserted below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(ids) == threads_n * per_thread
    assert len(set(ids)) == threads_n * per_thread
    assert store.count() == threads_n * per_thread
    assert {e["id"] for e in store.list()} == set(ids)


def test_max_models_enforced(tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "m.db", max_models=3)
    first = store.save("a", make_record(), {})
    store.save("b", make_record(), {})
    store.save("c", make_record(), {})
    with pytest.raises(StoreFull, match="at most 3"):
        store.save("d", make_record(), {})
    assert store.count() == 3
    store.delete(first["id"])
    assert store.save("d", make_record(), {})["name"] == "d"
    assert store.count() == 3


def test_max_models_enforced_under_concurrency(tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "m.db", max_models=10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            try:
                store.save("racer", {"x": 1}, {})
                result = "saved"
            except StoreFull:
                result = "full"
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("saved") == 10
    assert outcomes.count("full") == 20
    assert store.count() == 10


def test_ids_are_unguessable(store: ModelStore) -> None:
    ids = [store.save(f"m{i}", {"i": i}, {})["id"] for i in range(300)]
    assert len(set(ids)) == len(ids)
    for model_id in ids:
        assert len(model_id) >= 16
        assert re.fullmatch(r"[A-Za-z0-9_-]+", model_id)


def test_list_pages_in_the_database_with_owners_counted_apart(store: ModelStore) -> None:
    ids = [store.save(f"m{i}", make_record(i), {}, owner="s1" if i % 2 else None)["id"]
           for i in range(7)]
    mine = [ids[i] for i in (5, 3, 1)]
    assert [e["id"] for e in store.list("s1", limit=2)] == mine[:2]
    assert [e["id"] for e in store.list("s1", limit=2, offset=2)] == mine[2:]
    assert store.list("s1", limit=2, offset=3) == []
    assert [e["id"] for e in store.list(everyone=True, limit=3, offset=1)] == ids[5:2:-1]
    assert (store.count_listed("s1"), store.count_listed(None),
            store.count_listed(everyone=True), store.count()) == (3, 4, 7, 7)
