"""The sections together, as the form folds them: every draft field is held by exactly one
section, and a draft loaded into them reads back whole."""

from __future__ import annotations

from collections import Counter
from dataclasses import fields
from functools import reduce

from kasuhara_recorder.policy import load_profile
from kasuhara_recorder.store.incident_model import (
    IncidentDraft,
    Marker,
    OtherParty,
    ResponseAction,
    StaffMember,
)
from kasuhara_recorder.ui.form_sections.attachments import AttachmentsSection
from kasuhara_recorder.ui.form_sections.categories import CategoriesSection
from kasuhara_recorder.ui.form_sections.demand import DemandSection
from kasuhara_recorder.ui.form_sections.events import EventsSection
from kasuhara_recorder.ui.form_sections.people import PeopleSection
from kasuhara_recorder.ui.form_sections.responses import ResponsesSection
from kasuhara_recorder.ui.form_sections.when_where import WhenWhereSection
from kasuhara_recorder.ui.incident_form import IncidentForm
from tests.ui.conftest import STAFF, local_iso

PROFILE = load_profile()
FULL = IncidentDraft(
    occurred_at=local_iso(2026, 11, 25, 10, 0), duration_seconds=1500, location="meeting_room",
    at_office=False, location_detail="2階 相談室", department="市民課",
    staff=(StaffMember(STAFF), StaffMember("佐藤 次郎", "係長")),
    other_party=OtherParty("不明", "50代男性"), demand="手数料を返せ",
    validity=("validity.no_fault",), validity_note="説明済み",
    categories=("conduct.mental", "demand.apology"), narrative="大声で30分怒鳴り続けた。",
    responses=(
        ResponseAction("response.police_call", local_iso(2026, 11, 25, 10, 20), "佐藤 次郎", "110"),
    ),
    injuries="眼鏡が壊れた", recorded_from_start=True,
    markers=(Marker("conduct.mental", 61_000, "机を叩く", STAFF, "rec-1"),),
)  # fmt: skip


def sections(qtbot):
    made = (
        WhenWhereSection(), PeopleSection(PROFILE.rules.min_staff_meeting),
        DemandSection(PROFILE), CategoriesSection(PROFILE),
        EventsSection(PROFILE), ResponsesSection(PROFILE, STAFF),
        AttachmentsSection(),
    )  # fmt: skip
    for s in made:
        qtbot.addWidget(s)
    return made


def test_every_draft_field_is_held_by_exactly_one_section(qtbot):
    held = Counter(f for s in sections(qtbot) for f in s.fields)
    assert set(held) == {f.name for f in fields(IncidentDraft)} | {"attachments"}
    assert [f for f, n in held.items() if n > 1] == []


def test_a_draft_loaded_into_every_section_reads_back_whole(qtbot):
    made = sections(qtbot)
    for s in made:
        s.load(FULL)
    default = IncidentDraft()
    same = [
        f.name for f in fields(IncidentDraft) if getattr(FULL, f.name) == getattr(default, f.name)
    ]
    assert same == []  # every field differs from the default…
    assert reduce(lambda d, s: s.read(d), made, IncidentDraft()) == FULL  # …and comes back


def test_an_opened_form_shows_the_stored_draft_as_it_is(qtbot, service):
    inc = service.incidents.create(FULL)
    form = IncidentForm(service, inc.id)
    qtbot.addWidget(form)
    assert form.draft() == service.incidents.get(inc.id).draft == FULL
    assert list(form.section_errors) == [s.key for s in form.sections]
    form.close()


def test_the_form_tells_the_staff_list_where_it_happened(qtbot, service):
    """The one link between two sections (§4(2)): a meeting with one staff member is warned of
    next to the list, and the refused 提出 does not say it a second time under it."""
    inc = service.incidents.create(service.incidents.prefill(None, []))
    form = IncidentForm(service, inc.id)
    qtbot.addWidget(form)
    where = form.when_where.location
    assert not form.people.staff_warning_shown()
    where.setCurrentIndex(where.findData("meeting_room"))
    assert form.people.staff_warning_shown()
    assert not form.submit()  # refused (no narrative…): the problems are shown by section
    staff = form.section_errors["staff"].text()
    assert "面談" not in staff and "2人以上" not in staff
    where.setCurrentIndex(where.findData("counter"))
    assert not form.people.staff_warning_shown()
    form.close()
