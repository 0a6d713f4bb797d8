"""The central schema (PostgreSQL), as versioned migrations, and the database roles.

``central init`` applies them as an administrator (a superuser, or the database owner with
CREATEROLE). Every object is created by, and owned by, ``<prefix>_owner``, a role nobody logs in
as; the app logs in as roles that are members of

- ``<prefix>_counter``: a counter or phone PC. Adds (INSERT) recordings, tags, incident versions,
  attachments, audit entries and heads for the workstations registered under its own login, and
  reads back only those (row-level security); blobs only through the blob functions.
- ``<prefix>_supervisor``: reads the incidents of the departments granted to it, adds review
  entries.
- ``<prefix>_officer``: reads everything, blobs included.

No app role has UPDATE, DELETE or TRUNCATE on any table, and a trigger refuses them to every role
(the owner and superusers included, unless they drop the trigger: that is the database
administrator's power, outside the app's). Large objects belong to the owner: a counter can
neither rewrite nor unlink one. The prefix is the database's name by default, so two central
stores on one cluster keep their roles apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from kasuhara_recorder.central.blobs import CHUNK

SCHEMA = "kasuhara"
GENESIS = "0" * 64


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str  # str.format fields: p (role prefix), chunk, genesis


EVIDENCE_TABLES = (
    "workstations",
    "blobs",
    "recordings",
    "recording_tags",
    "incident_versions",
    "attachments",
    "audit_entries",
    "workstation_heads",
    "central_heads",
    "sync_refusals",
    "review_entries",
    "blob_purges",
    "capture_timestamps",
)  # fmt: skip  (supervisor_departments is configuration IT edits, not evidence)

V1 = r"""
CREATE TABLE schema_version (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workstations (
    fingerprint text PRIMARY KEY CHECK (fingerprint ~ '^[0-9a-f]{{64}}$'),
    name text NOT NULL UNIQUE CHECK (name <> ''),
    public_key_pem text NOT NULL,
    department text NOT NULL DEFAULT '',
    db_user name NOT NULL DEFAULT session_user,
    registered_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE supervisor_departments (      -- which departments a supervisor login may read
    db_user name NOT NULL,
    department text NOT NULL,
    PRIMARY KEY (db_user, department)
);

-- Uploads in progress: only the blob functions read or write it (not evidence yet).
CREATE TABLE blob_uploads (
    sha256 text PRIMARY KEY,
    size bigint NOT NULL,
    loid oid NOT NULL,
    written bigint NOT NULL DEFAULT 0,
    chunk_hashes text[] NOT NULL DEFAULT '{{}}',
    db_user name NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blobs (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{{64}}$'),
    size bigint NOT NULL CHECK (size >= 0),
    backend text NOT NULL CHECK (backend IN ('pg', 's3')),
    loid oid,                               -- pg: the large object
    chunk_hashes text[],                    -- pg: SHA-256 of each {chunk}-byte piece
    added_by name NOT NULL DEFAULT session_user,
    added_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recordings (
    id text PRIMARY KEY,
    workstation text NOT NULL REFERENCES workstations,
    manifest_json text NOT NULL,            -- the signed canonical manifest, byte for byte
    manifest_signature text NOT NULL,       -- hex
    sealed_sha256 text NOT NULL REFERENCES blobs,
    sealed_size bigint NOT NULL,
    pcm_sha256 text NOT NULL,
    channel text NOT NULL,
    started_at text NOT NULL,
    ended_at text NOT NULL,
    duration_ms bigint NOT NULL,
    status text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recording_tags (               -- tags added after capture, in their order
    recording_id text NOT NULL REFERENCES recordings,
    position integer NOT NULL,
    workstation text NOT NULL REFERENCES workstations,
    code text NOT NULL,
    offset_ms bigint NOT NULL,
    note text NOT NULL,
    who text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (recording_id, position)
);

CREATE TABLE incident_versions (            -- every state of an incident that was synced
    incident_id text NOT NULL,
    version integer NOT NULL CHECK (version >= 1),
    workstation text NOT NULL REFERENCES workstations,
    body_json text NOT NULL,                -- canonical JSON of incident.json's object
    body_sha256 text NOT NULL,
    status text NOT NULL,
    department text NOT NULL,
    legal_hold boolean NOT NULL,
    occurred_at text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (incident_id, version)
);

CREATE TABLE attachments (
    id text PRIMARY KEY,
    incident_id text NOT NULL,
    workstation text NOT NULL REFERENCES workstations,
    sealed_sha256 text REFERENCES blobs,    -- NULL for a URL
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_entries (                -- every workstation's chain, as signed there
    workstation text NOT NULL REFERENCES workstations,
    seq integer NOT NULL CHECK (seq >= 1),
    time text NOT NULL,
    actor text NOT NULL,
    event text NOT NULL,
    subject text NOT NULL,
    data_json text NOT NULL,
    data_sha256 text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    signature text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workstation, seq)
);
CREATE INDEX audit_entries_by_subject ON audit_entries (subject);

CREATE TABLE workstation_heads (            -- each workstation's signed chain head, as uploaded
    workstation text NOT NULL REFERENCES workstations,
    seq integer NOT NULL,
    hash text NOT NULL,
    signature text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workstation, seq)
);

CREATE TABLE central_heads (                -- the signed state of every chain after a sync
    seq bigint PRIMARY KEY,
    body_json text NOT NULL,
    hash text NOT NULL UNIQUE,
    signed_by text NOT NULL REFERENCES workstations,
    signature text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sync_refusals (                -- an upload the server refused: a fork or a gap
    id bigserial PRIMARY KEY,
    workstation text NOT NULL,
    seq integer,
    kind text NOT NULL,
    offered_hash text NOT NULL DEFAULT '',
    central_hash text NOT NULL DEFAULT '',
    detail text NOT NULL DEFAULT '',
    db_user name NOT NULL DEFAULT session_user,
    at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE review_entries (               -- a supervisor's review (issue 14 builds the UI)
    id bigserial PRIMARY KEY,
    incident_id text NOT NULL,
    department text NOT NULL,
    kind text NOT NULL,
    note text NOT NULL DEFAULT '',
    actor text NOT NULL,
    db_user name NOT NULL DEFAULT session_user,
    at timestamptz NOT NULL DEFAULT now()
);

-- Append-only: no UPDATE, DELETE or TRUNCATE of evidence, whoever asks.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'kasuhara: % on %.% refused: evidence is append-only',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'KH100';
END $$;

-- The workstations registered under the caller's login.
CREATE FUNCTION my_workstations() RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
    SELECT fingerprint FROM workstations WHERE db_user = session_user
$$;

CREATE FUNCTION is_officer() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(session_user, '{p}_officer', 'member')
$$;

CREATE FUNCTION register_workstation(p_fingerprint text, p_name text, p_pem text,
                                     p_department text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
DECLARE w workstations;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('kasuhara:register'));
    SELECT * INTO w FROM workstations WHERE name = p_name;
    IF FOUND THEN
        IF w.fingerprint = p_fingerprint AND w.db_user = session_user THEN
            RETURN 'already';
        END IF;
        RAISE EXCEPTION 'kasuhara: workstation name % is registered with another key (%)',
            p_name, w.fingerprint USING ERRCODE = 'KH020';
    END IF;
    SELECT * INTO w FROM workstations WHERE fingerprint = p_fingerprint;
    IF FOUND THEN
        RAISE EXCEPTION 'kasuhara: this key is already registered as workstation % (%)',
            w.name, p_fingerprint USING ERRCODE = 'KH021';
    END IF;
    INSERT INTO workstations (fingerprint, name, public_key_pem, department, db_user)
        VALUES (p_fingerprint, p_name, p_pem, p_department, session_user);
    RETURN 'registered';
END $$;

-- The canonical JSON of an audit entry's body (evidence/audit_chain.py): keys sorted, no
-- spaces, UTF-8 as is. PostgreSQL's to_json escapes strings as Python's json.dumps does with
-- ensure_ascii=False (tests/central/test_schema.py holds the two to the same bytes).
CREATE FUNCTION audit_body(e audit_entries) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT '{{"actor":' || to_json(e.actor)::text
        || ',"data_sha256":' || to_json(e.data_sha256)::text
        || ',"event":' || to_json(e.event)::text
        || ',"prev_hash":' || to_json(e.prev_hash)::text
        || ',"seq":' || e.seq::text
        || ',"subject":' || to_json(e.subject)::text
        || ',"time":' || to_json(e.time)::text
        || ',"workstation":' || to_json(e.workstation)::text || '}}'
$$;

-- An entry is accepted only as the next link of its workstation's chain: the seq after the last
-- accepted one, prev_hash = that entry's hash, its own hash over its body, its data's hash.
CREATE FUNCTION check_audit_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE last audit_entries; want_seq integer; want_prev text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('kasuhara:audit:' || NEW.workstation));
    SELECT * INTO last FROM audit_entries WHERE workstation = NEW.workstation
        ORDER BY seq DESC LIMIT 1;
    want_seq := COALESCE(last.seq, 0) + 1;
    want_prev := COALESCE(last.hash, '{genesis}');
    IF NEW.seq > want_seq THEN
        RAISE EXCEPTION 'kasuhara: gap in the chain of %: entry % offered, % expected',
            NEW.workstation, NEW.seq, want_seq USING ERRCODE = 'KH001';
    END IF;
    IF NEW.seq < want_seq OR NEW.prev_hash <> want_prev THEN
        RAISE EXCEPTION 'kasuhara: fork in the chain of % at entry %', NEW.workstation, NEW.seq
            USING ERRCODE = 'KH002';
    END IF;
    IF encode(sha256(convert_to(audit_body(NEW), 'UTF8')), 'hex') <> NEW.hash
       OR encode(sha256(convert_to(NEW.data_json, 'UTF8')), 'hex') <> NEW.data_sha256 THEN
        RAISE EXCEPTION 'kasuhara: entry % of % does not hash to its hash', NEW.seq,
            NEW.workstation USING ERRCODE = 'KH003';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_entries_link BEFORE INSERT ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION check_audit_link();

-- An incident is written by the workstation that made it (its versions follow one another).
CREATE FUNCTION check_incident_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE last incident_versions;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('kasuhara:incident:' || NEW.incident_id));
    SELECT * INTO last FROM incident_versions WHERE incident_id = NEW.incident_id
        ORDER BY version DESC LIMIT 1;
    IF NEW.version <> COALESCE(last.version, 0) + 1 THEN
        RAISE EXCEPTION 'kasuhara: incident % version % offered, % expected', NEW.incident_id,
            NEW.version, COALESCE(last.version, 0) + 1 USING ERRCODE = 'KH010';
    END IF;
    IF last.workstation IS NOT NULL AND last.workstation <> NEW.workstation THEN
        RAISE EXCEPTION 'kasuhara: incident % belongs to workstation %', NEW.incident_id,
            last.workstation USING ERRCODE = 'KH011';
    END IF;
    IF encode(sha256(convert_to(NEW.body_json, 'UTF8')), 'hex') <> NEW.body_sha256 THEN
        RAISE EXCEPTION 'kasuhara: incident % version % does not hash to its hash',
            NEW.incident_id, NEW.version USING ERRCODE = 'KH012';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER incident_versions_order BEFORE INSERT ON incident_versions
    FOR EACH ROW EXECUTE FUNCTION check_incident_version();

-- Blobs in large objects: begin (or resume), write the next piece, finish with the server's
-- own read-back. The large object belongs to the owner; the caller only ever appends.
CREATE FUNCTION blob_begin(p_sha256 text, p_size bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
DECLARE u blob_uploads;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM my_workstations()) THEN
        RAISE EXCEPTION 'kasuhara: % is not a registered workstation login', session_user
            USING ERRCODE = 'KH030';
    END IF;
    IF p_sha256 !~ '^[0-9a-f]{{64}}$' OR p_size < 0 THEN
        RAISE EXCEPTION 'kasuhara: bad blob name or size' USING ERRCODE = 'KH031';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('kasuhara:blob:' || p_sha256));
    IF EXISTS (SELECT 1 FROM blobs WHERE sha256 = p_sha256) THEN
        RETURN -1;                          -- already there: nothing to send
    END IF;
    SELECT * INTO u FROM blob_uploads WHERE sha256 = p_sha256;
    IF FOUND AND u.size = p_size THEN
        RETURN u.written;                   -- resume where the last attempt stopped
    END IF;
    IF FOUND THEN                           -- a different size under that name: start over
        PERFORM lo_unlink(u.loid);
        DELETE FROM blob_uploads WHERE sha256 = p_sha256;
    END IF;
    INSERT INTO blob_uploads (sha256, size, loid, db_user)
        VALUES (p_sha256, p_size, lo_create(0), session_user);
    RETURN 0;
END $$;

CREATE FUNCTION blob_write(p_sha256 text, p_offset bigint, p_data bytea) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
DECLARE u blob_uploads; n integer := length(p_data);
BEGIN
    SELECT * INTO u FROM blob_uploads WHERE sha256 = p_sha256 FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'kasuhara: no upload of blob % in progress', p_sha256
            USING ERRCODE = 'KH032';
    END IF;
    IF p_offset <> u.written OR n > {chunk} OR n = 0 OR u.written + n > u.size
       OR (n < {chunk} AND u.written + n <> u.size) THEN
        RAISE EXCEPTION 'kasuhara: blob % piece at % (% bytes) out of order, % written',
            p_sha256, p_offset, n, u.written USING ERRCODE = 'KH033';
    END IF;
    PERFORM lo_put(u.loid, p_offset, p_data);
    UPDATE blob_uploads SET written = written + n,
        chunk_hashes = chunk_hashes || encode(sha256(p_data), 'hex')
        WHERE sha256 = p_sha256;
    RETURN u.written + n;
END $$;

-- The server reads its stored copy back, piece by piece, and compares each piece's SHA-256 with
-- the one the client computed from its file (whose whole SHA-256 is the blob's name).
CREATE FUNCTION blob_finish(p_sha256 text, p_chunk_hashes text[]) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
DECLARE u blob_uploads; stored text[];
BEGIN
    IF EXISTS (SELECT 1 FROM blobs WHERE sha256 = p_sha256) THEN
        RETURN 'ok';
    END IF;
    SELECT * INTO u FROM blob_uploads WHERE sha256 = p_sha256 FOR UPDATE;
    IF NOT FOUND OR u.written <> u.size THEN
        RETURN 'incomplete';
    END IF;
    SELECT COALESCE(array_agg(encode(sha256(lo_get(u.loid, i * {chunk}, {chunk})), 'hex')
                              ORDER BY i), '{{}}')
        INTO stored FROM generate_series(0, ceil(u.size / {chunk}.0)::bigint - 1) AS i;
    IF stored IS DISTINCT FROM p_chunk_hashes OR stored IS DISTINCT FROM u.chunk_hashes THEN
        PERFORM lo_unlink(u.loid);
        DELETE FROM blob_uploads WHERE sha256 = p_sha256;
        RETURN 'mismatch';
    END IF;
    INSERT INTO blobs (sha256, size, backend, loid, chunk_hashes, added_by)
        VALUES (p_sha256, u.size, 'pg', u.loid, stored, u.db_user);
    DELETE FROM blob_uploads WHERE sha256 = p_sha256;
    RETURN 'ok';
END $$;

CREATE FUNCTION blob_abort(p_sha256 text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
DECLARE u blob_uploads;
BEGIN
    SELECT * INTO u FROM blob_uploads WHERE sha256 = p_sha256 AND db_user = session_user;
    IF FOUND THEN
        PERFORM lo_unlink(u.loid);
        DELETE FROM blob_uploads WHERE sha256 = p_sha256;
    END IF;
END $$;

-- Who may read a blob: an officer, or the login that added it.
CREATE FUNCTION blob_readable(b blobs) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT is_officer() OR b.added_by = session_user
$$;

-- The stored copy read back now: every piece hashes as it did when it was accepted.
CREATE FUNCTION blob_check(p_sha256 text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
DECLARE b blobs; stored text[]; n bigint;
BEGIN
    SELECT * INTO b FROM blobs WHERE sha256 = p_sha256;
    IF NOT FOUND OR b.backend <> 'pg'
       OR NOT (is_officer() OR EXISTS (SELECT 1 FROM my_workstations())) THEN
        RETURN -1;                          -- any registered login: a byte count, no content
    END IF;
    SELECT COALESCE(array_agg(encode(sha256(lo_get(b.loid, i * {chunk}, {chunk})), 'hex')
                              ORDER BY i), '{{}}'),
           COALESCE(sum(length(lo_get(b.loid, i * {chunk}, {chunk}))), 0)
        INTO stored, n FROM generate_series(0, ceil(b.size / {chunk}.0)::bigint - 1) AS i;
    IF stored IS DISTINCT FROM b.chunk_hashes THEN
        RETURN -2;
    END IF;
    RETURN n;
END $$;

CREATE FUNCTION blob_read(p_sha256 text, p_offset bigint, p_length integer) RETURNS bytea
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
DECLARE b blobs;
BEGIN
    SELECT * INTO b FROM blobs WHERE sha256 = p_sha256;
    IF NOT FOUND OR NOT blob_readable(b) THEN
        RAISE EXCEPTION 'kasuhara: blob % not found', p_sha256 USING ERRCODE = 'KH034';
    END IF;
    RETURN lo_get(b.loid, p_offset, LEAST(p_length, {chunk}));
END $$;

-- Every chain's last accepted entry, for any registered login (heads only, no content).
CREATE FUNCTION chain_heads() RETURNS TABLE (workstation text, seq integer, hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
    SELECT DISTINCT ON (a.workstation) a.workstation, a.seq, a.hash
        FROM audit_entries a ORDER BY a.workstation, a.seq DESC
$$;

-- The central head: {{chains: {{fingerprint: {{hash, seq}}}}, format, prev_hash, seq}} over the
-- current state, to be signed by the workstation that just synced. add_central_head accepts it
-- only if it is still the current state and the next in the heads' own chain.
CREATE FUNCTION central_head_body() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
DECLARE last central_heads; chains text;
BEGIN
    SELECT * INTO last FROM central_heads ORDER BY seq DESC LIMIT 1;
    SELECT COALESCE(string_agg(to_json(h.workstation)::text || ':{{"hash":' || to_json(h.hash)::text
                               || ',"seq":' || h.seq::text || '}}', ',' ORDER BY h.workstation), '')
        INTO chains FROM chain_heads() h;
    RETURN '{{"chains":{{' || chains || '}},"format":"kasuhara-central-head/1","prev_hash":'
        || to_json(COALESCE(last.hash, '{genesis}'))::text
        || ',"seq":' || (COALESCE(last.seq, 0) + 1)::text || '}}';
END $$;

CREATE FUNCTION add_central_head(p_body text, p_signed_by text, p_signature text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
BEGIN
    IF p_signed_by NOT IN (SELECT my_workstations()) THEN
        RAISE EXCEPTION 'kasuhara: % is not a workstation of %', p_signed_by, session_user
            USING ERRCODE = 'KH040';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('kasuhara:central_head'));
    IF p_body <> central_head_body() THEN
        RETURN 'stale';                     -- another sync came in between: sign the new state
    END IF;
    INSERT INTO central_heads (seq, body_json, hash, signed_by, signature)
        VALUES ((p_body::jsonb ->> 'seq')::bigint, p_body,
                encode(sha256(convert_to(p_body, 'UTF8')), 'hex'), p_signed_by, p_signature);
    RETURN 'ok';
END $$;

CREATE FUNCTION report_refusal(p_workstation text, p_seq integer, p_kind text,
                               p_offered text, p_central text, p_detail text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
    INSERT INTO sync_refusals (workstation, seq, kind, offered_hash, central_hash, detail)
        SELECT p_workstation, p_seq, p_kind, p_offered, p_central, p_detail
        WHERE p_workstation IN (SELECT my_workstations())
$$;
"""

# Roles, grants, row-level security and the append-only triggers: run after the tables, again
# by every later migration that adds a table (idempotent).
GRANTS = r"""
REVOKE ALL ON SCHEMA kasuhara FROM PUBLIC;
GRANT USAGE ON SCHEMA kasuhara TO {p}_counter, {p}_supervisor, {p}_officer;
REVOKE ALL ON ALL TABLES IN SCHEMA kasuhara FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA kasuhara FROM PUBLIC;
GRANT EXECUTE ON FUNCTION my_workstations(), is_officer(), chain_heads(), central_head_body(),
    audit_body(audit_entries), blob_readable(blobs)
    TO {p}_counter, {p}_supervisor, {p}_officer;
GRANT EXECUTE ON FUNCTION register_workstation(text, text, text, text),
    blob_begin(text, bigint), blob_write(text, bigint, bytea), blob_finish(text, text[]),
    blob_abort(text), add_central_head(text, text, text),
    report_refusal(text, integer, text, text, text, text)
    TO {p}_counter;
GRANT EXECUTE ON FUNCTION blob_check(text), blob_read(text, bigint, integer)
    TO {p}_counter, {p}_officer;
GRANT EXECUTE ON FUNCTION blob_register(text, bigint) TO {p}_counter;
GRANT EXECUTE ON FUNCTION purge_blob(text, text, text), item_held(text, text)
    TO {p}_counter, {p}_officer;
GRANT SELECT ON blob_purges TO {p}_counter, {p}_supervisor, {p}_officer;
GRANT SELECT ON central_config TO {p}_counter, {p}_supervisor, {p}_officer;
GRANT EXECUTE ON FUNCTION add_capture_timestamp(text, text, bytea, text, text, text, text, text,
    text, integer) TO {p}_counter;
GRANT SELECT ON capture_timestamps TO {p}_counter;

GRANT SELECT ON workstations, central_heads TO {p}_counter, {p}_supervisor, {p}_officer;
GRANT SELECT, INSERT ON recordings, recording_tags, incident_versions, attachments,
    audit_entries, workstation_heads TO {p}_counter;
GRANT SELECT ON blobs TO {p}_counter;
GRANT SELECT ON incident_versions, review_entries, supervisor_departments TO {p}_supervisor;
GRANT INSERT ON review_entries TO {p}_supervisor;
GRANT USAGE ON SEQUENCE review_entries_id_seq TO {p}_supervisor;
GRANT SELECT ON ALL TABLES IN SCHEMA kasuhara TO {p}_officer;
REVOKE SELECT ON blob_uploads FROM {p}_officer;
"""

RLS = r"""
ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS counter_own ON {t};
CREATE POLICY counter_own ON {t} TO {p}_counter
    USING (workstation IN (SELECT my_workstations()))
    WITH CHECK (workstation IN (SELECT my_workstations()));
DROP POLICY IF EXISTS officer_all ON {t};
CREATE POLICY officer_all ON {t} FOR SELECT TO {p}_officer USING (true);
"""

RLS_TABLES = (
    "recordings", "recording_tags", "incident_versions", "attachments", "audit_entries",
    "workstation_heads", "capture_timestamps",
)  # fmt: skip

SUPERVISOR_RLS = r"""
DROP POLICY IF EXISTS supervisor_departments ON incident_versions;
CREATE POLICY supervisor_departments ON incident_versions FOR SELECT TO {p}_supervisor
    USING (department IN (SELECT department FROM supervisor_departments
                          WHERE db_user = session_user));
ALTER TABLE review_entries ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS supervisor_departments ON review_entries;
CREATE POLICY supervisor_departments ON review_entries TO {p}_supervisor
    USING (department IN (SELECT department FROM supervisor_departments
                          WHERE db_user = session_user))
    WITH CHECK (department IN (SELECT department FROM supervisor_departments
                               WHERE db_user = session_user) AND db_user = session_user);
DROP POLICY IF EXISTS officer_all ON review_entries;
CREATE POLICY officer_all ON review_entries FOR SELECT TO {p}_officer USING (true);
"""

TRIGGER = r"""
DROP TRIGGER IF EXISTS {t}_append_only ON {t};
CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP TRIGGER IF EXISTS {t}_no_truncate ON {t};
CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t}
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
"""

# Where blobs live (set by ``central init``): 'pg' (large objects) or 's3' (an S3 bucket with
# Object Lock). With S3 the bytes are in the bucket and the blobs table names them, so manifests
# can reference a blob either way; the PC registers a blob only after its own read-back.
V2 = r"""
CREATE TABLE central_config (
    key text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO central_config (key, value) VALUES ('blob_backend', 'pg');

CREATE FUNCTION blob_register(p_sha256 text, p_size bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM my_workstations()) THEN
        RAISE EXCEPTION 'kasuhara: % is not a registered workstation login', session_user
            USING ERRCODE = 'KH030';
    END IF;
    IF (SELECT value FROM central_config WHERE key = 'blob_backend') <> 's3' THEN
        RAISE EXCEPTION 'kasuhara: blobs of this central store are large objects'
            USING ERRCODE = 'KH035';
    END IF;
    INSERT INTO blobs (sha256, size, backend) VALUES (p_sha256, p_size, 's3')
        ON CONFLICT (sha256) DO NOTHING;
    RETURN 'ok';
END $$;
"""

# Retention (issue 15): the one way any role removes evidence. A workstation's retention
# decides on the PC and chains a `retention.purge` entry; once that entry is in the central
# chain, ``purge_blob`` removes the blob's bytes, after checking that the item is the caller's
# (or the caller an officer), that the entry exists, and that no incident holding the item is
# under legal hold in its latest version. The rows stay (append-only); ``blob_purges`` says
# what went, decided by which entry, removed by whom and when.
V3 = r"""
CREATE TABLE blob_purges (
    sha256 text PRIMARY KEY REFERENCES blobs,
    kind text NOT NULL CHECK (kind IN ('recording', 'attachment')),
    item text NOT NULL,
    workstation text NOT NULL REFERENCES workstations,
    audit_seq integer NOT NULL,             -- the workstation's retention.purge entry
    purged_by name NOT NULL DEFAULT session_user,
    purged_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION item_held(p_kind text, p_item text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM (
            SELECT DISTINCT ON (incident_id) legal_hold, body_json
            FROM incident_versions
            WHERE incident_id IN (
                SELECT incident_id FROM incident_versions
                WHERE p_kind = 'recording' AND (body_json::jsonb -> 'recordings') ? p_item
                UNION SELECT incident_id FROM attachments
                WHERE p_kind = 'attachment' AND id = p_item)
            ORDER BY incident_id, version DESC) latest
        WHERE latest.legal_hold)
$$;

CREATE FUNCTION purge_blob(p_kind text, p_item text, p_sha256 text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
DECLARE ws text; seq integer; b blobs;
BEGIN
    IF p_kind = 'recording' THEN
        SELECT workstation INTO ws FROM recordings WHERE id = p_item
            AND (sealed_sha256 = p_sha256
                 OR manifest_json::jsonb -> 'tail' ->> 'sealed_sha256' = p_sha256);
    ELSIF p_kind = 'attachment' THEN
        SELECT workstation INTO ws FROM attachments WHERE id = p_item AND sealed_sha256 = p_sha256;
    END IF;
    IF ws IS NULL THEN
        RAISE EXCEPTION 'kasuhara: no % % with blob %', p_kind, p_item, p_sha256
            USING ERRCODE = 'KH050';
    END IF;
    IF NOT (is_officer() OR ws IN (SELECT my_workstations())) THEN
        RAISE EXCEPTION 'kasuhara: % % is not this login''s', p_kind, p_item
            USING ERRCODE = 'KH051';
    END IF;
    IF EXISTS (SELECT 1 FROM blob_purges WHERE sha256 = p_sha256) THEN
        RETURN 'already';
    END IF;
    SELECT e.seq INTO seq FROM audit_entries e WHERE e.workstation = ws
        AND e.event = 'retention.purge' AND e.subject = p_kind || ':' || p_item
        ORDER BY e.seq LIMIT 1;
    IF seq IS NULL THEN
        RAISE EXCEPTION 'kasuhara: no retention.purge entry for % % in its chain', p_kind, p_item
            USING ERRCODE = 'KH052';
    END IF;
    IF item_held(p_kind, p_item) THEN
        RAISE EXCEPTION 'kasuhara: % % is under legal hold', p_kind, p_item
            USING ERRCODE = 'KH053';
    END IF;
    SELECT * INTO b FROM blobs WHERE sha256 = p_sha256;
    IF b.backend <> 'pg' THEN
        RETURN 's3';                        -- under Object Lock until its retention ends
    END IF;
    INSERT INTO blob_purges (sha256, kind, item, workstation, audit_seq)
        VALUES (p_sha256, p_kind, p_item, ws, seq);
    PERFORM lo_unlink(b.loid);
    RETURN 'purged';
END $$;

CREATE OR REPLACE FUNCTION blob_read(p_sha256 text, p_offset bigint, p_length integer)
RETURNS bytea
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
DECLARE b blobs;
BEGIN
    SELECT * INTO b FROM blobs WHERE sha256 = p_sha256;
    IF NOT FOUND OR NOT blob_readable(b) THEN
        RAISE EXCEPTION 'kasuhara: blob % not found', p_sha256 USING ERRCODE = 'KH034';
    END IF;
    IF EXISTS (SELECT 1 FROM blob_purges WHERE sha256 = p_sha256) THEN
        RAISE EXCEPTION 'kasuhara: blob % was removed by retention', p_sha256
            USING ERRCODE = 'KH054';
    END IF;
    RETURN lo_get(b.loid, p_offset, LEAST(p_length, {chunk}));
END $$;
"""

# The policy review's statistics (central/statistics.py) read what they count from columns the
# server fills in once, when a version arrives, instead of parsing every body at each query (a
# jsonb parse of 100,000 bodies took seconds). Generated from body_json: never written by a PC.
V4 = r"""
CREATE FUNCTION json_texts(j jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(DISTINCT x ORDER BY x), '{{}}')
    FROM jsonb_array_elements_text(CASE jsonb_typeof(j) WHEN 'array' THEN j ELSE '[]' END) x
$$;
CREATE FUNCTION json_codes(j jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(DISTINCT x ->> 'code' ORDER BY x ->> 'code'), '{{}}')
    FROM jsonb_array_elements(CASE jsonb_typeof(j) WHEN 'array' THEN j ELSE '[]' END) x
    WHERE x ->> 'code' IS NOT NULL
$$;
ALTER TABLE incident_versions
    ADD COLUMN st_location text GENERATED ALWAYS AS
        (coalesce(body_json::jsonb ->> 'location', '')) STORED,
    ADD COLUMN st_duration bigint GENERATED ALWAYS AS
        ((body_json::jsonb ->> 'duration_seconds')::bigint) STORED,
    ADD COLUMN st_staff integer GENERATED ALWAYS AS
        (CASE jsonb_typeof(body_json::jsonb -> 'staff')
         WHEN 'array' THEN jsonb_array_length(body_json::jsonb -> 'staff') ELSE 0 END) STORED,
    ADD COLUMN st_codes text[] GENERATED ALWAYS AS
        (json_texts(body_json::jsonb -> 'validity') || json_texts(body_json::jsonb -> 'categories'))
        STORED,
    ADD COLUMN st_responses text[] GENERATED ALWAYS AS
        (json_codes(body_json::jsonb -> 'responses')) STORED,
    ADD COLUMN st_updated_at text GENERATED ALWAYS AS
        (coalesce(body_json::jsonb ->> 'updated_at', '')) STORED;
-- the first referred version of each incident, read without scanning every version
CREATE INDEX incident_versions_referred ON incident_versions (incident_id, version)
    INCLUDE (st_updated_at) WHERE status = 'referred';
-- a version's INSERT computes them as the PC's login
GRANT EXECUTE ON FUNCTION json_texts(jsonb), json_codes(jsonb) TO {p}_counter;
"""

# Trusted time (issue 16): a capture manifest's RFC 3161 token, kept centrally so an export
# from the centre carries it as the recording PC's own export does. Added only through
# add_capture_timestamp, which takes a token only for a recording whose manifest it holds,
# whose SHA-256 is the data_sha256 given, and whose DER carries that imprint (the TSTInfo's
# hashedMessage is the 32 raw bytes; the CMS signature is left to the PC, the export and
# `audit verify --central`, which PostgreSQL cannot check). One token per recording.
V5 = r"""
CREATE TABLE capture_timestamps (
    recording_id text PRIMARY KEY REFERENCES recordings,
    workstation text NOT NULL REFERENCES workstations,  -- the PC that uploaded it (and recorded)
    token bytea NOT NULL,                   -- the TimeStampResp DER, byte for byte
    token_sha256 text NOT NULL,             -- computed by the server
    data_sha256 text NOT NULL,              -- = SHA-256 of the recording's manifest_json
    gen_time text NOT NULL,
    tsa_name text NOT NULL,
    chain_pem text NOT NULL,                -- the TSA certificate's path to its CA, PEM
    requested_at text NOT NULL,             -- when the PC queued it, and when it came
    added_at text NOT NULL,
    clock_skew_s integer NOT NULL,          -- genTime minus the PC's clock then
    db_user name NOT NULL DEFAULT session_user,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION add_capture_timestamp(
    p_recording_id text, p_workstation text, p_token bytea, p_data_sha256 text,
    p_gen_time text, p_tsa_name text, p_chain_pem text, p_requested_at text, p_added_at text,
    p_clock_skew_s integer) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kasuhara, pg_temp AS $$
DECLARE r recordings; have capture_timestamps;
BEGIN
    IF p_workstation IS NULL OR p_workstation NOT IN (SELECT my_workstations()) THEN
        RAISE EXCEPTION 'kasuhara: % is not a workstation of %', p_workstation, session_user
            USING ERRCODE = 'KH060';
    END IF;
    SELECT * INTO r FROM recordings WHERE id = p_recording_id AND workstation = p_workstation;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'kasuhara: no manifest of recording % from %', p_recording_id,
            p_workstation USING ERRCODE = 'KH061';
    END IF;
    IF p_data_sha256 IS NULL OR p_data_sha256 !~ '^[0-9a-f]{{64}}$'
       OR encode(sha256(convert_to(r.manifest_json, 'UTF8')), 'hex') <> p_data_sha256 THEN
        RAISE EXCEPTION 'kasuhara: the token of recording % is not over its manifest (% given)',
            p_recording_id, p_data_sha256 USING ERRCODE = 'KH062';
    END IF;
    IF position(decode(p_data_sha256, 'hex') IN p_token) = 0 THEN
        RAISE EXCEPTION 'kasuhara: the token of recording % does not carry the imprint %',
            p_recording_id, p_data_sha256 USING ERRCODE = 'KH063';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('kasuhara:capture_timestamp:' || p_recording_id));
    SELECT * INTO have FROM capture_timestamps WHERE recording_id = p_recording_id;
    IF FOUND THEN
        IF have.token = p_token THEN
            RETURN 'already';
        END IF;
        RAISE EXCEPTION 'kasuhara: recording % already has another token (%)', p_recording_id,
            have.token_sha256 USING ERRCODE = 'KH064';
    END IF;
    INSERT INTO capture_timestamps (recording_id, workstation, token, token_sha256, data_sha256,
        gen_time, tsa_name, chain_pem, requested_at, added_at, clock_skew_s)
        VALUES (p_recording_id, p_workstation, p_token, encode(sha256(p_token), 'hex'),
                p_data_sha256, p_gen_time, p_tsa_name, p_chain_pem, p_requested_at, p_added_at,
                p_clock_skew_s);
    RETURN 'added';
END $$;
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "workstations, blobs, recordings, incidents, audit chains, heads", V1),
    Migration(2, "where blobs live: large objects or an S3 bucket with Object Lock", V2),
    Migration(3, "retention: the one audited removal of a blob's bytes", V3),
    Migration(4, "statistics: what each incident version counts, generated from its body", V4),
    Migration(5, "trusted time: capture manifests' RFC 3161 tokens", V5),
)


def role_names(prefix: str) -> dict[str, str]:
    return {k: f"{prefix}_{k}" for k in ("owner", "counter", "supervisor", "officer")}


def render(sql: str, prefix: str, **fields: str) -> str:
    return sql.format(p=prefix, chunk=CHUNK, genesis=GENESIS, **fields)


def access_sql(prefix: str) -> str:
    """Grants, row-level security and triggers for every table (safe to run again)."""
    parts = [render(GRANTS, prefix), render(SUPERVISOR_RLS, prefix)]
    parts += [render(RLS, prefix, t=t) for t in RLS_TABLES]
    parts += [render(TRIGGER, prefix, t=t) for t in EVIDENCE_TABLES]
    return "\n".join(parts)
