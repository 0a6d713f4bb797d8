"""``audit verify --central``: custody across every PC, checked from the central store.

For each registered workstation: its chain (hash links, signatures by its registered key, its
signed head); for each recording: the manifest's signature by the workstation that made it, and
the blob read back in full and hashed against the manifest; each capture manifest's RFC 3161
token: over that manifest, signed by a TSA that chains to the CA kept with it, and the very
token a ``timestamp.added`` entry of the uploading PC's chain names; the central heads: signed by a
registered workstation, linked to one another, and every chain at least as long as the heads
say (else the store lost entries: a rollback); and every upload the server refused (a fork or a
gap offered by a PC). Each problem names the workstation and the seq.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from kasuhara_recorder.central.client import CentralClient
from kasuhara_recorder.central.errors import BlobMissing
from kasuhara_recorder.central.schema import GENESIS
from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.evidence.audit_chain import REASON_TEXT, AuditEntry, verify_chain
from kasuhara_recorder.evidence.workstation_key import verify_signature
from kasuhara_recorder.text import Text


@dataclass(frozen=True)
class CustodyProblem:
    kind: str  # chain, unknown_key, manifest, blob, timestamp, head, rolled_back, refused
    workstation: str  # its name ("" when not registered), or the fingerprint
    seq: int | None
    detail: Text

    def to_json(self, lang: str) -> dict[str, object]:
        return {"kind": self.kind, "workstation": self.workstation, "seq": self.seq,
                "detail": self.detail.pick(lang)}  # fmt: skip


@dataclass
class CentralReport:
    workstations: int = 0
    entries: int = 0
    recordings: int = 0
    blob_bytes: int = 0
    purged: int = 0  # blobs retention removed through purge_blob (not read: their bytes went)
    timestamps: int = 0  # capture manifests' RFC 3161 tokens checked
    heads: int = 0
    problems: list[CustodyProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def text(self) -> Text:
        if self.ok:
            return CENTRAL_INTACT.format(
                ws=self.workstations,
                entries=self.entries,
                recs=self.recordings,
                heads=self.heads,
                tokens=self.timestamps,
            )
        lines = [
            PROBLEM_LINE.format(ws=p.workstation, seq="-" if p.seq is None else p.seq,
                                detail=p.detail)
            for p in self.problems
        ]  # fmt: skip
        joined = Text("\n".join(t.ja for t in lines), "\n".join(t.en for t in lines))
        return CENTRAL_BROKEN.format(n=len(self.problems), listing=joined)


CENTRAL_INTACT = Text(
    "中央保管庫の記録は改ざんされていません（端末 {ws} 台、監査ログ {entries} 件、録音 {recs} 件、"
    "タイムスタンプ {tokens} 件、中央の署名付き状態 {heads} 版を確認）。",
    "central store intact ({ws} workstations, {entries} audit entries, {recs} recordings, "
    "{tokens} time-stamps, {heads} signed central heads checked)",
)
CENTRAL_BROKEN = Text(
    "中央保管庫の記録に {n} 件の問題があります:\n{listing}",
    "the central store has {n} problem(s):\n{listing}",
)
PROBLEM_LINE = Text("  端末 {ws}、第 {seq} 件: {detail}", "  workstation {ws}, seq {seq}: {detail}")

T_UNKNOWN = Text("登録されていない鍵 {fp} で署名されています", "signed by an unregistered key {fp}")
T_MANIFEST = Text(
    "録音 {rid} のマニフェストの署名が一致しません", "recording {rid}: manifest signature fails"
)
T_BLOB = Text(
    "録音 {rid} のファイルのハッシュ値がマニフェストと一致しません（{detail}）",
    "recording {rid}: the stored file does not match its manifest ({detail})",
)
T_TOKEN = Text(
    "録音 {rid} のタイムスタンプ（RFC 3161）を確認できません: {detail}",
    "recording {rid}: its RFC 3161 time-stamp fails: {detail}",
)
T_TOKEN_UNCHAINED = Text(
    "端末の監査ログに、このトークンを取得した記録（timestamp.added）がありません",
    "no timestamp.added entry of the uploading PC's chain names this token",
)
T_HEAD_SIG = Text("中央の状態 第 {seq} 版の署名が一致しません", "central head {seq}: bad signature")
T_HEAD_LINK = Text(
    "中央の状態 第 {seq} 版が前の版とつながっていません",
    "central head {seq}: not linked to the one before",
)
T_ROLLED = Text(
    "中央の状態 第 {head} 版ではこの端末の記録が第 {seq} 件まであったのに、今は {now} 件です"
    "（中央保管庫が古い状態に戻されています）",
    "central head {head} recorded this chain up to entry {seq}, the store now has {now} "
    "(the central store was rolled back)",
)
T_REFUSED = Text(
    "受け付けを拒否した送信（{kind}）: {detail}", "an upload was refused ({kind}): {detail}"
)


def verify_central(client: CentralClient, *, read_blobs: bool = True) -> CentralReport:
    report = CentralReport()
    registered = client.workstations()
    keys = {fp: pem for fp, (_name, pem) in registered.items()}
    names = {fp: name for fp, (name, _pem) in registered.items()}
    report.workstations = len(registered)
    chains: dict[str, tuple[int, str]] = {}
    by_ws: dict[str, list[AuditEntry]] = {}
    for e in client.entries():
        by_ws.setdefault(e.workstation, []).append(e)
    for fp, entries in sorted(by_ws.items()):
        report.entries += len(entries)
        name = names.get(fp, fp)
        if fp not in keys:
            report.problems.append(CustodyProblem("unknown_key", fp, entries[0].seq,
                                                  T_UNKNOWN.format(fp=fp)))  # fmt: skip
            continue
        head = client.workstation_head(fp)
        # The head uploaded may be older than the newest entries (a sync cut short): it then
        # only vouches for the entries up to it, which verify_chain accepts.
        r = verify_chain(entries, head if head and head.seq == entries[-1].seq else None, keys)
        if not r.ok:
            reason = REASON_TEXT.get(r.reason or "", Text.same(str(r.reason)))
            report.problems.append(CustodyProblem("chain", name, r.first_bad_seq, reason))
        chains[fp] = (entries[-1].seq, entries[-1].hash)
    _check_recordings(client, keys, names, report, read_blobs)
    _check_timestamps(client, names, by_ws, report)
    _check_heads(client, keys, names, chains, {fp: {e.seq: e.hash for e in es}
                                               for fp, es in by_ws.items()}, report)  # fmt: skip
    for fp, seq, kind, detail in client.refusals():
        report.problems.append(
            CustodyProblem(
                "refused", names.get(fp, fp), seq, T_REFUSED.format(kind=kind, detail=detail)
            )
        )
    return report


def _check_recordings(
    client: CentralClient, keys: dict[str, str], names: dict[str, str], report: CentralReport,
    read_blobs: bool,
) -> None:  # fmt: skip
    from kasuhara_recorder.evidence.manifest import verify_manifest_bytes

    purged = client.purged_blobs()
    for r in client.recordings():
        report.recordings += 1
        name = names.get(r.workstation, r.workstation)
        try:
            m = verify_manifest_bytes(r.manifest_json, r.manifest_signature,
                                      trusted_public_pem=keys.get(r.workstation))  # fmt: skip
        except KasuharaError:
            report.problems.append(CustodyProblem("manifest", name, None,
                                                  T_MANIFEST.format(rid=r.id)))  # fmt: skip
            continue
        wanted = [(m.sealed_sha256, m.sealed_size)]
        if m.tail is not None:
            wanted.append((m.tail.sealed_sha256, m.tail.sealed_size))
        if m.sealed_sha256 != r.sealed_sha256:
            report.problems.append(CustodyProblem("blob", name, None, T_BLOB.format(
                rid=r.id, detail="row and manifest differ")))  # fmt: skip
        if not read_blobs:
            continue
        for sha, size in wanted:
            if purged.get(sha, ("", "", 0))[:2] == ("recording", r.id):
                report.purged += 1  # removed by retention, decided by a chained entry
                continue
            h, n = hashlib.sha256(), 0
            try:
                for piece in client.blobs.open(sha):
                    h.update(piece)
                    n += len(piece)
            except (BlobMissing, KasuharaError) as e:
                report.problems.append(CustodyProblem("blob", name, None, T_BLOB.format(
                    rid=r.id, detail=e.message("en"))))  # fmt: skip
                continue
            report.blob_bytes += n
            if h.hexdigest() != sha or n != size:
                report.problems.append(CustodyProblem("blob", name, None, T_BLOB.format(
                    rid=r.id, detail=f"{n} bytes hashing to {h.hexdigest()[:16]}…")))  # fmt: skip


def _check_timestamps(
    client: CentralClient, names: dict[str, str], by_ws: dict[str, list[AuditEntry]],
    report: CentralReport,
) -> None:  # fmt: skip
    """Each capture token: over its recording's manifest as stored, a TSA signature chaining to
    the CA kept with it, and named (its SHA-256) by the uploading PC's signed chain."""
    import datetime as dt

    from kasuhara_recorder.evidence.timestamp import TimestampRefused, check_with_chain

    manifests = {r.id: r.manifest_json for r in client.recordings()}
    now = dt.datetime.now(dt.UTC)
    for rid, t in sorted(client.capture_timestamps().items()):
        report.timestamps += 1
        name = names.get(t.workstation, t.workstation)
        sha = hashlib.sha256(manifests.get(rid, b"")).hexdigest()
        try:
            check_with_chain(t.token, file=f"{rid}.manifest.json.tsr", data_sha256=sha,
                             chain_pem=t.chain_pem, now=now)  # fmt: skip
        except TimestampRefused as e:
            report.problems.append(CustodyProblem("timestamp", name, None, T_TOKEN.format(
                rid=rid, detail=f"{e.check}: {e.detail}")))  # fmt: skip
            continue
        named = [
            e.seq for e in by_ws.get(t.workstation, ())
            if e.event == "timestamp.added" and e.subject == f"recording:{rid}"
            and e.data.get("token_sha256") == t.token_sha256
        ]  # fmt: skip
        if not named:
            report.problems.append(CustodyProblem("timestamp", name, None, T_TOKEN.format(
                rid=rid, detail=T_TOKEN_UNCHAINED)))  # fmt: skip


def _check_heads(
    client: CentralClient, keys: dict[str, str], names: dict[str, str],
    chains: dict[str, tuple[int, str]], hashes: dict[str, dict[int, str]], report: CentralReport,
) -> None:  # fmt: skip
    prev = GENESIS
    for h in client.heads():
        report.heads += 1
        signer = names.get(h.signed_by, h.signed_by)
        ok = False
        pem = keys.get(h.signed_by)
        if pem is not None:
            try:
                ok = verify_signature(pem, h.body_json.encode("utf-8"), bytes.fromhex(h.signature))
            except ValueError:
                ok = False
        if not ok or hashlib.sha256(h.body_json.encode("utf-8")).hexdigest() != h.hash:
            report.problems.append(CustodyProblem("head", signer, h.seq,
                                                  T_HEAD_SIG.format(seq=h.seq)))  # fmt: skip
        body = json.loads(h.body_json)
        if body.get("prev_hash") != prev or body.get("seq") != h.seq:
            report.problems.append(CustodyProblem("head", signer, h.seq,
                                                  T_HEAD_LINK.format(seq=h.seq)))  # fmt: skip
        prev = h.hash
        for fp, (seq, hash_) in h.chains().items():
            now = chains.get(fp, (0, ""))[0]
            if now < seq or hashes.get(fp, {}).get(seq) != hash_:
                report.problems.append(CustodyProblem("rolled_back", names.get(fp, fp), seq,
                    T_ROLLED.format(head=h.seq, seq=seq, now=now)))  # fmt: skip
