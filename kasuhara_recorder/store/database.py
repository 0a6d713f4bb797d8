"""The embedded SQLite store: one connection, WAL, foreign keys, schema migrations in order.

Repositories (audit log, recordings, incidents) take a ``Database`` and use only
``transaction()``, ``execute()`` and ``query()``, so a PostgreSQL store can stand in later.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from kasuhara_recorder.errors import EvidenceError
from kasuhara_recorder.store.migrations import MIGRATIONS, Migration


class DatabaseError(EvidenceError):
    ja = "データベース {detail} を開けません。"
    en = "cannot open the database {detail}"


class Database:
    def __init__(self, path: Path, migrations: Sequence[Migration] | None = None) -> None:
        self.path = Path(path)
        try:
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA synchronous=FULL")  # evidence: durable on commit
        except sqlite3.Error as e:
            raise DatabaseError(f"{self.path}: {e}") from None
        with contextlib.suppress(OSError):
            self.path.chmod(0o600)
        self._lock = threading.RLock()
        self._depth = 0
        self.migrate(MIGRATIONS if migrations is None else migrations)

    # --- schema --------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, migrations: Sequence[Migration]) -> None:
        ordered = sorted(migrations, key=lambda m: m.version)
        versions = [m.version for m in ordered]
        if len(set(versions)) != len(versions):
            raise DatabaseError(f"{self.path}: duplicate migration versions {versions}")
        for m in ordered:
            if m.version <= self.schema_version:
                continue
            with self._lock:
                try:
                    self._conn.execute("BEGIN IMMEDIATE")
                    if m.version <= self.schema_version:  # another process got there first
                        self._conn.execute("ROLLBACK")
                        continue
                    for stmt in _statements(m.sql):
                        self._conn.execute(stmt)
                    self._conn.execute(f"PRAGMA user_version = {int(m.version)}")
                    self._conn.execute("COMMIT")
                except sqlite3.Error as e:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                    raise DatabaseError(
                        f"{self.path}: migration {m.version} ({m.name}): {e}"
                    ) from None

    # --- use -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE); nested calls join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def execute(self, sql: str, params: Sequence | dict = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.execute(sql, params)

    def query(self, sql: str, params: Sequence | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    @property
    def connection(self) -> sqlite3.Connection:
        """The raw connection, for repositories that need executemany and the like."""
        return self._conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _statements(sql: str) -> list[str]:
    """Split a migration script on complete statements (sqlite3.complete_statement)."""
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
