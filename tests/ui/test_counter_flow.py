"""The counter workflow through the widgets, as a worker would do it: F9 records from the
PulseAudio null sink, number keys tag, F9 stops and seals, the after-stop choice opens the
pre-filled form, the worker completes and submits it. Then the database and the audit chain
hold exactly what the screens showed."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kasuhara_recorder.app.incident_service import incident_digest
from kasuhara_recorder.ui.incident_form import IncidentForm
from kasuhara_recorder.ui.main_window import MainWindow
from tests.support.signals import tone, write_wav
from tests.ui.conftest import (
    DEPARTMENT,
    STAFF,
    activate,
    answer_submit,
    type_ja,
    wait_for_audio,
    wait_stop_allowed,
)

pytestmark = pytest.mark.pulse


def record_with_tags(qtbot, window: MainWindow, pulse_sink, tmp_path):
    activate(qtbot, window)
    player = pulse_sink.play(write_wav(tmp_path / "voice.wav", tone(440, 6.0)))
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.controller.recording, timeout=10_000)
    assert window.record_panel.state_label.text() == "録音中"
    assert window.tray.recording
    qtbot.waitUntil(lambda: window.record_panel.meter.level_db > -30, timeout=5_000)
    start = window.controller.session.position_s
    wait_for_audio(qtbot, window, start + 0.7)
    qtbot.keyClick(window, Qt.Key.Key_2)  # 精神的な攻撃
    wait_for_audio(qtbot, window, start + 1.1)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # 謝罪の要求
    qtbot.waitUntil(lambda: window.tag_panel.table.rowCount() == 2)
    note = window.tag_panel.table.item(0, 2)
    note.setText("机を強く叩いた")  # typed into the marker list while recording
    wait_stop_allowed(qtbot, window)
    with qtbot.waitSignal(window.after_stop_shown, timeout=15_000) as shown:
        qtbot.keyClick(window, Qt.Key.Key_F9)
    player.kill()
    player.wait()
    return shown.args[0]


def test_record_tag_stop_fill_submit(qtbot, service, pulse_sink, tmp_path):
    window = MainWindow(service)
    qtbot.addWidget(window)
    dialog = record_with_tags(qtbot, window, pulse_sink, tmp_path)
    assert not window.controller.recording and window.record_panel.state_label.text() == "待機中"
    assert "タグ 2 件" in dialog.findChild(QLabel, "RecordingSummary").text()

    with qtbot.waitSignal(window.incident_form_opened) as opened:
        qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    form: IncidentForm = opened.args[0]
    qtbot.addWidget(form)

    # pre-filled from the recording and the signed-in user
    assert form.when_where.location.currentData() == "counter"
    assert form.people.staff_table.item(0, 0).text() == STAFF
    assert form.when_where.department.text() == DEPARTMENT
    assert form.categories.checks["conduct.mental"].isChecked()
    assert form.categories.checks["demand.apology"].isChecked()
    assert not form.categories.checks["conduct.physical"].isChecked()
    assert form.events.marker_table.rowCount() == 2
    assert form.events.marker_table.item(0, 2).text() == "机を強く叩いた"
    assert form.attachments.recording_list.count() == 1

    # submitting too early names what is missing
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert "経過" in form.section_errors["narrative"].text()
    assert form.incident.status == "draft"

    # the worker completes the form
    type_ja(qtbot, form.events.narrative, "窓口で大声を上げ、机を叩いた。謝罪を繰り返し要求。")
    type_ja(qtbot, form.demand_validity.demand, "担当者に土下座で謝れ")
    form.demand_validity.validity_checks["validity.no_fault"].setChecked(True)
    type_ja(qtbot, form.people.party_name, "不明")
    type_ja(qtbot, form.people.staff_name, "係長 佐藤")
    qtbot.keyClick(form.people.staff_name, Qt.Key.Key_Return)
    police = form.responses.rows["response.police_call"]
    police.check.setChecked(True)
    assert police.by.text() == STAFF  # who defaults to the signed-in user

    shown_draft = form.draft()
    answer_submit(qtbot, form, confirm=False)  # 提出 asks first; キャンセル changes nothing
    assert service.incidents.get(form.incident.id).status == "draft"
    assert not form.events.narrative.isReadOnly()
    box = answer_submit(qtbot, form)
    assert "変更できなくなります" in box.informativeText()

    # the store holds exactly what the screen showed
    inc = service.incidents.get(form.incident.id)
    assert inc.status == "submitted"
    assert inc.draft == shown_draft
    assert inc.draft.narrative == "窓口で大声を上げ、机を叩いた。謝罪を繰り返し要求。"
    assert [s.name for s in inc.draft.staff] == [STAFF, "係長 佐藤"]
    assert [(m.code, m.note) for m in inc.draft.markers] == [
        ("conduct.mental", "机を強く叩いた"), ("demand.apology", ""),
    ]  # fmt: skip
    assert inc.draft.markers[0].offset_ms < inc.draft.markers[1].offset_ms
    assert [r.code for r in inc.draft.responses] == ["response.police_call"]

    # the recording is linked, sealed and its tags are in its signed manifest
    (rid,) = inc.recordings
    rec = service.recordings.get(rid)
    assert rec.incident_id == inc.id
    assert [t.code for t in rec.manifest.tags] == ["conduct.mental", "demand.apology"]
    assert [t.offset_ms for t in rec.manifest.tags] == [m.offset_ms for m in inc.draft.markers]
    assert rec.duration_ms > 1000

    # the audit chain: recording start, tags, stop; incident create and submit with the
    # digest of what is stored; and the chain verifies
    events = [(e.event, e.subject) for e in service.audit.entries()]
    assert ("recording.start", f"recording:{rid}") in events
    assert [e for e, s in events if s == f"recording:{rid}"].count("recording.tag") == 2
    inc_events = service.audit.entries(f"incident:{inc.id}")
    assert [e.event for e in inc_events] == ["incident.create", "incident.submit"]
    submit = json.loads(inc_events[-1].data_json)
    assert submit["sha256"] == incident_digest(inc)
    assert submit["fields"]["narrative"] == inc.draft.narrative
    assert service.verify_audit().ok
    form.close()


def test_form_closed_mid_edit_comes_back_from_its_draft(qtbot, service):
    inc = service.incidents.create(service.incidents.prefill(None, []))
    window = MainWindow(service)
    qtbot.addWidget(window)
    form = window.open_incident(inc.id)
    type_ja(qtbot, form.events.narrative, "途中まで書いた経過")
    type_ja(qtbot, form.when_where.location_detail, "2番窓口")
    form.close()  # not saved, not submitted: only the autosave has it
    assert service.incidents.get(inc.id).draft.narrative == ""

    again = window.open_incident(inc.id)
    qtbot.addWidget(again)
    assert again is not form
    assert again.events.narrative.toPlainText() == "途中まで書いた経過"
    assert again.when_where.location_detail.text() == "2番窓口"
    assert again.restored_label.isVisible()
    again.close()


def test_autosave_happens_while_typing_without_closing(qtbot, service):
    """A crash (no close event) loses nothing: the file is written as the worker pauses."""
    inc = service.incidents.create()
    window = MainWindow(service)
    qtbot.addWidget(window)
    form = window.open_incident(inc.id)
    type_ja(qtbot, form.demand_validity.demand, "返金しろ")
    qtbot.waitUntil(
        lambda: (
            (d := service.incidents.load_autosave(inc.id)) is not None and d.demand == "返金しろ"
        ),
        timeout=3_000,
    )
    form.close()


def test_switching_to_english_shows_english(qtbot, service, gui):
    controller = gui()
    window = controller.show()
    assert "録音開始" in window.record_panel.record_button.text()
    controller.switch_language("en")
    w = controller.window
    assert w is not window
    assert "Start recording" in w.record_panel.record_button.text()
    assert w.record_panel.state_label.text() == "Ready"
    assert w.tag_panel.buttons["conduct.mental"].text().endswith("Mental attack")
    assert service.settings.language == "en"
    controller.switch_language("ja")
    assert "録音開始" in controller.window.record_panel.record_button.text()


def test_closing_while_recording_asks_and_seals(qtbot, service, pulse_sink, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    window = MainWindow(service)
    qtbot.addWidget(window)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.controller.recording, timeout=10_000)
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    # The question box is modal; answering it is the user's part, so it is stubbed here.
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: next(answers))
    window.close()
    assert window.isVisible() and window.controller.recording  # "No": keeps recording
    window.close()
    assert not window.controller.recording
    (rec,) = service.recordings.list()
    assert rec.status == "complete"
