"""Validation of the incident form against the policy profile: field-level ja/en messages."""

from __future__ import annotations

from datetime import datetime, timedelta

from kasuhara_recorder.app.incident_validation import ERROR, WARNING, validate
from kasuhara_recorder.policy import load_profile
from kasuhara_recorder.store.incident_model import IncidentDraft, ResponseAction, StaffMember

PROFILE = load_profile()
NOW = datetime.fromisoformat("2026-11-25T12:00:00+09:00")
GOOD = IncidentDraft(
    occurred_at="2026-11-25T10:00:00+09:00", duration_seconds=1800, location="counter",
    department="市民課", staff=(StaffMember("山田"),), narrative="大声で怒鳴られた。",
    categories=("conduct.mental",),
)  # fmt: skip


def fields_of(issues, severity):
    return sorted({i.field for i in issues if i.severity == severity})


def test_a_complete_form_has_no_issues():
    assert validate(GOOD, PROFILE, NOW) == []


def test_an_empty_form_names_each_missing_field_in_both_languages():
    issues = validate(IncidentDraft(), PROFILE, NOW)
    assert fields_of(issues, ERROR) == [
        "department",
        "location",
        "narrative",
        "occurred_at",
        "staff",
    ]
    for i in issues:
        assert i.text.ja and i.text.en and i.text.ja != i.text.en


def test_meeting_with_one_staff_member_outside_the_office_is_warned_not_refused():
    d = GOOD.with_changes(location="meeting_room", at_office=False)
    issues = validate(d, PROFILE, NOW)
    assert fields_of(issues, ERROR) == []
    assert fields_of(issues, WARNING) == ["at_office", "staff"]
    staff = next(i for i in issues if i.field == "staff")
    assert "2人以上" in staff.text.ja and "at least 2" in staff.text.en


def test_over_the_one_hour_limit_is_flagged():
    issues = validate(GOOD.with_changes(duration_seconds=3700), PROFILE, NOW)
    assert fields_of(issues, WARNING) == ["duration_seconds"]


def test_police_call_needs_its_time_and_who():
    d = GOOD.with_changes(responses=(ResponseAction("response.police_call"),))
    assert fields_of(validate(d, PROFILE, NOW), ERROR) == ["responses[0].at", "responses[0].by"]


def test_future_times_and_unknown_codes_are_errors():
    later = (NOW + timedelta(hours=1)).isoformat()
    d = GOOD.with_changes(occurred_at=later, categories=("conduct.nonsense",))
    assert fields_of(validate(d, PROFILE, NOW), ERROR) == ["categories", "occurred_at"]


def test_a_time_without_offset_is_refused():
    d = GOOD.with_changes(occurred_at="2026-11-25T10:00:00")
    assert fields_of(validate(d, PROFILE, NOW), ERROR) == ["occurred_at"]


def test_a_demand_under_3_2_i_asks_for_its_validity():
    d = GOOD.with_changes(categories=("demand.apology",))
    assert fields_of(validate(d, PROFILE, NOW), WARNING) == ["validity"]
    d = d.with_changes(validity=("validity.no_fault",))
    assert validate(d, PROFILE, NOW) == []
