"""対応した職員と相手方 alone: the staff list (one name once only), the §4(2) warning for a
meeting with fewer than the policy's staff, the other party."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from kasuhara_recorder.policy import load_profile
from kasuhara_recorder.store.incident_model import IncidentDraft, OtherParty, StaffMember
from kasuhara_recorder.ui.form_sections.people import PeopleSection
from tests.ui.conftest import STAFF, changes, type_ja

MINIMUM = load_profile().rules.min_staff_meeting  # 2
DRAFT = IncidentDraft(
    staff=(StaffMember(STAFF), StaffMember("佐藤 次郎", "係長")),
    other_party=OtherParty("不明", "50代男性、初めての来庁"),
)


def make(qtbot) -> PeopleSection:
    section = PeopleSection(MINIMUM)
    qtbot.addWidget(section)
    return section


def names(section: PeopleSection) -> list[str]:
    return [s.name for s in section.read(IncidentDraft()).staff]


def test_a_draft_loaded_reads_back_unchanged(qtbot):
    section = make(qtbot)
    seen = changes(section)
    section.load(DRAFT)
    assert seen == []
    assert section.staff_table.rowCount() == 2 and section.staff_table.item(1, 1).text() == "係長"
    assert section.read(IncidentDraft(narrative="他の欄")) == DRAFT.with_changes(narrative="他の欄")


def test_a_name_typed_and_entered_is_added_once(qtbot):
    section = make(qtbot)
    section.load(DRAFT)
    seen = changes(section)
    type_ja(qtbot, section.staff_name, "  鈴木   三郎 ")
    qtbot.keyClick(section.staff_name, Qt.Key.Key_Return)
    assert names(section) == [STAFF, "佐藤 次郎", "鈴木 三郎"]  # spaces as stored
    assert section.staff_name.text() == "" and seen
    assert not section.error_label.isVisibleTo(section)


def test_the_same_person_twice_is_refused_with_a_message(qtbot):
    """One person twice would count as two staff (§4(2))."""
    section = make(qtbot)
    section.load(DRAFT)
    type_ja(qtbot, section.staff_name, f" {STAFF.replace(' ', '  ')} ")
    seen = changes(section)
    qtbot.mouseClick(section.add_button, Qt.MouseButton.LeftButton)
    assert section.staff_table.rowCount() == 2 and seen == []
    assert section.error_label.isVisibleTo(section)
    assert section.error_label.text() == f"「{STAFF}」は既に一覧にあります。"
    type_ja(qtbot, section.staff_name, "鈴木 三郎")  # a new name clears the message
    section.add_staff()
    assert not section.error_label.isVisibleTo(section) and section.staff_table.rowCount() == 3


def test_a_name_edited_into_a_duplicate_counts_once(qtbot):
    section = make(qtbot)
    section.load(DRAFT)
    seen = changes(section)
    section.staff_table.item(1, 0).setText(f"{STAFF} ")
    assert seen and names(section) == [STAFF]


def test_a_meeting_with_fewer_staff_than_the_policy_asks_is_warned_of(qtbot):
    section = make(qtbot)
    section.load(IncidentDraft(staff=(StaffMember(STAFF),)))
    warning = section.staff_warning
    assert not section.staff_warning_shown()  # no location yet
    section.set_location("meeting_room")
    assert section.staff_warning_shown() and warning.isVisibleTo(section)
    assert warning.text() == (
        f"面談は原則として {MINIMUM} 人以上の職員で対応します（方針 4(2)）。現在 1 人です。"
    )
    section.set_location("counter")  # at the counter one is enough
    assert not section.staff_warning_shown()
    section.set_location("meeting_room")
    type_ja(qtbot, section.staff_name, "佐藤 次郎")
    section.add_staff()
    assert not section.staff_warning_shown()
    section.staff_table.selectRow(1)
    qtbot.mouseClick(section.remove_button, Qt.MouseButton.LeftButton)
    assert section.staff_warning_shown() and "現在 1 人" in warning.text()
    section.staff_table.item(0, 0).setText("")  # a name cleared in the list
    assert "現在 0 人" in warning.text()


def test_the_other_party_is_read_stripped(qtbot):
    section = make(qtbot)
    section.load(IncidentDraft())
    type_ja(qtbot, section.party_name, " 山田 ")
    type_ja(qtbot, section.party_description, "\n70代女性\n")
    assert section.read(IncidentDraft()).other_party == OtherParty("山田", "70代女性")


def test_read_only_takes_no_name_and_no_edit_in_the_list(qtbot):
    section = make(qtbot)
    section.load(DRAFT)
    type_ja(qtbot, section.staff_name, "鈴木 三郎")  # typed, not added, before 提出
    section.set_editable(False)
    assert not section.add_button.isEnabled() and not section.remove_button.isEnabled()
    assert section.staff_name.isReadOnly() and section.party_description.isReadOnly()
    triggers = section.staff_table.editTriggers()
    assert triggers == QAbstractItemView.EditTrigger.NoEditTriggers
    qtbot.keyClicks(section.staff_name, "x")
    qtbot.keyClick(section.staff_name, Qt.Key.Key_Return)  # Enter still reaches a read-only field
    assert section.staff_name.text() == "鈴木 三郎" and section.read(IncidentDraft()) == DRAFT
    section.set_editable(True)
    assert section.add_button.isEnabled()
    assert section.staff_table.editTriggers() != QAbstractItemView.EditTrigger.NoEditTriggers
