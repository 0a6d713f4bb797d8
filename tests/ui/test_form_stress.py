"""The incident form under a worker's hurry: a recording attached from the after-stop choice
while the form is open or closed with unsaved typing, attachments that fail, the same staff
member entered twice, odd text. What the store holds must be what the screen showed, and
nothing attached may be lost by a later save."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from kasuhara_recorder.store.incident_model import Marker
from kasuhara_recorder.ui.after_stop_dialog import AfterStopDialog
from kasuhara_recorder.ui.main_window import MainWindow
from tests.support.recordings import routine_recording
from tests.ui.conftest import STAFF, answer_submit, type_ja


def _choose_existing(qtbot, window: MainWindow, manifest, markers, incident_id: str):
    """The after-stop dialog as the worker answers it: 選んだ既存の事案に追加する."""
    with qtbot.waitSignal(window.after_stop_shown) as shown:
        window.ask_after_stop(manifest, markers)
    dialog: AfterStopDialog = shown.args[0]
    dialog.existing_combo.setCurrentIndex(dialog.existing_combo.findData(incident_id))
    with qtbot.waitSignal(window.incident_form_opened) as opened:
        dialog.existing_button.click()
    return opened.args[0]


def test_recording_added_to_an_open_form_survives_its_save(qtbot, service, tmp_path):
    inc = service.incidents.create(service.incidents.prefill(None, []))
    window = MainWindow(service)
    qtbot.addWidget(window)
    form = window.open_incident(inc.id)
    type_ja(qtbot, form.events.narrative, "書きかけの経過")
    manifest = routine_recording(service, tmp_path, tags=(("conduct.mental", 500, ""),))
    markers = [Marker("conduct.mental", 500, "机を叩いた", STAFF)]
    again = _choose_existing(qtbot, window, manifest, markers, inc.id)
    assert again is form  # the one form for the incident, brought forward
    assert form.events.narrative.toPlainText() == "書きかけの経過"  # unsaved typing kept
    assert form.attachments.recording_list.count() == 1  # and the recording shown
    assert form.events.marker_table.rowCount() == 1
    assert form.categories.checks["conduct.mental"].isChecked()
    assert form.save_draft()
    stored = service.incidents.get(inc.id)
    assert [m.note for m in stored.draft.markers] == ["机を叩いた"]  # not wiped by the save
    assert stored.draft.narrative == "書きかけの経過"
    assert stored.recordings == (manifest.id,)
    form.close()


def test_recording_added_while_the_form_was_closed_mid_edit(qtbot, service, tmp_path):
    inc = service.incidents.create(service.incidents.prefill(None, []))
    window = MainWindow(service)
    qtbot.addWidget(window)
    form = window.open_incident(inc.id)
    type_ja(qtbot, form.events.narrative, "途中")
    form.close()  # only the autosave has the typing
    manifest = routine_recording(service, tmp_path, tags=(("demand.apology", 300, ""),))
    markers = [Marker("demand.apology", 300, "", STAFF)]
    again = _choose_existing(qtbot, window, manifest, markers, inc.id)
    qtbot.addWidget(again)
    assert again.restored_label.isVisible()
    assert again.events.narrative.toPlainText() == "途中"
    assert again.events.marker_table.rowCount() == 1
    assert again.categories.checks["demand.apology"].isChecked()
    assert again.save_draft()
    stored = service.incidents.get(inc.id).draft
    assert [m.code for m in stored.markers] == ["demand.apology"]
    assert stored.narrative == "途中"
    again.close()


def test_same_staff_member_twice_is_not_two_staff(qtbot, service):
    """Policy 4(2): a meeting is held by two or more staff; one name twice is still one."""
    inc = service.incidents.create(service.incidents.prefill(None, []))
    window = MainWindow(service)
    qtbot.addWidget(window)
    form = window.open_incident(inc.id)
    form.when_where.location.setCurrentIndex(form.when_where.location.findData("meeting_room"))
    assert form.people.staff_table.rowCount() == 1  # the signed-in user
    type_ja(qtbot, form.people.staff_name, f" {STAFF} ")
    form.people.add_staff()
    assert form.people.staff_table.rowCount() == 1
    assert "既に" in form.section_errors["staff"].text()
    assert [s.name for s in form.draft().staff] == [STAFF]
    form.close()


def _attach_error(qtbot, form) -> str:
    form.tasks.wait()
    label: QLabel = form.section_errors["attachments"]
    qtbot.waitUntil(label.isVisible)
    return label.text()


def test_attachment_errors_say_in_japanese_what_to_do(qtbot, service, tmp_path):
    inc = service.incidents.create(service.incidents.prefill(None, []))
    window = MainWindow(service)
    qtbot.addWidget(window)
    form = window.open_incident(inc.id)
    form.attach_file(tmp_path / "消えた写真.png")  # chosen, then moved away before sealing
    text = _attach_error(qtbot, form)
    assert "消えた写真.png" in text and "not a file" not in text
    assert "もう一度" in text
    form.attach_url("ftp://example.org/x")
    text = form.section_errors["attachments"].text()
    assert "not a web address" not in text and "https://" in text
    assert form.attachments.attachment_list.count() == 0
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    form.attach_file(empty)  # a 0-byte file is still sealed and listed
    form.tasks.wait()
    qtbot.waitUntil(lambda: form.attachments.attachment_list.count() == 1)
    form.close()


def test_a_submitted_form_cannot_be_typed_into(qtbot, service):
    """After 提出 the store refuses edits; a form that still took typing and said 自動保存しました
    made the worker believe a change was kept that never reached the incident."""
    from tests.store.test_incidents import FILLED

    inc = service.incidents.create(FILLED)
    window = MainWindow(service)
    qtbot.addWidget(window)
    form = window.open_incident(inc.id)
    assert not form.events.narrative.isReadOnly()
    answer_submit(qtbot, form)
    assert form.events.narrative.isReadOnly() and form.when_where.department.isReadOnly()
    assert not form.categories.checks["conduct.mental"].isEnabled()
    assert not form.when_where.location.isEnabled() and not form.when_where.occurred_at.isEnabled()
    type_ja(qtbot, form.events.narrative, "added later")  # real key presses
    assert not form.events.narrative.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
    assert not form.autosave_timer.isActive() and form.tasks.pending == 0  # no save coming
    assert form.events.narrative.toPlainText() == FILLED.narrative
    assert form.autosave_label.text() == "提出しました"
    assert service.incidents.load_autosave(inc.id) is None
    assert form.findChild(QPushButton, "add_url").isEnabled()  # attachments still welcome
    form.close()
    again = window.open_incident(inc.id)  # opened later: read-only from the start
    qtbot.addWidget(again)
    assert again.events.narrative.isReadOnly()
    again.close()


def test_after_stop_choice_refused_says_the_recording_is_kept(
    qtbot, service, tmp_path, monkeypatch
):
    """The incident chosen in the after-stop dialog was closed meanwhile (by a supervisor):
    refused, and the worker is told that the recording is kept and how to add it later."""
    from PySide6.QtWidgets import QMessageBox

    from tests.store.test_incidents import FILLED
    from tests.support.signals import tone, write_wav

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: shown.append(text))
    target = service.incidents.create(FILLED)
    window = MainWindow(service)
    qtbot.addWidget(window)
    wav = write_wav(tmp_path / "t.wav", tone(440, 0.5, amplitude=0.3))
    manifest = service.recording.start("counter", input_file=wav, paced=False)
    assert manifest.wait_until_capture_ended(30)
    manifest = manifest.stop()
    with qtbot.waitSignal(window.after_stop_shown) as after:
        window.ask_after_stop(manifest, [])
    dialog = after.args[0]
    dialog.existing_combo.setCurrentIndex(dialog.existing_combo.findData(target.id))
    service.incidents.submit(target.id)
    for status in ("reviewed", "closed"):
        service.incidents.set_status(target.id, status)
    dialog.existing_button.click()
    (text,) = shown
    assert "完了" in text  # why
    assert "録音は保存されています" in text and "録音を追加" in text  # kept, and what to do
    assert manifest.id in [r.id for r in service.incidents.unattached_recordings()]


def test_enter_at_the_submit_question_keeps_the_draft(qtbot, service):
    """The question's default is キャンセル: a worker pressing Enter out of habit submits
    nothing, and the form says it is still a draft."""
    from PySide6.QtCore import Qt as _Qt

    from tests.store.test_incidents import FILLED

    inc = service.incidents.create(FILLED)
    window = MainWindow(service)
    qtbot.addWidget(window)
    form = window.open_incident(inc.id)
    with qtbot.waitSignal(form.submit_confirm_shown) as asked:
        form.submit_button.click()
    box = asked.args[0]
    assert box.defaultButton() is box.cancel_button
    qtbot.keyClick(box, _Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not box.isVisible())
    assert service.incidents.get(inc.id).status == "draft"
    assert not form.events.narrative.isReadOnly()
    assert form.autosave_label.text() == "提出していません。下書きのままです。"
    form.close()


def test_an_unticked_response_shows_no_date_and_a_retick_keeps_the_time_typed(qtbot, service):
    """Unticked rows showed Qt's minimum date, 2000-01-01 00:00, as if it were a time."""
    from PySide6.QtCore import QDateTime

    inc = service.incidents.create(service.incidents.prefill(None, []))
    window = MainWindow(service)
    qtbot.addWidget(window)
    form = window.open_incident(inc.id)
    row = form.responses.rows["response.police_call"]
    assert not row.check.isChecked() and row.at.text() == "—"
    row.check.setChecked(True)
    assert row.at.text().startswith(QDateTime.currentDateTime().toString("yyyy-MM-dd"))
    typed = QDateTime.currentDateTime().addSecs(-3600)
    row.at.setDateTime(typed)
    row.check.setChecked(False)  # by mistake
    assert row.at.text() == "—" and form.draft().responses == ()
    row.check.setChecked(True)
    assert row.at.dateTime() == typed
    form.close()


def test_a_problem_fixed_after_a_refused_submit_leaves_the_screen(qtbot, service):
    inc = service.incidents.create(service.incidents.prefill(None, []))
    window = MainWindow(service)
    qtbot.addWidget(window)
    form = window.open_incident(inc.id)
    form.when_where.location.setCurrentIndex(0)  # （選んでください）
    form.submit_button.click()  # refused: the problems are shown, no question asked
    when = form.section_errors["when"]
    assert when.isVisible() and "場所" in when.text()
    form.when_where.location.setCurrentIndex(form.when_where.location.findData("counter"))
    assert "場所" not in when.text()
    form.close()


def test_saved_draft_reopens_as_saved_not_as_an_older_autosave(qtbot, service):
    """Typing autosaved, more typing, 下書き保存 before the next autosave: reopening brought the
    older autosave back over the saved draft, under 自動保存を復元しました."""
    inc = service.incidents.create(service.incidents.prefill(None, []))
    window = MainWindow(service)
    qtbot.addWidget(window)
    form = window.open_incident(inc.id)
    type_ja(qtbot, form.events.narrative, "窓口で")
    form.autosave_timer.stop()
    form.autosave()  # the autosave of the first words
    form.tasks.wait()
    qtbot.waitUntil(lambda: form.tasks.pending == 0)
    type_ja(qtbot, form.events.narrative, "大声を上げた")
    assert form.save_draft()
    form.close()
    again = window.open_incident(inc.id)
    qtbot.addWidget(again)
    assert again.events.narrative.toPlainText() == "窓口で大声を上げた"
    assert not again.restored_label.isVisible()
    again.close()


def test_the_after_stop_choice_says_why_a_recording_stopped_early(qtbot, service, tmp_path):
    """After a lost device the choice covered the message that said so."""
    from dataclasses import replace

    window = MainWindow(service)
    qtbot.addWidget(window)
    manifest = replace(routine_recording(service, tmp_path), status="device_lost")
    with qtbot.waitSignal(window.after_stop_shown) as shown:
        window.ask_after_stop(manifest, [])
    dialog = shown.args[0]
    text = dialog.findChild(QLabel, "RecordingSummary").text()
    assert "録音装置が使えなくなった" in text and "保存されています" in text
    dialog.reject()


def test_an_attachment_added_after_submit_is_marked_in_the_form_the_chain_and_the_report(
    qtbot, service, tmp_path
):
    """A later SNS post or letter is welcome after 提出, but must not look as if it had been
    handed in with the form: marked with when and by whom, and so in the chain."""
    from tests.store.test_incidents import FILLED

    inc = service.incidents.create(FILLED)
    service.incidents.add_url_attachment(inc.id, "https://example.org/before")
    window = MainWindow(service)
    qtbot.addWidget(window)
    form = window.open_incident(inc.id)
    answer_submit(qtbot, form)
    form.attach_url("https://example.org/after")
    listed = form.attachments.attachment_list
    items = [listed.item(i).text() for i in range(listed.count())]
    assert items[0] == "https://example.org/before"
    assert items[1].startswith("【提出後に追加 ") and STAFF in items[1]
    assert items[1].endswith("https://example.org/after")
    adds = [e.data for e in service.audit.entries(f"incident:{inc.id}")
            if e.event == "incident.attachment_add"]  # fmt: skip
    assert [a["attachment"]["after_submit"] for a in adds] == [False, True]
    assert [a["incident_status"] for a in adds] == ["draft", "submitted"]
    stored = service.incidents.get(inc.id).attachments
    assert [a.after_submit for a in stored] == [False, True]
    # and the report says so, with when and by whom
    import datetime as dt
    import subprocess
    import unicodedata

    from kasuhara_recorder.bundle.report_content import build_report
    from kasuhara_recorder.bundle.report_pdf import render_report_pdf

    report = build_report(service.export.gather(inc.id, "police"), [], files=(),
                          bundle_id="t", custody=[], recipient="police")  # fmt: skip
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_report_pdf(report, dt.datetime.now().astimezone()))
    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    # the PDF's fonts map some kanji to their Kangxi-radical look-alikes (⼝ for 口)
    text = unicodedata.normalize("NFKC", raw).replace("\n", "")
    nfkc = lambda t: unicodedata.normalize("NFKC", t)  # noqa: E731 - the same folding
    assert nfkc("https://example.org/after（提出後に追加:") in text and nfkc(STAFF) in text
    assert nfkc("https://example.org/before（") not in text
    form.close()


def test_the_forms_duration_is_the_recordings_length_as_shown_everywhere(qtbot, service, tmp_path):
    """A 14 s recording read 対応時間 0 分 in the form and 0:00:15 in the report (rounded), while
    the after-stop choice said 0:00:14: one length, in whole seconds, from the manifest."""
    from kasuhara_recorder.ui.format import clock

    manifest = routine_recording(service, tmp_path, seconds=1.6)
    window = MainWindow(service)
    qtbot.addWidget(window)
    form = window.open_new_incident(manifest, [])
    duration = form.when_where.duration
    assert duration.text() == clock(manifest.duration_ms / 1000) == "0:00:01"
    assert form.draft().duration_seconds == 1
    duration.setTime(duration.time().addSecs(65))  # corrected by the worker
    assert form.draft().duration_seconds == 66
    form.close()
