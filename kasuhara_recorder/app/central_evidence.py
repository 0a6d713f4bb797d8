"""The officer's view of the central store: every PC's incidents, and what an export needs of
one of them (its latest version, its recordings' signed manifests, sealed blobs and RFC 3161
tokens, the chain of the workstation that made it, every registered key).

Sealed blobs are streamed from the server into a cache folder inside the data folder, hashed on
the way (a blob that does not match its name is refused), and removed after the export: they are
ciphertext, as in the vault; no plaintext is ever written.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kasuhara_recorder.bundle.errors import ExportRefused
from kasuhara_recorder.central.client import CentralClient, CentralRecording, CentralTimestamp
from kasuhara_recorder.central.errors import BlobMismatch
from kasuhara_recorder.central.incident_search import CentralIncidentRow, IncidentFilters
from kasuhara_recorder.evidence.audit_chain import AuditEntry
from kasuhara_recorder.evidence.manifest import RecordingManifest, TagEntry
from kasuhara_recorder.store.incident_model import Incident
from kasuhara_recorder.store.incident_query import (
    IncidentPage,
    IncidentQuery,
    IncidentRow,
    day_after,
    title_of,
)
from kasuhara_recorder.text import Text


@dataclass(frozen=True)
class CentralIncident:
    incident: Incident
    workstation: str  # fingerprint of the PC that made it
    workstation_name: str
    recordings: tuple[tuple[CentralRecording, Path, tuple[TagEntry, ...]], ...]
    attachments: dict[str, Path | None]  # attachment id -> its sealed copy in the cache
    entries: tuple[AuditEntry, ...]  # that workstation's chain, as synced
    keys: dict[str, str]  # every registered workstation's key
    timestamps: dict[str, CentralTimestamp]  # recording id -> its capture manifest's token


@dataclass(frozen=True)
class FetchedRecording:
    """One recording from the central store for playback: its signed manifest, its sealed
    blob(s) in the cache (ciphertext), its tags; ``remove()`` deletes the cache."""

    manifest_json: bytes
    signature: bytes
    sealed: Path
    tags: tuple[TagEntry, ...]  # the capture tags, then the later ones
    known_keys: frozenset[str]  # fingerprints of every workstation the store registered
    remove: Callable[[], None]


class CentralEvidence:
    def __init__(self, client: Callable[[], CentralClient], cache: Path) -> None:
        self._client = client
        self._cache = cache

    def incidents(self) -> list[tuple[Incident, str]]:
        """The latest version of every PC's incidents, with the name of the PC that made it."""
        client = self._client()
        try:
            names = {fp: name for fp, (name, _pem) in client.workstations().items()}
            return [
                (Incident.from_json_dict(json.loads(body)), names.get(ws, ws))
                for _iid, _version, ws, body in client.incidents()
            ]
        finally:
            client.close()

    def page(self, q: IncidentQuery) -> IncidentPage:
        """The incident list over the central store: every PC's incidents this login may read
        (row-level security keeps a supervisor to its departments), filtered there."""
        client = self._client()
        try:
            rows, total = client.search_incidents(central_filters(q))
        finally:
            client.close()
        return IncidentPage(tuple(central_row(r) for r in rows), total, q)

    def departments(self) -> list[str]:
        client = self._client()
        try:
            return client.incident_departments()
        finally:
            client.close()

    def incident(self, incident_id: str) -> tuple[Incident, str] | None:
        """One incident's latest version and the name of its PC (None: not readable)."""
        client = self._client()
        try:
            got = client.incident(incident_id)
        finally:
            client.close()
        if got is None:
            return None
        return Incident.from_json_dict(json.loads(got[1])), got[0]

    def has(self, incident_id: str) -> bool:
        return any(inc.id == incident_id for inc, _ in self.incidents())

    def gather(self, incident_id: str) -> CentralIncident | None:
        try:
            return self._gather(incident_id)
        except BaseException:
            self.clean(incident_id)  # no half-filled cache left behind
            raise

    def _gather(self, incident_id: str) -> CentralIncident | None:
        client = self._client()
        try:
            latest = {iid: (ws, body) for iid, _v, ws, body in client.incidents()}
            if incident_id not in latest:
                return None
            ws, body = latest[incident_id]
            inc = Incident.from_json_dict(json.loads(body))
            registered = client.workstations()
            folder = self._cache / incident_id
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            recordings = []
            for rid in inc.recordings:
                r = client.recording(rid)
                if r is None:  # never a bundle silently short of a recording
                    raise ExportRefused(
                        Text(f"録音 {rid}", f"recording {rid}"),
                        Text("中央保管庫にまだありません（作成した端末から同期されていません）",
                             "not in the central store yet (not synced from its PC)"),
                    )  # fmt: skip
                m = RecordingManifest.from_bytes(r.manifest_json, f"recording {rid}")
                main = self._fetch(client, r.sealed_sha256, r.sealed_size, folder / m.sealed_name)
                if m.tail is not None:
                    self._fetch(client, m.tail.sealed_sha256, m.tail.sealed_size,
                                folder / m.tail.file)  # fmt: skip
                later = tuple(TagEntry(code, ms, note, who)
                              for code, ms, note, who in client.later_tags(rid))  # fmt: skip
                recordings.append((r, main, later))
            blobs = client.attachment_blobs(incident_id)
            attachments: dict[str, Path | None] = {}
            for a in inc.attachments:
                sha = blobs.get(a.id)
                attachments[a.id] = None
                if sha:
                    path = folder / f"attachment-{a.id}.age"
                    size = client.blob_size(sha)
                    attachments[a.id] = self._fetch(client, sha, -1 if size is None else size,
                                                    path)  # fmt: skip
            return CentralIncident(
                incident=inc, workstation=ws, workstation_name=registered.get(ws, (ws, ""))[0],
                recordings=tuple(recordings), attachments=attachments,
                entries=tuple(client.entries(ws)),
                keys={fp: pem for fp, (_n, pem) in registered.items()},
                timestamps=client.capture_timestamps(inc.recordings),
            )  # fmt: skip
        finally:
            client.close()

    def _fetch(self, client: CentralClient, sha256: str, size: int, dest: Path) -> Path:
        h, n = hashlib.sha256(), 0
        part = dest.with_name(dest.name + ".part")
        with open(part, "wb") as f:
            for piece in client.blobs.open(sha256):
                h.update(piece)
                n += len(piece)
                f.write(piece)
        if h.hexdigest() != sha256 or n != size:
            part.unlink()
            raise BlobMismatch(sha256, f"read {n} bytes hashing to {h.hexdigest()}")
        part.replace(dest)
        return dest

    def fetch_recording(self, recording_id: str) -> FetchedRecording | None:
        """A recording another PC made, fetched for playback into ``<cache>/playback-<id>``
        (ciphertext only, as in the vault); None when the central store has no such one."""
        folder = self._cache / f"playback-{recording_id}"

        def remove() -> None:
            shutil.rmtree(folder, ignore_errors=True)

        client = self._client()
        try:
            r = client.recording(recording_id)
            if r is None:
                return None
            m = RecordingManifest.from_bytes(r.manifest_json, f"recording {recording_id}")
            remove()
            folder.mkdir(parents=True)
            sealed = self._fetch(client, r.sealed_sha256, r.sealed_size, folder / m.sealed_name)
            if m.tail is not None:
                self._fetch(client, m.tail.sealed_sha256, m.tail.sealed_size,
                            folder / m.tail.file)  # fmt: skip
            later = tuple(TagEntry(code, ms, note, who)
                          for code, ms, note, who in client.later_tags(recording_id))  # fmt: skip
            return FetchedRecording(r.manifest_json, r.manifest_signature, sealed,
                                    m.tags + later, frozenset(client.workstations()),
                                    remove)  # fmt: skip
        except BaseException:
            remove()
            raise
        finally:
            client.close()

    def clean(self, incident_id: str) -> None:
        shutil.rmtree(self._cache / incident_id, ignore_errors=True)


def central_filters(q: IncidentQuery) -> IncidentFilters:
    return IncidentFilters(
        text=q.text, statuses=q.statuses, categories=q.categories, departments=q.departments,
        within_departments=q.within_departments, channels=q.channels,
        occurred_from=q.occurred_from,
        occurred_before=day_after(q.occurred_to) if q.occurred_to else "",
        over_limit=q.over_limit, limit_seconds=q.limit_seconds, legal_hold=q.legal_hold,
        sort=q.sort, descending=q.descending, offset=q.offset, limit=q.limit,
    )  # fmt: skip


def central_row(r: CentralIncidentRow) -> IncidentRow:
    inc = Incident.from_json_dict(r.body)
    d = inc.draft
    return IncidentRow(
        id=inc.id, occurred_at=d.occurred_at, status=inc.status, department=d.department,
        location=d.location, categories=d.categories, duration_seconds=d.duration_seconds,
        legal_hold=inc.legal_hold, recordings=len(inc.recordings),
        title=title_of(d.demand, d.narrative, d.location_detail), workstation=r.workstation,
    )  # fmt: skip
