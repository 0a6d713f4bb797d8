"""The policy review's statistics over a PC's store: 5,000 generated incidents (seeded), every
figure equal to the count the test makes itself from the generated data."""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from collections import Counter

import pytest

from kasuhara_recorder.app.roles import DepartmentRefused, RoleRefused
from kasuhara_recorder.app.statistics import Period
from kasuhara_recorder.config import RoleGrant
from tests.support import generated_incidents as gen_incidents
from tests.support.workstation import org_identity, service  # noqa: F401


@pytest.fixture
def stored(service):  # noqa: F811
    gen = gen_incidents.generate(5000, seed=15, profile=service.profile)
    times = gen_incidents.insert(service, gen)
    return service, gen, times


def expected(profile, incidents, times, start=None, end=None, departments=()):
    def counted(inc):
        day = inc.draft.occurred_at[:10]
        return (
            inc.status != "draft"
            and (start is None or day >= start.isoformat())
            and (end is None or day <= end.isoformat())
            and (not departments or inc.draft.department in departments)
        )

    sel = [i for i in incidents if counted(i)]
    limit = profile.rules.interaction_limit_minutes * 60
    meetings = [i for i in sel if i.draft.location == "meeting_room"]
    days = [
        (dt.datetime.fromisoformat(times[i.id]) - dt.datetime.fromisoformat(i.draft.occurred_at))
        .total_seconds() / 86400
        for i in sel if i.id in times
    ]  # fmt: skip
    return {
        "total": len(sel),
        "category": Counter(c for i in sel for c in set(i.draft.validity + i.draft.categories)),
        "month": Counter(i.draft.occurred_at[:7] for i in sel),
        "department": Counter(i.draft.department for i in sel),
        "channel": Counter(i.draft.location for i in sel),
        "response": Counter(c for i in sel for c in {r.code for r in i.draft.responses}),
        "over": sum(1 for i in sel if (i.draft.duration_seconds or 0) > limit),
        "with_duration": sum(1 for i in sel if i.draft.duration_seconds is not None),
        "meetings": len(meetings),
        "understaffed": sum(1 for i in meetings if len(i.draft.staff) < 2),
        "referred": len(days),
        "median": round(pystats.median(days), 1) if days else None,
        "max": round(max(days), 1) if days else None,
    }


def as_counts(items):
    return {c.key: c.count for c in items if c.count}


def check(stats, want):
    assert stats.total == want["total"]
    assert as_counts(stats.by_category) == dict(want["category"])
    assert as_counts(stats.by_month) == dict(want["month"])
    assert as_counts(stats.by_department) == dict(want["department"])
    assert as_counts(stats.by_channel) == dict(want["channel"])
    assert as_counts(stats.responses) == dict(want["response"])
    assert (stats.over_limit.count, stats.over_limit.of) == (want["over"], want["with_duration"])
    assert (stats.meetings_understaffed.count, stats.meetings_understaffed.of) == (
        want["understaffed"], want["meetings"],
    )  # fmt: skip
    assert stats.referral.incidents == want["referred"]
    assert stats.referral.median_days == want["median"]
    assert stats.referral.max_days == want["max"]


def test_statistics_of_5000_incidents_equal_the_counts_made_from_the_generated_data(stored):
    app, gen, times = stored
    stats = app.statistics.compute(Period())
    assert stats.source == "local"
    check(stats, expected(app.profile, gen.incidents, times))
    # every category and response of the profile is listed, with its label, zero or not
    assert [c.key for c in stats.by_category] == [c.code for c in app.profile.categories]
    assert stats.by_category[0].label.ja.startswith("提供する行政サービスに瑕疵")
    assert [c.key for c in stats.responses] == [r.code for r in app.profile.responses]
    assert len(stats.by_month) == 12 and stats.total < 5000  # drafts are not counted


def test_a_period_and_departments_count_only_their_incidents(stored):
    app, gen, times = stored
    start, end = dt.date(2025, 3, 15), dt.date(2025, 8, 31)
    period = Period(start, end, ("福祉課", "税務課"))
    stats = app.statistics.compute(period)
    check(stats, expected(app.profile, gen.incidents, times, start, end, ("福祉課", "税務課")))
    assert [m.key for m in stats.by_month] == [f"2025-{m:02d}" for m in range(3, 9)]
    assert {d.key for d in stats.by_department} == {"福祉課", "税務課"}


def test_a_supervisor_counts_their_departments_only_and_is_refused_another(stored):
    app, gen, times = stored
    grants = (RoleGrant(app.os_user, "supervisor", ("市民課",)),)
    app.save_settings(app.settings.with_changes(roles=grants))
    stats = app.statistics.compute(Period())
    check(stats, expected(app.profile, gen.incidents, times, departments=("市民課",)))
    with pytest.raises(DepartmentRefused):
        app.statistics.compute(Period(departments=("福祉課",)))


def test_counter_staff_see_no_statistics(stored):
    app, _gen, _times = stored
    app.save_settings(app.settings.with_changes(roles=(RoleGrant("someone-else", "officer"),)))
    with pytest.raises(RoleRefused) as e:
        app.statistics.compute(Period())
    assert "統計の閲覧" in e.value.message("ja")
