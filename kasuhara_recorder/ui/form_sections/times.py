"""The form's dates and times: the draft's ISO 8601 text (with its offset) and Qt's local
QDateTime, to the second."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime


def to_qdatetime(iso: str) -> QDateTime:
    """Local time for a date field; an empty or unreadable value is now."""
    try:
        t = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return QDateTime.currentDateTime()
    if t.tzinfo is not None:
        t = t.astimezone().replace(tzinfo=None)
    return QDateTime(t)


def to_iso(q: QDateTime) -> str:
    return q.toPython().replace(microsecond=0).astimezone().isoformat()
