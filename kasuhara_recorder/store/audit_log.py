"""The audit log in SQLite: append-only entries of the hash chain, plus the signed head.

An append reads the last entry, builds and signs the next one, and rewrites the head in the same
BEGIN IMMEDIATE transaction, so two processes never fork the chain. Callers that change other
tables (an incident edit, a new recording) wrap both in ``db.transaction()``: the audit entry and
the change commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from typing import Any

from kasuhara_recorder.evidence.audit_chain import (
    AuditEntry,
    ChainHead,
    ChainReport,
    make_entry,
    make_head,
    verify_chain,
)
from kasuhara_recorder.evidence.workstation_key import WorkstationKey
from kasuhara_recorder.store.database import Database

_COLUMNS = (
    "seq, time, actor, workstation, event, subject, data_json, data_sha256, prev_hash, hash, "
    "signature"
)


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


def _text(v: object) -> str:
    # A value edited into a BLOB or a number still has to reach the verifier, which then
    # reports it as edited; never crash on what a hex editor left behind.
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v if isinstance(v, str) else str(v)


def _entry(row: sqlite3.Row) -> AuditEntry:
    seq = row["seq"]
    return AuditEntry(
        seq=seq if isinstance(seq, int) else -1,
        time=_text(row["time"]),
        actor=_text(row["actor"]),
        workstation=_text(row["workstation"]),
        event=_text(row["event"]),
        subject=_text(row["subject"]),
        data_json=_text(row["data_json"]),
        data_sha256=_text(row["data_sha256"]),
        prev_hash=_text(row["prev_hash"]),
        hash=_text(row["hash"]),
        signature=_text(row["signature"]),
    )


class AuditLog:
    def __init__(self, db: Database, key: WorkstationKey, workstation_name: str = "") -> None:
        self.db = db
        self.key = key
        self.register_key(key.fingerprint, key.public_pem.decode("ascii"), workstation_name)

    def register_key(self, fingerprint: str, public_key_pem: str, name: str = "") -> None:
        """Trust a workstation's key for verification (its own key, or one from a central
        store). The fingerprint shown at set-up is what anchors this table."""
        with self.db.transaction() as c:
            c.execute(
                "INSERT OR IGNORE INTO workstation_keys (fingerprint, public_key_pem, name, "
                "added_at) VALUES (?, ?, ?, ?)",
                (fingerprint, public_key_pem, name, _now()),
            )

    def append(self, actor: str, event: str, subject: str, data: Mapping[str, Any]) -> AuditEntry:
        with self.db.transaction() as c:
            row = c.execute(
                f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            prev = _entry(row) if row else None
            e = make_entry(
                prev,
                time=_now(),
                actor=actor,
                event=event,
                subject=subject,
                data=data,
                key=self.key,
            )
            c.execute(
                f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    e.seq,
                    e.time,
                    e.actor,
                    e.workstation,
                    e.event,
                    e.subject,
                    e.data_json,
                    e.data_sha256,
                    e.prev_hash,
                    e.hash,
                    e.signature,
                ),
            )
            h = make_head(e, self.key)
            c.execute(
                "INSERT INTO audit_head (id, seq, hash, workstation, signature) "
                "VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, "
                "hash = excluded.hash, workstation = excluded.workstation, "
                "signature = excluded.signature",
                (h.seq, h.hash, h.workstation, h.signature),
            )
        return e

    def entries(self, subject: str | None = None) -> list[AuditEntry]:
        if subject is None:
            rows = self.db.query(f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq")
        else:
            rows = self.db.query(
                f"SELECT {_COLUMNS} FROM audit_log WHERE subject = ? ORDER BY seq", (subject,)
            )
        return [_entry(r) for r in rows]

    def head(self) -> ChainHead | None:
        rows = self.db.query("SELECT seq, hash, workstation, signature FROM audit_head")
        if not rows:
            return None
        r = rows[0]
        return ChainHead(r["seq"], r["hash"], r["workstation"], r["signature"])

    def keys(self) -> dict[str, str]:
        rows = self.db.query("SELECT fingerprint, public_key_pem FROM workstation_keys")
        return {r["fingerprint"]: r["public_key_pem"] for r in rows}

    def verify(self) -> ChainReport:
        return verify_chain(self.entries(), self.head(), self.keys())
