"""経過 alone: the narrative, the live tags stamped while recording (a note can be edited, the
time and category cannot, and who stamped it and in which recording stay), injuries."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication

from kasuhara_recorder.policy import load_profile
from kasuhara_recorder.store.incident_model import IncidentDraft, Marker
from kasuhara_recorder.ui.form_sections.events import EventsSection
from tests.ui.conftest import STAFF, activate, changes, type_ja

PROFILE = load_profile()
MARKERS = (
    Marker("conduct.mental", 61_000, "机を叩いた", STAFF, "rec-1"),
    Marker("demand.apology", 3_725_000, "", STAFF, "rec-1"),
    Marker("old.code", 500, "前の方針の区分", "佐藤", "rec-0"),
)
DRAFT = IncidentDraft(narrative="大声で怒鳴った。", injuries="眼鏡が壊れた", markers=MARKERS)


def make(qtbot) -> EventsSection:
    section = EventsSection(PROFILE)
    qtbot.addWidget(section)
    return section


def cells(section: EventsSection, row: int) -> list[str]:
    return [section.marker_table.item(row, c).text() for c in range(3)]


def test_markers_show_their_time_short_category_and_note(qtbot):
    section = make(qtbot)
    seen = changes(section)
    section.load(DRAFT)
    assert seen == []
    assert cells(section, 0) == ["01:01", "精神的な攻撃", "机を叩いた"]
    assert cells(section, 1) == ["1:02:05", "謝罪の要求", ""]
    assert cells(section, 2) == ["00:00", "old.code", "前の方針の区分"]  # not in this profile
    assert section.read(IncidentDraft(department="市民課")) == DRAFT.with_changes(
        department="市民課"
    )


def test_a_note_typed_into_the_table_is_kept_with_who_and_which_recording(qtbot):
    section = make(qtbot)
    section.load(DRAFT)
    activate(qtbot, section)  # the editor needs the focus
    seen = changes(section)
    table = section.marker_table
    table.setCurrentCell(1, 2)
    qtbot.keyClick(table, Qt.Key.Key_F2)  # edit the note, as with a double click
    editor = QApplication.focusWidget()
    assert editor is not table and table.isAncestorOf(editor)
    qtbot.keyClicks(editor, "shouted")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(seen))  # the delegate commits on its next event-loop turn
    assert section.read(IncidentDraft()).markers[1] == Marker(
        "demand.apology", 3_725_000, "shouted", STAFF, "rec-1"
    )


def test_the_time_and_category_of_a_marker_cannot_be_edited(qtbot):
    section = make(qtbot)
    section.load(DRAFT)
    for col in (0, 1):
        flags = section.marker_table.item(0, col).flags()
        assert not flags & Qt.ItemFlag.ItemIsEditable
    assert section.marker_table.item(0, 2).flags() & Qt.ItemFlag.ItemIsEditable


def test_narrative_and_injuries_are_read_stripped(qtbot):
    section = make(qtbot)
    section.load(IncidentDraft())
    seen = changes(section)
    type_ja(qtbot, section.narrative, "\n窓口で大声を上げた。 ")
    type_ja(qtbot, section.injuries, " なし ")
    assert seen
    read = section.read(IncidentDraft())
    assert (read.narrative, read.injuries, read.markers) == ("窓口で大声を上げた。", "なし", ())


def test_loading_again_replaces_the_markers(qtbot):
    section = make(qtbot)
    section.load(DRAFT)
    section.load(IncidentDraft(markers=MARKERS[:1]))
    assert section.marker_table.rowCount() == 1
    assert section.read(IncidentDraft()).markers == MARKERS[:1]


def test_read_only_takes_no_typing_and_no_note(qtbot):
    section = make(qtbot)
    section.load(DRAFT)
    section.set_editable(False)
    assert section.narrative.isReadOnly() and section.injuries.isReadOnly()
    triggers = section.marker_table.editTriggers()
    assert triggers == QAbstractItemView.EditTrigger.NoEditTriggers
    qtbot.keyClicks(section.narrative, "x")
    assert section.read(IncidentDraft()) == DRAFT
