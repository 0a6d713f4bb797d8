"""The app facade: the one object the GUI and the CLI both call.

It owns the data folder, settings, policy profile and the open store, and hands out the
feature services. Each feature area lives in its own module under ``app/`` and is reached
through a property here, so the GUI and CLI never build these pieces themselves.
"""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from kasuhara_recorder.config import DataPaths, Settings, load_settings, save_settings
from kasuhara_recorder.policy import PolicyProfile, load_profile

if TYPE_CHECKING:  # each service is imported when first used (start-up time)
    from kasuhara_recorder.app.export_service import ExportService
    from kasuhara_recorder.app.incident_service import IncidentService
    from kasuhara_recorder.app.recording_service import RecordingService
    from kasuhara_recorder.app.workstation import WorkstationService
    from kasuhara_recorder.evidence.manifest import WorkstationInfo
    from kasuhara_recorder.store.audit_log import AuditLog
    from kasuhara_recorder.store.database import Database

log = logging.getLogger("kasuhara.app")


class AppService:
    def __init__(self, data_dir: Path, actor: str | None = None) -> None:
        self.paths = DataPaths(Path(data_dir))
        self._actor = actor

    # --- shared state -------------------------------------------------------------------
    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.paths)

    def save_settings(self, settings: Settings) -> None:
        save_settings(self.paths, settings)
        self.__dict__["settings"] = settings

    @cached_property
    def profile(self) -> PolicyProfile:
        return load_profile(self.settings.profile or None)

    @property
    def actor(self) -> str:
        """Who acts, for the audit chain: the signed-in staff name, else the OS user."""
        if self._actor:
            return self._actor
        if self.settings.staff_name:
            return self.settings.staff_name
        import getpass

        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"

    @property
    def is_set_up(self) -> bool:
        """An organisation recipient and a workstation key: recording is possible. Checked here,
        without loading the crypto stack, so the window can show its state at once."""
        return bool(self.settings.org_recipients) and self.paths.workstation_key.exists()

    # --- feature services ---------------------------------------------------------------
    @cached_property
    def database(self) -> Database:
        """The store (store/database.py): SQLite in the data folder, migrated on open."""
        from kasuhara_recorder.store.database import Database

        self.paths.ensure()
        return Database(self.paths.database)

    @cached_property
    def workstation(self) -> WorkstationService:
        """Set-up, signing key, recipients, audit log, recordings, import (app/workstation.py)."""
        from kasuhara_recorder.app.workstation import WorkstationService

        return WorkstationService(self)

    @property
    def audit(self) -> AuditLog:
        """The audit chain (store/audit_log.py): ``append(actor, event, subject, data)``."""
        return self.workstation.audit

    @property
    def workstation_info(self) -> WorkstationInfo:
        """Name, fingerprint and public key of this workstation, as put in manifests."""
        return self.workstation.info

    @cached_property
    def incidents(self) -> IncidentService:
        """Incidents: the form, statuses, legal hold, attachments (app/incident_service.py)."""
        from kasuhara_recorder.app.incident_service import IncidentService

        return IncidentService(self)

    @cached_property
    def recording(self) -> RecordingService:
        """Recording: start/stop, live tags, §4(1) timer, recovery (app/recording_service.py)."""
        from kasuhara_recorder.app.recording_service import RecordingService

        return RecordingService(self)

    @cached_property
    def export(self) -> ExportService:
        """Evidence bundles: unlock, export, verify (app/export_service.py)."""
        from kasuhara_recorder.app.export_service import ExportService

        return ExportService(self)

    def close(self) -> None:
        """Release what the services opened (database connections)."""
        for name in list(self.__dict__):
            closer = getattr(self.__dict__[name], "close", None)
            if name != "settings" and callable(closer):
                closer()
