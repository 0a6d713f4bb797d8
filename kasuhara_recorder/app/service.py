"""The app facade: the one object the GUI and the CLI both call, and the one place the app is
wired.

It owns the data folder, settings, policy profile and the store, builds each service once, on
first use, and hands it the collaborators it needs in its constructor (docs/ARCHITECTURE.md
draws who gets what). No service holds this facade: a service that needs a sibling gets that
sibling, and what can change or is opened late (settings, the actor, the store's repositories)
is handed over as a function that gives the current one.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from kasuhara_recorder.config import DataPaths, Settings, load_settings, save_settings
from kasuhara_recorder.machine_settings import MachineSettings, load_machine_settings
from kasuhara_recorder.policy import PolicyProfile, load_profile

if TYPE_CHECKING:
    import numpy as np

    from kasuhara_recorder.app.audit_trail import AuditTrail
    from kasuhara_recorder.app.central_evidence import CentralEvidence
    from kasuhara_recorder.app.export_service import ExportService
    from kasuhara_recorder.app.incident_list_export import IncidentListExport
    from kasuhara_recorder.app.incident_service import IncidentService
    from kasuhara_recorder.app.officer_session import OfficerSession
    from kasuhara_recorder.app.playback_service import PlaybackService
    from kasuhara_recorder.app.recording_import import RecordingImporter
    from kasuhara_recorder.app.recording_registry import RecordingRegistry
    from kasuhara_recorder.app.recording_service import RecordingService
    from kasuhara_recorder.app.retention import RetentionService
    from kasuhara_recorder.app.roles import Roles
    from kasuhara_recorder.app.settings_service import SettingsChanges
    from kasuhara_recorder.app.statistics import StatisticsService
    from kasuhara_recorder.app.sync_service import SyncService
    from kasuhara_recorder.app.timestamp_service import TimestampService
    from kasuhara_recorder.app.workstation import WorkstationService
    from kasuhara_recorder.app.workstation_identity import WorkstationIdentity
    from kasuhara_recorder.audio.announcement import Announcement, AnnouncementPlayer
    from kasuhara_recorder.audio.announcement_take import AnnouncementTake
    from kasuhara_recorder.central.client import CentralClient
    from kasuhara_recorder.central.verify import CentralReport
    from kasuhara_recorder.evidence.audit_chain import ChainReport
    from kasuhara_recorder.evidence.manifest import WorkstationInfo
    from kasuhara_recorder.evidence.vault import Vault
    from kasuhara_recorder.evidence.workstation_key import WorkstationKey
    from kasuhara_recorder.store.incident_model import Incident
    from kasuhara_recorder.store.incident_query import IncidentPage, IncidentQuery
    from kasuhara_recorder.store.interface import AuditStore, RecordingStore, Store, StoreBackend

log = logging.getLogger("kasuhara.app")


class AppService:
    def __init__(self, data_dir: Path, actor: str | None = None) -> None:
        self.paths = DataPaths(Path(data_dir))
        self._actor = actor
        self._audit_lock = threading.Lock()
        self._audit_log: tuple[WorkstationKey, AuditStore] | None = None

    # --- shared state -------------------------------------------------------------------
    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.paths)

    def save_settings(self, settings: Settings) -> None:
        save_settings(self.paths, settings)
        self.__dict__["settings"] = settings

    def _current_settings(self) -> Settings:
        return self.settings

    def machine_settings(self) -> MachineSettings:
        """What IT set for every user of this PC (machine.json), read each time: the
        installer may rewrite it while the app runs. A broken file: MachineSettingsError."""
        return load_machine_settings()

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

    def _current_actor(self) -> str:
        return self.actor

    @property
    def os_user(self) -> str:
        """The signed-in OS user, whose role counts (the ``actor`` given stands for it)."""
        if self._actor:
            return self._actor
        import getpass

        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"

    @cached_property
    def roles(self) -> Roles:
        from kasuhara_recorder.app.roles import Roles

        return Roles(
            self._current_settings,
            lambda: self.os_user,
            lambda: self.backend.sync_state().login_role(),
        )

    @property
    def is_set_up(self) -> bool:
        """Recording is possible (app/workstation_identity.py), checked without the crypto."""
        return self.identity.is_set_up

    # --- the store, the vault and the workstation's identity ----------------------------------
    # --- the phone announcement (録音告知): recorded here, played by app/phone_notice.py ----------
    @property
    def announcement_path(self) -> Path:
        """Where a recorded announcement is kept: a plain WAV in the data folder (not evidence)."""
        return self.paths.root / "phone-announcement.wav"

    def announcement_take(self) -> AnnouncementTake:
        """A take from the phone preset's input, in memory, for the announcement dialog."""
        from kasuhara_recorder.audio.announcement_take import AnnouncementTake
        from kasuhara_recorder.audio.devices import resolve_input_device

        preset = self.settings.phone
        return AnnouncementTake(resolve_input_device(preset.device), preset.samplerate)

    def announcement_player(self, announcement: Announcement) -> AnnouncementPlayer:
        """The announcement on the phone's output, as a caller will hear it (not started)."""
        from kasuhara_recorder.audio.announcement import AnnouncementPlayer

        return AnnouncementPlayer(announcement, device=self.settings.phone_notice.output_device)

    def save_announcement(self, pcm: np.ndarray, samplerate: int, text: str) -> Path:
        """Keep a take as the organisation's announcement and turn the phone notice on."""
        from kasuhara_recorder.audio.announcement_take import write_announcement_wav

        path = self.announcement_path
        self.paths.ensure()
        write_announcement_wav(path, pcm, samplerate)
        notice = replace(self.settings.phone_notice, enabled=True, wav=str(path), text=text)
        self.save_settings(self.settings.with_changes(phone_notice=notice))
        return path

    def poster_pdf(self) -> bytes:
        """The recording-notice poster (A4, Japanese): the profile's words, the organisation's
        name from the settings (else the profile's)."""
        from kasuhara_recorder.bundle.poster_pdf import poster_for, render_poster_pdf

        return render_poster_pdf(poster_for(self.profile, self.settings.organisation_name))

    @cached_property
    def backend(self) -> StoreBackend:
        """The store (store/interface.py): the embedded SQLite one, opened on first use."""
        from kasuhara_recorder.store.backend import open_store

        return open_store(self.paths)

    @property
    def database(self) -> Store:
        return self.backend.store()

    @property
    def recordings(self) -> RecordingStore:
        """The stored recordings (their signed manifests and later tags)."""
        return self.backend.recordings()

    @cached_property
    def vault(self) -> Vault:
        """Every file name of a recording or attachment (evidence/vault.py)."""
        from kasuhara_recorder.evidence.vault import Vault

        return Vault(self.paths.vault)

    @cached_property
    def identity(self) -> WorkstationIdentity:
        """The signing key, the workstation as manifests name it, the recipients."""
        from kasuhara_recorder.app.workstation_identity import WorkstationIdentity

        return WorkstationIdentity(self.paths, self._current_settings)

    @property
    def audit(self) -> AuditStore:
        """The audit chain: ``append(actor, event, subject, data)``. Built again when set-up
        reloads the key, as it registers the key it signs with."""
        key = self.identity.key
        with self._audit_lock:
            if self._audit_log is None or self._audit_log[0] is not key:
                log_ = self.backend.audit_log(key, self.settings.workstation_name)
                self._audit_log = (key, log_)
            return self._audit_log[1]

    def _current_audit(self) -> AuditStore:
        return self.audit

    @property
    def workstation_info(self) -> WorkstationInfo:
        """Name, fingerprint and public key of this workstation, as put in manifests."""
        return self.identity.info

    def verify_audit(self) -> ChainReport:
        """``audit verify``. The chain covers the audit entries only: a store damaged elsewhere
        (recordings, incidents) must not pass as "intact", so its own check runs first."""
        self.database.check_intact()
        return self.audit.verify()

    @cached_property
    def audit_trail(self) -> AuditTrail:
        """The chain as the audit viewer reads it: one incident's or all, and the check
        (app/audit_trail.py); needs the ``audit.view`` role."""
        from kasuhara_recorder.app.audit_trail import AuditTrail

        backend = self.backend
        return AuditTrail(
            self._current_audit, backend.incidents, backend.recordings, self.roles,
            self.verify_audit, self.verify_audit_central, self._current_settings,
        )  # fmt: skip

    @cached_property
    def settings_changes(self) -> SettingsChanges:
        """The settings dialog's one save: checked, written, ``settings.change`` in the chain
        (app/settings_service.py)."""
        from kasuhara_recorder.app.settings_service import SettingsChanges

        return SettingsChanges(
            self._current_settings, self.save_settings, self._current_audit, self._current_actor,
            self.roles, lambda: f"workstation:{self.identity.key.fingerprint}",
        )  # fmt: skip

    # --- feature services ---------------------------------------------------------------
    @cached_property
    def workstation(self) -> WorkstationService:
        """Set-up, the signing key, recipients (app/workstation.py)."""
        from kasuhara_recorder.app.workstation import WorkstationService

        return WorkstationService(
            self.paths, self._current_settings, self.save_settings, self.identity,
            self._current_audit, self._current_actor, self.machine_settings,
        )  # fmt: skip

    @cached_property
    def registry(self) -> RecordingRegistry:
        """Sealed recordings entered: manifest, row, audit entry (app/recording_registry.py)."""
        from kasuhara_recorder.app.recording_registry import RecordingRegistry

        backend = self.backend
        return RecordingRegistry(
            self.vault, self.identity, backend.store, backend.recordings, self._current_audit,
            self._current_actor, entered=self._stamp_entered,
        )  # fmt: skip

    def _stamp_entered(self, recording_id: str, event: str) -> None:
        """A recording became evidence: its manifest's time-stamp, now (a stop, an import) or
        only queued (a recovery, which holds 録音開始 back until it is done)."""
        self.timestamps.stamp_recording(recording_id, fetch=event != "recording.recovered")

    @cached_property
    def timestamps(self) -> TimestampService:
        """RFC 3161 tokens: capture manifests, bundle manifests, the chain's head; the queue
        (app/timestamp_service.py)."""
        from kasuhara_recorder.app.timestamp_service import TimestampService

        backend = self.backend
        return TimestampService(
            self._current_settings, self.vault, backend.store, backend.timestamps,
            self._current_audit, self._current_actor, save_settings=self.save_settings,
        )  # fmt: skip

    @cached_property
    def incidents(self) -> IncidentService:
        """Incidents: the form, statuses, legal hold, attachments (app/incident_service.py)."""
        from kasuhara_recorder.app.incident_service import IncidentService

        backend = self.backend
        return IncidentService(
            paths=self.paths, settings=self._current_settings, profile=self.profile,
            identity=self.identity, vault=self.vault, store=backend.store,
            incidents=backend.incidents, recordings=backend.recordings,
            audit=self._current_audit, drafts=backend.drafts(), actor=self._current_actor,
            roles=self.roles,
        )  # fmt: skip

    @cached_property
    def retention(self) -> RetentionService:
        """Deletes what the retention rules say, one audit entry per item (app/retention.py)."""
        from kasuhara_recorder.app.retention import RetentionService

        backend = self.backend
        return RetentionService(
            settings=self._current_settings, vault=self.vault, data_dir=self.paths.root,
            store=backend.store, recordings=backend.recordings, incidents=backend.incidents,
            purges=backend.purges, audit=self._current_audit, actor=self._current_actor,
            roles=self.roles,
        )  # fmt: skip

    @cached_property
    def importer(self) -> RecordingImporter:
        from kasuhara_recorder.app.recording_import import RecordingImporter

        return RecordingImporter(
            self.paths, self.vault, self.identity, self.registry, self.incidents
        )

    @cached_property
    def recording(self) -> RecordingService:
        """Recording: start/stop, live tags, §4(1) timer, recovery, import
        (app/recording_service.py)."""
        from kasuhara_recorder.app.recording_service import RecordingService

        return RecordingService(
            paths=self.paths, settings=self._current_settings, profile=self.profile,
            vault=self.vault, identity=self.identity, registry=self.registry,
            importer=self.importer, incidents=self.incidents,
            recordings=self.backend.recordings, audit=self._current_audit,
            actor=self._current_actor,
        )  # fmt: skip

    @cached_property
    def export(self) -> ExportService:
        """Evidence bundles: unlock, export, verify (app/export_service.py)."""
        from kasuhara_recorder.app.export_service import ExportService

        return ExportService(
            paths=self.paths, settings=self._current_settings, profile=self.profile,
            identity=self.identity, vault=self.vault, incidents=self.incidents,
            recordings=self.backend.recordings, audit=self._current_audit,
            actor=self._current_actor, officer=self.officer, central=self._central_evidence,
            roles=self.roles, timestamps=self.timestamps,
        )  # fmt: skip

    @cached_property
    def officer(self) -> OfficerSession:
        """The organisation identity unlocked for this session, shared by export and playback;
        locks itself when idle (app/officer_session.py)."""
        from kasuhara_recorder.app.officer_session import OfficerSession

        return OfficerSession(
            settings=self._current_settings, roles=self.roles, audit=self._current_audit,
            actor=self._current_actor,
        )  # fmt: skip

    @cached_property
    def playback(self) -> PlaybackService:
        """Officer playback: a recording decrypted into memory only, checked, played, every
        played segment in the chain (app/playback_service.py)."""
        from kasuhara_recorder.app.playback_service import PlaybackService

        return PlaybackService(
            roles=self.roles, officer=self.officer, vault=self.vault,
            recordings=self.backend.recordings, audit=self._current_audit,
            actor=self._current_actor, central=self._central_evidence,
        )  # fmt: skip

    def _central_evidence(self) -> CentralEvidence | None:
        """Every PC's incidents, when this PC is joined to a central store."""
        if not self.settings.central_url:
            return None
        from kasuhara_recorder.app.central_evidence import CentralEvidence

        return CentralEvidence(self.sync.open_client, self.paths.root / "central-cache")

    def central_incidents(self) -> list[tuple[Incident, str]]:
        """Every PC's incidents in the central store (latest versions, with the name of the PC
        that made each), as this PC's login may read them (an officer: all; a supervisor: its
        departments'). NotSetUp when this PC is not joined."""
        central = self._central_evidence()
        if central is None:
            from kasuhara_recorder.errors import NotSetUp

            raise NotSetUp("no central store: `kasuhara-recorder setup --central URL`")
        return sorted(central.incidents(), reverse=True,
                      key=lambda x: (x[0].draft.occurred_at, x[0].created_at))  # fmt: skip

    def central_page(self, q: IncidentQuery) -> IncidentPage:
        """The incident list over the central store (every PC's incidents this login may
        read, the role's restriction applied too); NotSetUp when this PC is not joined."""
        central = self._central_evidence()
        if central is None:
            from kasuhara_recorder.errors import NotSetUp

            raise NotSetUp("no central store: `kasuhara-recorder setup --central URL`")
        from kasuhara_recorder.app.incident_service import restrict_to_role

        return central.page(restrict_to_role(q, self.roles))

    def central_departments(self) -> list[str]:
        """The departments on the central store's incidents this login may read."""
        central = self._central_evidence()
        if central is None:
            from kasuhara_recorder.errors import NotSetUp

            raise NotSetUp("no central store: `kasuhara-recorder setup --central URL`")
        return central.departments()

    def central_incident(self, incident_id: str) -> tuple[Incident, str]:
        """One incident of the central store and the name of the PC that made it."""
        central = self._central_evidence()
        got = central.incident(incident_id) if central is not None else None
        if got is None:
            from kasuhara_recorder.app.incident_service import IncidentNotFound

            raise IncidentNotFound(incident_id)
        return got

    @cached_property
    def statistics(self) -> StatisticsService:
        """The policy review's statistics (app/statistics.py), from the central store when
        this PC is joined to one, else from this PC's."""
        from kasuhara_recorder.app.statistics import StatisticsService

        return StatisticsService(self.profile, self.roles, self.backend.statistics,
                                 self._central_client)  # fmt: skip

    def _central_client(self) -> CentralClient | None:
        return self.sync.open_client() if self.settings.central_url else None

    def _central_list(self) -> list[tuple[Incident, str]] | None:
        central = self._central_evidence()
        return None if central is None else central.incidents()

    @cached_property
    def incident_list(self) -> IncidentListExport:
        """The incident list without audio, CSV or .xlsx (app/incident_list_export.py)."""
        from kasuhara_recorder.app.incident_list_export import IncidentListExport

        backend = self.backend
        return IncidentListExport(
            profile=self.profile, roles=self.roles, local=backend.statistics,
            incidents=backend.incidents, central=self._central_list,
            workstation_name=lambda: self.settings.workstation_name,
            audit=self._current_audit, actor=self._current_actor,
        )  # fmt: skip

    @cached_property
    def sync(self) -> SyncService:
        """Sync to the central store, joining it, the sync state (app/sync_service.py)."""
        from kasuhara_recorder.app.sync_service import SyncService

        backend = self.backend
        return SyncService(
            paths=self.paths, settings=self._current_settings, identity=self.identity,
            vault=self.vault, state=backend.sync_state, recordings=backend.recordings,
            incidents=backend.incidents, audit=self._current_audit, purges=backend.purges,
            retention=lambda: self.retention.run(trigger="sync"),
            timestamps=self._sync_timestamps, tokens=self.timestamps,
        )  # fmt: skip

    def verify_audit_central(self) -> CentralReport:
        """``audit verify --central``: every chain, manifest, blob and head in the central
        store, over this PC's login (NotSetUp without a central store)."""
        from kasuhara_recorder.central.verify import verify_central

        client = self.sync.open_client()
        try:
            return verify_central(client)
        finally:
            client.close()

    def join_central(self, url: str) -> str:
        """Join the central store at ``url`` (``setup --central``, the first-run wizard):
        register this workstation's key there, then keep the URL (no password in it) and
        enter ``central.join``. Needs the PC set up first (NotSetUp)."""
        from kasuhara_recorder.central.connection import check_url, redacted

        check_url(url)
        if not self.is_set_up:
            from kasuhara_recorder.errors import NotSetUp

            raise NotSetUp("set the organisation recipient first: setup --org-recipient …")
        outcome = self.sync.join(url)
        self.save_settings(self.settings.with_changes(central_url=url))
        subject = f"workstation:{self.identity.key.fingerprint}"
        self.audit.append(
            self.actor, "central.join", subject, {"central": redacted(url), "outcome": outcome}
        )
        return outcome

    def _sync_timestamps(self) -> None:
        """At each sync: the queued time-stamps again, then the chain's head."""
        self.timestamps.retry()
        self.timestamps.stamp_audit_head("sync")

    def close(self) -> None:
        """Seal a recording still running and close the inputs kept open, then the store."""
        recording = self.__dict__.get("recording")
        if recording is not None:
            recording.close()
        officer = self.__dict__.get("officer")
        if officer is not None:  # the process ends: forgotten (the GUI's quit locks, audited)
            officer.forget()
        backend = self.__dict__.get("backend")
        if backend is not None:
            backend.close()
