"""The incident tables (migration 2): incidents with their staff, categories, §4 responses,
live-tag markers and attachments; recordings link through ``recordings.incident_id``.

Plain SQL over ``Database``; no audit or policy logic here (the incident service enters each
change in the audit chain in the same transaction). Writes must run inside
``Database.transaction()``. Child rows are replaced as a whole on each save, in screen order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kasuhara_recorder.store.database import Database

from kasuhara_recorder.store.incident_model import (
    Attachment,
    Incident,
    IncidentDraft,
    Marker,
    OtherParty,
    ResponseAction,
    StaffMember,
)
from kasuhara_recorder.store.incident_query import (
    IncidentPage,
    IncidentQuery,
    sqlite_departments,
    sqlite_page,
)

_DRAFT_COLUMNS = (
    "occurred_at", "duration_seconds", "location", "at_office", "location_detail", "department",
    "party_name", "party_description", "demand", "validity_note", "narrative", "injuries",
    "recorded_from_start",
)  # fmt: skip


def _draft_values(d: IncidentDraft) -> tuple[Any, ...]:
    return (
        d.occurred_at, d.duration_seconds, d.location, int(d.at_office), d.location_detail,
        d.department, d.other_party.name, d.other_party.description, d.demand, d.validity_note,
        d.narrative, d.injuries, int(d.recorded_from_start),
    )  # fmt: skip


def _attachment(row: sqlite3.Row) -> Attachment:
    values = {k: row[k] for k in row.keys() if k != "after_submit"}
    return Attachment(**values, after_submit=bool(row["after_submit"]))


class IncidentRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def conn(self) -> sqlite3.Connection:
        """The raw connection, for writes; callers hold ``db.transaction()`` (and its lock)."""
        return self.db.connection

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self.db.query(sql, params)

    # --- writes (the caller holds the transaction) ---------------------------------------
    def insert(self, inc: Incident) -> None:
        cols = ("id", "status", "legal_hold", *_DRAFT_COLUMNS, "profile_id", "profile_version",
                "created_at", "created_by", "updated_at", "submitted_at")  # fmt: skip
        values = (inc.id, inc.status, int(inc.legal_hold), *_draft_values(inc.draft),
                  inc.profile_id, inc.profile_version, inc.created_at, inc.created_by,
                  inc.updated_at, inc.submitted_at)  # fmt: skip
        marks = ", ".join("?" * len(cols))
        self.conn.execute(f"INSERT INTO incidents ({', '.join(cols)}) VALUES ({marks})", values)
        self._replace_children(inc.id, inc.draft)
        for rid in inc.recordings:
            self.link_recording(inc.id, rid)

    def update_draft(self, incident_id: str, draft: IncidentDraft, updated_at: str) -> None:
        sets = ", ".join(f"{c} = ?" for c in _DRAFT_COLUMNS)
        self.conn.execute(
            f"UPDATE incidents SET {sets}, updated_at = ? WHERE id = ?",
            (*_draft_values(draft), updated_at, incident_id),
        )
        self._replace_children(incident_id, draft)

    def set_status(
        self, incident_id: str, status: str, updated_at: str, submitted_at: str | None = None
    ) -> None:
        if submitted_at is None:
            self.conn.execute(
                "UPDATE incidents SET status = ?, updated_at = ? WHERE id = ?",
                (status, updated_at, incident_id),
            )
        else:
            self.conn.execute(
                "UPDATE incidents SET status = ?, updated_at = ?, submitted_at = ? WHERE id = ?",
                (status, updated_at, submitted_at, incident_id),
            )

    def set_legal_hold(self, incident_id: str, on: bool, updated_at: str) -> None:
        self.conn.execute(
            "UPDATE incidents SET legal_hold = ?, updated_at = ? WHERE id = ?",
            (int(on), updated_at, incident_id),
        )

    def link_recording(self, incident_id: str, recording_id: str) -> None:
        cur = self.conn.execute(
            "UPDATE recordings SET incident_id = ? WHERE id = ?", (incident_id, recording_id)
        )
        if cur.rowcount != 1:
            raise LookupError(f"recording {recording_id} not found")

    def add_attachment(self, incident_id: str, a: Attachment) -> None:
        self.conn.execute(
            "INSERT INTO incident_attachments (id, incident_id, kind, name, added_at, added_by,"
            " url, media_type, size, sha256, sealed_sha256, sealed_path, note, after_submit)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (a.id, incident_id, a.kind, a.name, a.added_at, a.added_by, a.url, a.media_type,
             a.size, a.sha256, a.sealed_sha256, a.sealed_path, a.note, int(a.after_submit)),
        )  # fmt: skip

    def _replace_children(self, iid: str, d: IncidentDraft) -> None:
        c = self.conn
        for table in ("incident_staff", "incident_categories", "incident_responses",
                      "incident_markers"):  # fmt: skip
            c.execute(f"DELETE FROM {table} WHERE incident_id = ?", (iid,))
        c.executemany(
            "INSERT INTO incident_staff VALUES (?, ?, ?, ?)",
            [(iid, i, s.name, s.role) for i, s in enumerate(d.staff)],
        )
        c.executemany(
            "INSERT OR IGNORE INTO incident_categories VALUES (?, ?, ?)",
            [(iid, code, "validity") for code in d.validity]
            + [(iid, code, "conduct") for code in d.categories],
        )
        c.executemany(
            "INSERT INTO incident_responses VALUES (?, ?, ?, ?, ?, ?)",
            [(iid, i, r.code, r.at, r.by, r.note) for i, r in enumerate(d.responses)],
        )
        c.executemany(
            "INSERT INTO incident_markers VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(iid, i, m.code, m.offset_ms, m.note, m.who, m.recording_id)
             for i, m in enumerate(d.markers)],
        )  # fmt: skip

    # --- reads ---------------------------------------------------------------------------
    def exists(self, incident_id: str) -> bool:
        return bool(self._rows("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)))

    def ids(self, statuses: tuple[str, ...] | None = None) -> list[str]:
        if statuses:
            marks = ", ".join("?" * len(statuses))
            rows = self._rows(
                f"SELECT id FROM incidents WHERE status IN ({marks})"
                " ORDER BY occurred_at DESC, created_at DESC", statuses,
            )  # fmt: skip
        else:
            rows = self._rows("SELECT id FROM incidents ORDER BY occurred_at DESC, created_at DESC")
        return [r[0] for r in rows]

    def query(self, q: IncidentQuery) -> IncidentPage:
        """A page of the list and the total the filters match (store/incident_query.py)."""
        return sqlite_page(self._rows, q)

    def departments(self) -> list[str]:
        return sqlite_departments(self._rows)

    def get(self, incident_id: str) -> Incident | None:
        q = self._rows
        cols = ("id", "status", "legal_hold", *_DRAFT_COLUMNS, "profile_id", "profile_version",
                "created_at", "created_by", "updated_at", "submitted_at")  # fmt: skip
        found = q(f"SELECT {', '.join(cols)} FROM incidents WHERE id = ?", (incident_id,))
        if not found:
            return None
        r = dict(zip(cols, tuple(found[0]), strict=True))
        staff = tuple(
            StaffMember(name, role)
            for name, role in q(
                "SELECT name, role FROM incident_staff WHERE incident_id = ? ORDER BY position",
                (incident_id,),
            )
        )
        cats = list(
            q(
                "SELECT code, kind FROM incident_categories WHERE incident_id = ? ORDER BY rowid",
                (incident_id,),
            )
        )
        responses = tuple(
            ResponseAction(code, at, by, note)
            for code, at, by, note in q(
                "SELECT code, at, by_name, note FROM incident_responses"
                " WHERE incident_id = ? ORDER BY position",
                (incident_id,),
            )  # fmt: skip
        )
        markers = tuple(
            Marker(code, offset_ms, note, who, rid)
            for code, offset_ms, note, who, rid in q(
                "SELECT code, offset_ms, note, who, recording_id FROM incident_markers"
                " WHERE incident_id = ? ORDER BY position",
                (incident_id,),
            )  # fmt: skip
        )
        recordings = tuple(
            x[0]
            for x in q(
                "SELECT id FROM recordings WHERE incident_id = ? ORDER BY started_at, id",
                (incident_id,),
            )  # fmt: skip
        )
        attachments = tuple(
            _attachment(a)
            for a in q(
                "SELECT id, kind, name, added_at, added_by, url, media_type, size, sha256,"
                " sealed_sha256, sealed_path, note, after_submit FROM incident_attachments"
                " WHERE incident_id = ? ORDER BY added_at, rowid",
                (incident_id,),
            )  # fmt: skip
        )
        draft = IncidentDraft(
            occurred_at=r["occurred_at"],
            duration_seconds=r["duration_seconds"],
            location=r["location"],
            at_office=bool(r["at_office"]),
            location_detail=r["location_detail"],
            department=r["department"],
            staff=staff,
            other_party=OtherParty(r["party_name"], r["party_description"]),
            demand=r["demand"],
            validity=tuple(code for code, kind in cats if kind == "validity"),
            validity_note=r["validity_note"],
            categories=tuple(code for code, kind in cats if kind == "conduct"),
            narrative=r["narrative"],
            responses=responses,
            injuries=r["injuries"],
            recorded_from_start=bool(r["recorded_from_start"]),
            markers=markers,
        )
        return Incident(
            id=r["id"], status=r["status"], draft=draft, created_at=r["created_at"],
            created_by=r["created_by"], updated_at=r["updated_at"],
            legal_hold=bool(r["legal_hold"]), submitted_at=r["submitted_at"],
            recordings=recordings, attachments=attachments, profile_id=r["profile_id"],
            profile_version=r["profile_version"],
        )  # fmt: skip

    def linked_incident(self, recording_id: str) -> str | None:
        """The incident a recording belongs to (None: none yet); LookupError if no such
        recording."""
        rows = self._rows("SELECT incident_id FROM recordings WHERE id = ?", (recording_id,))
        if not rows:
            raise LookupError(f"recording {recording_id} not found")
        incident_id: str | None = rows[0][0]
        return incident_id

    def incident_ids_for_recording(self, recording_id: str) -> list[str]:
        return [
            r[0]
            for r in self._rows(
                "SELECT incident_id FROM recordings WHERE id = ? AND incident_id IS NOT NULL",
                (recording_id,),
            )
        ]


__all__ = ["IncidentRepository"]
