"""Schema versions of the SQLite store, applied in order by ``Database``.

Each feature appends one ``Migration`` with the next version number; never edit a migration
that has shipped (a data folder remembers its version in ``PRAGMA user_version``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


EVIDENCE_SQL = """
CREATE TABLE workstation_keys (
    fingerprint TEXT PRIMARY KEY,         -- SHA-256 of the raw Ed25519 public key, hex
    public_key_pem TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL
);
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,              -- 1, 2, 3 … with no gaps
    time TEXT NOT NULL,                   -- ISO 8601 with offset
    actor TEXT NOT NULL,
    workstation TEXT NOT NULL,            -- fingerprint of the signing key
    event TEXT NOT NULL,
    subject TEXT NOT NULL,
    data_json TEXT NOT NULL,              -- canonical JSON; data_sha256 is over its UTF-8 bytes
    data_sha256 TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    signature TEXT NOT NULL               -- Ed25519, hex
);
CREATE INDEX audit_log_by_subject ON audit_log (subject, seq);
CREATE TABLE audit_head (                 -- the signed last (seq, hash): catches a cut-off tail
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    workstation TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE TABLE recordings (
    id TEXT PRIMARY KEY,
    incident_id TEXT,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    sealed_file TEXT NOT NULL,            -- name inside the vault folder
    pcm_sha256 TEXT NOT NULL,
    sealed_sha256 TEXT NOT NULL,
    sealed_size INTEGER NOT NULL,
    manifest_json TEXT NOT NULL,          -- the signed canonical manifest, byte for byte
    manifest_signature TEXT NOT NULL,     -- hex
    created_at TEXT NOT NULL
);
CREATE INDEX recordings_by_incident ON recordings (incident_id, started_at);
-- Tags added after capture; capture-time tags are in the signed manifest.
CREATE TABLE recording_tags (
    recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    offset_ms INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    who TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL,
    PRIMARY KEY (recording_id, position)
);
"""

# Incidents (issue 5). Recordings link to an incident through recordings.incident_id.
INCIDENTS_SQL = """
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

# The central store (issue 13): an item is marked only after the server's copy was read back
# and matched; the last central head seen is kept to notice a central store rolled back.
SYNC_SQL = """
CREATE TABLE sync_marks (
    kind TEXT NOT NULL,                   -- blob, recording, tags, incident, attachment, audit
    item TEXT NOT NULL,
    hash TEXT NOT NULL,                   -- what was confirmed (a SHA-256, or a count/seq)
    synced_at TEXT NOT NULL,
    PRIMARY KEY (kind, item)
);
CREATE TABLE sync_status (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_contact TEXT NOT NULL DEFAULT '',
    last_attempt TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    head_seq INTEGER NOT NULL DEFAULT 0,
    head_hash TEXT NOT NULL DEFAULT '',
    head_body TEXT NOT NULL DEFAULT '',
    head_signed_by TEXT NOT NULL DEFAULT '',
    head_signature TEXT NOT NULL DEFAULT ''
);
"""

# Retention (issue 15): what was purged, when and by which rule. The row of a purged recording
# stays (its signed manifest is the record that it existed); only its audio went.
PURGES_SQL = """
CREATE TABLE purges (
    kind TEXT NOT NULL CHECK (kind IN ('recording', 'attachment')),
    item TEXT NOT NULL,
    purged_at TEXT NOT NULL,
    rule TEXT NOT NULL,
    PRIMARY KEY (kind, item)
);
"""

# The incident list (issue 14, store/incident_query.py): filters by department, channel and
# legal hold, sorted by time, without a scan of the whole table.
LIST_INDEXES_SQL = """
CREATE INDEX incidents_by_department ON incidents (department, occurred_at);
CREATE INDEX incidents_by_location ON incidents (location, occurred_at);
CREATE INDEX incidents_by_hold ON incidents (legal_hold, occurred_at);
CREATE INDEX incidents_by_time_id ON incidents (occurred_at, id);
"""

# Trusted time (issue 16, store/timestamps.py): each RFC 3161 time-stamp asked for, queued
# while no TSA answers, then its genTime, TSA and when it came.
TIMESTAMPS_SQL = """
CREATE TABLE timestamps (
    kind TEXT NOT NULL CHECK (kind IN ('manifest', 'audit_head', 'bundle')),
    item TEXT NOT NULL,
    data_sha256 TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'added', 'refused')),
    requested_at TEXT NOT NULL,
    added_at TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    gen_time TEXT NOT NULL DEFAULT '',
    tsa_name TEXT NOT NULL DEFAULT '',
    clock_skew_s INTEGER NOT NULL DEFAULT 0,
    token BLOB,
    chain_pem TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, item)
);
CREATE INDEX timestamps_by_state ON timestamps (state, requested_at);
"""

# The central store's role of this PC's login (counter/supervisor/officer) and a supervisor's
# departments, as the last sync or join read them: the menus are built from it without asking
# the server on the GUI thread.
CENTRAL_LOGIN_SQL = """
CREATE TABLE central_login (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    role TEXT NOT NULL,
    departments TEXT NOT NULL,            -- JSON list
    seen_at TEXT NOT NULL
);
"""

MIGRATIONS: list[Migration] = [
    Migration(1, "evidence: workstation keys, audit chain, recordings", EVIDENCE_SQL),
    Migration(2, "incidents: staff, categories, responses, markers, attachments", INCIDENTS_SQL),
    Migration(
        3,
        "attachments: added after the form was submitted",
        "ALTER TABLE incident_attachments ADD COLUMN after_submit INTEGER NOT NULL DEFAULT 0;",
    ),
    Migration(4, "sync to the central store: what was confirmed there, last contact", SYNC_SQL),
    Migration(5, "retention: recordings and attachments purged, by which rule", PURGES_SQL),
    Migration(6, "incident list: indexes for its filters and sort", LIST_INDEXES_SQL),
    Migration(7, "trusted time: RFC 3161 time-stamps asked for, queued, added", TIMESTAMPS_SQL),
    Migration(8, "the central login's role, as the last sync saw it", CENTRAL_LOGIN_SQL),
]
