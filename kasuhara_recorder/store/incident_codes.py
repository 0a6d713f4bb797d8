"""Stable codes of an incident's status and place, with their Japanese and English labels.

Apart from ``incident_model`` so the CLI can offer them as choices without building the model's
dataclasses at every launch."""

from __future__ import annotations

# Stable status codes; the Japanese words are what staff see.
STATUSES: dict[str, tuple[str, str]] = {
    "draft": ("下書き", "Draft"),
    "submitted": ("提出済", "Submitted"),
    "reviewed": ("確認済", "Reviewed"),
    "referred": ("照会中", "Referred (police/counsel)"),
    "closed": ("完了", "Closed"),
}
# Which status may follow which; a closed incident is reopened to reviewed, never deleted.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("submitted",),
    "submitted": ("reviewed", "draft"),
    "reviewed": ("referred", "closed", "submitted"),
    "referred": ("closed", "reviewed"),
    "closed": ("reviewed",),
}
LOCATIONS: dict[str, tuple[str, str]] = {
    "counter": ("窓口", "Counter"),
    "phone": ("電話", "Phone"),
    "meeting_room": ("面談室・会議室", "Meeting room"),
    "other": ("その他", "Other"),
}
