"""The statistics of the policy review (§5: the city reviews its response with the police and
counsel): incidents by §3 category, month, department and channel, the share over the §4(1)
limit, meetings with fewer staff than §4(2) asks, the §4 responses taken, and the time from an
incident to its referral.

Counted from the embedded store, or from the central store when this PC is joined to one (every
PC's incidents, their latest versions, as the login may read them). A supervisor counts only
their departments; an officer any. The result is frozen data; ``tables()`` gives it as the
tables the terminal, the CSV, the workbook and the window show.
"""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kasuhara_recorder.bundle.spreadsheet import Table
from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.incident_codes import LOCATIONS
from kasuhara_recorder.text import Text

if TYPE_CHECKING:
    from kasuhara_recorder.app.roles import Role, Roles
    from kasuhara_recorder.central.client import CentralClient
    from kasuhara_recorder.store.statistics import CountRow, ReferralRow, StatisticsQueries

NO_DEPARTMENT = Text("（所属なし）", "(no department)")
NO_PLACE = Text("（未記入）", "(not given)")


@dataclass(frozen=True)
class Period:
    """What to count: incidents that occurred from ``start`` to ``end`` (both days included;
    None: open), in ``departments`` (empty: every department the person may see)."""

    start: dt.date | None = None
    end: dt.date | None = None
    departments: tuple[str, ...] = ()

    def bounds(self) -> tuple[str, str]:
        """``[since, until)`` as ISO text, compared with ``occurred_at`` (its local date)."""
        since = self.start.isoformat() if self.start else ""
        until = (self.end + dt.timedelta(days=1)).isoformat() if self.end else ""
        return since, until


@dataclass(frozen=True)
class Count:
    key: str  # a code, a month (YYYY-MM) or a department
    label: Text
    count: int
    section: str = ""  # the policy's section (categories, responses)


@dataclass(frozen=True)
class Share:
    count: int
    of: int

    @property
    def percent(self) -> float | None:
        return None if not self.of else 100.0 * self.count / self.of


@dataclass(frozen=True)
class ReferralTimes:
    """Days from an incident to its first move to 照会中 (referred to police or counsel)."""

    incidents: int
    median_days: float | None
    max_days: float | None


@dataclass(frozen=True)
class Statistics:
    period: Period
    source: str  # "local" (this PC) | "central" (every PC's, as the login reads them)
    total: int
    by_category: tuple[Count, ...]
    by_month: tuple[Count, ...]
    by_department: tuple[Count, ...]
    by_channel: tuple[Count, ...]
    responses: tuple[Count, ...]
    over_limit: Share  # of the incidents with a duration, those over §4(1)'s limit
    meetings_understaffed: Share  # of the meetings, those with fewer than §4(2)'s staff
    referral: ReferralTimes
    limit_minutes: int
    min_staff_meeting: int
    departments: tuple[str, ...] = field(default=())  # counted (empty: every one)

    def tables(self) -> tuple[Table, ...]:
        return statistics_tables(self)


def _ratio(share: Share) -> float | None:
    p = share.percent
    return None if p is None else round(p, 1)


def statistics_tables(s: Statistics) -> tuple[Table, ...]:
    count = Text("件数", "incidents")
    labels = summary_labels(s)
    values: tuple[tuple[int | float | None, int | None, float | None], ...] = (
        (s.total, None, None),
        (s.over_limit.count, s.over_limit.of, _ratio(s.over_limit)),
        (s.meetings_understaffed.count, s.meetings_understaffed.of,
         _ratio(s.meetings_understaffed)),
        (s.referral.incidents, None, None),
        (s.referral.median_days, None, None),
        (s.referral.max_days, None, None),
    )  # fmt: skip
    summary = Table(
        Text("概要", "Summary"),
        (Text("項目", "item"), Text("値", "value"), Text("対象", "of"), Text("割合(%)", "%")),
        tuple((label, *v) for label, v in zip(labels, values, strict=True)),
    )
    return (
        summary,
        _counts(Text("§3 分類別", "By §3 category"), Text("分類", "category"), count,
                s.by_category, section=True),
        _counts(Text("月別", "By month"), Text("月", "month"), count, s.by_month),
        _counts(Text("所属別", "By department"), Text("所属", "department"), count,
                s.by_department),
        _counts(Text("窓口・電話等別", "By channel"), Text("場所", "channel"), count,
                s.by_channel),
        _counts(Text("§4 対応別", "By §4 response"), Text("対応", "response"), count,
                s.responses, section=True),
    )  # fmt: skip


def summary_labels(s: Statistics) -> tuple[Text, ...]:
    """The items of the summary table, in its order."""
    return (
        Text("事案の件数", "Incidents"),
        Text("§4(1) {m}分を超えた事案", "Over the §4(1) limit of {m} min").format(
            m=s.limit_minutes),
        Text("§4(2) 職員{n}人未満の面談", "Meetings with fewer than {n} staff (§4(2))").format(
            n=s.min_staff_meeting),
        Text("照会（警察・弁護士等）した事案", "Incidents referred (police, counsel)"),
        Text("照会までの日数（中央値）", "Days to referral (median)"),
        Text("照会までの日数（最大）", "Days to referral (max)"),
    )  # fmt: skip


def _counts(title: Text, what: Text, count: Text, items: tuple[Count, ...],
            section: bool = False) -> Table:  # fmt: skip
    if section:
        headers = (Text("条項", "section"), Text("コード", "code"), what, count)
        return Table(title, headers, tuple((c.section, c.key, c.label, c.count) for c in items))
    return Table(title, (what, count), tuple((c.label, c.count) for c in items))


class StatisticsService:
    def __init__(
        self,
        profile: PolicyProfile,
        roles: Roles,
        local: Callable[[], StatisticsQueries],
        central: Callable[[], CentralClient | None],
    ) -> None:
        self._profile = profile
        self._roles = roles
        self._local = local
        self._central = central

    def departments_for(self, period: Period) -> tuple[Role, tuple[str, ...]]:
        """The role (allowed to see statistics) and the departments to count: a supervisor's
        own (DepartmentRefused for another), else those asked (empty: all)."""
        role = self._roles.require("statistics")
        for d in period.departments:
            self._roles.require("statistics", department=d)
        if period.departments or not role.configured or role.code != "supervisor":
            return role, period.departments
        if not role.departments:
            self._roles.require("statistics", department="")  # refused: no department of theirs
        return role, role.departments

    def compute(self, period: Period) -> Statistics:
        _role, departments = self.departments_for(period)
        rules = self._profile.rules
        since, until = period.bounds()
        client = self._central()
        if client is not None:
            try:
                counts, referrals = client.statistics(
                    since, until, departments, rules.limit_seconds, rules.min_staff_meeting
                )
            finally:
                client.close()
            source = "central"
        else:
            counts, referrals = self._local().counts(
                since, until, departments, rules.limit_seconds, rules.min_staff_meeting
            )
            source = "local"
        return self._assemble(period, departments, source, counts, referrals)

    def _assemble(self, period: Period, departments: tuple[str, ...], source: str,
                  counts: list[CountRow], referrals: list[ReferralRow]) -> Statistics:  # fmt: skip
        by: dict[str, dict[str, int]] = {}
        for dim, key, n in counts:
            by.setdefault(dim, {})[key] = n

        def one(dim: str) -> int:
            return by.get(dim, {}).get("", 0)

        p = self._profile
        cats = by.get("category", {})
        categories = [Count(c.code, c.label, cats.pop(c.code, 0), f"§{c.section}")
                      for c in p.categories]  # fmt: skip
        categories += [Count(k, Text.same(k), n) for k, n in sorted(cats.items())]
        resp = by.get("response", {})
        responses = [Count(r.code, r.label, resp.pop(r.code, 0), f"§{r.section}")
                     for r in p.responses]  # fmt: skip
        responses += [Count(k, Text.same(k), n) for k, n in sorted(resp.items())]
        chan = by.get("channel", {})
        channels = [Count(code, label, chan.pop(code, 0)) for code, label in LOCATIONS.items()]
        channels += [Count(k, Text.same(k) if k else NO_PLACE, n) for k, n in sorted(chan.items())]
        deps = by.get("department", {})
        for d in departments:
            deps.setdefault(d, 0)
        ranked = sorted(deps.items(), key=lambda kv: (-kv[1], kv[0]))
        by_department = [Count(k, Text.same(k) if k else NO_DEPARTMENT, n) for k, n in ranked]
        return Statistics(
            period=period, source=source, total=one("total"),
            by_category=tuple(categories),
            by_month=tuple(Count(m, Text.same(m) if m else NO_PLACE, n)
                           for m, n in _months(period, by.get("month", {}))),
            by_department=tuple(by_department), by_channel=tuple(channels),
            responses=tuple(responses),
            over_limit=Share(one("over_limit"), one("with_duration")),
            meetings_understaffed=Share(one("meetings_understaffed"), one("meetings")),
            referral=referral_times(referrals),
            limit_minutes=p.rules.interaction_limit_minutes,
            min_staff_meeting=p.rules.min_staff_meeting, departments=departments,
        )  # fmt: skip


def _months(period: Period, found: dict[str, int]) -> list[tuple[str, int]]:
    """Every month of the period (or from the first to the last found), none left out."""
    keys = sorted(k for k in found if len(k) == 7)
    first = period.start.strftime("%Y-%m") if period.start else (keys[0] if keys else "")
    last = period.end.strftime("%Y-%m") if period.end else (keys[-1] if keys else "")
    out: list[tuple[str, int]] = []
    if first and last:
        y, m = int(first[:4]), int(first[5:7])
        while f"{y:04d}-{m:02d}" <= last and len(out) < 1200:
            key = f"{y:04d}-{m:02d}"
            out.append((key, found.get(key, 0)))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    out += [(k, n) for k, n in sorted(found.items()) if k not in dict(out)]
    return out


def days_between(occurred_at: str, referred_at: str) -> float | None:
    try:
        a = dt.datetime.fromisoformat(occurred_at)
        b = dt.datetime.fromisoformat(referred_at)
    except ValueError:
        return None
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return max(0.0, (b - a).total_seconds() / 86400)


def referral_times(rows: list[ReferralRow]) -> ReferralTimes:
    days = [d for _i, o, t in rows if (d := days_between(o, t)) is not None]
    if not days:
        return ReferralTimes(len(rows), None, None)
    return ReferralTimes(len(rows), round(pystats.median(days), 1), round(max(days), 1))


__all__ = ["Count", "Period", "ReferralTimes", "Share", "Statistics", "StatisticsService"]
