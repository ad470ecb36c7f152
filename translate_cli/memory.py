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
(:data:`SCHEMA_VERSION`). Before any connection is opened on it, the file is
inspected without side effects (header bytes read as a plain file, schema
through an ``immutable`` read-only open, a pending write-ahead log replayed
into a temporary copy): another program's database, or a memory written by a
newer schema, is refused and left byte-for-byte untouched, with its ``-wal``
and ``-shm``. An empty file or a database without any schema object is ours
to initialise, and a memory of the first version (application_id 0, only our
``entries`` table) is adopted by setting both pragmas. Any other table, view,
index or trigger makes the file another program's.
"""

from __future__ import annotations

import contextlib
import sqlite3
import struct
import tempfile
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
# Our schema objects (the primary key's index is an internal sqlite_ name).
_OURS = [("table", "entries")]
_HEADER_SIZE = 100
_MAGIC = b"SQLite format 3\x00"
# A pending write-ahead log is replayed into a temporary copy up to this size.
_MAX_REPLAY_BYTES = 256 * 1024 * 1024
_WAL_MAGIC = (0x377F0682, 0x377F0683)
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


def _marks(header: bytes) -> tuple[int, int]:
    """``(application_id, user_version)`` from a database file header."""
    version, app_id = struct.unpack(">I", header[60:64])[0], struct.unpack(">I", header[68:72])[0]
    return app_id, version


def _wal_checksum(data: bytes, big_endian: bool, s1: int, s2: int) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
        s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
    return s1, s2


def _committed_wal_frames(wal: Path) -> tuple[dict[int, bytes], int, int] | None:
    """The committed content of a write-ahead log, read with plain file I/O.

    Returns:
        ``(pages, database pages, page size)``, the latest committed copy of
        each page the log holds; None when there is no log or no committed
        frame in it (a missing, empty, torn or reset log).
    """
    try:
        data = wal.read_bytes()
    except OSError:
        return None
    if len(data) < 32:
        return None
    magic, _, page_size, _, salt1, salt2, c1, c2 = struct.unpack(">8I", data[:32])
    big_endian = magic & 1 == 1
    if magic not in _WAL_MAGIC or page_size < 512 or page_size & (page_size - 1):
        return None
    s1, s2 = _wal_checksum(data[:24], big_endian, 0, 0)
    if (s1, s2) != (c1, c2):
        return None
    pending: dict[int, bytes] = {}
    committed: dict[int, bytes] = {}
    db_pages = 0
    offset = 32
    while offset + 24 + page_size <= len(data):
        number, size, fsalt1, fsalt2, f1, f2 = struct.unpack(">6I", data[offset : offset + 24])
        page = data[offset + 24 : offset + 24 + page_size]
        if (fsalt1, fsalt2) != (salt1, salt2):
            break
        s1, s2 = _wal_checksum(data[offset : offset + 8], big_endian, s1, s2)
        s1, s2 = _wal_checksum(page, big_endian, s1, s2)
        if (s1, s2) != (f1, f2):
            break
        pending[number] = page
        if size:
            committed.update(pending)
            pending.clear()
            db_pages = size
        offset += 24 + page_size
    if not db_pages:
        return None
    return committed, db_pages, page_size


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
            # The file is proven ours; checked again through the real
            # connection, which also sees another run's write-ahead log.
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
        """Refuse another program's database before any connection can change it.

        Nothing here opens the file for writing, nor with a normal connection
        (closing the last one checkpoints a write-ahead log into the file and
        deletes it): the header marks are read with plain file I/O, the schema
        through an ``immutable`` read-only open, which creates no journal, WAL
        or shared-memory file and takes no lock. When a ``-wal`` beside the
        file holds committed frames that change page 1 (marks or schema), the
        current database is rebuilt in a private temporary copy and inspected
        there; a log too large to replay is refused. A refused file and its
        ``-wal`` and ``-shm`` are left exactly as they were.

        Raises:
            MemoryStoreError: See :meth:`_needs_setup`.
            sqlite3.Error: The file is not a SQLite database.
        """
        size = self.path.stat().st_size if self.path.is_file() else 0
        frames = _committed_wal_frames(Path(f"{self.path}-wal"))
        if size == 0 and not frames:
            return
        head = b""
        if size:
            with self.path.open("rb") as file:
                head = file.read(_HEADER_SIZE)
            if len(head) < _HEADER_SIZE or not head.startswith(_MAGIC):
                raise sqlite3.DatabaseError("file is not a database")
            # The marks in the main file: another program's is refused at once;
            # ours may be in use by another run, whose log is its own business.
            app_id, version = _marks(head)
            self._check_marks(app_id, version)
            if app_id == APPLICATION_ID and frames is not None:
                return
        if frames is None or (size and 1 not in frames[0]):
            # No committed log, or one that leaves page 1 (marks, schema
            # cookie, schema root) as the main file has it.
            self._inspect_immutable(self.path)
            return
        pages, db_pages, page_size = frames
        if db_pages * page_size > _MAX_REPLAY_BYTES:
            raise self._refusal(
                f"has a pending write-ahead log ({self.path.name}-wal) too large to inspect "
                "without changing the file; close the program that uses it"
            )
        image = bytearray(db_pages * page_size)
        if size:
            with self.path.open("rb") as file:
                main = file.read(len(image))
            image[: len(main)] = main
        for number, page in pages.items():
            if number <= db_pages:
                image[(number - 1) * page_size : number * page_size] = page
        with tempfile.TemporaryDirectory(prefix="translate-cli-") as folder:
            copy = Path(folder) / "replayed.sqlite"
            copy.write_bytes(image)
            self._inspect_immutable(copy)

    def _inspect_immutable(self, path: Path) -> None:
        uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            self._needs_setup(db)

    def _check_marks(self, app_id: int, version: int) -> None:
        """Refuse another program's application_id, or a memory of a newer schema."""
        if app_id == APPLICATION_ID:
            if version > SCHEMA_VERSION:
                raise self._refusal(
                    f"was written by a newer translate-cli (memory schema {version}, "
                    f"this version reads up to {SCHEMA_VERSION})"
                )
        elif app_id != 0:
            raise self._refusal(
                f"is another program's SQLite database (application_id 0x{app_id:08X}, "
                f"not 0x{APPLICATION_ID:08X})"
            )

    def _needs_setup(self, db: sqlite3.Connection) -> bool:
        """Whether the database is ours to initialise or adopt; refuse it if not ours.

        Returns:
            False for a memory of the current schema; True for an empty
            database or a memory of the first version (no header mark).

        Raises:
            MemoryStoreError: Another program's database (another
                application_id, or any schema object -- table, view, index,
                trigger -- that is not ours), or a memory of a newer schema.
        """
        app_id: int = db.execute("PRAGMA application_id").fetchone()[0]
        version: int = db.execute("PRAGMA user_version").fetchone()[0]
        self._check_marks(app_id, version)
        if app_id == APPLICATION_ID:
            return version < SCHEMA_VERSION
        objects = sorted(
            (kind, name)
            for kind, name in db.execute(
                "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            )
        )
        columns = tuple(row[1] for row in db.execute("PRAGMA table_info(entries)"))
        if version == 0 and (not objects or (objects == _OURS and columns == _COLUMNS)):
            return True
        listed = ", ".join(f"{kind} {name}" for kind, name in objects) or "none"
        raise self._refusal(
            f"is another program's SQLite database (schema: {listed}; user_version {version})"
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

    def entries_for(self, context: str) -> list[tuple[str, str, Entry]]:
        """Every entry a run with ``context`` can find: ``(key, context, entry)`` rows.

        The reviewed entries, the context's own, and those of the context
        with glossary terms (``CONTEXT|terms=...``, see
        :meth:`Translator.context_of <translate_cli.translator.Translator.context_of>`).
        The Ray runner gives them to its workers as a read-only snapshot.

        Raises:
            MemoryStoreError: The memory cannot be read.
        """
        prefix = context + "|terms="
        try:
            rows = self._db.execute(
                "SELECT source_key, context, target, score, cut, origin, updated FROM entries "
                "WHERE context IN (?, ?) OR substr(context, 1, ?) = ?",
                [REVIEWED_CONTEXT, context, len(prefix), prefix],
            ).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return [
            (key, ctx, Entry(target, score, bool(cut), origin, updated))
            for key, ctx, target, score, cut, origin, updated in rows
        ]

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


@contextlib.contextmanager
def memory_in_use(setting: str) -> Iterator[TranslationMemory | None]:
    """:func:`open_memory` for the length of a ``with`` block, closed at its end."""
    memory = open_memory(setting)
    try:
        yield memory
    finally:
        if memory is not None:
            memory.close()
