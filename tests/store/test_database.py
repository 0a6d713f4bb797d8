"""The SQLite store: migrations in order, WAL and foreign keys on, transactions all-or-nothing."""

from __future__ import annotations

import sqlite3

import pytest

from kasuhara_recorder.store.database import Database, DatabaseError
from kasuhara_recorder.store.migrations import MIGRATIONS, Migration


def test_migrations_apply_in_order_once(tmp_path):
    extra = Migration(MIGRATIONS[-1].version + 1, "test", "CREATE TABLE t (x INTEGER);")
    db = Database(tmp_path / "a.db", [*MIGRATIONS, extra])
    assert db.schema_version == extra.version
    db.execute("INSERT INTO t VALUES (1)")
    db.close()
    db = Database(tmp_path / "a.db", [*MIGRATIONS, extra])  # again: nothing re-run
    assert db.query("SELECT count(*) FROM t")[0][0] == 1
    assert db.query("PRAGMA journal_mode")[0][0] == "wal"
    assert db.query("PRAGMA foreign_keys")[0][0] == 1


def test_failed_migration_leaves_the_previous_version(tmp_path):
    bad = Migration(MIGRATIONS[-1].version + 1, "broken", "CREATE TABLE u (x); SELECT nope FROM;")
    with pytest.raises(DatabaseError):
        Database(tmp_path / "b.db", [*MIGRATIONS, bad])
    c = sqlite3.connect(tmp_path / "b.db")
    assert c.execute("PRAGMA user_version").fetchone()[0] == MIGRATIONS[-1].version
    assert not c.execute("SELECT name FROM sqlite_master WHERE name = 'u'").fetchall()


def test_transaction_rolls_back_everything_on_error(tmp_path):
    db = Database(tmp_path / "c.db")
    with pytest.raises(RuntimeError), db.transaction() as c:
        c.execute(
            "INSERT INTO workstation_keys (fingerprint, public_key_pem, added_at) VALUES "
            "('f', 'p', 't')"
        )
        raise RuntimeError("boom")
    assert db.query("SELECT count(*) FROM workstation_keys")[0][0] == 0
