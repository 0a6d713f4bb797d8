"""Stable codes of an incident's status and place, with their Japanese and English labels.

Apart from ``incident_model`` so the CLI can offer them as choices without building the model's
dataclasses at every launch."""

from __future__ import annotations

from kasuhara_recorder.text import Text

# Stable status codes; the Japanese words are what staff see.
STATUSES: dict[str, Text] = {
    "draft": Text("下書き", "Draft"),
    "submitted": Text("提出済", "Submitted"),
    "reviewed": Text("確認済", "Reviewed"),
    "referred": Text("照会中", "Referred (police/counsel)"),
    "closed": Text("完了", "Closed"),
}
# Which status may follow which; a closed incident is reopened to reviewed, never deleted.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("submitted",),
    "submitted": ("reviewed", "draft"),
    "reviewed": ("referred", "closed", "submitted"),
    "referred": ("closed", "reviewed"),
    "closed": ("reviewed",),
}
LOCATIONS: dict[str, Text] = {
    "counter": Text("窓口", "Counter"),
    "phone": Text("電話", "Phone"),
    "meeting_room": Text("面談室・会議室", "Meeting room"),
    "other": Text("その他", "Other"),
}
