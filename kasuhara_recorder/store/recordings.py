"""The recordings table: one row per sealed recording, holding its signed manifest verbatim.

The manifest bytes and signature are stored exactly as written to the vault, so the database
alone can re-check every capture-time hash; the other columns are for listing and searching.
Tags added after capture live in ``recording_tags`` (capture-time tags are in the manifest).
"""

from __future__ import annotations

import builtins
import datetime as dt
import sqlite3
from dataclasses import dataclass

from kasuhara_recorder.evidence.manifest import (
    RecordingManifest,
    TagEntry,
    verify_manifest_bytes,
)
from kasuhara_recorder.store.database import Database


@dataclass(frozen=True)
class RecordingRecord:
    id: str
    incident_id: str | None
    status: str
    channel: str
    started_at: str
    ended_at: str
    duration_ms: int
    sealed_file: str
    pcm_sha256: str
    sealed_sha256: str
    sealed_size: int
    manifest_json: bytes
    manifest_signature: bytes
    created_at: str

    @property
    def manifest(self) -> RecordingManifest:
        return RecordingManifest.from_bytes(self.manifest_json, f"recording {self.id}")

    def verified_manifest(self, trusted_public_pem: bytes | str | None = None) -> RecordingManifest:
        return verify_manifest_bytes(
            self.manifest_json, self.manifest_signature, trusted_public_pem=trusted_public_pem
        )


_COLUMNS = (
    "id, incident_id, status, channel, started_at, ended_at, duration_ms, sealed_file, pcm_sha256, "
    "sealed_sha256, sealed_size, manifest_json, manifest_signature, created_at"
)


def _sig_bytes(hex_text: object) -> bytes:
    """Only canonical lower-case hex is a signature; anything else fails verification."""
    if not isinstance(hex_text, str) or hex_text.strip("0123456789abcdef") or len(hex_text) % 2:
        return b""
    return bytes.fromhex(hex_text)


def _record(r: sqlite3.Row) -> RecordingRecord:
    return RecordingRecord(
        id=r["id"],
        incident_id=r["incident_id"],
        status=r["status"],
        channel=r["channel"],
        started_at=r["started_at"],
        ended_at=r["ended_at"],
        duration_ms=r["duration_ms"],
        sealed_file=r["sealed_file"],
        pcm_sha256=r["pcm_sha256"],
        sealed_sha256=r["sealed_sha256"],
        sealed_size=r["sealed_size"],
        manifest_json=r["manifest_json"].encode("utf-8"),
        manifest_signature=_sig_bytes(r["manifest_signature"]),
        created_at=r["created_at"],
    )


class RecordingRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, manifest_json: bytes, signature: bytes) -> RecordingRecord:
        """Store a signed manifest (the exact bytes written to the vault)."""
        m = RecordingManifest.from_bytes(manifest_json)
        now = dt.datetime.now().astimezone().isoformat(timespec="milliseconds")
        with self.db.transaction() as c:
            c.execute(
                f"INSERT INTO recordings ({_COLUMNS}) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    m.id,
                    m.incident_id,
                    m.status,
                    m.channel,
                    m.started_at,
                    m.ended_at,
                    m.duration_ms,
                    m.sealed_name,
                    m.pcm_sha256,
                    m.sealed_sha256,
                    m.sealed_size,
                    manifest_json.decode("utf-8"),
                    signature.hex(),
                    now,
                ),
            )
        got = self.get(m.id)
        assert got is not None  # just inserted in this connection
        return got

    def get(self, recording_id: str) -> RecordingRecord | None:
        rows = self.db.query(f"SELECT {_COLUMNS} FROM recordings WHERE id = ?", (recording_id,))
        return _record(rows[0]) if rows else None

    def list(self, incident_id: str | None = None) -> list[RecordingRecord]:
        if incident_id is None:
            rows = self.db.query(f"SELECT {_COLUMNS} FROM recordings ORDER BY started_at, id")
        else:
            rows = self.db.query(
                f"SELECT {_COLUMNS} FROM recordings WHERE incident_id = ? ORDER BY started_at, id",
                (incident_id,),
            )
        return [_record(r) for r in rows]

    def list_unattached(self) -> builtins.list[RecordingRecord]:
        """Recordings no incident holds (kept as routine, or recovered and not yet attached),
        newest first: the ones staff may still add to an incident."""
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM recordings WHERE incident_id IS NULL"
            " ORDER BY started_at DESC, id DESC"
        )
        return [_record(r) for r in rows]

    def later_tag_counts(self, recording_ids: builtins.list[str]) -> dict[str, int]:
        """How many tags were added after capture, per recording (absent = none)."""
        counts: dict[str, int] = {}
        for i in range(0, len(recording_ids), 500):  # under SQLite's bound-parameter limit
            chunk = tuple(recording_ids[i : i + 500])
            rows = self.db.query(
                "SELECT recording_id, COUNT(*) FROM recording_tags"
                f" WHERE recording_id IN ({', '.join('?' * len(chunk))}) GROUP BY recording_id",
                chunk,
            )
            counts.update((r[0], r[1]) for r in rows)
        return counts

    def set_incident(self, recording_id: str, incident_id: str | None) -> None:
        """Attach a recording to an incident after the fact (the manifest keeps the id it was
        captured with; the audit chain records the change)."""
        with self.db.transaction() as c:
            c.execute(
                "UPDATE recordings SET incident_id = ? WHERE id = ?", (incident_id, recording_id)
            )

    def add_tag(self, recording_id: str, tag: TagEntry) -> None:
        now = dt.datetime.now().astimezone().isoformat(timespec="milliseconds")
        with self.db.transaction() as c:
            pos = c.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM recording_tags WHERE recording_id = ?",
                (recording_id,),
            ).fetchone()[0]
            c.execute(
                "INSERT INTO recording_tags (recording_id, position, code, offset_ms, note, who, "
                "added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (recording_id, pos, tag.code, tag.offset_ms, tag.note, tag.who, now),
            )

    def tags(self, recording_id: str) -> tuple[TagEntry, ...]:
        """Capture-time tags (from the manifest) followed by tags added later."""
        rec = self.get(recording_id)
        if rec is None:
            return ()
        later = self.db.query(
            "SELECT code, offset_ms, note, who FROM recording_tags WHERE recording_id = ? "
            "ORDER BY position",
            (recording_id,),
        )
        return rec.manifest.tags + tuple(
            TagEntry(r["code"], r["offset_ms"], r["note"], r["who"]) for r in later
        )
