"""The statistics of the policy review (§5) and the incident list for HR, as SQL over the
embedded SQLite store: counts by dimension, in one query, and the referral times.

What counts: every incident but a draft (a form not yet handed in is no incident yet), whose
``occurred_at`` (ISO 8601, the office's local date first) falls in ``[since, until)``; an empty
bound is open. The rows are plain ``(dimension, key, count)`` tuples, the same shape as
``central/statistics.py`` gives for the central store, so ``app/statistics.py`` builds one
result from either; the dimensions are listed in ``DIMENSIONS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kasuhara_recorder.store.database import Database

CountRow = tuple[str, str, int]  # (dimension, key, count)
ReferralRow = tuple[str, str, str]  # (incident id, occurred_at, first referred at)

# total, month (YYYY-MM), department, channel (location code), category (code, every §3 kind),
# response (code; incidents that have it), with_duration, over_limit (§4(1)), meetings,
# meetings_understaffed (§4(2)); the referrals come as ReferralRow.
DIMENSIONS = (
    "total", "month", "department", "channel", "category", "response", "with_duration",
    "over_limit", "meetings", "meetings_understaffed",
)  # fmt: skip


def period_where(
    since: str,
    until: str,
    departments: Sequence[str],
    column: str = "occurred_at",
    department: str = "department",
    status: str = "status",
    mark: str = "?",
) -> tuple[str, list[Any]]:
    """The WHERE clause of the period and departments (SQL with ``mark`` placeholders)."""
    where = [f"{status} <> 'draft'"]
    params: list[Any] = []
    if since:
        where.append(f"{column} >= {mark}")
        params.append(since)
    if until:
        where.append(f"{column} < {mark}")
        params.append(until)
    if departments:
        where.append(f"{department} IN ({', '.join(mark for _ in departments)})")
        params.extend(departments)
    return " AND ".join(where), params


class StatisticsQueries:
    """Read-only queries over the incident tables (store/migrations.py, migration 2)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def counts(
        self, since: str, until: str, departments: Sequence[str], limit_seconds: int,
        min_staff_meeting: int,
    ) -> tuple[list[CountRow], list[ReferralRow]]:  # fmt: skip
        """The counts, and each incident of the period that was ever referred (police,
        counsel) with the time of its first move to ``referred``: the audit chain's
        ``incident.status`` entry, signed when the status changed (the incident row keeps only
        its last change). One statement: the selection is read once."""
        where, params = period_where(since, until, departments)
        sql = f"""
        WITH sel AS MATERIALIZED (
            SELECT id, occurred_at, department, location, duration_seconds FROM incidents
            WHERE {where}
        ),
        referred AS MATERIALIZED (
            SELECT id, occurred_at, (
                SELECT min(a.time) FROM audit_log a
                WHERE a.subject = 'incident:' || sel.id AND a.event = 'incident.status'
                    AND json_extract(a.data_json, '$.to') = 'referred'
            ) AS at FROM sel
        )
        SELECT 'total', '', count(*), '' FROM sel
        UNION ALL SELECT 'month', substr(occurred_at, 1, 7), count(*), '' FROM sel GROUP BY 2
        UNION ALL SELECT 'department', department, count(*), '' FROM sel GROUP BY 2
        UNION ALL SELECT 'channel', location, count(*), '' FROM sel GROUP BY 2
        UNION ALL SELECT 'category', code, count(*), '' FROM incident_categories
            WHERE incident_id IN (SELECT id FROM sel) GROUP BY 2
        UNION ALL SELECT 'response', code, count(*), '' FROM (
            SELECT DISTINCT incident_id, code FROM incident_responses
            WHERE incident_id IN (SELECT id FROM sel)) GROUP BY 2
        UNION ALL SELECT 'with_duration', '', count(*), '' FROM sel
            WHERE duration_seconds IS NOT NULL
        UNION ALL SELECT 'over_limit', '', count(*), '' FROM sel WHERE duration_seconds > ?
        UNION ALL SELECT 'meetings', '', count(*), '' FROM sel WHERE location = 'meeting_room'
        UNION ALL SELECT 'meetings_understaffed', '', count(*), '' FROM sel
            WHERE location = 'meeting_room' AND (SELECT count(*) FROM incident_staff s
                                                 WHERE s.incident_id = sel.id) < ?
        UNION ALL SELECT 'referral', id, 1, occurred_at || char(31) || at FROM referred
            WHERE at IS NOT NULL
        """
        counted: list[CountRow] = []
        referred: list[ReferralRow] = []
        for d, k, n, extra in self.db.query(sql, (*params, limit_seconds, min_staff_meeting)):
            if d == "referral":
                occurred, at = str(extra).split("\x1f", 1)
                referred.append((str(k), occurred, at))
            else:
                counted.append((str(d), str(k), int(n)))
        return counted, referred

    def incident_ids(self, since: str, until: str, departments: Sequence[str]) -> list[str]:
        """The incidents of the period, in the order they occurred (the incident list)."""
        where, params = period_where(since, until, departments)
        sql = f"SELECT id FROM incidents WHERE {where} ORDER BY occurred_at, created_at, id"
        return [str(r[0]) for r in self.db.query(sql, params)]


__all__ = ["DIMENSIONS", "CountRow", "ReferralRow", "StatisticsQueries", "period_where"]
