"""The statistics of the policy review over the central store: the latest version of each
incident (``incident_versions``, canonical JSON of incident.json), as the login may read them
(row-level security: an officer every PC's, a supervisor its departments'), counted by the
server in one query (jsonb) so 100,000 incidents take well under a second.

The rows have the shape of ``store/statistics.py``'s (that module lists the dimensions), so the
app builds one result from either store. The time of a referral is the ``updated_at`` of the
first version whose status is ``referred``: a status change sets it, and a supervisor cannot
read the audit chains (only an officer can); it is later than the change only when the incident
changed again before the sync that carried it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

Rows = Callable[[str, Iterable[Any]], list[tuple[Any, ...]]]


def _where(since: str, until: str, departments: Sequence[str]) -> tuple[str, list[Any]]:
    where = ["status <> 'draft'"]
    params: list[Any] = []
    if since:
        where.append("occurred_at >= %s")
        params.append(since)
    if until:
        where.append("occurred_at < %s")
        params.append(until)
    if departments:
        where.append("department = ANY(%s)")
        params.append(list(departments))
    return " AND ".join(where), params


_LATEST = """
    latest AS MATERIALIZED (
        SELECT DISTINCT ON (incident_id) incident_id, status, department, occurred_at, body_json
        FROM incident_versions ORDER BY incident_id, version DESC
    ),
    sel AS MATERIALIZED (
        SELECT incident_id AS id, department, occurred_at, b ->> 'location' AS location,
               (b ->> 'duration_seconds')::bigint AS duration,
               jsonb_array_length(COALESCE(b -> 'staff', '[]')) AS staff,
               COALESCE(b -> 'validity', '[]') || COALESCE(b -> 'categories', '[]') AS codes,
               COALESCE(b -> 'responses', '[]') AS responses
        FROM (SELECT incident_id, department, occurred_at, body_json::jsonb AS b FROM latest
              WHERE {where}) x
    )
"""


def counts(
    rows: Rows, since: str, until: str, departments: Sequence[str], limit_seconds: int,
    min_staff_meeting: int,
) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, str]]]:  # fmt: skip
    """(dimension, key, count) rows and (incident id, occurred_at, first referred at) rows."""
    where, params = _where(since, until, departments)
    sql = "WITH " + _LATEST.format(where=where) + _COUNTS
    found = rows(sql, (*params, limit_seconds, min_staff_meeting))
    referral_sql = "WITH " + _LATEST.format(where=where) + _REFERRED
    referred = rows(referral_sql, params)
    return (
        [(str(d), str(k or ""), int(n)) for d, k, n in found],
        [(str(i), str(o), str(t)) for i, o, t in referred],
    )


_COUNTS = """
    SELECT 'total', '', count(*) FROM sel
    UNION ALL SELECT 'month', substr(occurred_at, 1, 7), count(*) FROM sel GROUP BY 2
    UNION ALL SELECT 'department', department, count(*) FROM sel GROUP BY 2
    UNION ALL SELECT 'channel', COALESCE(location, ''), count(*) FROM sel GROUP BY 2
    UNION ALL SELECT 'category', c.code, count(*) FROM sel,
        LATERAL (SELECT DISTINCT x AS code FROM jsonb_array_elements_text(sel.codes) x) c
        GROUP BY 2
    UNION ALL SELECT 'response', r.code, count(*) FROM sel,
        LATERAL (SELECT DISTINCT x ->> 'code' AS code FROM jsonb_array_elements(sel.responses) x) r
        GROUP BY 2
    UNION ALL SELECT 'with_duration', '', count(*) FROM sel WHERE duration IS NOT NULL
    UNION ALL SELECT 'over_limit', '', count(*) FROM sel WHERE duration > %s
    UNION ALL SELECT 'meetings', '', count(*) FROM sel WHERE location = 'meeting_room'
    UNION ALL SELECT 'meetings_understaffed', '', count(*) FROM sel
        WHERE location = 'meeting_room' AND staff < %s
"""
_REFERRED = """,
    referred AS (
        SELECT DISTINCT ON (incident_id) incident_id, body_json::jsonb ->> 'updated_at' AS at
        FROM incident_versions WHERE status = 'referred' ORDER BY incident_id, version
    )
    SELECT sel.id, sel.occurred_at, referred.at
    FROM sel JOIN referred ON referred.incident_id = sel.id
"""


__all__ = ["counts"]
