"""The incident tables: incidents with their staff, categories, §4 responses, live-tag markers,
recordings and attachments. Plain SQL over the shared SQLite connection; no audit or policy
logic here (the incident service enters each change in the audit chain in the same
transaction). Child rows are replaced as a whole on each save, in the order shown on screen.
"""

from __future__ import annotations

import sqlite3

from kasuhara_recorder.store.incident_model import (
    Attachment,
    Incident,
    IncidentDraft,
    Marker,
    OtherParty,
    ResponseAction,
    StaffMember,
)

# Appended to store/migrations.py as one version (see MIGRATION_SQL users there).
MIGRATION_SQL = """
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL
        CHECK (status IN ('draft', 'submitted', 'reviewed', 'referred', 'closed')),
    legal_hold INTEGER NOT NULL DEFAULT 0,
    occurred_at TEXT NOT NULL DEFAULT '',
    duration_seconds INTEGER,
    location TEXT NOT NULL DEFAULT '',
    at_office INTEGER NOT NULL DEFAULT 1,
    location_detail TEXT NOT NULL DEFAULT '',
    department TEXT NOT NULL DEFAULT '',
    party_name TEXT NOT NULL DEFAULT '',
    party_description TEXT NOT NULL DEFAULT '',
    demand TEXT NOT NULL DEFAULT '',
    validity_note TEXT NOT NULL DEFAULT '',
    narrative TEXT NOT NULL DEFAULT '',
    injuries TEXT NOT NULL DEFAULT '',
    recorded_from_start INTEGER NOT NULL DEFAULT 0,
    profile_id TEXT NOT NULL DEFAULT '',
    profile_version INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incidents_by_status ON incidents (status);
CREATE INDEX incidents_by_time ON incidents (occurred_at);
CREATE TABLE incident_staff (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (incident_id, position)
);
CREATE TABLE incident_categories (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('validity', 'conduct')),
    PRIMARY KEY (incident_id, code)
);
CREATE INDEX incident_categories_by_code ON incident_categories (code);
CREATE TABLE incident_responses (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT '',
    by_name TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (incident_id, position)
);
CREATE TABLE incident_markers (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    offset_ms INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    who TEXT NOT NULL DEFAULT '',
    recording_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (incident_id, position)
);
CREATE TABLE incident_recordings (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    recording_id TEXT NOT NULL,
    attached_at TEXT NOT NULL,
    PRIMARY KEY (incident_id, recording_id)
);
CREATE INDEX incident_recordings_by_recording ON incident_recordings (recording_id);
CREATE TABLE incident_attachments (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    kind TEXT NOT NULL CHECK (kind IN ('file', 'url')),
    name TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    media_type TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT NOT NULL DEFAULT '',
    sealed_sha256 TEXT NOT NULL DEFAULT '',
    sealed_path TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incident_attachments_by_incident ON incident_attachments (incident_id);
"""

_DRAFT_COLUMNS = (
    "occurred_at", "duration_seconds", "location", "at_office", "location_detail", "department",
    "party_name", "party_description", "demand", "validity_note", "narrative", "injuries",
    "recorded_from_start",
)  # fmt: skip


def _draft_values(d: IncidentDraft) -> tuple:
    return (
        d.occurred_at, d.duration_seconds, d.location, int(d.at_office), d.location_detail,
        d.department, d.other_party.name, d.other_party.description, d.demand, d.validity_note,
        d.narrative, d.injuries, int(d.recorded_from_start),
    )  # fmt: skip


class IncidentRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

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
            self.add_recording(inc.id, rid, inc.created_at)

    def update_draft(self, incident_id: str, draft: IncidentDraft, updated_at: str) -> None:
        sets = ", ".join(f"{c} = ?" for c in _DRAFT_COLUMNS)
        self.conn.execute(
            f"UPDATE incidents SET {sets}, updated_at = ? WHERE id = ?",
            (*_draft_values(draft), updated_at, incident_id),
        )
        self._replace_children(incident_id, draft)

    def set_status(self, incident_id: str, status: str, updated_at: str, submitted_at=None) -> None:
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

    def add_recording(self, incident_id: str, recording_id: str, at: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO incident_recordings VALUES (?, ?, ?)",
            (incident_id, recording_id, at),
        )

    def add_attachment(self, incident_id: str, a: Attachment) -> None:
        self.conn.execute(
            "INSERT INTO incident_attachments (id, incident_id, kind, name, added_at, added_by,"
            " url, media_type, size, sha256, sealed_sha256, sealed_path, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (a.id, incident_id, a.kind, a.name, a.added_at, a.added_by, a.url, a.media_type,
             a.size, a.sha256, a.sealed_sha256, a.sealed_path, a.note),
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
        row = self.conn.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        return row is not None

    def ids(self, statuses: tuple[str, ...] | None = None) -> list[str]:
        if statuses:
            marks = ", ".join("?" * len(statuses))
            rows = self.conn.execute(
                f"SELECT id FROM incidents WHERE status IN ({marks})"
                " ORDER BY occurred_at DESC, created_at DESC", statuses,
            )  # fmt: skip
        else:
            rows = self.conn.execute(
                "SELECT id FROM incidents ORDER BY occurred_at DESC, created_at DESC"
            )
        return [r[0] for r in rows]

    def get(self, incident_id: str) -> Incident | None:
        c = self.conn
        cols = ("id", "status", "legal_hold", *_DRAFT_COLUMNS, "profile_id", "profile_version",
                "created_at", "created_by", "updated_at", "submitted_at")  # fmt: skip
        row = c.execute(
            f"SELECT {', '.join(cols)} FROM incidents WHERE id = ?", (incident_id,)
        ).fetchone()
        if row is None:
            return None
        r = dict(zip(cols, tuple(row), strict=True))
        staff = tuple(
            StaffMember(name, role)
            for name, role in c.execute(
                "SELECT name, role FROM incident_staff WHERE incident_id = ? ORDER BY position",
                (incident_id,),
            )
        )
        cats = list(
            c.execute(
                "SELECT code, kind FROM incident_categories WHERE incident_id = ? ORDER BY rowid",
                (incident_id,),
            )
        )
        responses = tuple(
            ResponseAction(code, at, by, note)
            for code, at, by, note in c.execute(
                "SELECT code, at, by_name, note FROM incident_responses"
                " WHERE incident_id = ? ORDER BY position",
                (incident_id,),
            )  # fmt: skip
        )
        markers = tuple(
            Marker(code, offset_ms, note, who, rid)
            for code, offset_ms, note, who, rid in c.execute(
                "SELECT code, offset_ms, note, who, recording_id FROM incident_markers"
                " WHERE incident_id = ? ORDER BY position",
                (incident_id,),
            )  # fmt: skip
        )
        recordings = tuple(
            x[0]
            for x in c.execute(
                "SELECT recording_id FROM incident_recordings WHERE incident_id = ?"
                " ORDER BY attached_at, rowid",
                (incident_id,),
            )  # fmt: skip
        )
        attachments = tuple(
            Attachment(*a)
            for a in c.execute(
                "SELECT id, kind, name, added_at, added_by, url, media_type, size, sha256,"
                " sealed_sha256, sealed_path, note FROM incident_attachments"
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

    def incident_ids_for_recording(self, recording_id: str) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT incident_id FROM incident_recordings WHERE recording_id = ?",
                (recording_id,),
            )
        ]


__all__ = ["MIGRATION_SQL", "IncidentRepository"]
