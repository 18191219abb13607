"""The facts cache: each incident file's reduced facts, kept between runs of ``patterns``.

Reading, classifying and scoring an incident is nearly all the cost of a large report,
and a corpus kept in git changes a few files between two runs. So the
:class:`~causemap.patterns.facts.IncidentFacts` of every valid file are kept in a SQLite
file in the user's cache folder, under the SHA-256 of the file's bytes: a later run reads
them back instead of redoing the work, for any file whose bytes are the same, wherever it
lies and whatever its name.

The catalog's scoring index (:class:`~causemap.patterns.index.CatalogIndex`), which
every run that reduces a file needs and which takes a quarter of a second to build, is
kept beside the facts, in a row of its own: a run that finds a few edited files, and
``causemap suggest``, load it instead.

A *generation* names everything else that the facts depend on: the catalog (its
:meth:`~causemap.catalog.model.Catalog.digest`), causemap's own code and data files, and
the Python version (the facts are pickled). A new causemap, an edited catalog or another
catalog starts a generation of its own, and the old rows are dropped once they have not
been used for :data:`KEEP_DAYS` days, so switching between two catalogs keeps both.

The cache is an optimisation and never the reason a report fails: a folder that cannot
be written, a file that is not a database or a row that does not unpickle each makes the
run go on without it (one warning at most), and the report is byte for byte the one made
without a cache. The file is rebuilt when it is not a database. Its rows are pickles, so
the folder must be the user's own, as any cache folder is (``$CAUSEMAP_CACHE_DIR``, else
``$XDG_CACHE_HOME/causemap``, else ``~/.cache/causemap``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from causemap.catalog.model import Catalog
    from causemap.patterns.index import CatalogIndex

__all__ = [
    "EXAMPLES_INDEX_KEY",
    "FILE_NAME",
    "INDEX_KEY",
    "KEEP_DAYS",
    "FactsCache",
    "default_folder",
    "dumps",
    "file_digest",
    "generation",
    "loads",
]

FILE_NAME = "patterns.sqlite3"
KEEP_DAYS = 30
"""Rows unused for this many days are dropped (when the cache is next written)."""
FORMAT = b"causemap-facts-1"
"""Changes when the rows' layout does."""
INDEX_KEY = hashlib.sha256(b"causemap: the catalog index").digest()
"""The key of the generation's catalog index: no file's key (those hash a format name,
a NUL and the file's bytes)."""
EXAMPLES_INDEX_KEY = hashlib.sha256(b"causemap: the catalog index with its examples").digest()
"""The key of the index with its table of examples made (what ``suggest`` shows)."""
_BATCH = 500
"""Digests per query (SQLite allows 999 parameters in old builds)."""
_TIMEOUT = 5.0
"""Seconds to wait for another run's write lock before going on without the cache."""


def default_folder() -> Path:
    """``$CAUSEMAP_CACHE_DIR``, else ``$XDG_CACHE_HOME/causemap``, else ``~/.cache/causemap``."""
    chosen = os.environ.get("CAUSEMAP_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "causemap"


@functools.cache
def _code_digest() -> bytes:
    """SHA-256 of causemap's code and data files (names and bytes): any change to how
    facts are made, in a release or an editable checkout, starts a new generation."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    files = sorted(
        path
        for path in root.rglob("*")
        if path.suffix in {".py", ".yaml", ".json"} and "__pycache__" not in path.parts
    )
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.digest()


def generation(catalog_digest: str) -> str:
    """The name of the rows that hold for the catalog of that
    :meth:`~causemap.catalog.model.Catalog.digest`, this causemap and this Python."""
    digest = hashlib.sha256(FORMAT)
    digest.update(_code_digest())
    digest.update(catalog_digest.encode())
    digest.update(f"{sys.version_info[0]}.{sys.version_info[1]}".encode())
    return digest.hexdigest()[:32]


def file_digest(name: str, data: bytes) -> bytes:
    """The key of a file's facts: SHA-256 of its bytes and of what its name says of its
    format (``.json``, ``.yaml``/``.yml``, or neither: then the bytes decide), since the
    same bytes could parse differently as JSON and as YAML."""
    lowered = name.lower()
    kind = b"json" if lowered.endswith(".json") else b""
    if lowered.endswith((".yaml", ".yml")):
        kind = b"yaml"
    return hashlib.sha256(kind + b"\0" + data).digest()


def _today() -> int:
    return int(time.time() // 86_400)


class FactsCache:
    """One run's view of the cache file: look up many files' facts, then store the new
    (and the catalog's index, :meth:`index`).

    Every method swallows the cache's own failures (after one warning through ``warn``)
    and from then on behaves as an empty cache that keeps nothing.
    """

    def __init__(
        self, folder: Path, catalog_digest: str, warn: Callable[[str], None] | None = None
    ) -> None:
        self.path = folder / FILE_NAME
        self.generation = generation(catalog_digest)
        self._warn = warn
        self._db: sqlite3.Connection | None = None
        self._opened = False

    def _connect(self) -> sqlite3.Connection | None:
        if self._opened:
            return self._db
        self._opened = True
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:  # not a database, or a damaged one
            try:
                self.path.unlink()
                self._db = self._open()
                self._say(f"the patterns cache {self.path} was unreadable ({exc}); rebuilt it")
            except (OSError, sqlite3.Error) as again:
                self._fail(again)
        except (OSError, sqlite3.Error) as exc:
            self._fail(exc)
        return self._db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=_TIMEOUT, isolation_level=None)
        try:
            # A lost cache is rebuilt, so durability is not worth an fsync per run.
            db.execute("PRAGMA synchronous = OFF")
            db.execute(
                "CREATE TABLE IF NOT EXISTS facts (generation TEXT NOT NULL, digest BLOB NOT "
                "NULL, data BLOB NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (generation, "
                "digest)) WITHOUT ROWID"
            )
        except BaseException:
            db.close()
            raise
        return db

    def _say(self, message: str) -> None:
        if self._warn is not None:
            self._warn(message)

    def _fail(self, exc: BaseException) -> None:
        """Warn once and go on without the cache."""
        if self._db is not None:
            self._db.close()
        self._db = None
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self._say(f"the patterns cache {self.path} cannot be used ({reason}); going on without it")

    def get(self, digests: Sequence[bytes]) -> dict[bytes, bytes]:
        """The stored rows (pickled facts) of those ``digests`` that have one, marked as
        used today."""
        db = self._connect()
        found: dict[bytes, bytes] = {}
        if db is None:
            return found
        today = _today()
        try:
            for start in range(0, len(digests), _BATCH):
                batch = list(digests[start : start + _BATCH])
                marks = ",".join("?" * len(batch))
                rows = db.execute(
                    f"SELECT digest, data, used FROM facts WHERE generation = ? "
                    f"AND digest IN ({marks})",
                    [self.generation, *batch],
                ).fetchall()
                stale = [digest for digest, data, used in rows if used < today]
                found.update((digest, data) for digest, data, _ in rows)
                if stale:
                    db.execute(
                        f"UPDATE facts SET used = ? WHERE generation = ? "
                        f"AND digest IN ({','.join('?' * len(stale))})",
                        [today, self.generation, *stale],
                    )
        except sqlite3.Error as exc:
            self._fail(exc)
        return found

    def holds_facts(self) -> bool:
        """Whether any file's facts are stored for this generation: when none are (a first
        run, or the first after an upgrade or a catalog change), a run need not read every
        file up front to look for them."""
        db = self._connect()
        if db is None:
            return False
        try:
            row = db.execute(
                "SELECT 1 FROM facts WHERE generation = ? AND digest NOT IN (?, ?) LIMIT 1",
                [self.generation, INDEX_KEY, EXAMPLES_INDEX_KEY],
            ).fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
            return False
        return row is not None

    def put(self, rows: Iterable[tuple[bytes, bytes]]) -> None:
        """Store (digest, pickled facts) rows, and drop rows unused for :data:`KEEP_DAYS`."""
        db = self._connect()
        if db is None:
            return
        today = _today()
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?)",
                ((self.generation, digest, data, today) for digest, data in rows),
            )
            db.execute("DELETE FROM facts WHERE used < ?", [today - KEEP_DAYS])
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                if db.in_transaction:
                    db.execute("ROLLBACK")
            self._fail(exc)

    def index(self, catalog: Catalog, *, examples: bool = False) -> CatalogIndex:
        """The scoring index of ``catalog``, which must be the catalog this cache was opened
        for: loaded when a run of this causemap kept it, else built and kept. With
        ``examples`` (for suggestions, which show each entry's closest example), its table
        of examples is made before it is kept, in a row of its own: a report never needs
        it, nor pays to load it."""
        from causemap.patterns.index import CatalogIndex

        key = EXAMPLES_INDEX_KEY if examples else INDEX_KEY
        row = self.get([key]).get(key)
        found = loads(row) if row is not None else None
        if isinstance(found, CatalogIndex):
            return found
        index = CatalogIndex(catalog)
        if examples:
            index.prepare_examples()
        self.put([(key, dumps(index))])
        return index

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> FactsCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def dumps(value: object) -> bytes:
    """A row's data: ``value`` pickled."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> object | None:
    """A row's value, or None when it does not unpickle (a damaged row is a miss)."""
    try:
        value: object = pickle.loads(data)  # the user's own cache folder: see above
    except Exception:
        return None
    return value
