"""The central store as the app uses it: one login (a counter PC's, or an officer's), the rows it
adds, and what it reads back. SQL lives here, in schema.py and, for the incident list's
filters, in incident_search.py (the policy review's counts: statistics.py).

Every write is an INSERT (or a blob function); the server's triggers refuse what does not follow
(a gap or a fork in a chain, an incident version out of order), and those refusals come back as
``ChainRefused`` with the kind and the seq, so the sync can report them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kasuhara_recorder.central.blobs import BlobStore
from kasuhara_recorder.central.blobs_pg import LargeObjectBlobs
from kasuhara_recorder.central.connection import Session, connect, redacted
from kasuhara_recorder.central.incident_search import CentralIncidentRow, IncidentFilters, search
from kasuhara_recorder.errors import EvidenceError, UsageError
from kasuhara_recorder.evidence.audit_chain import AuditEntry, ChainHead
from kasuhara_recorder.text import Text

if TYPE_CHECKING:
    import psycopg

    from kasuhara_recorder.evidence.manifest import TagEntry
    from kasuhara_recorder.evidence.workstation_key import WorkstationKey

_AUDIT_COLUMNS = (
    "seq, time, actor, workstation, event, subject, data_json, data_sha256, prev_hash, hash, "
    "signature"
)
AUDIT_BATCH = 500


class NameTaken(UsageError):
    template = Text(
        "中央保管庫には端末名「{name}」が別の鍵で登録されています（{detail}）。"
        "別の端末名で設定するか、情報システム担当者に確認してください。",
        "the central store has workstation name {name!r} registered with another key "
        "({detail}); choose another name or ask IT",
    )
    fields = ("name", "detail")


class KeyRegisteredElsewhere(UsageError):
    template = Text(
        "この端末の鍵は中央保管庫に別の端末名で登録されています（{detail}）。端末名を元に"
        "戻すか、情報システム担当者に確認してください。",
        "this workstation's key is registered under another name in the central store "
        "({detail}); use that name or ask IT",
    )


class ChainRefused(EvidenceError):
    """The server refused an upload of this workstation's chain: a fork, a gap, a bad hash."""

    kind: str
    seq: int

    template = Text(
        "中央保管庫がこの端末の監査ログ第 {seq} 件目を受け付けませんでした（{kind}: {detail}）。"
        "この端末の記録が書き換えられたか、別の端末の記録と混ざった可能性があります。"
        "証拠管理担当者に連絡してください。",
        "the central store refused entry {seq} of this workstation's audit chain ({kind}: "
        "{detail}); this PC's records may have been changed; tell the evidence officer",
    )
    fields = ("kind", "seq", "detail")


_REFUSAL_KINDS = {"KH001": "gap", "KH002": "fork", "KH003": "hash"}


class PurgeRefused(EvidenceError):
    """The central store refused to remove a blob retention decided on (purge_blob)."""

    template = Text(
        "中央保管庫が {item} の削除を拒否しました（{reason}）。",
        "the central store refused to remove {item} ({reason})",
    )
    fields = ("item", "reason")


_PURGE_REFUSALS = {
    "KH050": Text("中央保管庫にその記録がありません", "no such item with that blob"),
    "KH051": Text("この端末の記録ではありません", "not this login's item"),
    "KH052": Text("監査ログに削除の記録がありません", "no retention.purge entry in its chain"),
    "KH053": Text("リーガルホールド中です", "under legal hold"),
}


class TimestampUploadRefused(EvidenceError):
    """The central store refused a capture manifest's token (add_capture_timestamp), or the PC
    itself found it is not over the manifest it would stamp."""

    template = Text(
        "録音 {rid} のタイムスタンプ（RFC 3161）を中央保管庫へ送れませんでした（{reason}）。"
        "証拠管理担当者に連絡してください。録音そのものは送信済みです。",
        "the RFC 3161 time-stamp of recording {rid} was not taken by the central store "
        "({reason}); tell the evidence officer. The recording itself was sent",
    )
    fields = ("rid", "reason")


TIMESTAMP_REFUSALS = {
    "KH060": Text("この端末の記録ではありません", "not a workstation of this login"),
    "KH061": Text("中央保管庫にその録音のマニフェストがありません",
                  "the central store has no manifest of that recording"),
    "KH062": Text("マニフェストのハッシュ値と一致しません",
                  "it is not over the manifest the central store holds"),
    "KH063": Text("トークンにそのハッシュ値が含まれていません",
                  "the token does not carry that imprint"),
    "KH064": Text("別のトークンが既に保管されています", "another token is already stored"),
}  # fmt: skip


@dataclass(frozen=True)
class CentralTimestamp:
    """A capture manifest's RFC 3161 token as the central store keeps it (migration 5)."""

    recording_id: str
    workstation: str  # the PC that uploaded it (the one that recorded)
    token: bytes
    data_sha256: str  # SHA-256 of the manifest it stamps
    gen_time: str
    tsa_name: str
    chain_pem: str
    requested_at: str
    added_at: str
    clock_skew_s: int

    @property
    def token_sha256(self) -> str:
        import hashlib

        return hashlib.sha256(self.token).hexdigest()


_TIMESTAMP_COLUMNS = (
    "recording_id, workstation, token, data_sha256, gen_time, tsa_name, chain_pem, "
    "requested_at, added_at, clock_skew_s"
)


@dataclass(frozen=True)
class Inventory:
    """What the central store holds of one workstation."""

    recordings: dict[str, str] = field(default_factory=dict)  # id -> sealed_sha256
    tags: dict[str, int] = field(default_factory=dict)  # recording id -> later tags stored
    incidents: dict[str, tuple[int, str]] = field(default_factory=dict)  # id -> (version, sha)
    attachments: set[str] = field(default_factory=set)
    chain_seq: int = 0
    chain_hash: str = ""
    head_seqs: set[int] = field(default_factory=set)
    timestamps: dict[str, str] = field(default_factory=dict)  # recording id -> token_sha256


@dataclass(frozen=True)
class CentralHead:
    seq: int
    body_json: str
    hash: str
    signed_by: str
    signature: str

    @property
    def body(self) -> dict[str, Any]:
        d = json.loads(self.body_json)
        return d if isinstance(d, dict) else {}

    def chains(self) -> dict[str, tuple[int, str]]:
        chains = self.body.get("chains", {})
        return {fp: (int(v["seq"]), str(v["hash"])) for fp, v in chains.items()}


@dataclass(frozen=True)
class CentralRecording:
    id: str
    workstation: str
    manifest_json: bytes
    manifest_signature: bytes
    sealed_sha256: str
    sealed_size: int


class CentralClient:
    def __init__(self, url: str, blobs: BlobStore | None = None) -> None:
        self.url = url
        self.where = redacted(url)
        self._session = Session(lambda: connect(url), self.where)
        self._blobs = blobs

    @property
    def blobs(self) -> BlobStore:
        """Where this central store keeps its blobs (``central_config``, set by central init)."""
        if self._blobs is None:
            config = dict(self._rows("SELECT key, value FROM central_config"))
            if config.get("blob_backend") == "s3":
                from kasuhara_recorder.central.blobs_s3 import S3Blobs

                s3 = S3Blobs(config["s3_endpoint"], config["s3_bucket"],
                             retain_days=int(config.get("s3_retain_days", "1825")))  # fmt: skip
                self._blobs = IndexedBlobs(s3, self)
            else:
                self._blobs = LargeObjectBlobs(lambda: connect(self.url), self.where)
        return self._blobs

    # -- connection -------------------------------------------------------------------------

    def _run(self, fn: Callable[[psycopg.Connection[Any]], Any]) -> Any:
        return self._session.run(fn)

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._run(lambda c: c.execute(sql, tuple(params)).fetchall()))

    def close_connection(self) -> None:
        self._session.close()

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.close_connection()
        if self._blobs is not None:
            self._blobs.close()

    # -- joining ----------------------------------------------------------------------------

    def login_role(self) -> tuple[str, tuple[str, ...]]:
        """This login's app role (officer over supervisor over counter; "" for none) and a
        supervisor's departments. The role names come from the schema's owner, <p>_owner."""
        rows = self._rows(
            "SELECT r.role FROM (SELECT left(nspowner::regrole::text, -length('_owner')) AS p "
            "FROM pg_namespace WHERE nspname = 'kasuhara') o, "
            "LATERAL (VALUES ('officer', 1), ('supervisor', 2), ('counter', 3)) AS r(role, rank) "
            "WHERE pg_has_role(session_user, o.p || '_' || r.role, 'member') ORDER BY r.rank"
        )
        role = str(rows[0][0]) if rows else ""
        departments: tuple[str, ...] = ()
        if role == "supervisor":
            departments = tuple(
                str(r[0]) for r in self._rows(
                    "SELECT department FROM supervisor_departments WHERE db_user = session_user "
                    "ORDER BY department"
                )
            )  # fmt: skip
        return role, departments

    def register(self, key: WorkstationKey, name: str, department: str = "") -> str:
        """'registered', or 'already' when this key is registered under this name."""
        import psycopg

        try:
            row = self._rows(
                "SELECT register_workstation(%s, %s, %s, %s)",
                (key.fingerprint, name, key.public_pem.decode("ascii"), department),
            )
        except psycopg.errors.InsufficientPrivilege as e:
            raise UsageError(
                f"the central store login cannot register workstations ({e.diag.message_primary});"
                " IT grants it the counter role with `kasuhara-recorder central grant`"
            ) from None
        except psycopg.DatabaseError as e:
            said = str(e.diag.message_primary or e)
            if e.sqlstate == "KH021":
                raise KeyRegisteredElsewhere(said) from None
            if e.sqlstate != "KH020":
                raise
            raise NameTaken(name, said) from None
        return str(row[0][0])

    def workstations(self) -> dict[str, tuple[str, str]]:
        """fingerprint -> (name, public PEM) of every registered workstation."""
        rows = self._rows("SELECT fingerprint, name, public_key_pem FROM workstations")
        return {r[0]: (r[1], r[2]) for r in rows}

    # -- what a workstation has sent --------------------------------------------------------

    def inventory(self, fp: str) -> Inventory:
        recs = self._rows("SELECT id, sealed_sha256 FROM recordings WHERE workstation = %s", (fp,))
        tags = self._rows(
            "SELECT recording_id, count(*) FROM recording_tags WHERE workstation = %s "
            "GROUP BY recording_id",
            (fp,),
        )
        incs = self._rows(
            "SELECT DISTINCT ON (incident_id) incident_id, version, body_sha256 "
            "FROM incident_versions WHERE workstation = %s ORDER BY incident_id, version DESC",
            (fp,),
        )
        atts = self._rows("SELECT id FROM attachments WHERE workstation = %s", (fp,))
        chain = self._rows(
            "SELECT seq, hash FROM audit_entries WHERE workstation = %s ORDER BY seq DESC LIMIT 1",
            (fp,),
        )
        heads = self._rows("SELECT seq FROM workstation_heads WHERE workstation = %s", (fp,))
        stamps = self._rows(
            "SELECT recording_id, token_sha256 FROM capture_timestamps WHERE workstation = %s",
            (fp,),
        )
        return Inventory(
            recordings={r[0]: r[1] for r in recs},
            tags={r[0]: int(r[1]) for r in tags},
            incidents={r[0]: (int(r[1]), r[2]) for r in incs},
            attachments={r[0] for r in atts},
            chain_seq=int(chain[0][0]) if chain else 0,
            chain_hash=chain[0][1] if chain else "",
            head_seqs={int(r[0]) for r in heads},
            timestamps={r[0]: r[1] for r in stamps},
        )

    def entry_hash(self, fp: str, seq: int) -> str | None:
        rows = self._rows(
            "SELECT hash FROM audit_entries WHERE workstation = %s AND seq = %s", (fp, seq)
        )
        return rows[0][0] if rows else None

    # -- adding -----------------------------------------------------------------------------

    def add_recording(self, fp: str, r: CentralRecording, meta: dict[str, Any]) -> None:
        self._run(lambda c: c.execute(
            "INSERT INTO recordings (id, workstation, manifest_json, manifest_signature, "
            "sealed_sha256, sealed_size, pcm_sha256, channel, started_at, ended_at, duration_ms, "
            "status) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (id) DO NOTHING",
            (r.id, fp, r.manifest_json.decode("utf-8"), r.manifest_signature.hex(),
             r.sealed_sha256, r.sealed_size, meta["pcm_sha256"], meta["channel"],
             meta["started_at"], meta["ended_at"], meta["duration_ms"], meta["status"]),
        ))  # fmt: skip

    def add_tags(self, fp: str, recording_id: str, first: int, tags: Iterable[TagEntry]) -> None:
        def add(c: psycopg.Connection[Any]) -> None:
            with c.transaction():
                for pos, t in enumerate(tags, start=first):
                    c.execute(
                        "INSERT INTO recording_tags (recording_id, position, workstation, code, "
                        "offset_ms, note, who) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                        "ON CONFLICT DO NOTHING",
                        (recording_id, pos, fp, t.code, t.offset_ms, t.note, t.who),
                    )

        self._run(add)

    def add_incident_version(
        self, fp: str, incident_id: str, version: int, body_json: str, body_sha256: str,
        summary: dict[str, Any],
    ) -> None:  # fmt: skip
        self._run(lambda c: c.execute(
            "INSERT INTO incident_versions (incident_id, version, workstation, body_json, "
            "body_sha256, status, department, legal_hold, occurred_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (incident_id, version, fp, body_json, body_sha256, summary["status"],
             summary["department"], summary["legal_hold"], summary["occurred_at"]),
        ))  # fmt: skip

    def add_attachment(
        self, fp: str, attachment_id: str, incident_id: str, sealed_sha256: str | None
    ) -> None:
        self._run(lambda c: c.execute(
            "INSERT INTO attachments (id, incident_id, workstation, sealed_sha256) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
            (attachment_id, incident_id, fp, sealed_sha256),
        ))  # fmt: skip

    def add_entries(self, fp: str, entries: list[AuditEntry]) -> None:
        """Append entries to this workstation's chain, in batches; ChainRefused if the server
        does not take them as the next links."""
        import psycopg

        def add(c: psycopg.Connection[Any], batch: list[AuditEntry]) -> None:
            with c.transaction(), c.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO audit_entries ({_AUDIT_COLUMNS}) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [(e.seq, e.time, e.actor, e.workstation, e.event, e.subject, e.data_json,
                      e.data_sha256, e.prev_hash, e.hash, e.signature) for e in batch],
                )  # fmt: skip

        for i in range(0, len(entries), AUDIT_BATCH):
            batch = entries[i : i + AUDIT_BATCH]
            try:
                self._run(lambda c, b=batch: add(c, b))  # type: ignore[misc]
            except psycopg.DatabaseError as e:
                if e.sqlstate not in _REFUSAL_KINDS:
                    raise
                kind = _REFUSAL_KINDS[e.sqlstate]
                msg = str(e.diag.message_primary or e)
                seq = _seq_in(msg, batch[0].seq)
                raise ChainRefused(kind, seq, msg) from None

    def add_capture_timestamps(
        self, tokens: Sequence[CentralTimestamp]
    ) -> list[str | TimestampUploadRefused]:
        """Capture manifests' tokens in one transaction, each in a savepoint: for each, 'added',
        'already' (this very token is stored) or the refusal (KH060–KH064), in order."""
        import psycopg

        def run(c: psycopg.Connection[Any]) -> list[str | TimestampUploadRefused]:
            out: list[str | TimestampUploadRefused] = []
            with c.transaction():
                for t in tokens:
                    try:
                        with c.transaction():  # a savepoint: a refusal undoes this one only
                            row = c.execute(
                                "SELECT add_capture_timestamp(%s, %s, %s, %s, %s, %s, %s, %s, "
                                "%s, %s)",
                                (t.recording_id, t.workstation, t.token, t.data_sha256,
                                 t.gen_time, t.tsa_name, t.chain_pem, t.requested_at,
                                 t.added_at, t.clock_skew_s),
                            ).fetchone()  # fmt: skip
                        out.append(str(row[0]) if row else "")
                    except psycopg.DatabaseError as e:
                        reason = TIMESTAMP_REFUSALS.get(e.sqlstate or "")
                        if reason is None:
                            raise
                        said = str(e.diag.message_primary or e)  # the server's words, for the log
                        out.append(TimestampUploadRefused(t.recording_id, reason, detail=said))
            return out

        result: list[str | TimestampUploadRefused] = self._run(run)
        return result

    def capture_timestamps(
        self, recording_ids: Iterable[str] | None = None
    ) -> dict[str, CentralTimestamp]:
        """recording id -> its token, for these recordings (None: every one readable)."""
        if recording_ids is None:
            rows = self._rows(f"SELECT {_TIMESTAMP_COLUMNS} FROM capture_timestamps")
        else:
            rows = self._rows(
                f"SELECT {_TIMESTAMP_COLUMNS} FROM capture_timestamps WHERE recording_id = ANY(%s)",
                (list(recording_ids),),
            )
        return {
            r[0]: CentralTimestamp(r[0], r[1], bytes(r[2]), r[3], r[4], r[5], r[6], r[7], r[8],
                                   int(r[9]))
            for r in rows
        }  # fmt: skip

    def add_workstation_head(self, head: ChainHead) -> None:
        self._run(lambda c: c.execute(
            "INSERT INTO workstation_heads (workstation, seq, hash, signature) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (head.workstation, head.seq, head.hash, head.signature),
        ))  # fmt: skip

    def report_refusal(self, fp: str, seq: int | None, kind: str, offered: str, central: str,
                       detail: str) -> None:  # fmt: skip
        self._rows(
            "SELECT report_refusal(%s, %s, %s, %s, %s, %s)",
            (fp, seq, kind, offered, central, detail),
        )

    # -- central heads ----------------------------------------------------------------------

    def sign_head(self, fp: str, sign: Callable[[bytes], str]) -> str:
        """Read the central head body, sign it, add it: 'ok', or 'stale' when a chain moved in
        between (another PC's entries came in). Heads themselves never race: the same advisory
        lock as add_central_head's is held from reading to adding."""

        def run(c: psycopg.Connection[Any]) -> str:
            with c.transaction():
                c.execute("SELECT pg_advisory_xact_lock(hashtext('kasuhara:central_head'))")
                row = c.execute("SELECT central_head_body()").fetchone()
                assert row is not None
                body = str(row[0])
                added = c.execute("SELECT add_central_head(%s, %s, %s)",
                                  (body, fp, sign(body.encode("utf-8")))).fetchone()  # fmt: skip
                assert added is not None
                return str(added[0])

        return str(self._run(run))

    def chains(self) -> dict[str, tuple[int, str]]:
        """Every chain's last accepted entry (seq, hash), by workstation fingerprint."""
        return {r[0]: (int(r[1]), r[2]) for r in self._rows("SELECT * FROM chain_heads()")}

    def latest_head(self) -> CentralHead | None:
        rows = self._rows(
            "SELECT seq, body_json, hash, signed_by, signature FROM central_heads "
            "ORDER BY seq DESC LIMIT 1"
        )
        return CentralHead(*rows[0]) if rows else None

    def heads(self) -> list[CentralHead]:
        rows = self._rows(
            "SELECT seq, body_json, hash, signed_by, signature FROM central_heads ORDER BY seq"
        )
        return [CentralHead(*r) for r in rows]

    def head_at(self, seq: int) -> CentralHead | None:
        rows = self._rows(
            "SELECT seq, body_json, hash, signed_by, signature FROM central_heads WHERE seq = %s",
            (seq,),
        )
        return CentralHead(*rows[0]) if rows else None

    # -- reading (an officer sees every workstation) ----------------------------------------

    def incidents(self) -> list[tuple[str, int, str, str]]:
        """(incident id, version, workstation, body_json) of each incident's latest version."""
        rows = self._rows(
            "SELECT DISTINCT ON (incident_id) incident_id, version, workstation, body_json "
            "FROM incident_versions ORDER BY incident_id, version DESC"
        )
        return [(r[0], int(r[1]), r[2], r[3]) for r in rows]

    def statistics(
        self, since: str, until: str, departments: Sequence[str], limit_seconds: int,
        min_staff_meeting: int,
    ) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, str]]]:  # fmt: skip
        """The policy review's counts over the latest incident versions this login may read
        (central/statistics.py holds the SQL)."""
        from kasuhara_recorder.central.statistics import counts

        return counts(self._rows, since, until, departments, limit_seconds, min_staff_meeting)

    def search_incidents(self, f: IncidentFilters) -> tuple[list[CentralIncidentRow], int]:
        """A page of the incident list over every incident's latest version this login may
        read, and the total matched (central/incident_search.py)."""
        return search(self._rows, f)

    def incident_departments(self) -> list[str]:
        """Every department on an incident this login may read."""
        rows = self._rows("SELECT DISTINCT department FROM incident_versions"
                          " WHERE department <> '' ORDER BY department")  # fmt: skip
        return [r[0] for r in rows]

    def incident(self, incident_id: str) -> tuple[str, str] | None:
        """(workstation name, body_json) of one incident's latest version, if readable."""
        rows = self._rows(
            "SELECT COALESCE(w.name, v.workstation), v.body_json FROM incident_versions v"
            " LEFT JOIN workstations w ON w.fingerprint = v.workstation"
            " WHERE v.incident_id = %s ORDER BY v.version DESC LIMIT 1",
            (incident_id,),
        )
        return (rows[0][0], rows[0][1]) if rows else None

    def recording(self, recording_id: str) -> CentralRecording | None:
        rows = self._rows(
            "SELECT id, workstation, manifest_json, manifest_signature, sealed_sha256, "
            "sealed_size FROM recordings WHERE id = %s",
            (recording_id,),
        )
        if not rows:
            return None
        r = rows[0]
        return CentralRecording(
            r[0], r[1], r[2].encode("utf-8"), bytes.fromhex(r[3]), r[4], int(r[5])
        )

    def recordings(self) -> list[CentralRecording]:
        rows = self._rows(
            "SELECT id, workstation, manifest_json, manifest_signature, sealed_sha256, "
            "sealed_size FROM recordings ORDER BY workstation, id"
        )
        return [
            CentralRecording(r[0], r[1], r[2].encode("utf-8"), bytes.fromhex(r[3]), r[4], int(r[5]))
            for r in rows
        ]

    def later_tags(self, recording_id: str) -> list[tuple[str, int, str, str]]:
        rows = self._rows(
            "SELECT code, offset_ms, note, who FROM recording_tags WHERE recording_id = %s "
            "ORDER BY position",
            (recording_id,),
        )
        return [(r[0], int(r[1]), r[2], r[3]) for r in rows]

    def attachment_blobs(self, incident_id: str) -> dict[str, str | None]:
        rows = self._rows(
            "SELECT id, sealed_sha256 FROM attachments WHERE incident_id = %s", (incident_id,)
        )
        return {r[0]: r[1] for r in rows}

    def entries(self, fp: str | None = None) -> list[AuditEntry]:
        if fp is None:
            rows = self._rows(
                f"SELECT {_AUDIT_COLUMNS} FROM audit_entries ORDER BY workstation, seq"
            )
        else:
            rows = self._rows(
                f"SELECT {_AUDIT_COLUMNS} FROM audit_entries WHERE workstation = %s ORDER BY seq",
                (fp,),
            )
        return [AuditEntry(*r) for r in rows]

    def workstation_head(self, fp: str) -> ChainHead | None:
        rows = self._rows(
            "SELECT seq, hash, workstation, signature FROM workstation_heads "
            "WHERE workstation = %s ORDER BY seq DESC LIMIT 1",
            (fp,),
        )
        return ChainHead(*rows[0]) if rows else None

    def refusals(self) -> list[tuple[str, int | None, str, str]]:
        rows = self._rows("SELECT workstation, seq, kind, detail FROM sync_refusals ORDER BY id")
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def purge_blob(self, kind: str, item: str, sha256: str) -> str:
        """Remove a blob's bytes through the one audited function: 'purged', 'already', or
        's3' (kept under Object Lock until its retention ends). PurgeRefused otherwise."""
        import psycopg

        def run(c: psycopg.Connection[Any]) -> str:
            try:
                with c.transaction():
                    row = c.execute(
                        "SELECT purge_blob(%s, %s, %s)", (kind, item, sha256)
                    ).fetchone()
                    return str(row[0]) if row else ""
            except psycopg.DatabaseError as e:
                reason = _PURGE_REFUSALS.get(e.sqlstate or "")
                if reason is None:
                    raise
                raise PurgeRefused(f"{kind}:{item}", reason) from e

        result: str = self._run(run)
        return result

    def purged_blobs(self) -> dict[str, tuple[str, str, int]]:
        """sha256 → (kind, item, audit_seq) of every blob retention removed."""
        rows = self._rows("SELECT sha256, kind, item, audit_seq FROM blob_purges")
        return {r[0]: (r[1], r[2], int(r[3])) for r in rows}

    def blob_size(self, sha256: str) -> int | None:
        rows = self._rows("SELECT size FROM blobs WHERE sha256 = %s", (sha256,))
        return int(rows[0][0]) if rows else None


class IndexedBlobs:
    """Blobs whose bytes are outside PostgreSQL (an S3 bucket), named in its ``blobs`` table once
    the PC's own read-back confirmed them, so a manifest can reference them as it does a large
    object; ``audit verify --central`` reads them back from the bucket."""

    def __init__(self, inner: BlobStore, client: CentralClient) -> None:
        self._inner = inner
        self._client = client

    def put(self, sha256: str, size: int, source: Any) -> None:
        if self._client.blob_size(sha256) == size and self._inner.confirm(sha256, size):
            return
        self._inner.put(sha256, size, source)
        if not self._inner.confirm(sha256, size):
            from kasuhara_recorder.central.errors import BlobMismatch

            raise BlobMismatch(sha256, "the object store's copy did not read back")
        self._client._rows("SELECT blob_register(%s, %s)", (sha256, size))

    def confirm(self, sha256: str, size: int) -> bool:
        return self._client.blob_size(sha256) == size and self._inner.confirm(sha256, size)

    def open(self, sha256: str) -> Any:
        return self._inner.open(sha256)

    def close(self) -> None:
        self._inner.close()


def _seq_in(message: str, fallback: int) -> int:
    import re

    m = re.search(r"entry (\d+)", message)
    return int(m.group(1)) if m else fallback
