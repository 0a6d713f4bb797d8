"""The incident as every layer sees it: frozen dataclasses and their JSON form (incident.json).

The JSON form is documented in docs/schema/incident.schema.json; codes (statuses, locations,
categories, responses) are stable identifiers, labels are for people only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, TypeVar

# The codes live in incident_codes (the CLI reads them without this module); named here too, as
# every layer that holds an incident also needs them.
# Re-exported: the codes are part of the incident model (their home is importable cheaply).
from kasuhara_recorder.store.incident_codes import LOCATIONS as LOCATIONS
from kasuhara_recorder.store.incident_codes import STATUSES as STATUSES
from kasuhara_recorder.store.incident_codes import TRANSITIONS as TRANSITIONS

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class StaffMember:
    name: str
    role: str = ""


@dataclass(frozen=True)
class OtherParty:
    name: str = ""  # only if known
    description: str = ""  # appearance, age range, relation to the service


@dataclass(frozen=True)
class ResponseAction:
    """A §4 response: what was done, when (ISO 8601 with offset) and by whom."""

    code: str
    at: str = ""
    by: str = ""
    note: str = ""


@dataclass(frozen=True)
class Marker:
    """A live tag: a category stamped at an offset into a recording, with a note."""

    code: str
    offset_ms: int
    note: str = ""
    who: str = ""
    recording_id: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file sealed into the vault like a recording, or a URL (e.g. an SNS post)."""

    id: str
    kind: str  # "file" | "url"
    name: str
    added_at: str
    added_by: str
    url: str = ""
    media_type: str = ""
    size: int = 0
    sha256: str = ""  # of the original file
    sealed_sha256: str = ""
    sealed_path: str = ""  # relative to the data folder
    note: str = ""
    # Added once the form was submitted (a later SNS post, a letter): the form, the chain and
    # the report say so, with when and by whom, so it never looks handed in with the form.
    after_submit: bool = False


@dataclass(frozen=True)
class IncidentDraft:
    """Everything a person types into the form; autosaved as it is typed."""

    occurred_at: str = ""
    duration_seconds: int | None = None
    location: str = ""
    at_office: bool = True
    location_detail: str = ""
    department: str = ""
    staff: tuple[StaffMember, ...] = ()
    other_party: OtherParty = field(default_factory=OtherParty)
    demand: str = ""
    validity: tuple[str, ...] = ()
    validity_note: str = ""
    categories: tuple[str, ...] = ()
    narrative: str = ""
    responses: tuple[ResponseAction, ...] = ()
    injuries: str = ""
    recorded_from_start: bool = False
    markers: tuple[Marker, ...] = ()

    def with_changes(self, **changes: Any) -> IncidentDraft:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("staff", "validity", "categories", "responses", "markers"):
            d[k] = list(d[k])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> IncidentDraft:
        """Tolerates unknown keys (newer files) and missing ones (older files)."""
        if not isinstance(d, dict):
            raise ValueError("incident draft must be a JSON object")
        known = {f.name for f in fields(cls)}
        d = {k: v for k, v in d.items() if k in known}
        if "staff" in d:
            d["staff"] = tuple(_make(StaffMember, s) for s in d["staff"] or ())
        if "other_party" in d:
            d["other_party"] = _make(OtherParty, d["other_party"] or {})
        if "responses" in d:
            d["responses"] = tuple(_make(ResponseAction, r) for r in d["responses"] or ())
        if "markers" in d:
            d["markers"] = tuple(_make(Marker, m) for m in d["markers"] or ())
        for k in ("validity", "categories"):
            if k in d:
                d[k] = tuple(str(c) for c in d[k] or ())
        for k in ("at_office", "recorded_from_start"):
            if k in d:
                d[k] = bool(d[k])
        if d.get("duration_seconds") is not None:
            d["duration_seconds"] = int(d["duration_seconds"])
        for k, v in list(d.items()):
            f = cls.__dataclass_fields__[k]
            if f.type == "str" and not isinstance(v, str):
                raise ValueError(f"{k} must be a string")
        return cls(**d)


def with_attached_markers(draft: IncidentDraft, stored: IncidentDraft) -> IncidentDraft:
    """The draft a person is editing (on the screen, or restored from an autosave) with what the
    store gained meanwhile: the markers attached since (a recording's tags, brought in by the
    after-stop choice or 録音を追加…) are added, and the categories the store ticked for them are
    ticked. Everything else stays as the person has it: typing wins, an edited marker note stays,
    and no marker is ever removed. A marker is the same marker by its category, offset and
    recording (its note and who may differ)."""
    have = {_marker_key(m) for m in draft.markers}
    added = tuple(m for m in stored.markers if _marker_key(m) not in have)
    if not added:
        return draft
    codes = {m.code for m in added}
    ticked = tuple(c for c in stored.categories if c in codes)
    return replace(
        draft,
        markers=draft.markers + added,
        categories=tuple(dict.fromkeys(draft.categories + ticked)),
    )


def _marker_key(m: Marker) -> tuple[str, int, str]:
    return (m.code, m.offset_ms, m.recording_id)


if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_D = TypeVar("_D", bound="DataclassInstance")


def _make(cls: type[_D], d: Any) -> _D:
    if not isinstance(d, dict):
        raise ValueError(f"{cls.__name__} must be a JSON object")
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True)
class Incident:
    id: str
    status: str
    draft: IncidentDraft
    created_at: str
    created_by: str
    updated_at: str
    legal_hold: bool = False
    submitted_at: str = ""
    recordings: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    profile_id: str = ""
    profile_version: int = 0

    def to_json_dict(self) -> dict[str, Any]:
        """The incident.json object (see docs/schema/incident.schema.json)."""
        return {
            "schema": "kasuhara-recorder/incident",
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "status": self.status,
            "legal_hold": self.legal_hold,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "updated_at": self.updated_at,
            "submitted_at": self.submitted_at,
            "profile": {"id": self.profile_id, "version": self.profile_version},
            **self.draft.to_dict(),
            "recordings": list(self.recordings),
            "attachments": [asdict(a) for a in self.attachments],
        }

    @classmethod
    def from_json_dict(cls, d: dict[str, Any]) -> Incident:
        """The incident from its incident.json object (``to_json_dict``), as the central store
        keeps each version of it: ``from_json_dict(i.to_json_dict()) == i``."""
        if not isinstance(d, dict) or d.get("schema") != "kasuhara-recorder/incident":
            raise ValueError("not an incident.json object")
        profile = d.get("profile") or {}
        return cls(
            id=str(d["id"]),
            status=str(d["status"]),
            draft=IncidentDraft.from_dict(d),
            created_at=str(d["created_at"]),
            created_by=str(d["created_by"]),
            updated_at=str(d["updated_at"]),
            legal_hold=bool(d.get("legal_hold", False)),
            submitted_at=str(d.get("submitted_at", "")),
            recordings=tuple(str(r) for r in d.get("recordings", ())),
            attachments=tuple(_make(Attachment, a) for a in d.get("attachments", ())),
            profile_id=str(profile.get("id", "")),
            profile_version=int(profile.get("version", 0)),
        )
