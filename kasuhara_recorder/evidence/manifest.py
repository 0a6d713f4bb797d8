"""The recording manifest: what was captured, when, where, by whom, and its capture-time hashes.

On disk (docs/FORMAT.md): ``vault/<id>.manifest.json`` holds exactly the canonical JSON bytes
of ``to_dict()`` (no trailing newline) and ``vault/<id>.manifest.json.sig`` the 64 raw bytes of
the workstation's Ed25519 signature over those bytes, so
``openssl pkeyutl -verify -rawin -pubin -inkey ws.pub.pem -sigfile X.sig -in X`` checks it.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kasuhara_recorder.atomic_file import write_atomic
from kasuhara_recorder.errors import EvidenceError
from kasuhara_recorder.evidence.canonical_json import canonical_json, parse_json_object
from kasuhara_recorder.evidence.journal import SealedTail
from kasuhara_recorder.evidence.vault import ManifestFiles, Vault, sealed_name, tail_member_path
from kasuhara_recorder.evidence.workstation_key import (
    WorkstationKey,
    fingerprint_of,
    load_public_pem,
    verify_signature,
)
from kasuhara_recorder.text import Text

MANIFEST_FORMAT = "kasuhara-recording-manifest/1"
CHANNELS = ("counter", "phone", "import")
STATUSES = ("complete", "recovered", "device_lost", "disk_full", "imported")


class ManifestError(EvidenceError):
    template = Text(
        "録音マニフェストが正しくありません: {detail}",
        "bad recording manifest: {detail}",
    )


class ManifestSignatureInvalid(EvidenceError):
    template = Text(
        "録音マニフェスト {detail} の署名が一致しません（改ざんの可能性）。",
        "recording manifest {detail}: signature does not verify (possible tampering)",
    )


def new_recording_id(now: dt.datetime | None = None) -> str:
    """Sortable, collision-safe id: ``rec-YYYYMMDD-HHMMSS-xxxxxx`` (local time, 24 random bits)."""
    now = now or dt.datetime.now().astimezone()
    return f"rec-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class WorkstationInfo:
    name: str
    fingerprint: str  # SHA-256 of the raw Ed25519 public key, hex
    public_key_pem: str


@dataclass(frozen=True)
class TagEntry:
    code: str  # a policy category code, e.g. "conduct.mental"
    offset_ms: int  # from the start of the recording
    note: str = ""
    who: str = ""


NOTICE_KINDS = ("played", "spoken", "none")


@dataclass(frozen=True)
class NoticeInfo:
    """The recording notice (録音告知): ``played`` (the phone announcement, played to the caller
    through the adapter's output), ``spoken`` (the counter worker's 告知しました) or ``none``.
    ``offset_ms`` is where it starts in the recording; ``duration_ms`` and ``wav_sha256`` are
    the announcement's (a spoken notice has neither); ``text`` the words played or to say."""

    kind: str = "none"
    offset_ms: int | None = None
    duration_ms: int | None = None
    text: str = ""
    wav_sha256: str = ""
    who: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "offset_ms": self.offset_ms, "duration_ms": self.duration_ms,
            "text": self.text, "wav_sha256": self.wav_sha256, "who": self.who,
        }  # fmt: skip

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NoticeInfo:
        def opt_int(v: object) -> int | None:
            return None if v is None else _int(v)

        return cls(
            kind=_str(d["kind"]), offset_ms=opt_int(d["offset_ms"]),
            duration_ms=opt_int(d["duration_ms"]), text=_str(d["text"]),
            wav_sha256=_str(d["wav_sha256"]), who=_str(d["who"]),
        )  # fmt: skip

    def problem(self) -> str:
        """What is wrong with it, or ""."""
        if self.kind not in NOTICE_KINDS:
            return f"notice kind {self.kind!r} not one of {NOTICE_KINDS}"
        if self.kind == "none":
            return "" if self.offset_ms is None else "a notice of kind none has an offset"
        if self.offset_ms is None or self.offset_ms < 0:
            return "notice offset_ms missing or negative"
        if self.kind == "played":
            if self.duration_ms is None or self.duration_ms <= 0:
                return "a played notice has no duration"
            v = self.wav_sha256
            if len(v) != 64 or v.strip("0123456789abcdef"):
                return "notice wav_sha256 is not a lower-case SHA-256 hex digest"
        return ""


@dataclass(frozen=True)
class RecoveryInfo:
    """Set when a crash cut the recording and it was closed at its last checkpoint."""

    recovered_at: str
    checkpoint_written_at: str
    reason: str = "unfinished at start-up"


@dataclass(frozen=True)
class ImportInfo:
    """An existing recording sealed byte-for-byte; the plaintext is the original file."""

    original_name: str
    original_size: int
    original_sha256: str
    original_mtime: str
    media_type: str = ""  # "audio/wav", "audio/flac", "audio/mpeg", or "" when unknown


@dataclass(frozen=True)
class CaptureRecord:
    """What is known of a recording besides its hashes, carried from 録音開始 to the manifest.

    Begun at the start and written as the pending file while it runs (``pending_json``: the
    fields known then, and the tags); completed at 停止, by recovery or by an import; its fields
    go into the manifest as they are (``RecordingManifest.from_capture``)."""

    id: str
    channel: str  # counter / phone / import
    device: str
    samplerate: int
    channels: int
    started_at: str
    incident_id: str | None = None
    staff: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()  # empty: the configured recipients at finalisation
    tags: tuple[TagEntry, ...] = ()
    # known once it ends
    ended_at: str = ""
    status: str = "complete"  # device_lost etc.; disk_full/recovered follow the seal result
    dropped_frames: int = 0
    over_limit: bool = False
    sample_format: str = "s16le"
    recovery: RecoveryInfo | None = None
    import_info: ImportInfo | None = None
    frames: int | None = None  # None: from the sealed bytes
    duration_ms: int | None = None  # None: from the frames
    pre_event_ms: int = 0  # audio from before 録音開始 at the start (the pre-event buffer)
    notice: NoticeInfo | None = None  # 録音告知; None for imports (and older recordings)

    def with_changes(self, **changes: Any) -> CaptureRecord:
        return replace(self, **changes)

    def pending_json(self) -> bytes:
        """``<id>.pending.json``: what recovery needs of a recording not stopped yet."""
        d = {name: getattr(self, name) for name in PENDING_FIELDS}
        d["staff"], d["recipients"] = list(self.staff), list(self.recipients)
        d["tags"] = [asdict(t) for t in self.tags]
        d["notice"] = None if self.notice is None else self.notice.to_dict()
        return json.dumps(d, ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_pending_json(cls, raw: bytes) -> CaptureRecord:
        """Raises ValueError, TypeError or KeyError for a file that is not a pending record."""
        d = json.loads(raw)
        unknown = set(d) - set(PENDING_FIELDS)
        if unknown:
            raise TypeError(f"unexpected fields {sorted(unknown)}")
        d["staff"] = tuple(d.get("staff", ()))
        d["recipients"] = tuple(d.get("recipients", ()))
        d["tags"] = tuple(TagEntry(**t) for t in d.get("tags", ()))
        notice = d.get("notice")
        d["notice"] = None if notice is None else NoticeInfo.from_dict(notice)
        return cls(**d)


PENDING_FIELDS = (
    "id", "channel", "device", "samplerate", "channels", "started_at", "incident_id", "staff",
    "recipients", "tags", "notice",
)  # fmt: skip


@dataclass(frozen=True)
class RecordingManifest:
    id: str
    workstation: WorkstationInfo
    channel: str
    device: str
    samplerate: int
    channels: int
    frames: int
    started_at: str
    ended_at: str
    duration_ms: int
    pcm_sha256: str  # SHA-256 of the sealed plaintext (for imports: the original file)
    sealed_sha256: str
    sealed_size: int
    status: str = "complete"
    incident_id: str | None = None
    staff: tuple[str, ...] = ()
    sample_format: str = "s16le"  # "original" for imports
    dropped_frames: int = 0
    over_limit: bool = False  # longer than the policy's 1-hour limit (§4(1))
    recipients: tuple[str, ...] = ()  # the age recipients the file is sealed to
    recovery: RecoveryInfo | None = None
    import_info: ImportInfo | None = None
    tags: tuple[TagEntry, ...] = field(default_factory=tuple)
    # A recording recovered with its tail: the audio goes on in this second sealed file
    # (``pcm_sha256`` covers both). Absent from the JSON when None.
    tail: SealedTail | None = None
    # The pre-event buffer: this much audio from before 録音開始 (held in memory only) begins
    # the recording; the key press is at this offset. Absent from the JSON when 0.
    pre_event_ms: int = 0
    # The recording notice (録音告知), one object; absent from the JSON when None (imports,
    # recordings made before it existed).
    notice: NoticeInfo | None = None
    format: str = MANIFEST_FORMAT

    @property
    def sealed_name(self) -> str:
        return sealed_name(self.id)

    def with_changes(self, **changes: Any) -> RecordingManifest:
        return replace(self, **changes)

    @classmethod
    def from_capture(cls, record: CaptureRecord, **computed: Any) -> RecordingManifest:
        """The manifest of ``record``: its fields as they are, plus what only sealing and
        signing know (``computed``: hashes, sizes, frames, the workstation …)."""
        shared = {f.name: getattr(record, f.name) for f in fields(CaptureRecord)}
        mine = {f.name for f in fields(cls)}
        values = {k: v for k, v in shared.items() if k in mine}
        return cls(**{**values, **computed})

    @property
    def sealed_names(self) -> tuple[str, ...]:
        """Every sealed file of the recording, in the order their plaintext is joined."""
        return (self.sealed_name,) if self.tail is None else (self.sealed_name, self.tail.file)

    def to_dict(self) -> dict[str, Any]:
        d = self._dict()
        if self.tail is not None:
            d["tail"] = self.tail.to_dict()
        if self.pre_event_ms:
            d["pre_event_ms"] = self.pre_event_ms
        if self.notice is not None:
            d["notice"] = self.notice.to_dict()
        return d

    def _dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "id": self.id,
            "incident_id": self.incident_id,
            "workstation": {
                "name": self.workstation.name,
                "fingerprint": self.workstation.fingerprint,
                "public_key_pem": self.workstation.public_key_pem,
            },
            "staff": list(self.staff),
            "channel": self.channel,
            "device": self.device,
            "samplerate": self.samplerate,
            "channels": self.channels,
            "sample_format": self.sample_format,
            "frames": self.frames,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration_ms": self.duration_ms,
            "dropped_frames": self.dropped_frames,
            "pcm_sha256": self.pcm_sha256,
            "sealed_file": self.sealed_name,
            "sealed_sha256": self.sealed_sha256,
            "sealed_size": self.sealed_size,
            "recipients": list(self.recipients),
            "status": self.status,
            "over_limit": self.over_limit,
            "recovery": None
            if self.recovery is None
            else {
                "recovered_at": self.recovery.recovered_at,
                "checkpoint_written_at": self.recovery.checkpoint_written_at,
                "reason": self.recovery.reason,
            },
            "import": None
            if self.import_info is None
            else {
                "original_name": self.import_info.original_name,
                "original_size": self.import_info.original_size,
                "original_sha256": self.import_info.original_sha256,
                "original_mtime": self.import_info.original_mtime,
                "media_type": self.import_info.media_type,
            },
            "tags": [
                {"code": t.code, "offset_ms": t.offset_ms, "note": t.note, "who": t.who}
                for t in self.tags
            ],
        }

    def canonical_bytes(self) -> bytes:
        return canonical_json(self.to_dict())

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RecordingManifest:
        try:
            if d.get("format") != MANIFEST_FORMAT:
                raise ManifestError(f"unknown format {d.get('format')!r}")
            ws = d["workstation"]
            rec = d.get("recovery")
            imp = d.get("import")
            m = cls(
                format=d["format"],
                id=_str(d["id"]),
                incident_id=None if d.get("incident_id") is None else _str(d["incident_id"]),
                workstation=WorkstationInfo(
                    _str(ws["name"]), _str(ws["fingerprint"]), _str(ws["public_key_pem"])
                ),
                staff=tuple(_str(s) for s in d["staff"]),
                channel=_str(d["channel"]),
                device=_str(d["device"]),
                samplerate=_int(d["samplerate"]),
                channels=_int(d["channels"]),
                sample_format=_str(d["sample_format"]),
                frames=_int(d["frames"]),
                started_at=_str(d["started_at"]),
                ended_at=_str(d["ended_at"]),
                duration_ms=_int(d["duration_ms"]),
                dropped_frames=_int(d["dropped_frames"]),
                pcm_sha256=_str(d["pcm_sha256"]),
                sealed_sha256=_str(d["sealed_sha256"]),
                sealed_size=_int(d["sealed_size"]),
                recipients=tuple(_str(r) for r in d["recipients"]),
                status=_str(d["status"]),
                over_limit=bool(d["over_limit"]),
                recovery=None
                if rec is None
                else RecoveryInfo(
                    _str(rec["recovered_at"]),
                    _str(rec["checkpoint_written_at"]),
                    _str(rec["reason"]),
                ),
                import_info=None
                if imp is None
                else ImportInfo(
                    _str(imp["original_name"]),
                    _int(imp["original_size"]),
                    _str(imp["original_sha256"]),
                    _str(imp["original_mtime"]),
                    _str(imp["media_type"]),
                ),
                tags=tuple(
                    TagEntry(_str(t["code"]), _int(t["offset_ms"]), _str(t["note"]), _str(t["who"]))
                    for t in d["tags"]
                ),
                tail=None if d.get("tail") is None else SealedTail.from_dict(d["tail"]),
                pre_event_ms=_int(d.get("pre_event_ms", 0)),
                notice=None if d.get("notice") is None else NoticeInfo.from_dict(d["notice"]),
            )
        except (KeyError, TypeError, AttributeError) as e:
            raise ManifestError(f"missing or wrong field: {e}") from None
        if d.get("sealed_file") != m.sealed_name:
            raise ManifestError("sealed_file does not match the id")
        m.validate()
        return m

    @classmethod
    def from_bytes(cls, raw: bytes, source: str = "manifest") -> RecordingManifest:
        return cls.from_dict(parse_json_object(raw, source))

    def validate(self) -> None:
        if not 0 <= self.pre_event_ms <= max(self.duration_ms, 0):
            raise ManifestError(f"pre_event_ms {self.pre_event_ms} outside the recording")
        if self.channel not in CHANNELS:
            raise ManifestError(f"channel {self.channel!r} not one of {CHANNELS}")
        if self.status not in STATUSES:
            raise ManifestError(f"status {self.status!r} not one of {STATUSES}")
        for name in ("pcm_sha256", "sealed_sha256"):
            v = getattr(self, name)
            if len(v) != 64 or v.strip("0123456789abcdef"):
                raise ManifestError(f"{name} is not a lower-case SHA-256 hex digest")
        if "/" in self.id or "\\" in self.id or self.id.startswith("."):
            raise ManifestError(f"id {self.id!r} is not a plain name")
        if any(t.offset_ms < 0 for t in self.tags):
            raise ManifestError("tag offset is negative")
        notice_problem = "" if self.notice is None else self.notice.problem()
        if notice_problem:
            raise ManifestError(notice_problem)
        self._validate_tail()

    def _validate_tail(self) -> None:
        if self.tail is not None:
            t = self.tail
            kept = tail_member_path(Path(self.sealed_name)).name
            if t.file != kept:
                raise ManifestError(f"tail file {t.file!r} is not {kept}")
            if self.status != "recovered":
                raise ManifestError("only a recovered recording has a sealed tail")
            if t.pcm_offset <= 0 or t.pcm_offset % 65536:
                raise ManifestError("tail pcm_offset is not a positive multiple of 65536")
            if t.pcm_offset + t.pcm_bytes != self.frames * self.channels * 2:
                raise ManifestError("the main file and the tail do not add up to the frames")
            for name in ("pcm_sha256", "sealed_sha256"):
                v = getattr(t, name)
                if len(v) != 64 or v.strip("0123456789abcdef"):
                    raise ManifestError(f"tail {name} is not a lower-case SHA-256 hex digest")


def _str(v: object) -> str:
    if not isinstance(v, str):
        raise TypeError(f"expected a string, got {type(v).__name__}")
    return v


def _int(v: object) -> int:
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError(f"expected an integer, got {type(v).__name__}")
    return v


# --- signing and files -------------------------------------------------------------------
def manifest_paths(vault: Path, recording_id: str) -> ManifestFiles:
    return Vault(Path(vault)).manifest(recording_id)


def sign_manifest(manifest: RecordingManifest, key: WorkstationKey) -> tuple[bytes, bytes]:
    """(canonical bytes, 64-byte Ed25519 signature)."""
    manifest.validate()
    data = manifest.canonical_bytes()
    return data, key.sign(data)


def write_signed_manifest(
    vault: Path, manifest: RecordingManifest, key: WorkstationKey
) -> ManifestFiles:
    data, sig = sign_manifest(manifest, key)
    files = manifest_paths(vault, manifest.id)
    write_atomic(files.manifest, data, mode=0o600)
    write_atomic(files.signature, sig, mode=0o600)
    return files


def verify_manifest_bytes(
    data: bytes, signature: bytes, *, trusted_public_pem: bytes | str | None = None
) -> RecordingManifest:
    """Parse and check a manifest: the signature, by ``trusted_public_pem`` if given, else by
    the key the manifest names (integrity only), and that the named key matches its
    fingerprint. Raises ManifestSignatureInvalid or ManifestError."""
    m = RecordingManifest.from_bytes(data)
    embedded = load_public_pem(m.workstation.public_key_pem)
    if fingerprint_of(embedded) != m.workstation.fingerprint:
        raise ManifestSignatureInvalid(f"{m.id} (fingerprint does not match its key)")
    pem = trusted_public_pem if trusted_public_pem is not None else m.workstation.public_key_pem
    if not verify_signature(pem, data, signature):
        raise ManifestSignatureInvalid(m.id)
    if data != m.canonical_bytes():
        raise ManifestError(f"{m.id}: not in canonical form")
    return m


def read_signed_manifest(
    vault: Path, recording_id: str, *, trusted_public_pem: bytes | str | None = None
) -> RecordingManifest:
    files = manifest_paths(vault, recording_id)
    try:
        data = files.manifest.read_bytes()
        sig = files.signature.read_bytes()
    except FileNotFoundError as e:
        raise ManifestError(f"{e.filename} is missing") from None
    return verify_manifest_bytes(data, sig, trusted_public_pem=trusted_public_pem)
