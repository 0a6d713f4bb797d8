"""What this PC knows of its sync to the central store (SQLite, beside the evidence): the items
confirmed there, the last contact, and the last central head it saw."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from kasuhara_recorder.store.database import Database


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class SeenHead:
    seq: int
    hash: str
    body_json: str
    signed_by: str
    signature: str


@dataclass(frozen=True)
class Contact:
    last_contact: str
    last_attempt: str
    last_error: str


class SyncState:
    def __init__(self, db: Database) -> None:
        self.db = db

    def marks(self, kind: str) -> dict[str, str]:
        rows = self.db.query("SELECT item, hash FROM sync_marks WHERE kind = ?", (kind,))
        return {r["item"]: r["hash"] for r in rows}

    def mark(self, kind: str, item: str, value: str) -> None:
        with self.db.transaction() as c:
            c.execute(
                "INSERT INTO sync_marks (kind, item, hash, synced_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, item) DO UPDATE SET hash = excluded.hash, "
                "synced_at = excluded.synced_at",
                (kind, item, value, _now()),
            )

    def mark_many(self, kind: str, items: dict[str, str]) -> None:
        """Several marks of one kind in one transaction (one commit)."""
        if not items:
            return
        with self.db.transaction():
            for item, value in items.items():
                self.mark(kind, item, value)

    def login_role(self) -> tuple[str, tuple[str, ...]] | None:
        """The central login's role and a supervisor's departments, as last seen (None: never)."""
        rows = self.db.query("SELECT role, departments FROM central_login")
        if not rows:
            return None
        try:
            deps = tuple(str(d) for d in json.loads(rows[0]["departments"]))
        except (ValueError, TypeError):
            deps = ()
        return str(rows[0]["role"]), deps

    def see_login_role(self, role: str, departments: tuple[str, ...]) -> None:
        with self.db.transaction() as c:
            c.execute(
                "INSERT INTO central_login (id, role, departments, seen_at) VALUES (1, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET role = excluded.role, "
                "departments = excluded.departments, seen_at = excluded.seen_at",
                (role, json.dumps(list(departments), ensure_ascii=False), _now()),
            )

    def _ensure(self) -> None:
        self.db.execute("INSERT OR IGNORE INTO sync_status (id) VALUES (1)")

    def contact(self) -> Contact:
        rows = self.db.query("SELECT last_contact, last_attempt, last_error FROM sync_status")
        if not rows:
            return Contact("", "", "")
        r = rows[0]
        return Contact(r["last_contact"], r["last_attempt"], r["last_error"])

    def attempted(self, error: str = "") -> None:
        """A sync ran: ``error`` empty when it reached the central store and finished."""
        with self.db.transaction() as c:
            self._ensure()
            now = _now()
            if error:
                c.execute("UPDATE sync_status SET last_attempt = ?, last_error = ?", (now, error))
            else:
                c.execute(
                    "UPDATE sync_status SET last_attempt = ?, last_contact = ?, last_error = ''",
                    (now, now),
                )

    def seen_head(self) -> SeenHead | None:
        rows = self.db.query(
            "SELECT head_seq, head_hash, head_body, head_signed_by, head_signature "
            "FROM sync_status WHERE head_seq > 0"
        )
        return SeenHead(*tuple(rows[0])) if rows else None

    def see_head(self, h: SeenHead) -> None:
        with self.db.transaction() as c:
            self._ensure()
            c.execute(
                "UPDATE sync_status SET head_seq = ?, head_hash = ?, head_body = ?, "
                "head_signed_by = ?, head_signature = ?",
                (h.seq, h.hash, h.body_json, h.signed_by, h.signature),
            )
