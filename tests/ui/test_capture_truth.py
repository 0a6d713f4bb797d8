"""One recording, one start, end and length on every screen a worker or a court sees: the
main window's clock, the after-stop choice, the incident form and the report PDF (read back
with pdftotext), all from the manifest; the idle screen says plainly what the open input does.
The timing of the first sample itself is tests/audio/test_capture_start.py."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kasuhara_recorder.config import InputPreset
from kasuhara_recorder.ui.format import clock
from kasuhara_recorder.ui.main_window import MainWindow
from tests.support.signals import tone, write_wav
from tests.ui.conftest import activate, wait_for_audio, wait_stop_allowed

pytestmark = pytest.mark.pulse


def _window(qtbot, service, pre_event: int = 0) -> MainWindow:
    service.save_settings(service.settings.with_changes(
        counter=InputPreset(device="pulse", channels=1), keep_input_open=True,
        pre_event_seconds=pre_event,
    ))  # fmt: skip
    window = MainWindow(service)
    qtbot.addWidget(window)
    activate(qtbot, window)
    qtbot.waitUntil(lambda: service.recording.warm_input("counter") is not None, timeout=15_000)
    return window


def test_the_idle_screen_says_the_microphone_is_open_and_for_how_long_before(
    qtbot, service, pulse_sink
):
    window = _window(qtbot, service, pre_event=10)
    note = window.record_panel.input_note
    qtbot.waitUntil(lambda: "開いています" in note.text())  # after 「マイクを準備しています…」
    assert "マイクは待機中も開いています" in note.text() and "メモリ内だけ" in note.text()
    assert "前の 10 秒間" in note.text()


def test_start_end_and_length_agree_on_every_screen_and_in_the_report(
    qtbot, service, pulse_sink, tmp_path
):
    from kasuhara_recorder.bundle.report_content import build_report, show_length_ms
    from kasuhara_recorder.bundle.report_pdf import render_report_pdf

    window = _window(qtbot, service)
    player = pulse_sink.play(write_wav(tmp_path / "voice.wav", tone(440, 8.0)))
    try:
        qtbot.keyClick(window, Qt.Key.Key_F9)
        qtbot.waitUntil(lambda: window.controller.recording, timeout=10_000)
        wait_for_audio(qtbot, window, 2.3)
        wait_stop_allowed(qtbot, window)
        shown_clock = []
        window.controller.progress.connect(lambda s, *_: shown_clock.append(s))
        with qtbot.waitSignal(window.after_stop_shown, timeout=15_000) as asked:
            qtbot.keyClick(window, Qt.Key.Key_F9)
    finally:
        player.kill()
        player.wait()
    dialog = asked.args[0]
    (rec,) = service.recordings.list()
    m = rec.manifest
    length = clock(m.duration_ms / 1000)
    start = dt.datetime.fromisoformat(m.started_at)
    end = dt.datetime.fromisoformat(m.ended_at)
    assert end - start == dt.timedelta(milliseconds=m.duration_ms)  # start + length = end
    # the main window's clock at the stop, and the after-stop choice
    assert clock(shown_clock[-1]) == length
    assert f"長さ {length}" in dialog.findChild(QLabel, "RecordingSummary").text()
    # the form made from it
    with qtbot.waitSignal(window.incident_form_opened) as opened:
        dialog.new_button.click()
    form = opened.args[0]
    qtbot.addWidget(form)
    assert form.when_where.duration.text() == length
    assert form.when_where.occurred_at.text() == start.strftime("%Y-%m-%d %H:%M:%S")
    # the report
    inputs = service.export.gather(form.incident.id, "police")
    report = build_report(inputs, [m], files=(), bundle_id="test", custody=[], recipient="police")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_report_pdf(report, dt.datetime.now().astimezone()))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert start.strftime("%Y-%m-%d %H:%M:%S.") + f"{start.microsecond // 1000:03d}" in text
    assert end.strftime("%Y-%m-%d %H:%M:%S.") + f"{end.microsecond // 1000:03d}" in text
    assert show_length_ms(m.duration_ms) in text and show_length_ms(m.duration_ms).startswith(
        length
    )
    form.close()
