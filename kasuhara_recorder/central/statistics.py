"""The statistics of the policy review over the central store: the latest version of each
incident (``incident_versions``, canonical JSON of incident.json), as the login may read them
(row-level security: an officer every PC's, a supervisor its departments'), counted by the
server from the columns it generated from each version's body when it arrived (schema.py,
migration 4), so no body is parsed at query time.

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
    where = ["v.status <> 'draft'"]
    params: list[Any] = []
    if since:
        where.append("v.occurred_at >= %s")
        params.append(since)
    if until:
        where.append("v.occurred_at < %s")
        params.append(until)
    if departments:
        where.append("v.department = ANY(%s)")
        params.append(list(departments))
    return " AND ".join(where), params


_SQL = """
WITH sel AS MATERIALIZED (                  -- the latest version of each incident, counted
    SELECT v.incident_id AS id, v.department, v.occurred_at, v.st_location AS location,
           v.st_duration AS duration, v.st_staff AS staff, v.st_codes AS codes,
           v.st_responses AS responses
    FROM incident_versions v
    WHERE NOT EXISTS (SELECT 1 FROM incident_versions w
                      WHERE w.incident_id = v.incident_id AND w.version > v.version)
      AND {where}
),
referred AS (
    SELECT DISTINCT ON (incident_id) incident_id, st_updated_at AS at
    FROM incident_versions WHERE status = 'referred' ORDER BY incident_id, version
),
code_sets AS (SELECT codes, count(*) AS n FROM sel GROUP BY codes),
response_sets AS (SELECT responses, count(*) AS n FROM sel GROUP BY responses)
SELECT 'totals', '', count(*), concat_ws(',',
           count(*) FILTER (WHERE duration IS NOT NULL), count(*) FILTER (WHERE duration > %s),
           count(*) FILTER (WHERE location = 'meeting_room'),
           count(*) FILTER (WHERE location = 'meeting_room' AND staff < %s)) FROM sel
UNION ALL SELECT 'month', substr(occurred_at, 1, 7), count(*), '' FROM sel GROUP BY 2
UNION ALL SELECT 'department', department, count(*), '' FROM sel GROUP BY 2
UNION ALL SELECT 'channel', location, count(*), '' FROM sel GROUP BY 2
UNION ALL SELECT 'category', c, sum(n), '' FROM code_sets, unnest(codes) c GROUP BY 2
UNION ALL SELECT 'response', r, sum(n), '' FROM response_sets, unnest(responses) r GROUP BY 2
UNION ALL SELECT 'referral', sel.id || chr(31) || sel.occurred_at, 1, referred.at
    FROM sel JOIN referred ON referred.incident_id = sel.id
"""


def counts(
    rows: Rows, since: str, until: str, departments: Sequence[str], limit_seconds: int,
    min_staff_meeting: int,
) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, str]]]:  # fmt: skip
    """(dimension, key, count) rows and (incident id, occurred_at, first referred at) rows,
    from one statement (one pass over the latest versions)."""
    where, params = _where(since, until, departments)
    found = rows(_SQL.format(where=where), (*params, limit_seconds, min_staff_meeting))
    counted, referred = [], []
    for d, k, n, at in found:
        if d == "totals":  # one pass: the total and the §4 counts beside it
            counted.append(("total", "", int(n)))
            names = ("with_duration", "over_limit", "meetings", "meetings_understaffed")
            counted += [(name, "", int(x)) for name, x in zip(names, str(at).split(","),
                                                                strict=True)]  # fmt: skip
        elif d == "referral":
            iid, occurred = str(k).split("\x1f", 1)
            referred.append((iid, occurred, str(at)))
        else:
            counted.append((str(d), str(k or ""), int(n)))
    return counted, referred


__all__ = ["counts"]
