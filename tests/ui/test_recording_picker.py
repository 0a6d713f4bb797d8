"""録音を追加… on the incident form, as a worker uses it: a recording kept as routine after 停止
(real, through the file source) is found in the picker, chosen and attached; the form's
recording list, its markers and the store then hold it, and nothing typed is lost."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kasuhara_recorder.ui.format import offset
from kasuhara_recorder.ui.incident_form import IncidentForm
from kasuhara_recorder.ui.recording_picker import RecordingPicker
from tests.store.test_incidents import FILLED
from tests.support.recordings import routine_recording
from tests.ui.conftest import flush_events, type_ja

TAGS = (("conduct.mental", 300, "机を叩いた"), ("demand.apology", 600, ""))


def open_form(qtbot, service, incident_id: str) -> IncidentForm:
    form = IncidentForm(service, incident_id)  # in the language the test installed
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    return form


def open_picker(qtbot, form: IncidentForm) -> RecordingPicker:
    form.scroll.ensureWidgetVisible(form.attachments.add_recording_button)
    with qtbot.waitSignal(form.recording_picker_shown) as shown:
        qtbot.mouseClick(form.attachments.add_recording_button, Qt.MouseButton.LeftButton)
    picker = shown.args[0]
    qtbot.waitExposed(picker)
    return picker


def pick_row(qtbot, picker: RecordingPicker, row: int) -> None:
    table = picker.table
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_add_a_routine_recording_from_the_form(qtbot, service, tmp_path):
    tagged = routine_recording(service, tmp_path, TAGS)
    plain = routine_recording(service, tmp_path)
    inc = service.incidents.create(service.incidents.prefill(None, []))
    form = open_form(qtbot, service, inc.id)
    assert form.attachments.recording_list.count() == 0 and form.events.marker_table.rowCount() == 0
    type_ja(qtbot, form.events.narrative, "窓口で大声を上げた。")  # typed, not saved

    picker = open_picker(qtbot, form)
    assert picker.table.rowCount() == 2 and picker.table.isVisible()
    assert picker.table.item(0, 0).text() == plain.started_at[:16].replace("T", " ")  # newest
    row = [r.id for r in picker.recordings].index(tagged.id)
    assert [picker.table.item(row, c).text() for c in range(4)] == [
        tagged.started_at[:16].replace("T", " "), "窓口", offset(tagged.duration_ms), "タグ2件",
    ]  # fmt: skip
    assert not picker.ok_button.isEnabled()  # nothing is preselected
    pick_row(qtbot, picker, row)
    assert picker.recording_id() == tagged.id and picker.ok_button.isEnabled()
    qtbot.mouseClick(picker.ok_button, Qt.MouseButton.LeftButton)

    # the form shows it at once: the recording line, its tags as markers and categories
    assert form.attachments.recording_list.count() == 1
    line = form.attachments.recording_list.item(0).text()
    assert line == "  ".join(
        (tagged.started_at[:16].replace("T", " "), "窓口", offset(tagged.duration_ms), "タグ2件")
    )
    assert tagged.id in form.attachments.recording_list.item(0).toolTip()
    assert form.events.marker_table.rowCount() == 2
    assert form.events.marker_table.item(0, 2).text() == "机を叩いた"
    assert form.categories.checks["conduct.mental"].isChecked()
    assert form.categories.checks["demand.apology"].isChecked()
    assert form.events.narrative.toPlainText() == "窓口で大声を上げた。"  # typing survived
    assert not form.section_errors["attachments"].isVisible()

    # and so does the store; the unsaved typing waits in the autosave with the markers
    stored = service.incidents.get(inc.id)
    assert stored.recordings == (tagged.id,)
    assert [m.note for m in stored.draft.markers] == ["机を叩いた", ""]
    assert service.recordings.get(tagged.id).incident_id == inc.id
    qtbot.waitUntil(
        lambda: (d := service.incidents.load_autosave(inc.id)) is not None
        and d.narrative == "窓口で大声を上げた。" and len(d.markers) == 2,
        timeout=3_000,
    )  # fmt: skip
    assert service.audit.entries(f"incident:{inc.id}")[-1].event == "incident.recording_attach"
    assert service.verify_audit().ok

    # the picker now offers only the other one; saving keeps everything
    again = open_picker(qtbot, form)
    assert [r.id for r in again.recordings] == [plain.id]
    again.reject()
    assert form.save_draft()
    saved = service.incidents.get(inc.id).draft
    assert saved.narrative == "窓口で大声を上げた。" and len(saved.markers) == 2
    form.close()


def test_nothing_to_add_says_so(qtbot, service):
    form = open_form(qtbot, service, service.incidents.create().id)
    picker = open_picker(qtbot, form)
    assert "追加できる録音はありません" in picker.message.text()
    assert not picker.table.isVisible() and not picker.ok_button.isVisible()
    assert picker.cancel_button.text() == "閉じる"
    qtbot.mouseClick(picker.cancel_button, Qt.MouseButton.LeftButton)
    assert form.attachments.recording_list.count() == 0
    form.close()


def test_a_recording_taken_meanwhile_by_another_incident_is_an_error_on_the_form(
    qtbot, service, tmp_path
):
    manifest = routine_recording(service, tmp_path, TAGS)
    inc, other = service.incidents.create(), service.incidents.create()
    form = open_form(qtbot, service, inc.id)
    picker = open_picker(qtbot, form)
    pick_row(qtbot, picker, 0)
    # another window (or the CLI) attaches it first
    service.incidents.attach_existing_recording(other.id, manifest.id)
    qtbot.mouseClick(picker.ok_button, Qt.MouseButton.LeftButton)
    error = form.section_errors["attachments"]
    assert error.isVisible() and other.id in error.text() and "別の事案" in error.text()
    assert form.attachments.recording_list.count() == 0 and form.events.marker_table.rowCount() == 0
    assert service.incidents.get(inc.id).recordings == ()
    form.close()


def test_a_recovered_recording_is_marked(qtbot, service, tmp_path):
    from tests.support.signals import tone, write_wav
    from tests.ui.test_recovery_at_start import record_and_kill

    wav = write_wav(tmp_path / "voice.wav", tone(440, 30.0, amplitude=0.3))
    record_and_kill(service, wav, seconds=1.0)
    service.recording.recover()  # at start; the notice was then closed without attaching
    form = open_form(qtbot, service, service.incidents.create().id)
    picker = open_picker(qtbot, form)
    assert picker.table.item(0, 4).text() == "復旧"
    assert "復旧した録音" in picker.table.item(0, 0).toolTip()
    pick_row(qtbot, picker, 0)
    qtbot.mouseClick(picker.ok_button, Qt.MouseButton.LeftButton)
    assert form.attachments.recording_list.item(0).text().endswith("（復旧）")
    form.close()


def test_closed_incident_cannot_take_recordings(qtbot, service):
    inc = service.incidents.create(FILLED)
    service.incidents.submit(inc.id)
    for status in ("reviewed", "closed"):
        service.incidents.set_status(inc.id, status)
    form = open_form(qtbot, service, inc.id)
    assert not form.attachments.add_recording_button.isEnabled()
    assert "完了" in form.attachments.add_recording_button.toolTip()
    form.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_recordings_section_fits_1366x768(qtbot, service, tmp_path, lang):
    """The worker's screen: the button's label is not cut, and the picker fits the screen."""
    from kasuhara_recorder.ui.i18n import Translators

    translators = Translators()
    translators.install(lang)
    try:
        routine_recording(service, tmp_path, TAGS)
        inc = service.incidents.create()
        form = open_form(qtbot, service, inc.id)
        form.resize(1100, 768)  # as the screenshots place it on a 1366×768 screen
        form.scroll.ensureWidgetVisible(form.attachments.add_recording_button)
        flush_events()
        button = form.attachments.add_recording_button
        assert button.width() >= button.sizeHint().width()
        if lang == "en":
            assert button.text() == "Add recording…"
        assert (
            form.scroll.viewport()
            .rect()
            .contains(button.mapTo(form.scroll.viewport(), button.rect().bottomRight()))
        )
        picker = open_picker(qtbot, form)
        if lang == "en":
            assert picker.table.item(0, 3).text() == "Tags: 2"
        assert picker.width() <= 1366 and picker.height() <= 768
        header = picker.table.horizontalHeader()
        assert all(header.sectionSize(c) > 0 for c in range(RecordingPicker.COLUMNS))
        picker.reject()
        form.close()
    finally:
        translators.install("ja")
        QApplication.processEvents()
