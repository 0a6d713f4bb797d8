"""The form's dates and times: the draft's ISO 8601 text (with its offset) and Qt's local
QDateTime, to the second."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from PySide6.QtCore import QDateTime


def to_qdatetime(iso: str) -> QDateTime:
    """Local time for a date field; an empty or unreadable value is now."""
    try:
        t = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return QDateTime.currentDateTime()
    if t.tzinfo is not None:
        t = t.astimezone().replace(tzinfo=None)
    return QDateTime(t)  # type: ignore[call-overload]  # PySide6 takes a datetime; not its stubs


def to_iso(q: QDateTime) -> str:
    t = cast(datetime, q.toPython())  # a QDateTime converts to a datetime
    return t.replace(microsecond=0).astimezone().isoformat()
