"""The embedded default store: SQLite in the data folder (WAL, migrated on open) and the draft
files beside it. One PC needs nothing else; the central store will be another
``StoreBackend`` (store/interface.py), chosen in store/backend.py.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from kasuhara_recorder.config import DataPaths

if TYPE_CHECKING:
    from kasuhara_recorder.evidence.workstation_key import WorkstationKey
    from kasuhara_recorder.store.audit_log import AuditLog
    from kasuhara_recorder.store.database import Database
    from kasuhara_recorder.store.drafts import DraftFiles
    from kasuhara_recorder.store.incidents import IncidentRepository
    from kasuhara_recorder.store.purges import PurgeRepository
    from kasuhara_recorder.store.recordings import RecordingRepository
    from kasuhara_recorder.store.statistics import StatisticsQueries
    from kasuhara_recorder.store.sync_state import SyncState


class EmbeddedStore:
    """Opens the database on first use; the modules are imported then too, so a start that
    needs no store (the window's first paint) loads no SQLite and no crypto."""

    def __init__(self, paths: DataPaths) -> None:
        self._paths = paths
        self._lock = threading.Lock()  # the GUI and a worker may both be first
        self._database: Database | None = None
        self._recordings: RecordingRepository | None = None
        self._incidents: IncidentRepository | None = None
        self._drafts: DraftFiles | None = None

    def store(self) -> Database:
        with self._lock:
            if self._database is None:
                from kasuhara_recorder.store.database import Database

                self._paths.ensure()
                self._database = Database(self._paths.database)
            return self._database

    def audit_log(self, key: WorkstationKey, workstation_name: str) -> AuditLog:
        from kasuhara_recorder.store.audit_log import AuditLog

        return AuditLog(self.store(), key, workstation_name)

    def recordings(self) -> RecordingRepository:
        if self._recordings is None:
            from kasuhara_recorder.store.recordings import RecordingRepository

            self._recordings = RecordingRepository(self.store())
        return self._recordings

    def incidents(self) -> IncidentRepository:
        if self._incidents is None:
            from kasuhara_recorder.store.incidents import IncidentRepository

            self._incidents = IncidentRepository(self.store())
        return self._incidents

    def drafts(self) -> DraftFiles:
        if self._drafts is None:
            from kasuhara_recorder.store.drafts import DraftFiles

            self._drafts = DraftFiles(self._paths.drafts)
        return self._drafts

    def purges(self) -> PurgeRepository:
        from kasuhara_recorder.store.purges import PurgeRepository

        return PurgeRepository(self.store())

    def sync_state(self) -> SyncState:
        from kasuhara_recorder.store.sync_state import SyncState

        return SyncState(self.store())

    def statistics(self) -> StatisticsQueries:
        from kasuhara_recorder.store.statistics import StatisticsQueries

        return StatisticsQueries(self.store())

    def close(self) -> None:
        if self._database is not None:
            self._database.close()
