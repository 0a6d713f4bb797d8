"""The audit chain in SQLite: every kind of tampering, done with plain SQL the way someone
with the database file would, is named with the first broken seq; `audit verify` exits 1."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kasuhara_recorder.config import DataPaths
from kasuhara_recorder.evidence.audit_chain import head_bytes
from kasuhara_recorder.evidence.workstation_key import load_or_create
from kasuhara_recorder.store.audit_log import AuditLog
from kasuhara_recorder.store.database import Database
from tests.evidence.schemas import validate

REPO = Path(__file__).resolve().parents[2]


def make_chain(root: Path, n: int = 6) -> tuple[DataPaths, AuditLog]:
    paths = DataPaths(root).ensure()
    log = AuditLog(Database(paths.database), load_or_create(paths), "窓口1")
    for i in range(n):
        log.append("山田", "recording.tag", f"recording:r{i % 2}", {"i": i, "note": "大声で威圧"})
    return paths, log


def tamper(paths: DataPaths, *sql: str) -> None:
    c = sqlite3.connect(paths.database)
    for s in sql:
        c.execute(s)
    c.commit()
    c.close()


def report(paths: DataPaths):
    db = Database(paths.database)
    try:
        return AuditLog(db, load_or_create(paths)).verify()
    finally:
        db.close()


def test_intact_chain_verifies_and_entries_match_the_schema(tmp_path):
    paths, log = make_chain(tmp_path / "d")
    r = log.verify()
    assert r.ok and r.entries_checked == 6 and r.head_seq == 6
    for e in log.entries():
        validate(e.to_dict(), "audit-entry.schema.json")
    assert [e.seq for e in log.entries("recording:r1")] == [2, 4, 6]
    head = log.head()
    validate(json.loads(head_bytes(head.seq, head.hash)), "audit-head.schema.json")


@pytest.mark.parametrize(
    "sql, seq, reason",
    [
        (["UPDATE audit_log SET actor = '佐藤' WHERE seq = 3"], 3, "edited"),
        (["UPDATE audit_log SET data_json = '{\"i\":2,\"note\":\"\"}' WHERE seq = 3"], 3, "edited"),
        (["UPDATE audit_log SET time = '2026-01-01T00:00:00+09:00' WHERE seq = 2"], 2, "edited"),
        (["DELETE FROM audit_log WHERE seq = 3"], 3, "deleted"),
        (["DELETE FROM audit_log WHERE seq = 1"], 1, "deleted"),
        (["UPDATE audit_log SET seq = -3 WHERE seq = 3",
          "UPDATE audit_log SET seq = 3 WHERE seq = 4",
          "UPDATE audit_log SET seq = 4 WHERE seq = -3"], 3, "reordered"),
        (["UPDATE audit_log SET signature = substr(signature, 3) || '00' WHERE seq = 5"], 5,
         "bad_signature"),
        (["DELETE FROM audit_log WHERE seq >= 5"], 5, "truncated_head"),
        (["DELETE FROM audit_log WHERE seq >= 5", "DELETE FROM audit_head"], 4, "truncated_head"),
        (["UPDATE audit_head SET seq = 5"], 5, "bad_signature"),
    ],
)  # fmt: skip
def test_tampering_is_named_with_its_seq(tmp_path, sql, seq, reason):
    paths, _ = make_chain(tmp_path / "d")
    tamper(paths, *sql)
    r = report(paths)
    assert not r.ok
    assert (r.first_bad_seq, r.reason) == (seq, reason)
    assert str(seq) in r.message("ja")


def test_an_entry_inserted_with_a_recomputed_hash_is_caught(tmp_path):
    """Someone with the database but not the key shifts the tail and inserts a forged entry."""
    from kasuhara_recorder.evidence.audit_chain import make_entry
    from kasuhara_recorder.evidence.workstation_key import WorkstationKey

    paths, log = make_chain(tmp_path / "d")
    entries = log.entries()
    forger = WorkstationKey(load_or_create(DataPaths(tmp_path / "other").ensure()).private_key)
    fake = make_entry(entries[2], time=entries[2].time, actor="攻撃者", event="recording.tag",
                      subject="recording:r0", data={"i": 99}, key=forger)  # fmt: skip
    c = sqlite3.connect(paths.database)
    for s in range(6, 3, -1):
        c.execute("UPDATE audit_log SET seq = seq + 1 WHERE seq = ?", (s,))
    c.execute(
        "INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (fake.seq, fake.time, fake.actor, entries[0].workstation, fake.event, fake.subject,
         fake.data_json, fake.data_sha256, fake.prev_hash, fake.hash, fake.signature),
    )  # fmt: skip
    c.commit()
    r = report(paths)
    assert not r.ok and r.first_bad_seq == 4 and r.reason == "inserted"


COLUMNS = ["time", "actor", "workstation", "event", "subject", "data_json", "data_sha256",
           "prev_hash", "hash", "signature"]  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seq=st.integers(min_value=1, max_value=6),
    column=st.sampled_from(COLUMNS),
    pos=st.integers(min_value=0),
    bit=st.integers(min_value=0, max_value=6),
)
def test_any_flipped_byte_in_an_audit_row_is_detected(tmp_path_factory, seq, column, pos, bit):
    paths, _ = make_chain(tmp_path_factory.mktemp("chain"))
    c = sqlite3.connect(paths.database)
    value = c.execute(f"SELECT {column} FROM audit_log WHERE seq = ?", (seq,)).fetchone()[0]
    raw = bytearray(value.encode("utf-8"))
    i = pos % len(raw)
    raw[i] ^= 1 << bit  # bits 0–6 keep ASCII ASCII; multi-byte text may become invalid UTF-8
    try:
        new: str | bytes = raw.decode("utf-8")
    except UnicodeDecodeError:
        new = bytes(raw)  # what a hex editor leaves: stored as a BLOB
    c.execute(f"UPDATE audit_log SET {column} = ? WHERE seq = ?", (new, seq))
    c.commit()
    c.close()
    r = report(paths)
    assert not r.ok
    assert r.first_bad_seq in (seq, seq + 1)  # a changed hash shows at the entry or its successor


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "KASUHARA_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "kasuhara_recorder", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_audit_verify_command_exits_0_intact_and_1_broken(tmp_path):
    paths, log = make_chain(tmp_path / "d")
    log.db.close()
    r = run_cli("--lang", "ja", "audit", "verify", data_dir=paths.root)
    assert r.returncode == 0, r.stderr
    assert "改ざんされていません" in r.stdout
    tamper(paths, "UPDATE audit_log SET event = 'recording.stop' WHERE seq = 4")
    r = run_cli("--lang", "ja", "audit", "verify", data_dir=paths.root)
    assert r.returncode == 1
    assert "第 4 件目" in r.stdout and "書き換え" in r.stdout
    r = run_cli("--json", "audit", "verify", data_dir=paths.root)
    out = json.loads(r.stdout)
    assert r.returncode == 1 and out["ok"] is False
    assert (out["first_bad_seq"], out["reason"]) == (4, "edited")
