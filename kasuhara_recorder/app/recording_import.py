"""Import: an existing recording (a phone's, a voice recorder's) sealed byte for byte into the
vault and entered in the chain of custody like a recording made here (``recording.import``).
Reached as ``app.recording.import_file``.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kasuhara_recorder.app.recording_registry import RecordingRegistry
from kasuhara_recorder.app.workstation_identity import WorkstationIdentity
from kasuhara_recorder.config import DataPaths
from kasuhara_recorder.errors import UsageError
from kasuhara_recorder.evidence.manifest import (
    CaptureRecord,
    ImportInfo,
    RecordingManifest,
    new_recording_id,
)
from kasuhara_recorder.evidence.vault import Vault

if TYPE_CHECKING:
    from kasuhara_recorder.app.incident_service import IncidentService

log = logging.getLogger("kasuhara.app.import")


@dataclass(frozen=True)
class ImportResult:
    id: str
    sealed_path: Path
    sha256: str  # of the original file
    sealed_sha256: str
    original: Path
    manifest: RecordingManifest = field(repr=False)


class RecordingImporter:
    def __init__(
        self,
        paths: DataPaths,
        vault: Vault,
        identity: WorkstationIdentity,
        registry: RecordingRegistry,
        incidents: IncidentService,
        adopt_recipients: Callable[[], object] = tuple,
    ) -> None:
        self._paths = paths
        self._vault = vault
        self._identity = identity
        self._registry = registry
        self._incidents = incidents
        self._adopt_recipients = adopt_recipients  # IT's from machine.json (app/workstation.py)

    def import_file(self, original: Path, incident_id: str | None = None) -> ImportResult:
        """Seal an existing recording byte for byte and enter it in the chain of custody."""
        original = Path(original)
        try:
            st = original.stat()
        except OSError as e:
            raise UsageError(f"{original}: {e.strerror or e}") from None
        if not original.is_file():
            raise UsageError(f"{original}: not a file")
        self._adopt_recipients()
        recipients = self._identity.recipients
        if incident_id is not None:
            self._incidents.check_can_take_recording(incident_id)
        rid = new_recording_id()
        samplerate, channels, frames = _audio_info(original)
        mtime = dt.datetime.fromtimestamp(st.st_mtime).astimezone()
        duration_ms = frames * 1000 // samplerate if samplerate else 0
        self._paths.ensure()
        sealed = self._vault.sealed(rid)
        try:
            result = self._vault.seal_file(original, sealed, recipients)
        except OSError as e:
            raise UsageError(f"{original}: {e.strerror or e}") from None
        if result.pcm_bytes != st.st_size:
            self._vault.remove_sealed(sealed)  # nothing entered the chain yet
            raise UsageError(f"{original}: the file changed while it was being imported")
        info = ImportInfo(
            original_name=original.name,
            original_size=st.st_size,
            original_sha256=result.pcm_sha256,
            original_mtime=mtime.isoformat(timespec="seconds"),
            media_type=mimetypes.guess_type(original.name)[0] or "",
        )
        started = mtime - dt.timedelta(milliseconds=duration_ms)  # the file time is its end
        record = CaptureRecord(
            id=rid,
            channel="import",
            device="import",
            samplerate=samplerate,
            channels=channels,
            started_at=started.isoformat(timespec="milliseconds"),
            ended_at=mtime.isoformat(timespec="milliseconds"),
            incident_id=incident_id,
            status="imported",
            sample_format="original",
            recipients=recipients,
            import_info=info,
            frames=frames,
            duration_ms=duration_ms,
        )
        manifest = self._registry.finalize(
            result, record, event="recording.import", extra={"original_name": original.name}
        )
        if incident_id is not None:
            self._incidents.attach_captured(manifest)
        return ImportResult(
            rid, result.path, result.pcm_sha256, result.sealed_sha256, original, manifest
        )


def _audio_info(path: Path) -> tuple[int, int, int]:
    """(samplerate, channels, frames) read from the header, or zeros when unreadable."""
    try:
        import soundfile

        info = soundfile.info(str(path))
        return int(info.samplerate), int(info.channels), int(info.frames)
    except Exception as e:  # noqa: BLE001 - any unreadable header: the bytes are still sealed
        log.info("no audio header in %s: %s", path.name, e)
        return 0, 0, 0
