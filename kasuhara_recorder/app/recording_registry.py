"""Entering a sealed recording: its manifest built from the capture record and the seal,
signed with the workstation key and written into the vault, then its row and its audit entry
stored in one transaction. The one way a recording becomes evidence, for a stop, a recovery
and an import alike.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from kasuhara_recorder.app.workstation_identity import WorkstationIdentity
from kasuhara_recorder.evidence.manifest import (
    CaptureRecord,
    RecordingManifest,
    write_signed_manifest,
)
from kasuhara_recorder.evidence.sealed_writer import SealResult
from kasuhara_recorder.evidence.vault import Vault
from kasuhara_recorder.store.interface import AuditStore, RecordingStore, Store

log = logging.getLogger("kasuhara.recording")


class RecordingRegistry:
    def __init__(
        self,
        vault: Vault,
        identity: WorkstationIdentity,
        store: Callable[[], Store],
        recordings: Callable[[], RecordingStore],
        audit: Callable[[], AuditStore],
        actor: Callable[[], str],
        entered: Callable[[str, str], object] | None = None,
    ) -> None:
        """``entered(recording_id, event)`` runs once a recording is evidence (its manifest
        signed, stored and in the chain): the RFC 3161 time-stamp of its manifest. It never
        fails the recording; what it raises is logged."""
        self._vault = vault
        self._entered = entered
        self._identity = identity
        self._store = store
        self._recordings = recordings
        self._audit = audit
        self._actor = actor

    def finalize(
        self,
        result: SealResult,
        record: CaptureRecord,
        *,
        event: str = "recording.stop",
        extra: Mapping[str, Any] | None = None,
    ) -> RecordingManifest:
        """Build, sign and write the manifest; store the row and the audit entry together."""
        status = record.status
        if not result.complete:
            status = "recovered"
        elif result.disk_full:
            status = "disk_full"
        frames = record.frames
        if frames is None:
            frames = result.pcm_bytes // (2 * record.channels) if record.channels else 0
        duration_ms = record.duration_ms
        if duration_ms is None:
            duration_ms = frames * 1000 // record.samplerate if record.samplerate else 0
        manifest = RecordingManifest.from_capture(
            record,
            workstation=self._identity.info,
            frames=frames,
            duration_ms=duration_ms,
            pcm_sha256=result.pcm_sha256,
            sealed_sha256=result.sealed_sha256,
            sealed_size=result.sealed_bytes,
            status=status,
            recipients=record.recipients or self._identity.recipients,
            tail=result.tail,
            pre_event_ms=min(record.pre_event_ms, duration_ms),
        )
        files = write_signed_manifest(self._vault.root, manifest, self._identity.key)
        data, sig = files.manifest.read_bytes(), files.signature.read_bytes()
        self.register(manifest, data, sig, event=event, extra=extra)
        if self._entered is not None:
            try:
                self._entered(manifest.id, event)
            except Exception:
                log.exception("recording %s: its time-stamp failed", manifest.id)
        return manifest

    def register(
        self,
        manifest: RecordingManifest,
        data: bytes,
        sig: bytes,
        *,
        event: str,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Store the row and the audit entry of a manifest already signed and in the vault."""
        with self._store().transaction():
            self._recordings().add(data, sig)
            self._audit().append(
                self._actor(),
                event,
                f"recording:{manifest.id}",
                {
                    "status": manifest.status,
                    "pcm_sha256": manifest.pcm_sha256,
                    "sealed_sha256": manifest.sealed_sha256,
                    "sealed_size": manifest.sealed_size,
                    "frames": manifest.frames,
                    "dropped_frames": manifest.dropped_frames,
                    "manifest_sha256": hashlib.sha256(data).hexdigest(),
                    **({"tail": manifest.tail.to_dict()} if manifest.tail is not None else {}),
                    **(extra or {}),
                },
            )
