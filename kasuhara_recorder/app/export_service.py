"""Export and verify of evidence bundles (``AppService.export``), for the GUI wizard and the CLI.

Gathers the incident, its recordings, attachments and audit chain from the store, unlocks the
organisation identity through the officer's session (entered in the chain), runs
``bundle.export`` and enters the finished export in the chain with the bundle's manifest hash.
``remove_partials()`` is the next start's half: what a killed export left on its destination
is removed and entered in the chain (the GUI start-up and ``kasuhara-recorder recover`` both
call it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pyrage

from kasuhara_recorder.app.central_evidence import CentralEvidence, CentralIncident
from kasuhara_recorder.app.incident_service import IncidentNotFound, IncidentService
from kasuhara_recorder.app.officer_session import OfficerSession
from kasuhara_recorder.app.roles import Roles
from kasuhara_recorder.app.timestamp_service import TimestampService
from kasuhara_recorder.app.workstation_identity import WorkstationIdentity
from kasuhara_recorder.bundle.errors import ExportRefused
from kasuhara_recorder.bundle.export import (
    RECIPIENT_KINDS,
    AttachmentInput,
    ExportInputs,
    ExportResult,
    ProgressFn,
    RecordingInput,
    check_destination,
    export_bundle,
)
from kasuhara_recorder.bundle.partial_ledger import PartialLedger, PartialRecord, SweepOutcome
from kasuhara_recorder.bundle.timestamps import BundleTimestamps, RecordingTimestamp, token_member
from kasuhara_recorder.bundle.verify import VerifyReport, unicode_text, verify_bundle
from kasuhara_recorder.config import DataPaths, Settings
from kasuhara_recorder.errors import UsageError
from kasuhara_recorder.evidence.manifest import RecordingManifest
from kasuhara_recorder.evidence.timestamp import TimestampRefused, check_with_chain, merge_pem
from kasuhara_recorder.evidence.vault import Vault
from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.interface import AuditStore, RecordingStore

__all__ = ["RECIPIENT_KINDS", "ExportResult", "ExportService", "SweepOutcome", "VerifyReport"]


class ExportService:
    def __init__(
        self,
        *,
        paths: DataPaths,
        settings: Callable[[], Settings],
        profile: PolicyProfile,
        identity: WorkstationIdentity,
        vault: Vault,
        incidents: IncidentService,
        recordings: Callable[[], RecordingStore],
        audit: Callable[[], AuditStore],
        actor: Callable[[], str],
        officer: OfficerSession,
        central: Callable[[], CentralEvidence | None] = lambda: None,
        roles: Roles | None = None,
        timestamps: TimestampService | None = None,
    ) -> None:
        self._paths = paths
        self._settings = settings
        self._profile = profile
        self._identity = identity
        self._vault = vault
        self._incidents = incidents
        self._recordings = recordings
        self._audit = audit
        self._actor = actor
        self._central = central
        self._officer = officer
        self._roles = roles
        self._timestamps = timestamps
        self.partials = PartialLedger(paths.partial_exports)

    def unlock(self, identity_file: Path, passphrase: str) -> pyrage.x25519.Identity:
        """Open the organisation identity for an export, through the officer's session
        (app/officer_session.py: the role, every attempt in the chain, ``purpose`` export);
        WrongPassphrase if the phrase is wrong."""
        return self._officer.unlock(Path(identity_file), passphrase, purpose="export")

    def gather(
        self, incident_id: str, recipient_kind: str, exported_at: dt.datetime | None = None
    ) -> ExportInputs:
        if self._roles is not None:
            self._roles.require("export")
        if recipient_kind not in RECIPIENT_KINDS:
            raise UsageError(f"recipient kind must be one of {', '.join(RECIPIENT_KINDS)}")
        central = self._central()
        try:
            inc = self._incidents.get(incident_id)
        except IncidentNotFound:
            if central is None:
                raise
            return self._gather_central(central, incident_id, recipient_kind, exported_at)
        store = self._recordings()
        records = {r.id: r for r in store.list(incident_id)}
        for rid in inc.recordings:  # linked either way: by the row or by the incident
            if rid not in records and (r := store.get(rid)) is not None:
                records[rid] = r
        recordings = tuple(
            RecordingInput(
                r.id,
                r.manifest_json,
                r.manifest_signature,
                self._vault.file(r.sealed_file),
                later_tags=store.tags(r.id)[len(r.manifest.tags) :],
            )
            for r in sorted(records.values(), key=lambda r: (r.started_at, r.id))
        )
        attachments = tuple(
            AttachmentInput(a, self._paths.root / a.sealed_path if a.sealed_path else None)
            for a in inc.attachments
        )
        audit = self._audit()
        return ExportInputs(
            incident=inc,
            recordings=recordings,
            attachments=attachments,
            audit_entries=tuple(audit.entries()),
            known_keys=audit.keys(),
            exporter=self._identity.key,
            exporter_name=self._settings().workstation_name,
            actor=self._actor(),
            recipient_kind=recipient_kind,
            exported_at=(exported_at or dt.datetime.now().astimezone()).replace(microsecond=0),
            profile=self._profile,
            timestamps=self._local_timestamps([r.id for r in recordings]),
        )

    def _bundle_timestamps(
        self, stamps: dict[str, RecordingTimestamp], chains: list[str]
    ) -> BundleTimestamps:
        """The capture manifests' tokens, the TSA chain (theirs and the configured anchors),
        and the bundle manifest's token at export (app/timestamp_service.py)."""
        ts = self._timestamps
        live = ts is not None and ts.configured
        if ts is not None and live:
            chains = [*chains, ts.anchors_pem()]
        return BundleTimestamps(
            recordings=stamps,
            chain_pem=merge_pem(chains),
            stamp_manifest=ts.stamp_bundle_manifest if ts is not None and live else None,
        )

    def _stamp(self, token: bytes, gen_time: str, tsa: str, requested_at: str, added_at: str,
               skew_s: int) -> RecordingTimestamp:  # fmt: skip
        warn = abs(skew_s) > self._settings().tsa_clock_warn_minutes * 60
        return RecordingTimestamp(token, gen_time, tsa, requested_at, added_at, skew_s, warn)

    def _local_timestamps(self, recording_ids: list[str]) -> BundleTimestamps:
        """The capture manifests' tokens this PC holds (vault files, checked when they came)."""
        stamps: dict[str, RecordingTimestamp] = {}
        chains: list[str] = []
        for rid in recording_ids:
            got = self._timestamps.recording_token(rid) if self._timestamps else None
            if got is None:
                continue
            token, row = got
            stamps[rid] = self._stamp(token, row.gen_time, row.tsa_name, row.requested_at,
                                      row.added_at, row.clock_skew_s)  # fmt: skip
            chains.append(row.chain_pem)
        return self._bundle_timestamps(stamps, chains)

    def _central_timestamps(self, got: CentralIncident) -> BundleTimestamps:
        """The tokens the recording PCs sent to the central store, checked again before a byte
        is written (imprint = the manifest's SHA-256, signature, chain to the CA kept with it):
        they travelled, so a token that fails stops the export, as a sealed file would."""
        stamps: dict[str, RecordingTimestamp] = {}
        chains: list[str] = []
        now = dt.datetime.now(dt.UTC)
        for r, _path, _later in got.recordings:
            t = got.timestamps.get(r.id)
            if t is None:
                continue
            member = token_member(f"recordings/{r.id}.json")
            sha = hashlib.sha256(r.manifest_json).hexdigest()
            try:
                check_with_chain(t.token, file=member, data_sha256=sha, chain_pem=t.chain_pem,
                                 now=now)  # fmt: skip
            except TimestampRefused as e:
                raise ExportRefused(member, e.text) from None
            stamps[r.id] = self._stamp(t.token, t.gen_time, t.tsa_name, t.requested_at,
                                       t.added_at, t.clock_skew_s)  # fmt: skip
            chains.append(t.chain_pem)
        return self._bundle_timestamps(stamps, chains)

    def _gather_central(
        self, central: CentralEvidence, incident_id: str, recipient_kind: str,
        exported_at: dt.datetime | None,
    ) -> ExportInputs:  # fmt: skip
        """An incident another PC made, from the central store: the same inputs a local export
        on that PC gathers (its chain, its manifests, the sealed blobs streamed into a cache of
        ciphertext), so the bundle's evidence is byte for byte the same."""
        got = central.gather(incident_id)
        if got is None:
            raise IncidentNotFound(incident_id)
        try:
            timestamps = self._central_timestamps(got)
        except BaseException:
            central.clean(incident_id)  # no fetched ciphertext left behind
            raise
        recordings = tuple(
            RecordingInput(r.id, r.manifest_json, r.manifest_signature, path, later_tags=later)
            for r, path, later in sorted(
                got.recordings, key=lambda x: (RecordingManifest.from_bytes(
                    x[0].manifest_json, x[0].id).started_at, x[0].id))
        )  # fmt: skip
        attachments = tuple(AttachmentInput(a, got.attachments.get(a.id))
                            for a in got.incident.attachments)  # fmt: skip
        return ExportInputs(
            incident=got.incident, recordings=recordings, attachments=attachments,
            audit_entries=got.entries, known_keys=got.keys, exporter=self._identity.key,
            exporter_name=self._settings().workstation_name, actor=self._actor(),
            recipient_kind=recipient_kind,
            exported_at=(exported_at or dt.datetime.now().astimezone()).replace(microsecond=0),
            profile=self._profile, timestamps=timestamps,
        )  # fmt: skip

    def check_destination(self, out_path: Path, *, overwrite: bool = False) -> None:
        """Refuse a destination before any work (the CLI calls it before unlocking): inside the
        data folder, a folder, a file that is not a ZIP, or an existing bundle without
        ``overwrite`` (BundleExists)."""
        root = self._paths.root.resolve()
        target = Path(out_path).resolve()
        if target == root or root in target.parents:
            # The rename at the end would replace whatever is there: a sealed recording, the
            # database. And a bundle is plaintext: it does not belong beside the sealed files.
            raise UsageError(
                f"{out_path} is inside the data folder {root}; save the bundle somewhere else"
            )
        check_destination(Path(out_path), overwrite=overwrite)

    def export(
        self,
        incident_id: str,
        identity: pyrage.x25519.Identity,
        out_path: Path,
        *,
        recipient_kind: str = "other",
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
        exported_at: dt.datetime | None = None,
        overwrite: bool = False,
    ) -> ExportResult:
        """Write the bundle; an existing one at ``out_path`` is replaced only with
        ``overwrite`` (else BundleExists, exit 2). The export is in the chain when this
        returns; a bundle never exists on the destination without that entry."""
        if self._roles is not None:
            self._roles.require("export")
        self.check_destination(out_path, overwrite=overwrite)
        inputs = self.gather(incident_id, recipient_kind, exported_at)

        def entered(result: ExportResult) -> None:  # the bundle has its name, not yet unrecorded
            self._audit().append(
                self._actor(),
                "bundle.export",
                f"incident:{incident_id}",
                {
                    "bundle_id": result.bundle_id,
                    "manifest_sha256": result.manifest_sha256,
                    "bundle_sha256": result.bundle_sha256,  # what the recipient is told
                    "signing_fingerprint": result.signing_fingerprint,
                    "recipient_kind": recipient_kind,
                    # A name that is not UTF-8 (Shift-JIS bytes) cannot go into canonical JSON
                    # as it is: recorded with those bytes escaped, not lost with the entry.
                    "file_name": unicode_text(result.path.name),
                    "size": result.size,
                    "recordings": [r.id for r in inputs.recordings],
                    **({"replaced": True} if replaced else {}),
                },
            )

        replaced = overwrite and os.path.lexists(out_path)
        self._paths.ensure()  # the ledger's record goes beside the database
        try:
            return export_bundle(
                inputs, identity, Path(out_path), progress=progress, cancel=cancel,
                overwrite=overwrite, ledger=self.partials, on_complete=entered,
            )  # fmt: skip
        finally:
            central = self._central()
            if central is not None:
                central.clean(incident_id)

    def remove_partials(self) -> list[SweepOutcome]:
        """Remove what killed exports left on their destinations (a hidden partial bundle, or a
        finished one that never got its chain entry), each entered in the chain as
        ``bundle.partial_removed``. A destination that is not there (a stick not plugged in) is
        kept for the next start and returned as ``unreachable``. Idempotent; exports still
        running in another process are left alone."""
        from kasuhara_recorder.bundle.partial_ledger import has_records

        if not has_records(self._paths.partial_exports):
            return []
        audit = self._audit()

        def completed(rec: PartialRecord) -> bool:
            return any(
                e.event == "bundle.export" and e.data.get("bundle_id") == rec.bundle_id
                for e in audit.entries(f"incident:{rec.incident_id}")
            )

        def removed(o: SweepOutcome) -> None:
            rec = o.record
            assert rec is not None  # a removed file is always that of a record
            audit.append(
                self._actor(),
                "bundle.partial_removed",
                f"incident:{rec.incident_id}",
                {
                    "path": unicode_text(str(o.path)),
                    "size": o.size,
                    "complete": o.complete,
                    "bundle_id": rec.bundle_id,
                    "export_started_at": rec.created_at,
                },
            )

        return self.partials.sweep(completed, removed)

    @staticmethod
    def verify(path: Path, progress: Callable[[int, int], None] | None = None) -> VerifyReport:
        """Check a bundle; needs nothing from this workstation (a recipient's view)."""
        return verify_bundle(Path(path), progress)
