"""The incident list's question and its answer: a frozen ``IncidentQuery`` (search text and
filters, a sort, a page) and an ``IncidentPage`` of light ``IncidentRow``s with the total count.

The embedded store answers it in SQL (``sqlite_page``, SQL with parameters only; the
indexes are migration 6); the central store answers the same filters over the latest version
of each incident (``central/incident_search.py``, with the filters as plain values).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# Columns the list may be sorted by (a header click), to their SQL on the incidents table.
SORT_COLUMNS: dict[str, str] = {
    "occurred_at": "i.occurred_at",
    "id": "i.id",
    "status": "i.status",
    "department": "i.department",
    "location": "i.location",
    "duration": "i.duration_seconds",
    "legal_hold": "i.legal_hold",
    "recordings": "recordings",
}
TITLE_CHARS = 40
LIMIT_SECONDS = 3600  # §4(1): an hour, unless the profile says otherwise


@dataclass(frozen=True)
class IncidentQuery:
    text: str = ""  # over id, demand, narrative, location detail, party description
    statuses: tuple[str, ...] = ()  # any of; empty: every status
    categories: tuple[str, ...] = ()  # any of (conduct or validity codes)
    departments: tuple[str, ...] = ()  # any of
    channels: tuple[str, ...] = ()  # location codes: counter, phone, meeting_room, other
    occurred_from: str = ""  # YYYY-MM-DD, inclusive, on occurred_at's own (local) date
    occurred_to: str = ""  # YYYY-MM-DD, inclusive
    over_limit: bool | None = None  # duration over ``limit_seconds`` (§4(1))
    limit_seconds: int = LIMIT_SECONDS
    legal_hold: bool | None = None
    # The role's restriction (a supervisor's departments), whatever the filter asks; None: none.
    within_departments: tuple[str, ...] | None = None
    sort: str = "occurred_at"
    descending: bool = True
    offset: int = 0
    limit: int = 100

    def __post_init__(self) -> None:
        if self.sort not in SORT_COLUMNS:
            raise ValueError(f"sort must be one of {', '.join(SORT_COLUMNS)}")
        if self.offset < 0 or not 0 < self.limit <= 10_000:
            raise ValueError("offset must be ≥ 0 and limit 1…10000")

    def page(self, offset: int) -> IncidentQuery:
        from dataclasses import replace

        return replace(self, offset=offset)


@dataclass(frozen=True)
class IncidentRow:
    """One line of the list: enough to show and to open, nothing more."""

    id: str
    occurred_at: str
    status: str
    department: str
    location: str
    categories: tuple[str, ...]
    duration_seconds: int | None
    legal_hold: bool
    recordings: int
    title: str  # the demand's (else the narrative's) first words
    workstation: str = ""  # the PC that made it (central store only)


@dataclass(frozen=True)
class IncidentPage:
    rows: tuple[IncidentRow, ...]
    total: int  # every incident the filters match, not only this page's
    query: IncidentQuery


def title_of(demand: str, narrative: str, detail: str = "") -> str:
    text = " ".join((demand or narrative or detail or "").split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"


def like_pattern(text: str) -> str:
    """``text`` anywhere, with LIKE's own characters taken literally (ESCAPE '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def day_after(day: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def sqlite_where(q: IncidentQuery) -> tuple[str, list[Any]]:
    """The WHERE clause over ``incidents i`` and its parameters."""
    conds: list[str] = []
    params: list[Any] = []
    if q.text.strip():
        pat = like_pattern(q.text.strip())
        cols = ("i.id", "i.demand", "i.narrative", "i.location_detail", "i.party_description")
        conds.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in cols) + ")")
        params += [pat] * len(cols)
    for column, values in (("i.status", q.statuses), ("i.department", q.departments),
                           ("i.location", q.channels)):  # fmt: skip
        if values:
            conds.append(f"{column} IN ({_marks(values)})")
            params += list(values)
    if q.within_departments is not None:
        if not q.within_departments:
            conds.append("0")
        else:
            conds.append(f"i.department IN ({_marks(q.within_departments)})")
            params += list(q.within_departments)
    if q.categories:
        conds.append(
            "EXISTS (SELECT 1 FROM incident_categories c WHERE c.incident_id = i.id"
            f" AND c.code IN ({_marks(q.categories)}))"
        )
        params += list(q.categories)
    if q.occurred_from:
        conds.append("i.occurred_at >= ?")
        params.append(q.occurred_from)
    if q.occurred_to:
        conds.append("i.occurred_at < ?")
        params.append(day_after(q.occurred_to))
    if q.over_limit is not None:
        op = ">" if q.over_limit else "<="
        conds.append(f"COALESCE(i.duration_seconds, 0) {op} ?")
        params.append(q.limit_seconds)
    if q.legal_hold is not None:
        conds.append("i.legal_hold = ?")
        params.append(int(q.legal_hold))
    return (" WHERE " + " AND ".join(conds)) if conds else "", params


def sqlite_departments(query: Callable[[str, Sequence[Any]], list[sqlite3.Row]]) -> list[str]:
    """Every department named on an incident, for the filter's list."""
    rows = query("SELECT DISTINCT department FROM incidents WHERE department <> ''"
                 " ORDER BY department", ())  # fmt: skip
    return [str(r[0]) for r in rows]


_RECORDINGS = "(SELECT count(*) FROM recordings r WHERE r.incident_id = i.id)"


def sqlite_page(
    query: Callable[[str, Sequence[Any]], list[sqlite3.Row]], q: IncidentQuery
) -> IncidentPage:
    """Answer ``q`` with two statements over the same WHERE: the count, then the page."""
    where, params = sqlite_where(q)
    total = int(query(f"SELECT count(*) FROM incidents i{where}", params)[0][0])
    direction = "DESC" if q.descending else "ASC"
    then = "" if q.sort == "occurred_at" else f", i.occurred_at {direction}"
    order = f"{SORT_COLUMNS[q.sort]} {direction}{then}, i.id {direction}"
    rows = query(
        "SELECT i.id, i.occurred_at, i.status, i.department, i.location, i.duration_seconds,"
        " i.legal_hold, i.demand, i.narrative, i.location_detail,"
        f" {_RECORDINGS} AS recordings,"
        " (SELECT group_concat(code, ' ') FROM incident_categories c"
        "  WHERE c.incident_id = i.id AND c.kind = 'conduct') AS categories"
        f" FROM incidents i{where} ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, q.limit, q.offset],
    )
    return IncidentPage(
        rows=tuple(
            IncidentRow(
                id=r["id"],
                occurred_at=r["occurred_at"],
                status=r["status"],
                department=r["department"],
                location=r["location"],
                categories=tuple((r["categories"] or "").split()),
                duration_seconds=r["duration_seconds"],
                legal_hold=bool(r["legal_hold"]),
                recordings=int(r["recordings"]),
                title=title_of(r["demand"], r["narrative"], r["location_detail"]),
            )  # fmt: skip
            for r in rows
        ),
        total=total,
        query=q,
    )
