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
from typing import Any

from kasuhara_recorder.errors import EvidenceError
from kasuhara_recorder.store.migrations import MIGRATIONS, Migration
from kasuhara_recorder.text import Text


class DatabaseError(EvidenceError):
    template = Text(
        "データベースを開けません（{detail}）。",
        "cannot open the database ({detail})",
    )


class DatabaseDamaged(DatabaseError):
    """The file is not a readable SQLite database any more: never written over."""

    template = Text(
        "データベース {path} が壊れています（{detail}）。このファイルを削除・上書きせず、"
        "データフォルダごと保全して、情報システム担当者にバックアップからの復元を依頼してください。"
        "封印済みの録音（vault フォルダ）はそのまま残っています。",
        "the database {path} is damaged ({detail}); do not delete or overwrite it: keep the "
        "data folder as it is and restore the database from a backup (the sealed recordings "
        "in the vault folder are untouched)",
    )
    fields = ("path", "detail")


class DatabaseBusy(DatabaseError):
    template = Text(
        "データベース {path} を別のプログラムが使用中のため、"
        "{detail}秒待っても書き込めませんでした。"
        "ほかに起動している Kasuhara Recorder やデータベースを開いているツールを終了してから、"
        "もう一度実行してください。",
        "the database {path} stayed locked by another program for {detail} s; close the other "
        "Kasuhara Recorder or database tool and try again",
    )
    fields = ("path", "detail")

    def __init__(self, path: Path, timeout_s: float) -> None:
        super().__init__(path, f"{timeout_s:g}")


class DatabaseNotWritable(DatabaseError):
    """A place or permission problem (read-only folder or disk), not damaged evidence."""

    exit_code = 2
    template = Text(
        "データベース {path} を開けないか、書き込めません（{detail}）。データフォルダ"
        "（--data-dir または KASUHARA_DATA_DIR）の場所と書き込み権限を確認してください。",
        "cannot open or write the database {path} ({detail}); check the data folder "
        "(--data-dir or KASUHARA_DATA_DIR) and its write permission",
    )
    fields = ("path", "detail")


BUSY_TIMEOUT_S = 30


def typed_error(path: Path, e: sqlite3.Error) -> DatabaseError | None:
    """The typed error for a damaged or locked database, None for anything else (a bug)."""
    text = str(e).lower()
    if "locked" in text or "busy" in text:
        return DatabaseBusy(path, BUSY_TIMEOUT_S)
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return DatabaseNotWritable(path, str(e))
    if isinstance(e, sqlite3.DatabaseError) and any(
        m in text for m in ("malformed", "not a database", "corrupt", "disk i/o")
    ):
        return DatabaseDamaged(path, str(e))
    return None


class Database:
    def __init__(self, path: Path, migrations: Sequence[Migration] | None = None) -> None:
        self.path = Path(path)
        try:
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S
            )
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA synchronous=FULL")  # evidence: durable on commit
            # Read the schema now: a damaged file is reported here, not half-way into a write.
            self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as e:
            raise typed_error(self.path, e) or DatabaseError(f"{self.path}: {e}") from None
        with contextlib.suppress(OSError):
            self.path.chmod(0o600)
        self._lock = threading.RLock()
        self._depth = 0
        self.migrate(MIGRATIONS if migrations is None else migrations)

    # --- schema --------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

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
                    if typed := typed_error(self.path, e):
                        raise typed from None
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
            with self._typed_errors():
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                with self._typed_errors():
                    yield self._conn
            except BaseException:
                with contextlib.suppress(sqlite3.Error):  # a damaged file may refuse even this
                    self._conn.execute("ROLLBACK")
                raise
            else:
                with self._typed_errors():
                    self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        with self._lock, self._typed_errors():
            return self._conn.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock, self._typed_errors():
            return self._conn.execute(sql, params).fetchall()

    def check_intact(self) -> None:
        """DatabaseDamaged if the file is damaged anywhere (``integrity_problem``)."""
        problem = self.integrity_problem()
        if problem:
            raise DatabaseDamaged(self.path, problem)

    def integrity_problem(self) -> str | None:
        """SQLite's own structural check (quick_check): None when the file is sound."""
        try:
            rows = self.query("PRAGMA quick_check")
        except DatabaseDamaged as e:
            return str(e.detail)
        problems = [str(r[0]) for r in rows if str(r[0]) != "ok"]
        return "; ".join(problems[:5]) or None

    @contextlib.contextmanager
    def _typed_errors(self) -> Iterator[None]:
        """A damaged or locked file becomes a typed error that says what to do; any other
        sqlite3 error is a bug and goes on as it is."""
        try:
            yield
        except sqlite3.Error as e:
            typed = typed_error(self.path, e)
            if typed is None:
                raise
            raise typed from e

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
