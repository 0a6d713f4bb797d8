"""The incident list over the central store: the latest version of each incident, filtered,
counted, sorted and paged in SQL. Row-level security (central/schema.py) already keeps a
supervisor's login to its departments' incidents and a counter's to its own PC's.

The filters come as plain values (``IncidentFilters``): central/ sits beside store/ and knows
nothing of the app's query type; ``app/`` maps one to the other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_LATEST = (
    "SELECT DISTINCT ON (incident_id) incident_id, workstation, status, department, legal_hold,"
    " occurred_at, body_json::jsonb AS b FROM incident_versions"
    " ORDER BY incident_id, version DESC"
)
SORT_COLUMNS: dict[str, str] = {
    "occurred_at": "l.occurred_at",
    "id": "l.incident_id",
    "status": "l.status",
    "department": "l.department",
    "location": "(l.b ->> 'location')",
    "duration": "((l.b ->> 'duration_seconds')::integer)",
    "legal_hold": "l.legal_hold",
    "recordings": "jsonb_array_length(l.b -> 'recordings')",
}
_TEXT = ("demand", "narrative", "location_detail")


@dataclass(frozen=True)
class IncidentFilters:
    text: str = ""
    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    within_departments: tuple[str, ...] | None = None
    channels: tuple[str, ...] = ()
    occurred_from: str = ""  # YYYY-MM-DD inclusive
    occurred_before: str = ""  # YYYY-MM-DD exclusive
    over_limit: bool | None = None
    limit_seconds: int = 3600
    legal_hold: bool | None = None
    sort: str = "occurred_at"
    descending: bool = True
    offset: int = 0
    limit: int = 100


@dataclass(frozen=True)
class CentralIncidentRow:
    id: str
    workstation: str  # the name of the PC that made it
    body: dict[str, Any]  # the incident.json object of its latest version


def _where(f: IncidentFilters) -> tuple[str, list[Any]]:
    conds: list[str] = []
    params: list[Any] = []
    if f.text.strip():
        escaped = f.text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pat = f"%{escaped}%"
        cols = ["l.incident_id"] + [f"(l.b ->> '{c}')" for c in _TEXT]
        cols.append("(l.b -> 'other_party' ->> 'description')")
        conds.append("(" + " OR ".join(f"{c} ILIKE %s" for c in cols) + ")")
        params += [pat] * len(cols)
    for column, values in (("l.status", f.statuses), ("l.department", f.departments),
                           ("(l.b ->> 'location')", f.channels)):  # fmt: skip
        if values:
            conds.append(f"{column} = ANY(%s)")
            params.append(list(values))
    if f.within_departments is not None:
        conds.append("l.department = ANY(%s)")
        params.append(list(f.within_departments))
    if f.categories:
        conds.append("((l.b -> 'categories') ?| %s OR (l.b -> 'validity') ?| %s)")
        params += [list(f.categories), list(f.categories)]
    if f.occurred_from:
        conds.append("l.occurred_at >= %s")
        params.append(f.occurred_from)
    if f.occurred_before:
        conds.append("l.occurred_at < %s")
        params.append(f.occurred_before)
    if f.over_limit is not None:
        op = ">" if f.over_limit else "<="
        conds.append(f"COALESCE((l.b ->> 'duration_seconds')::integer, 0) {op} %s")
        params.append(f.limit_seconds)
    if f.legal_hold is not None:
        conds.append("l.legal_hold = %s")
        params.append(f.legal_hold)
    return (" WHERE " + " AND ".join(conds)) if conds else "", params


def search(rows: Any, f: IncidentFilters) -> tuple[list[CentralIncidentRow], int]:
    """(this page's rows, the total matched); ``rows(sql, params)`` runs a query."""
    if f.sort not in SORT_COLUMNS:
        raise ValueError(f"sort must be one of {', '.join(SORT_COLUMNS)}")
    where, params = _where(f)
    total = int(rows(f"WITH l AS ({_LATEST}) SELECT count(*) FROM l{where}", params)[0][0])
    d = "DESC" if f.descending else "ASC"
    order = f"{SORT_COLUMNS[f.sort]} {d} NULLS LAST, l.occurred_at {d}, l.incident_id {d}"
    page = rows(
        f"WITH l AS ({_LATEST}) SELECT l.incident_id, COALESCE(w.name, l.workstation),"
        f" l.b::text FROM l LEFT JOIN workstations w ON w.fingerprint = l.workstation{where}"
        f" ORDER BY {order} LIMIT %s OFFSET %s",
        [*params, f.limit, f.offset],
    )
    return [CentralIncidentRow(r[0], r[1], json.loads(r[2])) for r in page], total
