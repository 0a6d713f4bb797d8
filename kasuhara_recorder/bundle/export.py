"""Export: one incident → one signed, self-verifying ZIP, from evidence that passes its own checks.

The app service gathers ``ExportInputs`` (plain data from the store); this module decrypts each
sealed recording and attachment with the unlocked organisation identity, re-checks the capture
manifest's signature, ``sealed_sha256`` and ``pcm_sha256`` while streaming the plaintext into the
bundle, and stops with ``ExportRefused`` naming the item at the first mismatch. The ZIP is
written to an unnamed (or hidden, recorded) file in the destination folder and named only when
complete (``destination_file``), so a failure or a cancel leaves nothing behind, and what a kill
leaves is removed at the next start (``partial_ledger``). An existing bundle is replaced only
with ``overwrite``. The same inputs (incl. the export time) give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, TypeVar, cast

import pyrage

from kasuhara_recorder.bundle.assemble import BundleAssembler, FileRecord
from kasuhara_recorder.bundle.custody import custody_jsonl, select_custody
from kasuhara_recorder.bundle.destination_file import BundleExistsError, BundleFile
from kasuhara_recorder.bundle.errors import (
    PLAIN_ALTERED,
    SEALED_ALTERED,
    SEALED_MISSING,
    TAIL_ALTERED,
    TAIL_MISSING,
    BundleExists,
    ExportCancelled,
    ExportRefused,
    WrongIdentity,
)
from kasuhara_recorder.bundle.handover import Handover, sha256_of_stream
from kasuhara_recorder.bundle.partial_ledger import HeldRecord, PartialLedger
from kasuhara_recorder.bundle.readme import ReadmeRecording, ReadmeTimestamp, readme_text
from kasuhara_recorder.bundle.recipient_kinds import RECIPIENT_KINDS as RECIPIENT_KINDS
from kasuhara_recorder.bundle.report_content import build_report
from kasuhara_recorder.bundle.report_model import ReportFile
from kasuhara_recorder.bundle.report_pdf import render_report_pdf
from kasuhara_recorder.bundle.sealed_reader import SealedReader
from kasuhara_recorder.bundle.timestamps import (
    CHAIN,
    MANIFEST_TOKEN,
    BundleTimestamps,
    manifest_entries,
    token_member,
)
from kasuhara_recorder.bundle.verify_page import page_bytes
from kasuhara_recorder.bundle.wav import wav_header
from kasuhara_recorder.bundle.zip_writer import ZipOutput
from kasuhara_recorder.errors import UsageError
from kasuhara_recorder.evidence.audit_chain import AuditEntry
from kasuhara_recorder.evidence.canonical_json import canonical_json
from kasuhara_recorder.evidence.manifest import (
    ManifestError,
    ManifestSignatureInvalid,
    RecordingManifest,
    TagEntry,
    verify_manifest_bytes,
)
from kasuhara_recorder.evidence.workstation_key import BadPublicKey, WorkstationKey
from kasuhara_recorder.policy.profile import PolicyProfile
from kasuhara_recorder.store.incident_model import Attachment, Incident
from kasuhara_recorder.text import Text

_T = TypeVar("_T")
_BUNDLE_NS = uuid.UUID("0e7c1b64-2f0a-4d7e-9b61-3c2a8f5d9e10")
_SAFE = re.compile(r"[^0-9A-Za-z._\-\u3040-\u30ff\u4e00-\u9fff]+")


@dataclass(frozen=True)
class RecordingInput:
    id: str
    manifest_json: bytes  # the exact signed bytes
    manifest_signature: bytes
    sealed_path: Path
    later_tags: tuple[
        TagEntry, ...
    ] = ()  # TagEntry added after capture (shown in the report, not signed)


@dataclass(frozen=True)
class AttachmentInput:
    attachment: Attachment
    sealed_path: Path | None  # None for URL attachments


@dataclass(frozen=True)
class ExportInputs:
    incident: Incident
    recordings: tuple[RecordingInput, ...]
    attachments: tuple[AttachmentInput, ...]
    audit_entries: tuple[AuditEntry, ...]  # the whole chain; the exporter picks what it needs
    known_keys: dict[str, str]  # fingerprint -> public PEM of registered workstations
    exporter: WorkstationKey
    exporter_name: str
    actor: str
    recipient_kind: str
    exported_at: dt.datetime
    profile: PolicyProfile
    timestamps: BundleTimestamps = BundleTimestamps()  # RFC 3161 tokens (bundle/timestamps.py)


# the steps an export reports as it goes
STEP_STARTING = Text("開始", "starting")
STEP_RECORDING = Text("録音 {id}", "recording {id}")
STEP_ATTACHMENTS = Text("添付資料", "attachments")
STEP_SIGNING = Text("署名", "signing")


@dataclass(frozen=True)
class ExportProgress:
    done: int
    total: int
    step: Text  # what is being written, for the progress line

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass(frozen=True)
class ExportResult:
    path: Path
    bundle_id: str
    manifest_sha256: str
    size: int
    files: tuple[FileRecord, ...] = field(default_factory=tuple)
    signing_fingerprint: str = ""
    bundle_sha256: str = ""  # of the ZIP as written (read back before it got its name)

    @property
    def handover(self) -> Handover:
        """The two values the officer sends by another channel than the bundle."""
        return Handover(self.signing_fingerprint, self.bundle_sha256)


ProgressFn = Callable[[ExportProgress], None]


def bundle_id_for(incident_id: str, exported_at: str, fingerprint: str) -> str:
    return str(uuid.uuid5(_BUNDLE_NS, f"{incident_id}|{exported_at}|{fingerprint}"))


def key_file(fingerprint: str) -> str:
    return f"keys/{fingerprint[:16]}.pem"


def safe_file_name(name: str, fallback: str) -> str:
    base = _SAFE.sub("_", Path(name.replace("\\", "/")).name).strip("._") or fallback
    return base[:80]


class _Exporter:
    def __init__(
        self,
        inputs: ExportInputs,
        identity: pyrage.x25519.Identity,
        progress: ProgressFn | None,
        cancel: threading.Event | None,
    ) -> None:
        self.i = inputs
        self.identity = identity
        self.progress = progress or (lambda p: None)
        self.cancel = cancel or threading.Event()
        self.done = 0
        self.total = 0
        self.extra = 0

    # --- checks before any byte is written -------------------------------------------------
    def check_manifests(self) -> list[RecordingManifest]:
        out = []
        for r in self.i.recordings:
            try:
                m = verify_manifest_bytes(r.manifest_json, r.manifest_signature)
            except (ManifestSignatureInvalid, ManifestError, BadPublicKey) as e:
                raise ExportRefused(Text(f"録音 {r.id}", f"recording {r.id}"), e.text) from None
            if m.id != r.id:
                raise ExportRefused(
                    Text(f"録音 {r.id}", f"recording {r.id}"),
                    Text("署名済みマニフェストの ID が違います", "manifest names another id"),
                )
            if m.workstation.fingerprint not in self.i.known_keys:
                raise ExportRefused(
                    Text(f"録音 {r.id}", f"recording {r.id}"),
                    Text("登録されていない端末鍵で署名されています",
                         "signed by a workstation key not registered"),
                )  # fmt: skip
            if not r.sealed_path.is_file():
                raise ExportRefused(Text(f"録音 {r.id}", f"recording {r.id}"), SEALED_MISSING)
            if m.tail is not None and not (r.sealed_path.parent / m.tail.file).is_file():
                raise ExportRefused(Text(f"録音 {r.id}", f"recording {r.id}"), TAIL_MISSING)
            if m.recipients and str(self.identity.to_public()) not in m.recipients:
                # Said as a wrong choice of file, not as evidence that failed decryption.
                raise WrongIdentity(r.id)
            out.append(m)
        for a in self.i.attachments:
            if a.sealed_path is not None and not a.sealed_path.is_file():
                name = a.attachment.name
                raise ExportRefused(Text(f"添付 {name}", f"attachment {name}"), SEALED_MISSING)
        return out

    def tick(self, n: int, step: Text) -> None:
        if self.cancel.is_set():
            raise ExportCancelled()
        self.done += n
        self.progress(ExportProgress(self.done, self.total, step))

    # --- streaming a sealed file into the bundle ---------------------------------------------
    def stream_plain(
        self, reader: SealedReader, want: int, label: Text, step: Text
    ) -> Iterator[bytes]:
        """Exactly ``want`` plaintext bytes from ``reader``; reads to the end so that any
        plaintext beyond ``want`` is counted in ``self.extra`` (a recovered recording may
        have complete chunks after its last checkpoint; those are not covered by the proof)."""
        got = 0
        self.extra = 0
        for chunk in reader.chunks():
            if got >= want:
                self.extra += len(chunk)
                continue
            if got + len(chunk) > want:
                self.extra += got + len(chunk) - want
                chunk = chunk[: want - got]
            got += len(chunk)
            yield chunk
            self.tick(len(chunk), step)
        if got < want:
            detail = reader.error or "ends early"
            raise ExportRefused(label, Text(
                f"復号できたのは {want} バイト中 {got} バイトです（{detail}）",
                f"decryption gave {got} of {want} bytes ({detail})",
            ))  # fmt: skip

    def add_recording(
        self, a: BundleAssembler, r: RecordingInput, m: RecordingManifest
    ) -> tuple[str, str]:
        """The audio file and the capture manifest, re-checked against the manifest once the
        audio has passed into the ZIP (``_RecordingStream``)."""
        label = Text(f"録音 {m.id}", f"recording {m.id}")
        member = audio_member(m, label)
        stream = _RecordingStream(self, r, m, label)
        a.add_stream(member.path, member.size, stream.body(member), member.kind)
        stream.check()
        a.add_bytes(f"recordings/{m.id}.json", r.manifest_json, "capture-manifest")
        a.add_bytes(f"recordings/{m.id}.json.sig", r.manifest_signature, "capture-signature")
        stamp = self.i.timestamps.recordings.get(m.id)
        if stamp is not None:
            a.add_bytes(token_member(f"recordings/{m.id}.json"), stamp.token, "timestamp")
        return member.path, f"recordings/{m.id}.json"

    def add_attachment(self, a: BundleAssembler, item: AttachmentInput) -> str | None:
        att = item.attachment
        if item.sealed_path is None:
            return None
        label = Text(f"添付 {att.name}", f"attachment {att.name}")
        reader = SealedReader(item.sealed_path, self.identity)
        h = hashlib.sha256()
        path = f"attachments/{att.id}-{safe_file_name(att.name, 'file')}"

        def body() -> Iterator[bytes]:
            for chunk in self.stream_plain(reader, att.size, label, STEP_ATTACHMENTS):
                h.update(chunk)
                yield chunk

        a.add_stream(path, att.size, body(), "attachment")
        if att.sealed_sha256 and reader.sealed_sha256 != att.sealed_sha256:
            raise ExportRefused(label, SEALED_ALTERED)
        if h.hexdigest() != att.sha256 or reader.error or self.extra:
            raise ExportRefused(label, PLAIN_ALTERED)
        return path

    # --- the whole bundle, phase by phase ----------------------------------------------------
    # check → members (audio, attachments) → keys → documents → manifest → sign. The order of
    # the phases is the order of the files in the ZIP, so it is part of the format.
    def write(self, out: ZipOutput) -> tuple[bytes, list[FileRecord]]:
        i = self.i
        manifests = self.check_manifests()
        exported_at = i.exported_at.isoformat(timespec="seconds")
        bundle_id = bundle_id_for(i.incident.id, exported_at, i.exporter.fingerprint)
        self.total = sum(_plaintext_size(m) for m in manifests)
        self.total += sum(a.attachment.size for a in i.attachments if a.sealed_path)
        self.tick(0, STEP_STARTING)
        a = BundleAssembler(out)
        try:
            recs = self.write_members(a, manifests)
            custody = select_custody(i.audit_entries, self.custody_subjects(manifests))
            keys_meta = self.write_keys(a, manifests, custody)
            self.write_tsa_chain(a)
            self.write_documents(a, manifests, recs, custody, bundle_id, exported_at)
            fields = self.manifest_fields(recs, keys_meta, custody, bundle_id, exported_at)
            fields |= self.timestamp_fields(recs)
            self.tick(0, STEP_SIGNING)
            raw = a.finish(fields, i.exporter.sign, self.manifest_token(bundle_id))
            return raw, a.files
        finally:
            a.close()

    def write_members(
        self, a: BundleAssembler, manifests: list[RecordingManifest]
    ) -> list[_Recorded]:
        """The recordings, then the attachments, each checked as it streams in."""
        recs = []
        for r, m in zip(self.i.recordings, manifests, strict=True):
            audio, cap = self.add_recording(a, r, m)
            recs.append(_Recorded(m, audio, cap))
        for item in self.i.attachments:
            self.add_attachment(a, item)
        return recs

    def custody_subjects(self, manifests: list[RecordingManifest]) -> set[str]:
        i = self.i
        subjects = {f"incident:{i.incident.id}"}
        subjects |= {f"recording:{m.id}" for m in manifests}
        subjects |= {f"attachment:{x.attachment.id}" for x in i.attachments}
        return subjects

    def write_keys(
        self,
        a: BundleAssembler,
        manifests: list[RecordingManifest],
        custody: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Every workstation that signed a capture manifest, a custody entry, or the bundle."""
        i = self.i
        fps = {m.workstation.fingerprint for m in manifests} | {c["workstation"] for c in custody}
        fps.add(i.exporter.fingerprint)
        keys_meta = []
        for fp in sorted(fps):
            pem = i.exporter.public_pem.decode() if fp == i.exporter.fingerprint else None
            pem = pem or i.known_keys.get(fp)
            if pem is None:
                raise ExportRefused(Text("監査ログ", "audit log"), Text(
                    f"端末 {fp} の公開鍵がありません", f"no public key for workstation {fp}"
                ))  # fmt: skip
            a.add_bytes(key_file(fp), pem.encode("ascii"), "public-key")
            roles = []
            if fp == i.exporter.fingerprint:
                roles.append("export")
            if any(m.workstation.fingerprint == fp for m in manifests):
                roles.append("capture")
            if any(c["workstation"] == fp for c in custody):
                roles.append("custody")
            keys_meta.append({"file": key_file(fp), "fingerprint": fp, "roles": roles})
        return keys_meta

    # --- RFC 3161 (bundle/timestamps.py) ---------------------------------------------------------
    def write_tsa_chain(self, a: BundleAssembler) -> None:
        t = self.i.timestamps
        if t.chain_pem and (t.recordings or t.stamp_manifest is not None):
            a.add_bytes(CHAIN, t.chain_pem.encode("ascii"), "timestamp-chain")

    def timestamp_fields(self, recs: list[_Recorded]) -> dict[str, Any]:
        t = self.i.timestamps
        entries = manifest_entries(t.recordings, {r.manifest.id: r.manifest_path for r in recs})
        return {"timestamps": entries} if entries else {}

    def readme_timestamps(self, recs: list[_Recorded]) -> list[ReadmeTimestamp]:
        t = self.i.timestamps
        out = [
            ReadmeTimestamp(token_member(r.manifest_path), r.manifest_path)
            for r in recs
            if r.manifest.id in t.recordings
        ]
        if t.stamp_manifest is not None:
            out.append(ReadmeTimestamp(MANIFEST_TOKEN, "manifest.json"))
        return out

    def manifest_token(
        self, bundle_id: str
    ) -> Callable[[bytes], list[tuple[str, bytes, str]]] | None:
        stamp = self.i.timestamps.stamp_manifest
        if stamp is None:
            return None

        def after(raw: bytes) -> list[tuple[str, bytes, str]]:
            token = stamp(bundle_id, raw)
            return [] if token is None else [(MANIFEST_TOKEN, token.response, "timestamp")]

        return after

    def write_documents(
        self,
        a: BundleAssembler,
        manifests: list[RecordingManifest],
        recs: list[_Recorded],
        custody: list[dict[str, Any]],
        bundle_id: str,
        exported_at: str,
    ) -> None:
        """Custody, incident, the report (listing the files so far), verify.html, README."""
        i = self.i
        a.add_bytes("custody/audit.jsonl", custody_jsonl(custody), "custody")
        a.add_bytes("incident/incident.json", canonical_json(i.incident.to_json_dict()), "incident")
        report = build_report(
            i,
            manifests,
            files=tuple(ReportFile(f.path, f.size, f.sha256) for f in a.files),
            bundle_id=bundle_id,
            custody=custody,
            recipient=RECIPIENT_KINDS[i.recipient_kind].ja,
        )
        a.add_bytes("incident/report.pdf", render_report_pdf(report, i.exported_at), "report")
        a.add_bytes("verify.html", page_bytes(), "verify-page")
        readme_recs = [
            ReadmeRecording(
                audio=rec.audio,
                manifest=rec.manifest_path,
                key_file=key_file(rec.manifest.workstation.fingerprint),
                imported=rec.manifest.sample_format != "s16le",
                sha256=rec.manifest.pcm_sha256,
            )
            for rec in recs
        ]
        a.add_bytes(
            "README.txt",
            readme_text(
                bundle_id=bundle_id,
                incident_id=i.incident.id,
                exported_at=exported_at,
                exported_by=f"{i.actor} ({i.exporter_name})",
                recipient=RECIPIENT_KINDS[i.recipient_kind],
                signing_key_file=key_file(i.exporter.fingerprint),
                signing_fingerprint=i.exporter.fingerprint,
                recordings=readme_recs,
                timestamps=self.readme_timestamps(recs),
            ),  # fmt: skip
            "readme",
        )

    def manifest_fields(
        self,
        recs: list[_Recorded],
        keys_meta: list[dict[str, Any]],
        custody: list[dict[str, Any]],
        bundle_id: str,
        exported_at: str,
    ) -> dict[str, Any]:
        """What ``manifest.json`` says besides its file list (added by the assembler)."""
        i = self.i
        return {
            "bundle_id": bundle_id,
            "incident_id": i.incident.id,
            "exported_at": exported_at,
            "exported_by": {
                "actor": i.actor,
                "workstation": i.exporter_name,
                "fingerprint": i.exporter.fingerprint,
            },
            "recipient_kind": i.recipient_kind,
            "signing_key": {"file": key_file(i.exporter.fingerprint),
                            "fingerprint": i.exporter.fingerprint},
            "keys": keys_meta,
            "recordings": [
                {
                    "id": m.id,
                    # Said by the kind of recording, never by the file name: an imported .wav
                    # is an original (the whole file is hashed), not captured PCM.
                    "source": "capture" if m.sample_format == "s16le" else "import",
                    "wav" if m.sample_format == "s16le" else "original": audio,
                    "manifest": cap,
                    "signature": cap + ".sig",
                    "key": key_file(m.workstation.fingerprint),
                    "pcm_sha256": m.pcm_sha256,
                }
                for m, audio, cap in recs
            ],
            "custody": {"file": "custody/audit.jsonl", "entries": len(custody)},
        }  # fmt: skip


class _Recorded(NamedTuple):
    """A recording as written: its capture manifest and its two paths in the bundle."""

    manifest: RecordingManifest
    audio: str
    manifest_path: str


@dataclass(frozen=True)
class AudioMember:
    """Where a recording's audio goes in the bundle: captured PCM (``s16le``) becomes a WAV
    whose data chunk is that PCM; an import (``original``) is its original file byte for byte,
    whatever its extension, a ``.wav`` too."""

    path: str
    plain_size: int  # plaintext bytes taken from the sealed file(s)
    header: bytes
    kind: str

    @property
    def size(self) -> int:
        return len(self.header) + self.plain_size


def _plaintext_size(m: RecordingManifest) -> int:
    if m.sample_format == "s16le":
        return m.frames * m.channels * 2
    return m.import_info.original_size if m.import_info else 0


def audio_member(m: RecordingManifest, label: Text) -> AudioMember:
    if m.sample_format == "s16le":
        want = _plaintext_size(m)
        header = wav_header(want, m.samplerate, m.channels)
        return AudioMember(f"recordings/{m.id}.wav", want, header, "recording")
    if m.import_info is not None:
        ext = Path(m.import_info.original_name).suffix.lower()
        ext = ext if re.fullmatch(r"\.[a-z0-9]{1,8}", ext) else ".bin"
        return AudioMember(
            f"recordings/{m.id}{ext}", m.import_info.original_size, b"", "imported-original"
        )
    raise ExportRefused(label, Text(
        f"不明なサンプル形式です: {m.sample_format!r}", f"unknown sample format {m.sample_format!r}"
    ))  # fmt: skip


class _RecordingStream:
    """One recording's plaintext on its way into the ZIP, and its checks once it has passed.

    A recording recovered with its sealed tail is the main file's first ``pcm_offset`` bytes,
    then the whole tail file (docs/FORMAT.md §2); ``pcm_sha256`` covers both."""

    def __init__(
        self, exporter: _Exporter, r: RecordingInput, m: RecordingManifest, label: Text
    ) -> None:
        self.exporter = exporter
        self.m = m
        self.label = label
        self.reader = SealedReader(r.sealed_path, exporter.identity)
        self.tail_reader = None
        if m.tail is not None:
            self.tail_reader = SealedReader(r.sealed_path.parent / m.tail.file, exporter.identity)
        self.pcm_hash = hashlib.sha256()
        self.tail_hash = hashlib.sha256()
        self.extra: dict[str, int] = {}

    def body(self, member: AudioMember) -> Iterator[bytes]:
        m, x = self.m, self.exporter
        want = member.plain_size
        if member.header:
            yield member.header
        main_want = want if m.tail is None else m.tail.pcm_offset
        for chunk in x.stream_plain(
            self.reader, main_want, self.label, STEP_RECORDING.format(id=m.id)
        ):
            self.pcm_hash.update(chunk)  # hashlib releases the GIL: overlaps the ZIP's CRC
            yield chunk
        self.extra["main"] = x.extra
        if self.tail_reader is not None:
            for chunk in x.stream_plain(
                self.tail_reader, want - main_want, self.label, STEP_RECORDING.format(id=m.id)
            ):
                self.pcm_hash.update(chunk)
                self.tail_hash.update(chunk)
                yield chunk
            self.extra["tail"] = x.extra

    def check(self) -> None:
        """ExportRefused at the first difference from the capture manifest."""
        m, label, reader, tail_reader = self.m, self.label, self.reader, self.tail_reader
        if reader.sealed_sha256 != m.sealed_sha256 or reader.sealed_size != m.sealed_size:
            raise ExportRefused(label, SEALED_ALTERED)
        if tail_reader is not None and m.tail is not None:
            if (
                tail_reader.sealed_sha256 != m.tail.sealed_sha256
                or tail_reader.sealed_size != m.tail.sealed_size
            ):
                raise ExportRefused(label, TAIL_ALTERED)
            if self.tail_hash.hexdigest() != m.tail.pcm_sha256:
                raise ExportRefused(label, TAIL_ALTERED)
        if self.pcm_hash.hexdigest() != m.pcm_sha256:
            raise ExportRefused(label, PLAIN_ALTERED)
        extra = self.extra
        if m.status != "recovered" and (reader.error or extra["main"]):
            detail = reader.error or f"{extra['main']} bytes more than the manifest declares"
            raise ExportRefused(label, Text(
                f"封印ファイルがマニフェストと一致しません: {detail}",
                f"sealed file does not match its manifest: {detail}",
            ))  # fmt: skip
        if tail_reader is not None and (tail_reader.error or extra["tail"]):
            # The tail is a whole age file: a cut or extra bytes are never a crash's doing.
            detail = tail_reader.error or f"{extra['tail']} bytes more than the manifest declares"
            raise ExportRefused(label, Text(
                f"封印された末尾がマニフェストと一致しません: {detail}",
                f"sealed tail does not match its manifest: {detail}",
            ))  # fmt: skip


def _is_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False


def _destination_error(e: OSError, out_path: Path) -> OSError:
    """The OSError (its own subclass) naming the bundle, not the hidden partial file, so the
    CLI and the wizard can tell the officer which destination failed and why."""
    return OSError(e.errno, e.strerror or str(e), str(out_path))


class _DestinationError(Exception):
    """An OSError writing the bundle file (the cause), told apart from errors reading the vault."""


class _Destination:
    """The partial bundle file as the ZIP writer uses it; a failed write is the destination's."""

    def __init__(self, f: BinaryIO) -> None:
        self._f = f

    @staticmethod
    def call(fn: Callable[..., _T], *args: Any) -> _T:
        try:
            return fn(*args)
        except OSError as e:
            raise _DestinationError() from e

    def write(self, data: bytes, /) -> int:
        return self.call(self._f.write, data)

    def seek(self, offset: int, whence: int = 0, /) -> int:
        return self.call(self._f.seek, offset, whence)

    def tell(self) -> int:
        return self.call(self._f.tell)

    def flush(self) -> None:
        self.call(self._f.flush)


def check_destination(out_path: Path, *, overwrite: bool) -> None:
    """The checks made before anything is decrypted or written (also before the identity is
    unlocked, by the CLI): UsageError, or BundleExists when ``out_path`` exists and
    ``overwrite`` is off."""
    out_path = Path(out_path)
    folder = out_path.parent
    if not folder.is_dir():
        raise UsageError(f"destination folder does not exist: {folder}")
    if out_path.is_dir():
        raise UsageError(f"{out_path} is a folder; give the bundle a file name (….zip)")
    if os.path.lexists(out_path):
        if not _is_zip(out_path):
            # Even with overwrite: an earlier bundle may be replaced, but not the organisation
            # identity, the passphrase file or a document given by mistake.
            raise UsageError(f"{out_path} exists and is not a ZIP; choose another name")
        if not overwrite:
            raise BundleExists(out_path)


def export_bundle(
    inputs: ExportInputs,
    identity: pyrage.x25519.Identity,
    out_path: Path,
    *,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    overwrite: bool = False,
    ledger: PartialLedger | None = None,
    on_complete: Callable[[ExportResult], None] | None = None,
) -> ExportResult:
    """Write the bundle to ``out_path`` (atomically). Raises ExportRefused / ExportCancelled,
    BundleExists when ``out_path`` exists and ``overwrite`` is off, or an OSError whose
    ``filename`` is ``out_path`` when the destination fails (read-only, full, removed); nothing
    is left behind in any case.

    ``ledger`` (the data folder's) records the partial file before it can exist, so that what a
    SIGKILL or a power cut leaves is removed at the next start. ``on_complete`` runs once the
    bundle has its name, before that record goes (the app enters the export in the audit chain
    there); if it fails, the bundle is removed again: a bundle exists only with its entry."""
    if inputs.recipient_kind not in RECIPIENT_KINDS:
        raise UsageError(f"recipient kind must be one of {', '.join(RECIPIENT_KINDS)}")
    out_path = Path(out_path)
    check_destination(out_path, overwrite=overwrite)
    bundle_id = bundle_id_for(
        inputs.incident.id,
        inputs.exported_at.isoformat(timespec="seconds"),
        inputs.exporter.fingerprint,
    )
    held = (
        ledger.hold(out_path, bundle_id=bundle_id, incident_id=inputs.incident.id)
        if ledger
        else None
    )
    bf = BundleFile(out_path, held, overwrite=overwrite)
    try:
        result = _write_and_name(
            bf, held, out_path, bundle_id, _Exporter(inputs, identity, progress, cancel)
        )
        if on_complete is not None:
            on_complete(result)
    except BaseException as e:
        _abandon(bf, held)
        if isinstance(e, _DestinationError):  # full disk, the folder removed, an I/O error
            raise _destination_failure(e, out_path) from None
        raise
    if held is not None:
        held.release()
    return result


def _write_and_name(
    bf: BundleFile, held: HeldRecord | None, out_path: Path, bundle_id: str, exporter: _Exporter
) -> ExportResult:
    """Write the ZIP into the unnamed file, sync it, hash it as it is there, then name it."""
    f = _Destination.call(bf.open)
    raw, files = exporter.write(_Destination(f))
    st = _Destination.call(bf.sync)  # a full disk may only show here
    # The bundle's SHA-256, read back from the destination: the value the officer tells
    # the recipient by another channel (and enters in the chain) is of the very file there.
    bundle_sha = _Destination.call(bf.read_back, sha256_of_stream)
    if held is not None:  # before the name: the next start can tell this very bundle
        held.update(ino=st.st_ino, size=st.st_size)
    _Destination.call(bf.name)
    fingerprint = exporter.i.exporter.fingerprint
    return ExportResult(
        out_path, bundle_id, hashlib.sha256(raw).hexdigest(), st.st_size, tuple(files),
        signing_fingerprint=fingerprint, bundle_sha256=bundle_sha,
    )  # fmt: skip


def _abandon(bf: BundleFile, held: HeldRecord | None) -> None:
    """Remove what a failed or cancelled export wrote; keep its record if that failed."""
    clean = bf.discard()
    if held is not None:
        if clean:
            held.release()
        else:  # a file we could not remove: the next start tries again
            held.keep()


def _destination_failure(e: _DestinationError, out_path: Path) -> Exception:
    if isinstance(e.__cause__, BundleExistsError):  # it appeared while we wrote
        return BundleExists(out_path)
    return _destination_error(cast(OSError, e.__cause__), out_path)  # _Destination.call set it
