"""The translation memory only ever writes to a SQLite file that is its own.

Ours is marked with ``PRAGMA application_id``; another program's database
and a memory of a newer schema are refused, byte for byte untouched, before
anything is translated; memories of the first version are adopted.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from translate_cli.cli import app
from translate_cli.memory import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    MemoryStoreError,
    TranslationMemory,
)

from .conftest import COPY_MODEL

runner = CliRunner()
# The schema written by the first version, which set no header mark.
FIRST_VERSION_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    source_key TEXT NOT NULL,
    context    TEXT NOT NULL,
    source     TEXT NOT NULL,
    target     TEXT NOT NULL,
    score      REAL,
    cut        INTEGER NOT NULL DEFAULT 0,
    origin     TEXT NOT NULL CHECK (origin IN ('machine', 'reviewed')),
    updated    TEXT NOT NULL,
    PRIMARY KEY (source_key, context)
) WITHOUT ROWID;
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_db(path: Path, script: str, wal: bool = False) -> Path:
    db = sqlite3.connect(path, isolation_level=None)
    if wal:
        db.execute("PRAGMA journal_mode=WAL")
    db.executescript(script)
    db.close()
    return path


def header(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as db:
        return (
            db.execute("PRAGMA application_id").fetchone()[0],
            db.execute("PRAGMA user_version").fetchone()[0],
        )


FOREIGN = {
    "other application_id": (
        "PRAGMA application_id = 1196444487; CREATE TABLE places (id INTEGER, name TEXT);"
        "INSERT INTO places VALUES (1, 'Lyon');"
    ),
    "no application_id, other tables": (
        "CREATE TABLE moz_bookmarks (id INTEGER, url TEXT);"
        "INSERT INTO moz_bookmarks VALUES (1, 'x');"
    ),
    "an entries table of another shape": (
        "CREATE TABLE entries (id INTEGER PRIMARY KEY, title TEXT);"
        "INSERT INTO entries VALUES (1, 'a');"
    ),
    "our entries table beside others": FIRST_VERSION_SCHEMA + "CREATE TABLE extra (x);",
    "no tables but a user_version": "PRAGMA user_version = 7;",
    "only a view": "CREATE VIEW v AS SELECT 1 AS one;",
    "our entries table beside a view": FIRST_VERSION_SCHEMA
    + "CREATE VIEW recent AS SELECT * FROM entries;",
    "our entries table beside an index": FIRST_VERSION_SCHEMA
    + "CREATE INDEX by_target ON entries (target);",
    "our entries table beside a trigger": FIRST_VERSION_SCHEMA
    + "CREATE TRIGGER stamp AFTER INSERT ON entries BEGIN SELECT 1; END;",
}


@pytest.mark.parametrize("wal", [False, True], ids=["rollback", "wal"])
@pytest.mark.parametrize("script", FOREIGN.values(), ids=FOREIGN.keys())
def test_another_programs_database_is_refused_untouched(tmp_path, script, wal):
    path = make_db(tmp_path / "other.db", script, wal)
    before, files = sha256(path), sorted(os.listdir(tmp_path))
    with pytest.raises(MemoryStoreError, match=r"another program's SQLite database") as info:
        TranslationMemory(path)
    message = str(info.value)
    assert str(path) in message and "--no-tm" in message and "\n" not in message
    assert sha256(path) == before
    assert sorted(os.listdir(tmp_path)) == files  # no -wal, -shm or -journal left


def refused_by_cli(tmp_path: Path, tm: Path) -> str:
    """Run the CLI with ``--tm tm``; check it stops before translating, untouched."""
    before = sha256(tm)
    source = tmp_path / "a.txt"
    source.write_text("Bonjour. Au revoir.")
    out = tmp_path / "out"
    args = [str(source), "-o", str(out), "--model", str(COPY_MODEL), "--engine", "transformers"]
    result = runner.invoke(app, [*args, "--tm", str(tm)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("translate: error: translation memory ")
    assert str(tm) in lines[0] and "--no-tm" in lines[0]
    assert not out.exists() or not any(out.iterdir())
    assert sha256(tm) == before
    return lines[0]


def test_cli_refuses_another_programs_database_before_translating(tmp_path):
    path = make_db(tmp_path / "places.sqlite", FOREIGN["other application_id"])
    assert "application_id 0x47504B47" in refused_by_cli(tmp_path, path)


def test_cli_refuses_a_database_holding_only_a_view(tmp_path):
    (tmp_path / "data").mkdir()
    path = make_db(tmp_path / "data" / "view.db", FOREIGN["only a view"])
    before = snapshot(path.parent)
    assert "view v" in refused_by_cli(tmp_path, path)
    assert path.stat().st_size == 4096
    assert snapshot(path.parent) == before  # same bytes, no -wal, -shm or -journal


def with_pending_wal(tmp_path: Path, name: str, setup: str, pending: str) -> Path:
    """Another program's database in WAL mode, its last writes still in ``-wal``.

    ``setup`` is checkpointed into the main file, ``pending`` stays in the log:
    the three files are copied aside while the writer's connection is open,
    as a running or killed writer leaves them.
    """
    work = tmp_path / "writer"
    work.mkdir()
    db = sqlite3.connect(work / name, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(setup)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.executescript(pending)
    target = tmp_path / "data"
    target.mkdir()
    for suffix in ("", "-wal", "-shm"):
        (target / f"{name}{suffix}").write_bytes((work / f"{name}{suffix}").read_bytes())
    db.close()
    assert (target / f"{name}-wal").stat().st_size > 0
    return target / name


def snapshot(folder: Path) -> dict[str, str]:
    return {name: sha256(folder / name) for name in sorted(os.listdir(folder))}


PENDING = {
    "tables only in the log": (
        "",
        "CREATE TABLE places (id, name); INSERT INTO places VALUES (1, 'x');",
    ),
    "application_id only in the log": (
        "",
        "PRAGMA application_id = 1196444487; CREATE TABLE t (x); INSERT INTO t VALUES (1);",
    ),
    "a view only in the log": ("", "CREATE VIEW v AS SELECT 1 AS one;"),
    "rows in the log, tables in the file": (
        "CREATE TABLE places (id, name);",
        "INSERT INTO places VALUES (1, 'Lyon'); INSERT INTO places VALUES (2, 'Metz');",
    ),
    "foreign application_id in the file": (
        "PRAGMA application_id = 1196444487; CREATE TABLE t (x);",
        "INSERT INTO t VALUES (1);",
    ),
    "another table beside ours in the log": (
        FIRST_VERSION_SCHEMA,
        "CREATE TABLE extra (x); INSERT INTO extra VALUES (1);",
    ),
}


@pytest.mark.parametrize(("setup", "pending"), PENDING.values(), ids=PENDING.keys())
def test_pending_write_ahead_log_is_refused_untouched(tmp_path, setup, pending):
    path = with_pending_wal(tmp_path, "other.db", setup, pending)
    before = snapshot(path.parent)
    assert set(before) == {"other.db", "other.db-wal", "other.db-shm"}
    with pytest.raises(MemoryStoreError, match=r"another program's SQLite database") as info:
        TranslationMemory(path)
    assert "\n" not in str(info.value) and "--no-tm" in str(info.value)
    assert snapshot(path.parent) == before  # db, -wal and -shm byte for byte


def test_cli_refuses_pending_write_ahead_log_untouched(tmp_path):
    path = with_pending_wal(tmp_path, "other.db", "", PENDING["tables only in the log"][1])
    before = snapshot(path.parent)
    refused_by_cli(tmp_path, path)
    assert snapshot(path.parent) == before


def test_killed_writer_log_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    script = (
        "import os, sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('PRAGMA journal_mode=WAL')\n"
        "db.execute('PRAGMA wal_autocheckpoint=0')\n"
        "db.execute('CREATE TABLE places (id, name)')\n"
        "db.execute('INSERT INTO places VALUES (1, 2)')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)
    before = snapshot(tmp_path)
    assert "other.db-wal" in before
    with pytest.raises(MemoryStoreError, match=r"another program's SQLite database"):
        TranslationMemory(path)
    assert snapshot(tmp_path) == before


def test_first_version_memory_with_pending_log_is_adopted(tmp_path):
    path = with_pending_wal(
        tmp_path,
        "memory.sqlite",
        FIRST_VERSION_SCHEMA,
        "INSERT INTO entries VALUES ('bonjour.', 'reviewed', 'Bonjour.', 'Hello.', NULL, 0, "
        "'reviewed', '2024-01-01T00:00:00Z');",
    )
    with TranslationMemory(path) as memory:
        assert memory.lookup(["bonjour."], "ctx")["bonjour."].target == "Hello."
    assert header(path) == (APPLICATION_ID, SCHEMA_VERSION)


def test_newer_schema_is_refused_before_translating(tmp_path):
    path = tmp_path / "tm.sqlite"
    make_db(
        path,
        FIRST_VERSION_SCHEMA
        + f"PRAGMA application_id = {APPLICATION_ID};"
        + f"PRAGMA user_version = {SCHEMA_VERSION + 1};",
    )
    with pytest.raises(MemoryStoreError, match=r"newer translate-cli \(memory schema 2"):
        TranslationMemory(path)
    assert "newer translate-cli" in refused_by_cli(tmp_path, path)


def test_first_version_memory_is_adopted_and_still_works(tmp_path):
    path = make_db(
        tmp_path / "memory.sqlite",
        FIRST_VERSION_SCHEMA
        + "INSERT INTO entries VALUES ('bonjour.', 'reviewed', 'Bonjour.', 'Hello.', NULL, 0, "
        "'reviewed', '2024-01-01T00:00:00Z');",
        wal=True,
    )
    assert header(path) == (0, 0)
    with TranslationMemory(path) as memory:
        assert memory.lookup(["bonjour."], "ctx")["bonjour."].target == "Hello."
        memory.store([("merci.", "Merci.", "Thanks.", -0.1, False)], "ctx")
    assert header(path) == (APPLICATION_ID, SCHEMA_VERSION)
    with TranslationMemory(path) as memory:
        assert memory.stats() == {"machine": 1, "reviewed": 1}


@pytest.mark.parametrize(
    "make",
    [
        lambda p: p,  # absent
        lambda p: p.write_bytes(b"") or p,  # an empty file
        lambda p: make_db(p, "CREATE TABLE t (x); DROP TABLE t;"),  # a database without tables
    ],
    ids=["absent", "empty file", "no tables"],
)
def test_new_memory_is_initialised_and_marked(tmp_path, make):
    path = make(tmp_path / "tm.sqlite")
    with TranslationMemory(path) as memory:
        memory.store([("k", "s", "t", None, False)], "ctx")
    assert header(path) == (APPLICATION_ID, SCHEMA_VERSION)
    with TranslationMemory(path) as memory:  # reopened as ours, unchanged
        assert memory.stats() == {"machine": 1}


def test_memory_adopted_by_a_running_process_opens_in_a_second(tmp_path):
    path = make_db(tmp_path / "memory.sqlite", FIRST_VERSION_SCHEMA, wal=True)
    with TranslationMemory(path) as first:  # its mark is still only in the log
        first.store([("k", "s", "t", None, False)], "ctx")
        assert Path(f"{path}-wal").stat().st_size > 0
        with TranslationMemory(path) as second:
            assert second.lookup(["k"], "ctx")["k"].target == "t"
