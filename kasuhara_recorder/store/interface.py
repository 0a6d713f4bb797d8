"""The store interface: what ``app/`` asks of a store, whatever holds it.

One protocol per repository the services use. The SQLite classes (``database.py``,
``audit_log.py``, ``recordings.py``, ``incidents.py``, ``drafts.py``) are the embedded default
and satisfy them (``tests/store/test_interface.py``); a second backend (the central
PostgreSQL store) implements the same protocols and is chosen in ``store/backend.py``, so
neither ``app/`` nor ``ui/`` changes with it.

Only typing here: the types the methods take and give are imported for checking only, so
importing the interface loads no crypto and no SQLite.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from kasuhara_recorder.evidence.audit_chain import AuditEntry, ChainHead, ChainReport
    from kasuhara_recorder.evidence.manifest import TagEntry
    from kasuhara_recorder.evidence.workstation_key import WorkstationKey
    from kasuhara_recorder.store.incident_model import Attachment, Incident, IncidentDraft
    from kasuhara_recorder.store.incident_query import IncidentPage, IncidentQuery
    from kasuhara_recorder.store.recordings import RecordingRecord
    from kasuhara_recorder.store.statistics import StatisticsQueries
    from kasuhara_recorder.store.sync_state import SyncState


@runtime_checkable
class Store(Protocol):
    """The unit of work: what is written inside one ``transaction()`` (a row and its audit
    entry) commits together or not at all; nested calls join the outer one."""

    def transaction(self) -> AbstractContextManager[object]: ...

    def integrity_problem(self) -> str | None:
        """What is damaged in the store, outside the audit chain too (None when sound)."""
        ...

    def check_intact(self) -> None:
        """Raise the backend's typed error (an EvidenceError) if ``integrity_problem``."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class AuditStore(Protocol):
    """The append-only, hash-chained audit log and the workstation keys it is checked with."""

    def register_key(self, fingerprint: str, public_key_pem: str, name: str = "") -> None: ...

    def append(
        self, actor: str, event: str, subject: str, data: Mapping[str, Any]
    ) -> AuditEntry: ...

    def entries(self, subject: str | None = None) -> list[AuditEntry]: ...

    def head(self) -> ChainHead | None: ...

    def keys(self) -> dict[str, str]: ...

    def verify(self) -> ChainReport: ...


@runtime_checkable
class RecordingStore(Protocol):
    """Sealed recordings by their signed manifests, and the tags added after capture."""

    def add(self, manifest_json: bytes, signature: bytes) -> RecordingRecord: ...

    def get(self, recording_id: str) -> RecordingRecord | None: ...

    def list(self, incident_id: str | None = None) -> list[RecordingRecord]: ...

    def list_unattached(self) -> builtins.list[RecordingRecord]: ...

    def later_tag_counts(self, recording_ids: builtins.list[str]) -> dict[str, int]: ...

    def set_incident(self, recording_id: str, incident_id: str | None) -> None: ...

    def add_tag(self, recording_id: str, tag: TagEntry) -> None: ...

    def tags(self, recording_id: str) -> tuple[TagEntry, ...]: ...


@runtime_checkable
class IncidentStore(Protocol):
    """Incidents (the form, status, legal hold), their recordings and attachments."""

    def insert(self, inc: Incident) -> None: ...

    def update_draft(self, incident_id: str, draft: IncidentDraft, updated_at: str) -> None: ...

    def set_status(
        self, incident_id: str, status: str, updated_at: str, submitted_at: str | None = None
    ) -> None: ...

    def set_legal_hold(self, incident_id: str, on: bool, updated_at: str) -> None: ...

    def link_recording(self, incident_id: str, recording_id: str) -> None: ...

    def add_attachment(self, incident_id: str, a: Attachment) -> None: ...

    def exists(self, incident_id: str) -> bool: ...

    def ids(self, statuses: tuple[str, ...] | None = None) -> list[str]: ...

    def get(self, incident_id: str) -> Incident | None: ...

    def query(self, q: IncidentQuery) -> IncidentPage:
        """The incident list: a page of light rows matching ``q`` and their total count."""
        ...

    def departments(self) -> list[str]:
        """Every department named on an incident (the list's filter offers them)."""
        ...

    def linked_incident(self, recording_id: str) -> str | None:
        """The incident a recording belongs to; LookupError for an unknown recording."""
        ...

    def incident_ids_for_recording(self, recording_id: str) -> list[str]: ...


@runtime_checkable
class DraftStore(Protocol):
    """Autosaved form drafts: a safety net per PC, not the record."""

    def save(self, incident_id: str, draft: IncidentDraft) -> Path: ...

    def load(self, incident_id: str) -> IncidentDraft | None: ...

    def discard(self, incident_id: str) -> None: ...

    def ids(self) -> list[str]: ...


@runtime_checkable
class PurgeStore(Protocol):
    """What retention deleted (store/purges.py)."""

    def mark(self, kind: str, item: str, purged_at: str, rule: str) -> None: ...

    def purged(self, kind: str) -> dict[str, str]: ...


@runtime_checkable
class StoreBackend(Protocol):
    """One store the app runs on: its unit of work and its repositories, each opened on first
    use (a command that needs none opens nothing)."""

    def store(self) -> Store: ...

    def audit_log(self, key: WorkstationKey, workstation_name: str) -> AuditStore: ...

    def recordings(self) -> RecordingStore: ...

    def incidents(self) -> IncidentStore: ...

    def drafts(self) -> DraftStore: ...

    def purges(self) -> PurgeStore: ...

    def sync_state(self) -> SyncState:
        """What this PC knows of its sync to the central store (confirmed items, heads)."""
        ...

    def statistics(self) -> StatisticsQueries:
        """The read-only counts of the policy review (store/statistics.py)."""
        ...

    def close(self) -> None: ...
