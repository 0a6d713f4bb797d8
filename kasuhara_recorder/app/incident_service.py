"""Incidents: create, edit, submit, review, legal hold, recordings and attachments.

The one place the GUI and the CLI both go through (``AppService.incidents``). Every change is
written to the incident tables and entered in the audit chain in the same transaction, with the
changed fields and the SHA-256 of the incident's canonical JSON afterwards, so the chain alone
shows what the record said at each step.
"""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import logging
import mimetypes
import secrets
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from kasuhara_recorder.app.incident_validation import ERROR, Issue, IssueKind, validate
from kasuhara_recorder.app.roles import Roles
from kasuhara_recorder.app.workstation_identity import WorkstationIdentity
from kasuhara_recorder.config import DataPaths, Settings
from kasuhara_recorder.errors import KasuharaError, UsageError
from kasuhara_recorder.evidence.vault import Vault
from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.incident_model import (
    LOCATIONS,
    STATUSES,
    TRANSITIONS,
    Attachment,
    Incident,
    IncidentDraft,
    Marker,
    ResponseAction,
    StaffMember,
)
from kasuhara_recorder.store.incident_query import IncidentPage, IncidentQuery
from kasuhara_recorder.store.interface import (
    AuditStore,
    DraftStore,
    IncidentStore,
    RecordingStore,
    Store,
)
from kasuhara_recorder.text import Text

__all__ = [
    "Attachment", "Incident", "IncidentClosed", "IncidentDraft", "IncidentInvalid",
    "IncidentNotFound", "IncidentService", "Issue", "Marker", "RecordingInOtherIncident",
    "RecordingNotFound", "RecordingSummary", "StaffMember", "AttachmentMissing",
    "AttachmentTooLarge", "AttachmentUnreadable", "NotAWebAddress",
]  # fmt: skip

log = logging.getLogger("kasuhara.app.incidents")
MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024


class IncidentNotFound(KasuharaError):
    template = Text(
        "事案 {detail} が見つかりません。",
        "incident {detail} not found",
    )


class IncidentInvalid(KasuharaError):
    """Submission refused; ``issues`` holds the field-level messages."""

    template = Text(
        "事案票に不足や誤りがあります:\n{detail}",
        "the incident form is incomplete or wrong:\n{detail}",
    )

    fields = ("issues",)

    def __init__(self, issues: list[Issue]) -> None:
        errs = [i.text for i in issues if i.severity == ERROR]
        super().__init__(issues, detail=Text.join("\n", errs))


class IncidentLocked(KasuharaError):
    template = Text(
        "事案 {detail} は{status}のため編集できません。",
        "incident {detail} is {status} and cannot be edited",
    )
    fields = ("detail", "status")


class BadTransition(KasuharaError):
    template = Text(
        "事案 {detail} を「{old}」から「{new}」にはできません。",
        "incident {detail} cannot go from {old} to {new}",
    )
    fields = ("detail", "old", "new")


class IncidentClosed(KasuharaError):
    template = Text(
        "事案 {detail} は完了しているため、録音を追加できません。必要なら確認済に戻してください。",
        "incident {detail} is closed; reopen it (to reviewed) before adding a recording",
    )


class ReasonRequired(UsageError):
    """Legal hold is set or lifted only with a reason: the chain says why, for the court."""

    template = Text(
        "事案 {detail} の保全（リーガルホールド）を{what}には理由を入力してください。",
        "give a reason to {what} legal hold on incident {detail}",
    )
    fields = ("detail", "what")


class UnknownResponse(UsageError):
    template = Text(
        "「{detail}」は方針にない対応です。",
        "{detail} is not a response of the policy",
    )


class RecordingNotFound(UsageError):
    template = Text(
        "録音 {detail} が見つかりません。",
        "recording {detail} not found",
    )


class RecordingInOtherIncident(UsageError):
    """A recording belongs to one incident; moving it would silently rewrite the other one."""

    template = Text(
        "録音 {detail} はすでに事案 {other} に登録されています。別の事案には追加できません。",
        "recording {detail} already belongs to incident {other}; it cannot be added to another",
    )
    fields = ("detail", "other")


class AttachmentMissing(UsageError):
    """Chosen, then moved or deleted (or on a removed USB stick) before it was sealed."""

    template = Text(
        "添付するファイル「{name}」が見つかりません（移動・削除されたか、USBメモリが外されて"
        "います）。ファイルを確かめて、もう一度選んでください。",
        "the file to attach, {name}, is not there (moved, deleted or on a removed drive);"
        " check it and choose it again",
    )
    fields = ("detail", "name")


class AttachmentUnreadable(UsageError):
    template = Text(
        "添付するファイル「{name}」を読み込めませんでした（{detail}）。"
        "ファイルを確かめて、もう一度選んでください。",
        "could not read the file to attach, {name} ({detail}); check it and choose it again",
    )
    fields = ("detail", "name")


class AttachmentTooLarge(UsageError):
    template = Text(
        "添付するファイル「{name}」は {limit} MiB を超えています。"
        "小さくするか分けてから添付してください。",
        "the file to attach, {name}, is larger than {limit} MiB; make it smaller or split it",
    )
    fields = ("detail", "name", "limit")


class NotAWebAddress(UsageError):
    template = Text(
        "「{detail}」はWebのアドレスではありません。"
        "http:// または https:// で始まるアドレスを入力してください。",
        "{detail} is not a web address; enter one that starts with http:// or https://",
    )


@dataclass(frozen=True)
class RecordingSummary:
    """One stored recording as lists show it: when, how long, which channel, how many tags."""

    id: str
    started_at: str
    duration_ms: int
    channel: str  # counter, phone or import
    status: str
    tags: int  # capture-time tags plus tags added later
    recovered: bool  # closed after a crash at its last checkpoint
    incident_id: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "started_at": self.started_at, "duration_ms": self.duration_ms,
            "channel": self.channel, "status": self.status, "tags": self.tags,
            "recovered": self.recovered, "incident_id": self.incident_id,
        }  # fmt: skip


def now_iso() -> str:
    return dt.datetime.now().astimezone().replace(microsecond=0).isoformat()


def new_incident_id() -> str:
    """Readable and sortable by day; random enough that two PCs never collide in a day."""
    return f"{dt.date.today():%Y%m%d}-{secrets.token_hex(3)}"


def incident_digest(inc: Incident) -> str:
    from kasuhara_recorder.evidence.canonical_json import canonical_json

    return hashlib.sha256(canonical_json(inc.to_json_dict())).hexdigest()


def changed_fields(old: IncidentDraft, new: IncidentDraft) -> dict[str, Any]:
    """The fields that differ, with their new values in JSON form."""
    o, n = old.to_dict(), new.to_dict()
    return {f.name: n[f.name] for f in fields(IncidentDraft) if o[f.name] != n[f.name]}


class IncidentService:
    def __init__(
        self,
        *,
        paths: DataPaths,
        settings: Callable[[], Settings],
        profile: PolicyProfile,
        identity: WorkstationIdentity,
        vault: Vault,
        store: Callable[[], Store],
        incidents: Callable[[], IncidentStore],
        recordings: Callable[[], RecordingStore],
        audit: Callable[[], AuditStore],
        drafts: DraftStore,
        actor: Callable[[], str],
        roles: Roles,
    ) -> None:
        self._paths = paths
        self._settings = settings
        self._profile = profile
        self._identity = identity
        self._vault = vault
        self._store = store
        self._repo = incidents
        self._recordings = recordings  # its store brings the manifest and crypto modules
        self._audit_log = audit
        self.drafts = drafts
        self._actor = actor
        self._roles = roles

    # --- plumbing ------------------------------------------------------------------------
    @property
    def _db(self) -> Store:
        return self._store()

    def _audit(self, event: str, inc: Incident, data: dict[str, Any]) -> None:
        self._audit_log().append(
            self._actor(), event, f"incident:{inc.id}", {**data, "sha256": incident_digest(inc)}
        )

    # --- reads ---------------------------------------------------------------------------
    def get(self, incident_id: str) -> Incident:
        inc = self._repo().get(incident_id)
        if inc is None:
            raise IncidentNotFound(incident_id)
        return inc

    def list(self, open_only: bool = False) -> list[Incident]:
        statuses = ("draft", "submitted", "reviewed", "referred") if open_only else None
        repo = self._repo()
        return [inc for iid in repo.ids(statuses) if (inc := repo.get(iid)) is not None]

    def query(self, q: IncidentQuery) -> IncidentPage:
        """A page of the incidents the current role may see (store/incident_query.py): a
        supervisor their departments' only; counter staff and officers every incident of
        this PC's store."""
        return self._repo().query(restrict_to_role(q, self._roles))

    def departments(self) -> builtins.list[str]:
        """The departments the list's filter offers: those on this PC's incidents, a
        supervisor's own only."""
        role = self._roles.current()
        named = self._repo().departments()
        if role.configured and role.code == "supervisor":
            return [d for d in role.departments if d in named] or list(role.departments)
        return named

    def custody(self, incident_id: str) -> builtins.list[Any]:
        """The incident's custody history: the audit entries of the incident and of each of
        its recordings, in chain order (for the detail view; ``audit.view``)."""
        inc = self.get(incident_id)
        self._roles.require("audit.view", department=inc.draft.department)
        audit = self._audit_log()
        entries = {e.seq: e for e in audit.entries(f"incident:{incident_id}")}
        for rid in inc.recordings:
            entries.update((e.seq, e) for e in audit.entries(f"recording:{rid}"))
        return [entries[seq] for seq in sorted(entries)]

    def validate(self, draft: IncidentDraft) -> builtins.list[Issue]:
        return validate(draft, self._profile)

    # --- creation ------------------------------------------------------------------------
    def create(
        self, draft: IncidentDraft | None = None, recordings: tuple[str, ...] = ()
    ) -> Incident:
        draft = draft or IncidentDraft()
        self._check_codes(draft)
        t = now_iso()
        profile = self._profile
        inc = Incident(
            id=new_incident_id(), status="draft", draft=draft, created_at=t,
            created_by=self._actor(), updated_at=t, recordings=tuple(recordings),
            profile_id=profile.id, profile_version=profile.version,
        )  # fmt: skip
        with self._db.transaction():
            while self._repo().exists(inc.id):  # a same-day collision: draw again
                inc = replace(inc, id=new_incident_id())
            self._repo().insert(replace(inc, recordings=()))
            for rid in recordings:
                self._link(inc.id, rid)
            self._audit(
                "incident.create", inc,
                {"fields": changed_fields(IncidentDraft(), draft), "recordings": list(recordings)},
            )  # fmt: skip
        log.info("incident %s created", inc.id)
        return self.get(inc.id)

    def prefill(self, manifest: Any | None, markers: builtins.list[Marker]) -> IncidentDraft:
        """The form as staff should find it after a recording: time, duration, channel,
        tags as categories and markers, staff = the signed-in user, their department."""
        s = self._settings()
        staff = (StaffMember(s.staff_name),) if s.staff_name else ()
        if manifest is None:
            return IncidentDraft(
                occurred_at=now_iso(), department=s.department, staff=staff, at_office=True
            )
        rid = _recording_id(manifest)
        channel = str(getattr(manifest, "channel", "") or "")
        codes = []
        for m in markers:
            if m.code not in codes:
                codes.append(m.code)
        live = {c.code for c in self._profile.live_tag_categories()}
        duration = getattr(manifest, "duration_s", None)
        if duration is None:
            duration = getattr(manifest, "duration_ms", 0) / 1000
        return IncidentDraft(
            occurred_at=_iso(getattr(manifest, "started_at", "")) or now_iso(),
            duration_seconds=int(duration),  # whole seconds, floored, as every screen shows it
            location=channel if channel in LOCATIONS else "",
            at_office=True,
            department=s.department,
            staff=staff,
            categories=tuple(c for c in codes if c in live),
            recorded_from_start=True,
            markers=tuple(replace(m, recording_id=m.recording_id or rid) for m in markers),
        )

    def create_from_recording(
        self, manifest: Any | None, markers: builtins.list[Marker]
    ) -> Incident:
        draft = self.prefill(manifest, list(markers))
        recordings = (_recording_id(manifest),) if manifest is not None else ()
        return self.create(draft, recordings=recordings)

    def import_json(self, data: dict[str, Any]) -> Incident:
        """``incident new --json-file``: the draft fields of incident.json; ids and status are
        the store's to give, so they are ignored if present."""
        try:
            draft = IncidentDraft.from_dict(data)
        except (ValueError, TypeError) as e:
            raise UsageError(f"incident JSON: {e}") from None
        return self.create(draft)

    # --- edits ---------------------------------------------------------------------------
    def _editable(self, inc: Incident) -> None:
        if inc.status != "draft":
            raise IncidentLocked(inc.id, status=STATUSES[inc.status])

    def save_draft(self, incident_id: str, draft: IncidentDraft) -> Incident:
        self._check_codes(draft)
        with self._db.transaction():
            old = self.get(incident_id)
            self._editable(old)
            changes = changed_fields(old.draft, draft)
            if not changes:
                return old
            self._repo().update_draft(incident_id, draft, now_iso())
            new = self.get(incident_id)
            self._audit("incident.update", new, {"fields": changes})
        return new

    def submit(self, incident_id: str, draft: IncidentDraft | None = None) -> Incident:
        inc = self.get(incident_id)
        draft = draft or inc.draft
        issues = self.validate(draft)
        if any(i.severity == ERROR for i in issues):
            raise IncidentInvalid(issues)
        with self._db.transaction():
            self._editable(self.get(incident_id))
            changes = changed_fields(self.get(incident_id).draft, draft)
            if changes:
                self._repo().update_draft(incident_id, draft, now_iso())
            t = now_iso()
            self._repo().set_status(incident_id, "submitted", t, submitted_at=t)
            new = self.get(incident_id)
            warnings = [i.text.en for i in issues if i.severity != ERROR]
            self._audit(
                "incident.submit", new,
                {"fields": changes, "status": "submitted", "warnings": warnings},
            )  # fmt: skip
        self.drafts.discard(incident_id)
        return new

    def set_status(self, incident_id: str, status: str, note: str = "") -> Incident:
        if status not in STATUSES:
            raise UsageError(f"unknown status {status!r} (one of {', '.join(STATUSES)})")
        with self._db.transaction():
            old = self.get(incident_id)
            self._roles.require("incident.status", department=old.draft.department)
            if status not in TRANSITIONS[old.status]:
                raise BadTransition(
                    incident_id, old=Text(STATUSES[old.status].ja, old.status),
                    new=Text(STATUSES[status].ja, status),
                )  # fmt: skip
            self._repo().set_status(incident_id, status, now_iso())
            new = self.get(incident_id)
            self._audit("incident.status", new, {"from": old.status, "to": status, "note": note})
        return new

    def set_legal_hold(self, incident_id: str, on: bool, reason: str = "") -> Incident:
        """Set or lift legal hold; refused without a reason (ReasonRequired)."""
        with self._db.transaction():
            old = self.get(incident_id)
            self._roles.require("incident.legal_hold", department=old.draft.department)
            if old.legal_hold == on:
                return old
            reason = reason.strip()
            if not reason:
                what = Text("設定する", "set") if on else Text("解除する", "lift")
                raise ReasonRequired(incident_id, what=what)
            self._repo().set_legal_hold(incident_id, on, now_iso())
            new = self.get(incident_id)
            self._audit("incident.legal_hold", new, {"legal_hold": on, "reason": reason})
        return new

    def add_response(self, incident_id: str, response: ResponseAction) -> Incident:
        """A supervisor records a §4 response taken after the form was handed in (ended the
        interaction, called the police, consulted a lawyer, a warning letter, asked for an SNS
        post's removal): appended to the incident's responses (its time stamped now when none
        is given, by the signed-in user unless named), entered in the chain; the next sync
        sends it as a new incident version."""
        if response.code not in {r.code for r in self._profile.responses}:
            raise UnknownResponse(response.code)
        with self._db.transaction():
            old = self.get(incident_id)
            self._roles.require("incident.respond", department=old.draft.department)
            added = replace(response, at=response.at or now_iso(), by=response.by or self._actor())
            draft = replace(old.draft, responses=old.draft.responses + (added,))
            self._repo().update_draft(incident_id, draft, now_iso())
            new = self.get(incident_id)
            self._audit(
                "incident.response_add", new,
                {"response": added.__dict__, "incident_status": old.status},
            )  # fmt: skip
        return new

    # --- recordings ------------------------------------------------------------------------
    def _summaries(self, records: builtins.list[Any]) -> builtins.list[RecordingSummary]:
        later = self._recordings().later_tag_counts([r.id for r in records])
        out = []
        for r in records:
            try:
                m = r.manifest
            except KasuharaError as e:  # a list shows it anyway; export refuses a bad manifest
                log.warning("recording %s: %s", r.id, e.message("en"))
                m = None
            out.append(
                RecordingSummary(
                    id=r.id, started_at=r.started_at, duration_ms=r.duration_ms,
                    channel=r.channel, status=r.status,
                    tags=(len(m.tags) if m else 0) + later.get(r.id, 0),
                    recovered=r.status == "recovered" or (m is not None and m.recovery is not None),
                    incident_id=r.incident_id,
                )
            )  # fmt: skip
        return out

    def unattached_recordings(self) -> builtins.list[RecordingSummary]:
        """Recordings no incident holds yet (kept as routine, or recovered after a crash and
        the notice closed), newest first: what 録音を追加 and ``incident recordings
        --unattached`` offer."""
        return self._summaries(self._recordings().list_unattached())

    def all_recordings(self) -> builtins.list[RecordingSummary]:
        """Every stored recording, newest first: what 録音を再生… offers."""
        return self._summaries(self._recordings().list()[::-1])

    def recording_summaries(self, incident_id: str) -> builtins.list[RecordingSummary]:
        """The incident's own recordings, oldest first, for the form and ``incident recordings``."""
        self.get(incident_id)
        return self._summaries(self._recordings().list(incident_id))

    def attach_existing_recording(self, incident_id: str, recording_id: str) -> Incident:
        """Attach a recording already in the store (kept as routine, or recovered): its tags,
        capture-time and later ones, become markers, as if chosen right after 停止."""
        recordings = self._recordings()
        rec = recordings.get(recording_id)
        if rec is None:
            raise RecordingNotFound(recording_id)
        markers = [
            Marker(t.code, t.offset_ms, t.note, t.who, recording_id)
            for t in recordings.tags(recording_id)
        ]
        return self._attach(incident_id, recording_id, markers)

    def attach_recording(
        self, incident_id: str, manifest: Any, markers: builtins.list[Marker]
    ) -> Incident:
        """Attach a recording just sealed (after 停止) with the markers stamped while it ran.

        Refused for a closed incident, and for a recording that belongs to another incident.
        Attaching it again to the incident it already belongs to changes nothing (no markers
        are doubled, nothing is entered in the chain): repeating the request is harmless."""
        return self._attach(incident_id, _recording_id(manifest), markers)

    def check_can_take_recording(self, incident_id: str) -> Incident:
        """Before recording or importing for an incident (``record``/``import --incident``):
        refuse an unknown or closed incident now, not after the audio is sealed."""
        inc = self.get(incident_id)
        if inc.status == "closed":
            raise IncidentClosed(incident_id)
        return inc

    def attach_captured(self, manifest: Any) -> Incident:
        """A recording made or imported for an incident is linked to it as it is sealed; this
        brings its tags into the draft as markers and enters the attach in the chain, as the
        after-stop choice does. Called once, right after sealing."""
        rid = _recording_id(manifest)
        markers = [
            Marker(t.code, t.offset_ms, t.note, t.who, rid) for t in getattr(manifest, "tags", ())
        ]
        return self._attach(manifest.incident_id, rid, markers, linked_at_capture=True)

    def _attach(
        self,
        incident_id: str,
        rid: str,
        markers: builtins.list[Marker],
        *,
        linked_at_capture: bool = False,
    ) -> Incident:
        with self._db.transaction():
            old = self.get(incident_id)
            if old.status == "closed":
                raise IncidentClosed(incident_id)
            if not self._link(incident_id, rid) and not linked_at_capture:
                return old
            new_markers = tuple(replace(m, recording_id=m.recording_id or rid) for m in markers)
            codes = list(old.draft.categories)
            live = {c.code for c in self._profile.live_tag_categories()}
            codes += [m.code for m in markers if m.code in live and m.code not in codes]
            draft = old.draft
            if old.status == "draft":
                draft = replace(
                    draft,
                    markers=draft.markers + new_markers,
                    categories=tuple(dict.fromkeys(codes)),
                )
                self._repo().update_draft(incident_id, draft, now_iso())
            new = self.get(incident_id)
            self._audit(
                "incident.recording_attach", new,
                {"recording": rid, "markers": [m.__dict__ for m in new_markers]},
            )  # fmt: skip
        return new

    def keep_routine(self, manifest: Any, markers: builtins.list[Marker]) -> None:
        """A recording kept without an incident: say so in the chain (it is subject to
        retention), with the notes typed on its markers."""
        rid = _recording_id(manifest)
        self._audit_log().append(
            self._actor(), "recording.routine", f"recording:{rid}",
            {"markers": [m.__dict__ for m in markers]},
        )  # fmt: skip

    def _link(self, incident_id: str, recording_id: str) -> bool:
        """Link inside the caller's transaction; False if it was linked to this incident
        already. Never moves a recording from another incident."""
        repo = self._repo()
        try:
            current = repo.linked_incident(recording_id)
        except LookupError:
            raise RecordingNotFound(recording_id) from None
        if current == incident_id:
            return False
        if current is not None:
            raise RecordingInOtherIncident(recording_id, other=current)
        repo.link_recording(incident_id, recording_id)
        return True

    # --- attachments -----------------------------------------------------------------------
    def add_url_attachment(self, incident_id: str, url: str, note: str = "") -> Attachment:
        url = url.strip()
        p = urlparse(url)
        if p.scheme not in ("http", "https") or not p.netloc:
            raise NotAWebAddress(url)
        att = Attachment(
            id=secrets.token_hex(8), kind="url", name=url, added_at=now_iso(),
            added_by=self._actor(), url=url, note=note,
        )  # fmt: skip
        return self._add_attachment(incident_id, att)

    def add_file_attachment(self, incident_id: str, path: Path, note: str = "") -> Attachment:
        """Seal the file into the vault for the organisation recipients, like a recording."""
        path = Path(path)
        if not path.is_file():
            raise AttachmentMissing(str(path), name=path.name)
        size = path.stat().st_size
        if size > MAX_ATTACHMENT_BYTES:
            raise AttachmentTooLarge(str(path), name=path.name, limit=MAX_ATTACHMENT_BYTES // 2**20)
        self.get(incident_id)
        recipients = self._identity.recipients  # NotSetUp when there are none
        att_id = secrets.token_hex(8)
        self._vault.attachments.mkdir(parents=True, exist_ok=True, mode=0o700)
        sealed = self._vault.attachment(att_id)
        try:  # half a file is no attachment: the vault removes it
            result = self._vault.seal_file(path, sealed, recipients)
        except OSError as e:  # gone or unreadable while it was being sealed
            if isinstance(e, FileNotFoundError):
                raise AttachmentMissing(str(path), name=path.name) from e
            raise AttachmentUnreadable(e.strerror or type(e).__name__, name=path.name) from e
        att = Attachment(
            id=att_id, kind="file", name=path.name, added_at=now_iso(), added_by=self._actor(),
            media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
            size=result.pcm_bytes, sha256=result.pcm_sha256, sealed_sha256=result.sealed_sha256,
            sealed_path=str(sealed.relative_to(self._paths.root)), note=note,
        )  # fmt: skip
        return self._add_attachment(incident_id, att)

    def _add_attachment(self, incident_id: str, att: Attachment) -> Attachment:
        with self._db.transaction():
            before = self.get(incident_id)
            if before.status != "draft":  # evidence that came after the form was handed in
                att = replace(att, after_submit=True)
            self._repo().add_attachment(incident_id, att)
            new = self.get(incident_id)
            data: dict[str, Any] = {"attachment": att.__dict__, "incident_status": before.status}
            self._audit("incident.attachment_add", new, data)
        return att

    # --- autosaved drafts ----------------------------------------------------------------------
    def autosave(self, incident_id: str, draft: IncidentDraft) -> None:
        self.drafts.save(incident_id, draft)

    def load_autosave(self, incident_id: str) -> IncidentDraft | None:
        return self.drafts.load(incident_id)

    def discard_autosave(self, incident_id: str) -> None:
        self.drafts.discard(incident_id)

    # --- checks ----------------------------------------------------------------------------
    def _check_codes(self, draft: IncidentDraft) -> None:
        """Unknown codes are refused even in a draft: codes are what statistics count."""
        bad = [i for i in self.validate(draft) if i.kind is IssueKind.UNKNOWN_CODE]
        if bad:
            raise UsageError("; ".join(i.text.en for i in bad))


def restrict_to_role(q: IncidentQuery, roles: Roles) -> IncidentQuery:
    """The query as the current role may run it: a supervisor's departments only, whatever
    the filter asks. Other roles unchanged."""
    role = roles.current()
    if not role.configured or role.code != "supervisor":
        return q
    return replace(q, within_departments=role.departments)


def _recording_id(manifest: Any) -> str:
    rid = getattr(manifest, "id", None) or getattr(manifest, "recording_id", None)
    if not rid:
        raise UsageError("recording has no id")
    return str(rid)


def _iso(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone().replace(microsecond=0).isoformat()
    return str(value or "")
