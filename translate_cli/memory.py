"""Translation memory: a SQLite store of past and reviewed translations.

Every sentence the engine translates is stored, keyed by its normalised source
and a *context* (model id, model revision, engine, beams): a later run with the
same context finds it before the engine and never translates it again.

A reviewer's correction, imported from an edited TSV or XLIFF, is stored with
origin ``reviewed`` under the context ``reviewed``, which every run looks up
first, whatever its model: a human translation of a sentence does not depend
on which model produced the draft.

SQLite runs in WAL mode with a busy timeout, so two runs sharing a memory can
read and write at once. A corrupt, locked or read-only database raises
:class:`MemoryStoreError` with a message offering ``--no-tm``; the file is never
deleted or rewritten behind the user's back.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import TranslateError
from .vocabulary import EntryOrigin

MACHINE, REVIEWED = EntryOrigin.MACHINE, EntryOrigin.REVIEWED
REVIEWED_CONTEXT = "reviewed"
# SQLite caps bound parameters per statement; stay well below it.
_CHUNK = 500
_BUSY_TIMEOUT_S = 30.0
_SCHEMA = """
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


class MemoryStoreError(TranslateError):
    """The translation memory cannot be used."""


def default_path() -> Path:
    """``memory.sqlite`` in the user data folder (``~/.local/share/translate-cli``)."""
    from platformdirs import user_data_path

    return user_data_path("translate-cli") / "memory.sqlite"


@dataclass(frozen=True)
class Entry:
    """A stored translation.

    Attributes:
        target: The translation.
        score: The model's score, None for reviewed entries.
        cut: Whether the sentence was translated in pieces.
        origin: ``machine`` or ``reviewed``.
        updated: When it was stored (UTC, ISO 8601).
    """

    target: str
    score: float | None
    cut: bool
    origin: str
    updated: str


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TranslationMemory:
    """A SQLite translation memory.

    Args:
        path: The database file; created with its folder if missing.
        timeout: Seconds to wait for another run's write lock.

    Raises:
        MemoryStoreError: The file is not a database, is locked for longer
            than the busy timeout, or cannot be written.
    """

    def __init__(self, path: Path, timeout: float = _BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._db.execute("PRAGMA quick_check(1)").fetchone()
        except (sqlite3.Error, OSError) as exc:
            raise self._error(exc) from None

    def _error(self, exc: BaseException) -> MemoryStoreError:
        text = str(exc)
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            problem = "is corrupt or not a translation memory"
        elif "locked" in text or "busy" in text:
            problem = "is locked by another program"
        elif "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
            problem = "is read-only"
        else:
            problem = f"cannot be used ({text})"
        return MemoryStoreError(
            f"translation memory {self.path} {problem}; run with --no-tm to translate "
            f"without it, or --tm PATH to use another file (it was left untouched)"
        )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lookup(self, keys: Sequence[str], context: str) -> dict[str, Entry]:
        """Stored translations for ``keys``: reviewed first, then this context's."""
        found: dict[str, Entry] = {}
        try:
            for start in range(0, len(keys), _CHUNK):
                chunk = list(keys[start : start + _CHUNK])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    "SELECT source_key, context, target, score, cut, origin, updated "
                    f"FROM entries WHERE context IN (?, ?) AND source_key IN ({marks})",
                    [REVIEWED_CONTEXT, context, *chunk],
                ).fetchall()
                for key, ctx, target, score, cut, origin, updated in rows:
                    if key in found and ctx != REVIEWED_CONTEXT:
                        continue
                    found[key] = Entry(target, score, bool(cut), origin, updated)
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return found

    def store(
        self,
        entries: Iterable[tuple[str, str, str, float | None, bool]],
        context: str,
        origin: str = MACHINE,
    ) -> int:
        """Store translations as ``(key, source, target, score, cut)`` rows.

        Returns:
            The number of rows written.
        """
        now = _now()
        rows = [(k, context, s, t, sc, int(c), origin, now) for k, s, t, sc, c in entries]
        if not rows:
            return 0
        try:
            with self._transaction():
                self._db.executemany(
                    "INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?,?,?)", rows
                )
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return len(rows)

    def store_reviewed(self, entries: Iterable[tuple[str, str, str]]) -> int:
        """Store a reviewer's ``(key, source, target)`` translations."""
        return self.store(
            ((k, s, t, None, False) for k, s, t in entries), REVIEWED_CONTEXT, REVIEWED
        )

    def reviewed_version(self) -> str:
        """Changes whenever reviewed entries change, so resumed runs notice imports."""
        try:
            count, latest = self._db.execute(
                "SELECT count(*), max(updated) FROM entries WHERE context = ?", [REVIEWED_CONTEXT]
            ).fetchone()
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return f"{count}:{latest or ''}"

    def stats(self) -> dict[str, int]:
        """Entry counts by origin."""
        rows = self._db.execute("SELECT origin, count(*) FROM entries GROUP BY origin").fetchall()
        return dict(rows)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        # BEGIN IMMEDIATE takes the write lock up front (waiting up to the
        # busy timeout), so two runs never deadlock upgrading read locks.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


OFF, DEFAULT = "off", "default"


def open_memory(setting: str) -> TranslationMemory | None:
    """Open the memory a ``memory`` setting names, or None when it is ``off``."""
    if setting == OFF:
        return None
    return TranslationMemory(default_path() if setting == DEFAULT else Path(setting).expanduser())
