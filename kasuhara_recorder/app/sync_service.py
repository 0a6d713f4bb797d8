"""Offline-first sync of this PC's evidence to the central store (``AppService.sync``).

Recording never waits for the network: everything is in the local store first. A sync (the
app's background timer, or ``kasuhara-recorder sync`` from a scheduled task) sends, in this
order, what the central store does not have yet:

1. blobs (sealed recordings, their kept tails, sealed attachments), each confirmed by the
   server's read-back before anything names it;
2. the signed recording manifests and the tags added after capture;
3. the attachments and every new state of each incident (an incident version);
4. the audit entries after the last one the server accepted, and the signed chain head;
5. the capture manifests' RFC 3161 tokens (after the chain that holds each one's
   ``timestamp.added`` entry; one that came late, at a retry, goes at the next sync).

What the central store holds is asked each time (its inventory of this workstation), so a retry
never duplicates and a central store restored from an old backup gets back what it lost. An item
is marked synced here only after the server's copy was read back. Last, the workstation signs
the server's central head over every chain; the newest head seen is kept, and a central store
whose heads went back (restored from an older backup) is reported.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kasuhara_recorder.central.client import (
    CentralClient,
    CentralHead,
    CentralRecording,
    CentralTimestamp,
    ChainRefused,
    PurgeRefused,
    TimestampUploadRefused,
)
from kasuhara_recorder.central.errors import BlobMismatch
from kasuhara_recorder.config import DataPaths, Settings
from kasuhara_recorder.errors import KasuharaError, NotSetUp
from kasuhara_recorder.evidence.canonical_json import canonical_json
from kasuhara_recorder.evidence.timestamp import TimestampRefused, token_imprint
from kasuhara_recorder.evidence.workstation_key import verify_signature
from kasuhara_recorder.store.sync_state import SeenHead, SyncState
from kasuhara_recorder.text import Text

if TYPE_CHECKING:
    from kasuhara_recorder.app.workstation_identity import WorkstationIdentity
    from kasuhara_recorder.evidence.vault import Vault
    from kasuhara_recorder.store.interface import (
        AuditStore,
        IncidentStore,
        PurgeStore,
        RecordingStore,
    )
    from kasuhara_recorder.store.recordings import RecordingRecord
    from kasuhara_recorder.store.timestamps import TimestampRow

log = logging.getLogger("kasuhara.sync")

# Another PC's entries may come in between reading the state and signing it: try again, for
# this long at most (each try takes milliseconds); the next sync signs it otherwise.
HEAD_DEADLINE_S = 30.0

ROLLED_BACK = "rolled_back"
FORK = "fork"


@dataclass(frozen=True)
class SyncProblem:
    kind: str  # rolled_back, fork, gap, hash
    detail: Text


@dataclass
class SyncReport:
    sent: dict[str, int] = field(default_factory=dict)  # kind -> items sent this time
    problems: list[SyncProblem] = field(default_factory=list)
    head_seq: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, kind: str) -> None:
        self.sent[kind] = self.sent.get(kind, 0) + 1


@dataclass(frozen=True)
class SyncStatus:
    configured: bool
    waiting: int  # items not yet confirmed centrally
    last_contact: str  # ISO time, "" never
    last_error: Text | None  # why the last attempt failed, in both languages


CENTRAL_ROLLED_BACK = Text(
    "中央保管庫が以前の状態に戻されています（この端末が第 {seen} 版を確認済みのところ、"
    "現在は第 {now} 版）。バックアップから戻された可能性があります。情報システム担当者と"
    "証拠管理担当者に連絡してください。この端末の記録は再送信されます。",
    "the central store was rolled back (this PC saw central head {seen}, it now has {now}); "
    "it may have been restored from an older backup; tell IT and the evidence officer. This "
    "PC's records are sent again",
)
CENTRAL_LOST = Text(
    "中央保管庫から、この端末が送信済みの記録がなくなっています（{what}）。再送信しました。",
    "the central store no longer has what this PC had sent ({what}); sent again",
)
TIMESTAMP_REFUSED = "timestamp_refused"
TOKEN_BATCH = 100  # capture tokens a transaction (one commit, not one a token)
NOT_OVER_MANIFEST = Text(
    "この端末の確認で、トークンが録音のマニフェストに対するものではありません（{imprint}）",
    "this PC found the token is not over the recording's manifest ({imprint})",
)
RETENTION_EVERY_S = 3600
UNREADABLE_KIND = "unreadable"
UNREADABLE = Text(
    "録音 {rid} の封印ファイルをこの端末で読めないか、内容が記録と一致しないため、中央保管庫へ"
    "送れませんでした（{detail}）。証拠管理担当者に連絡してください。ほかの記録は送信しました。",
    "recording {rid} was not sent: its sealed file on this PC cannot be read or does not match "
    "its record ({detail}); tell the evidence officer. Everything else was sent",
)


class CaptureTokens(Protocol):
    """The capture manifests' RFC 3161 tokens this PC holds (app/timestamp_service.py)."""

    def stamped_recordings(self) -> list[str]: ...

    def recording_token(self, recording_id: str) -> tuple[bytes, TimestampRow] | None: ...


class SyncService:
    def __init__(
        self,
        *,
        paths: DataPaths,
        settings: Callable[[], Settings],
        identity: WorkstationIdentity,
        vault: Vault,
        state: Callable[[], SyncState],
        recordings: Callable[[], RecordingStore],
        incidents: Callable[[], IncidentStore],
        audit: Callable[[], AuditStore],
        purges: Callable[[], PurgeStore] | None = None,
        retention: Callable[[], object] | None = None,
        timestamps: Callable[[], object] | None = None,
        tokens: CaptureTokens | None = None,
        client: Callable[[str], CentralClient] = CentralClient,
    ) -> None:
        self._paths = paths
        self._settings = settings
        self._identity = identity
        self._vault = vault
        self._state = state
        self._recordings = recordings
        self._incidents = incidents
        self._audit = audit
        self._purges = purges
        self._retention = retention
        self._retention_ran: float = -RETENTION_EVERY_S
        self._timestamps = timestamps
        self._tokens = tokens
        self._client = client

    def _purged(self, kind: str) -> dict[str, str]:
        """What retention deleted before it was sent: never sent (its audit entry says why)."""
        return self._purges().purged(kind) if self._purges else {}

    @property
    def configured(self) -> bool:
        return bool(self._settings().central_url)

    def open_client(self) -> CentralClient:
        url = self._settings().central_url
        if not url:
            raise NotSetUp("no central store: `kasuhara-recorder setup --central URL`")
        return self._client(url)

    # -- joining ----------------------------------------------------------------------------

    def join(self, url: str) -> str:
        """Register this workstation's key centrally ('registered' / 'already')."""
        s = self._settings()
        client = self._client(url)
        try:
            outcome = client.register(self._identity.key, s.workstation_name, s.department)
            self._state().see_login_role(*client.login_role())
            return outcome
        finally:
            client.close()

    # -- the sync ---------------------------------------------------------------------------

    def sync(self) -> SyncReport:
        self._run_retention()
        self._run_timestamps()
        client = self.open_client()
        state = self._state()
        try:
            report = self._sync(client, state)
        except KasuharaError as e:
            # Both languages kept: the status bar shows the Japanese after a restart too.
            state.attempted(json.dumps({"ja": e.message("ja"), "en": e.message("en")},
                                       ensure_ascii=False))  # fmt: skip
            raise
        finally:
            client.close()
        state.attempted()
        return report

    def _run_retention(self) -> None:
        """Retention before a sync (at most hourly), so what it removed here is removed
        centrally in the same sync; a failure is logged and never holds the sync back."""
        now = time.monotonic()
        if self._retention is None or now - self._retention_ran < RETENTION_EVERY_S:
            return
        self._retention_ran = now
        try:
            self._retention()
        except Exception:
            log.exception("retention before the sync failed")

    def _run_timestamps(self) -> None:
        """RFC 3161: the queued requests again and the chain's head, before the chain is sent
        (so their ``timestamp.*`` entries go with it); never holds the sync back."""
        if self._timestamps is None:
            return
        try:
            self._timestamps()
        except Exception:
            log.exception("time-stamps before the sync failed")

    def _sync(self, client: CentralClient, state: SyncState) -> SyncReport:
        key = self._identity.key
        fp = key.fingerprint
        s = self._settings()
        client.register(key, s.workstation_name, s.department)
        state.see_login_role(*client.login_role())  # the menus follow a role IT changed
        report = SyncReport()
        self._check_head(client, state, report)
        inv = client.inventory(fp)
        central = self._send_recordings(client, state, inv, report)
        self._send_incidents(client, state, inv, report)
        self._send_chain(client, state, inv, report)
        # after the chain, so the store holds the signed timestamp.added entry of each token
        self._send_timestamps(client, state, inv, central, report)
        self._send_purges(client, state, inv, report)
        self._sign_head(client, state, report)
        return report

    def _send_purges(
        self, client: CentralClient, state: SyncState, inv: Any, report: SyncReport
    ) -> None:
        """What retention removed here and the central store still holds: its bytes removed
        there too, through the one audited function (after the chain that says why went)."""
        done = state.marks("purge")
        items: list[tuple[str, str, str]] = []
        for rid in self._purged("recording"):
            r = self._recordings().get(rid)
            if r is None or rid not in inv.recordings:
                continue
            items.append(("recording", rid, r.sealed_sha256))
            if r.manifest.tail is not None:
                items.append(("recording", rid, r.manifest.tail.sealed_sha256))
        purged_att = self._purged("attachment")
        if purged_att:
            incidents = self._incidents()
            for iid in incidents.ids():
                inc = incidents.get(iid)
                for a in inc.attachments if inc else ():
                    if a.id in purged_att and a.id in inv.attachments and a.sealed_sha256:
                        items.append(("attachment", a.id, a.sealed_sha256))
        for kind, item, sha in items:
            if done.get(sha):
                continue
            try:
                outcome = client.purge_blob(kind, item, sha)
            except PurgeRefused as e:
                log.error("sync: central purge of %s %s refused: %s", kind, item, e.message("en"))
                report.problems.append(SyncProblem("purge_refused", e.text))
                continue
            if outcome == "s3":
                log.info("sync: %s %s kept in the S3 bucket under Object Lock", kind, item)
                continue
            state.mark("purge", sha, outcome)
            report.count("purge")

    def _lost(self, state: SyncState, kind: str, item: str, report: SyncReport) -> None:
        if item in state.marks(kind):
            report.problems.append(
                SyncProblem(ROLLED_BACK, CENTRAL_LOST.format(what=f"{kind} {item}"))
            )

    def _send_blob(
        self, client: CentralClient, state: SyncState, sha256: str, size: int, path: Path,
        report: SyncReport,
    ) -> None:  # fmt: skip
        # Asked only for an item the central store lacks, so a synced blob is not read again.
        if not client.blobs.confirm(sha256, size):
            self._lost(state, "blob", sha256, report)
            with open(path, "rb") as f:
                # put returns only once the server's copy was read back and matched
                # (blob_finish for large objects, a GET for S3): no second read-back here.
                client.blobs.put(sha256, size, f)
            report.count("blob")
        state.mark("blob", sha256, str(size))

    def _recording_blobs(self, r: RecordingRecord) -> list[tuple[str, int, Path]]:
        blobs = [(r.sealed_sha256, r.sealed_size, self._vault.file(r.sealed_file))]
        tail = r.manifest.tail
        if tail is not None:
            blobs.append((tail.sealed_sha256, tail.sealed_size, self._vault.file(tail.file)))
        return blobs

    def _send_recordings(
        self, client: CentralClient, state: SyncState, inv: Any, report: SyncReport
    ) -> set[str]:
        """Send what the store lacks; the ids of this PC's recordings it now holds."""
        store = self._recordings()
        central: set[str] = set(inv.recordings)
        fp = self._identity.key.fingerprint
        purged = self._purged("recording")
        for r in store.list():
            if r.id not in inv.recordings and r.id in purged:
                continue  # retention removed it before it was ever sent: nothing to send
            if r.id not in inv.recordings:
                self._lost(state, "recording", r.id, report)
                try:
                    for sha, size, path in self._recording_blobs(r):
                        self._send_blob(client, state, sha, size, path, report)
                except (OSError, BlobMismatch) as e:
                    # This recording's sealed file is gone or changed on this PC: said, and
                    # the others still go (one bad file must not hold back every other).
                    detail = e.message("en") if isinstance(e, BlobMismatch) else str(e)
                    log.error("sync: recording %s not sent: %s", r.id, detail)
                    report.problems.append(SyncProblem(UNREADABLE_KIND, UNREADABLE.format(
                        rid=r.id, detail=detail)))  # fmt: skip
                    continue
                client.add_recording(
                    fp,
                    CentralRecording(r.id, fp, r.manifest_json, r.manifest_signature,
                                     r.sealed_sha256, r.sealed_size),
                    {"pcm_sha256": r.pcm_sha256, "channel": r.channel,
                     "started_at": r.started_at, "ended_at": r.ended_at,
                     "duration_ms": r.duration_ms, "status": r.status},
                )  # fmt: skip
                report.count("recording")
                central.add(r.id)
            state.mark("recording", r.id, r.sealed_sha256)
            later = store.tags(r.id)[len(r.manifest.tags) :]
            have = inv.tags.get(r.id, 0)
            if len(later) > have:
                client.add_tags(fp, r.id, have + 1, later[have:])
                report.count("tags")
            state.mark("tags", r.id, str(len(later)))
        return central

    def _send_timestamps(
        self, client: CentralClient, state: SyncState, inv: Any, central: set[str],
        report: SyncReport,
    ) -> None:  # fmt: skip
        """Each capture manifest's token the store lacks, once its manifest is there. Looked at
        first (its imprint must be the manifest's SHA-256, as the server checks too); one
        refused, here or there, is said, written to ``sync_refusals`` and not offered again.
        Sent TOKEN_BATCH to a transaction, and marked here after it committed."""
        if self._tokens is None:
            return
        fp = self._identity.key.fingerprint
        refused = state.marks(TIMESTAMP_REFUSED)
        marked = state.marks("timestamp")
        listed = {rid: sha for rid, sha in inv.timestamps.items() if marked.get(rid) != sha}
        state.mark_many("timestamp", listed)  # in the store already (a commit only if changed)
        todo: list[CentralTimestamp] = []
        for rid in self._tokens.stamped_recordings():
            if rid not in central or rid in inv.timestamps:
                continue  # its manifest did not go (unreadable: said there), or already there
            got = self._tokens.recording_token(rid)
            r = self._recordings().get(rid)
            if got is None or r is None:
                continue
            token, row = got
            t = CentralTimestamp(rid, fp, token, hashlib.sha256(r.manifest_json).hexdigest(),
                                 row.gen_time, row.tsa_name, row.chain_pem, row.requested_at,
                                 row.added_at, row.clock_skew_s)  # fmt: skip
            if refused.get(rid) == t.token_sha256:
                continue
            if rid in marked:
                report.problems.append(SyncProblem(ROLLED_BACK, CENTRAL_LOST.format(
                    what=f"timestamp {rid}")))  # fmt: skip
            try:
                self._check_token(t, row)
            except TimestampUploadRefused as e:
                self._token_refused(client, state, t, e, report)
                continue
            todo.append(t)
        for i in range(0, len(todo), TOKEN_BATCH):
            batch = todo[i : i + TOKEN_BATCH]
            outcomes = client.add_capture_timestamps(batch)
            taken: dict[str, str] = {}
            for t, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, TimestampUploadRefused):
                    self._token_refused(client, state, t, outcome, report)
                    continue
                taken[t.recording_id] = t.token_sha256
                report.count("timestamp")
            state.mark_many("timestamp", taken)

    def _token_refused(
        self, client: CentralClient, state: SyncState, t: CentralTimestamp,
        e: TimestampUploadRefused, report: SyncReport,
    ) -> None:  # fmt: skip
        rid, fp = t.recording_id, t.workstation
        log.error("sync: the token of recording %s refused: %s (%s)", rid, e.message("en"),
                  e.detail)  # fmt: skip
        client.report_refusal(fp, None, "timestamp", t.token_sha256, "",
                              f"recording {rid}: {e.message('en')} ({e.detail})")  # fmt: skip
        report.problems.append(SyncProblem(TIMESTAMP_REFUSED, e.text))
        state.mark(TIMESTAMP_REFUSED, rid, t.token_sha256)

    @staticmethod
    def _check_token(t: CentralTimestamp, row: TimestampRow) -> None:
        """The PC's own look before sending: the token stamps the manifest the store holds."""
        try:
            imprint = token_imprint(t.token, f"{t.recording_id}.manifest.json.tsr")
        except TimestampRefused as e:
            imprint = e.detail
        if imprint != t.data_sha256 or row.data_sha256 != t.data_sha256:
            raise TimestampUploadRefused(
                t.recording_id,
                NOT_OVER_MANIFEST.format(imprint=imprint[:16]),
                detail=f"token imprint {imprint}, manifest {t.data_sha256}",
            )

    def _send_incidents(
        self, client: CentralClient, state: SyncState, inv: Any, report: SyncReport
    ) -> None:
        incidents = self._incidents()
        fp = self._identity.key.fingerprint
        purged = self._purged("attachment")
        for iid in incidents.ids():
            inc = incidents.get(iid)
            if inc is None:
                continue
            for a in inc.attachments:
                if a.id in inv.attachments or a.id in purged:
                    continue
                sealed = None
                if a.kind == "file" and a.sealed_path:
                    path = self._paths.root / a.sealed_path
                    self._send_blob(client, state, a.sealed_sha256, path.stat().st_size, path,
                                    report)  # fmt: skip
                    sealed = a.sealed_sha256
                client.add_attachment(fp, a.id, iid, sealed)
                report.count("attachment")
                state.mark("attachment", a.id, sealed or "url")
            body = canonical_json(inc.to_json_dict()).decode("utf-8")
            sha = hashlib.sha256(body.encode("utf-8")).hexdigest()
            version, central_sha = inv.incidents.get(iid, (0, ""))
            if central_sha != sha:
                if version == 0:
                    self._lost(state, "incident", iid, report)
                client.add_incident_version(fp, iid, version + 1, body, sha, {
                    "status": inc.status, "department": inc.draft.department,
                    "legal_hold": inc.legal_hold, "occurred_at": inc.draft.occurred_at,
                })  # fmt: skip
                report.count("incident")
            state.mark("incident", iid, sha)

    def _send_chain(
        self, client: CentralClient, state: SyncState, inv: Any, report: SyncReport
    ) -> None:
        audit = self._audit()
        fp = self._identity.key.fingerprint
        entries = audit.entries()
        marked = int(state.marks("audit").get(fp, "0"))
        if inv.chain_seq < marked:
            report.problems.append(SyncProblem(ROLLED_BACK, CENTRAL_LOST.format(
                what=f"audit {inv.chain_seq + 1}…{marked}")))  # fmt: skip
        if inv.chain_seq:
            mine = next((e for e in entries if e.seq == inv.chain_seq), None)
            if mine is None or mine.hash != inv.chain_hash:
                self._refuse(client, fp, inv.chain_seq, mine.hash if mine else "", inv.chain_hash)
        todo = [e for e in entries if e.seq > inv.chain_seq]
        if todo:
            try:
                client.add_entries(fp, todo)
            except ChainRefused as e:
                client.report_refusal(fp, e.seq, e.kind, "", "", str(e.detail))
                raise
            report.sent["audit"] = len(todo)
        head = audit.head()
        if head is not None and head.seq not in inv.head_seqs:
            client.add_workstation_head(head)
        if entries:
            state.mark("audit", fp, str(entries[-1].seq))

    def _refuse(self, client: CentralClient, fp: str, seq: int, offered: str, central: str) -> None:
        detail = f"local entry {seq} is {offered or 'missing'}, the central one {central}"
        client.report_refusal(fp, seq, FORK, offered, central, detail)
        log.error("sync refused: fork of the chain of %s at %d (%s)", fp, seq, detail)
        raise ChainRefused(FORK, seq, detail)

    # -- central heads ----------------------------------------------------------------------

    def _check_head(self, client: CentralClient, state: SyncState, report: SyncReport) -> None:
        seen = state.seen_head()
        if seen is None:
            return
        latest = client.latest_head()
        now_seq = latest.seq if latest else 0
        same = client.head_at(seen.seq)
        if now_seq < seen.seq or same is None or same.hash != seen.hash:
            log.error("central store rolled back: saw head %d, now %d", seen.seq, now_seq)
            report.problems.append(
                SyncProblem(ROLLED_BACK, CENTRAL_ROLLED_BACK.format(seen=seen.seq, now=now_seq))
            )
            # Kept centrally too, so `audit verify --central` names it after this sync.
            client.report_refusal(
                self._identity.key.fingerprint, seen.seq, ROLLED_BACK, seen.hash,
                latest.hash if latest else "",
                f"this PC saw central head {seen.seq}; the store's newest is {now_seq}",
            )  # fmt: skip

    def _sign_head(self, client: CentralClient, state: SyncState, report: SyncReport) -> None:
        key = self._identity.key
        latest = client.latest_head()
        if latest is not None and latest.chains() == client.chains():
            # Nothing moved since the last head (this PC's or another's): it vouches for the
            # state as it is; no new head, so an idle sync adds no rows.
            state.see_head(SeenHead(latest.seq, latest.hash, latest.body_json,
                                    latest.signed_by, latest.signature))  # fmt: skip
            report.head_seq = latest.seq
            return
        deadline = time.monotonic() + HEAD_DEADLINE_S
        tries = 0
        while time.monotonic() < deadline:
            tries += 1
            if client.sign_head(key.fingerprint, lambda b: key.sign(b).hex()) == "ok":
                head = client.latest_head()
                assert head is not None  # the one just added, or a later one
                state.see_head(SeenHead(head.seq, head.hash, head.body_json, head.signed_by,
                                        head.signature))  # fmt: skip
                report.head_seq = head.seq
                return
        log.warning("central head not signed: the state kept changing (%d tries)", tries)

    # -- the main window's line -------------------------------------------------------------

    def status(self) -> SyncStatus:
        if not self.configured:
            return SyncStatus(False, 0, "", None)
        state = self._state()
        waiting = 0
        recs = state.marks("recording")
        purged = self._purged("recording")
        waiting += sum(
            1 for r in self._recordings().list()
            if recs.get(r.id) != r.sealed_sha256 and r.id not in purged
        )  # fmt: skip
        if self._tokens is not None:  # a late token waits as an item of its own
            sent = state.marks("timestamp").keys() | state.marks(TIMESTAMP_REFUSED).keys()
            waiting += sum(1 for rid in self._tokens.stamped_recordings()
                           if rid not in sent and rid not in purged)  # fmt: skip
        head = self._audit().head()
        marked = int(state.marks("audit").get(self._identity.key.fingerprint, "0"))
        if head is not None and head.seq > marked:
            waiting += 1  # the chain's new entries count as one item
        c = state.contact()
        return SyncStatus(True, waiting, c.last_contact, _stored_text(c.last_error))


def _stored_text(raw: str) -> Text | None:
    if not raw:
        return None
    try:
        d = json.loads(raw)
        return Text(str(d["ja"]), str(d["en"]))
    except (ValueError, KeyError, TypeError):
        return Text.same(raw)  # written by an older version: as it is


def verify_head(head: CentralHead, keys: dict[str, str]) -> bool:
    """A central head's signature, by the registered key of the workstation that signed it."""
    pem = keys.get(head.signed_by)
    if pem is None:
        return False
    try:
        return verify_signature(pem, head.body_json.encode("utf-8"), bytes.fromhex(head.signature))
    except ValueError:
        return False
