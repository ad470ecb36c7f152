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

A memory is marked as ours in its header: ``PRAGMA application_id`` is
:data:`APPLICATION_ID` and ``PRAGMA user_version`` the schema version
(:data:`SCHEMA_VERSION`). Before anything is written, the file is inspected
without side effects (``immutable`` read-only open): another program's
database, or a memory written by a newer schema, is refused and left
byte-for-byte untouched. An empty file or a database without tables is ours
to initialise, and a memory of the first version (application_id 0, only our
``entries`` table) is adopted by setting both pragmas.
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

# "TCLI" in ASCII: the SQLite header mark of a translate-cli memory.
APPLICATION_ID = 0x54434C49
# The schema this version writes; a memory with a higher one is refused.
SCHEMA_VERSION = 1
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
) WITHOUT ROWID
"""
_COLUMNS = ("source_key", "context", "source", "target", "score", "cut", "origin", "updated")


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
        MemoryStoreError: The file is not a database, is another program's
            database, was written by a newer schema, is locked for longer than
            the busy timeout, or cannot be written. In every case the file is
            left as it was.
    """

    def __init__(self, path: Path, timeout: float = _BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._inspect_untouched()
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            raise self._error(exc) from None
        try:
            # The header is read again through the real connection (the
            # immutable view may miss a recent write-ahead log).
            if self._needs_setup(self._db):
                self._set_up()
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA quick_check(1)").fetchone()
        except (sqlite3.Error, OSError, MemoryStoreError) as exc:
            self._db.close()
            if isinstance(exc, MemoryStoreError):
                raise
            raise self._error(exc) from None

    def _inspect_untouched(self) -> None:
        """Refuse another program's database before opening it for writing.

        The ``immutable`` read-only open creates no journal, WAL or shared
        memory file and takes no lock, so a refused file is left exactly as
        it was.

        Raises:
            MemoryStoreError: See :meth:`_needs_setup`.
            sqlite3.Error: The file is not a SQLite database.
        """
        if not self.path.is_file() or self.path.stat().st_size == 0:
            return
        uri = self.path.resolve().as_uri() + "?mode=ro&immutable=1"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            self._needs_setup(db)

    def _needs_setup(self, db: sqlite3.Connection) -> bool:
        """Whether the database is ours to initialise or adopt; refuse it if not ours.

        Returns:
            False for a memory of the current schema; True for an empty
            database or a memory of the first version (no header mark).

        Raises:
            MemoryStoreError: Another program's database (another
                application_id, or tables that are not ours), or a memory of a
                newer schema.
        """
        app_id: int = db.execute("PRAGMA application_id").fetchone()[0]
        version: int = db.execute("PRAGMA user_version").fetchone()[0]
        if app_id == APPLICATION_ID:
            if version > SCHEMA_VERSION:
                raise self._refusal(
                    f"was written by a newer translate-cli (memory schema {version}, "
                    f"this version reads up to {SCHEMA_VERSION})"
                )
            return version < SCHEMA_VERSION
        if app_id != 0:
            raise self._refusal(
                f"is another program's SQLite database (application_id 0x{app_id:08X}, "
                f"not 0x{APPLICATION_ID:08X})"
            )
        tables = sorted(
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        )
        columns = tuple(row[1] for row in db.execute("PRAGMA table_info(entries)"))
        if version == 0 and (not tables or (tables == ["entries"] and columns == _COLUMNS)):
            return True
        raise self._refusal(
            f"is another program's SQLite database (tables: {', '.join(tables) or 'none'}; "
            f"user_version {version})"
        )

    def _set_up(self) -> None:
        """Create the schema and mark the file as ours, checking again under the lock."""
        with self._transaction():
            if self._needs_setup(self._db):
                self._db.execute(_SCHEMA)
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _refusal(self, problem: str) -> MemoryStoreError:
        return MemoryStoreError(
            f"translation memory {self.path} {problem}; run with --no-tm to translate "
            f"without it, or --tm PATH to use another file (it was left untouched)"
        )

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
        return self._refusal(problem)

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
