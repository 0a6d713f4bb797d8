"""The counter's recording notice through the widgets: a 窓口 recording shows the sentence of the
profile to say, F8 (告知しました) stamps it at the audio position like a live tag, and the sealed
manifest and the audit chain hold it; a 電話 recording shows no counter prompt."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kasuhara_recorder.ui.main_window import MainWindow
from tests.support.signals import tone, write_wav
from tests.ui.conftest import activate, wait_for_audio, wait_stop_allowed

pytestmark = pytest.mark.pulse


def test_counter_notice_is_shown_stamped_and_sealed(qtbot, service, pulse_sink, tmp_path):
    window = MainWindow(service)
    qtbot.addWidget(window)
    activate(qtbot, window)
    panel = window.record_panel
    assert not panel.notice.isVisible()
    player = pulse_sink.play(write_wav(tmp_path / "voice.wav", tone(440, 6.0)))
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.controller.recording, timeout=10_000)
    assert panel.notice.isVisible()
    assert "トラブル防止のため、会話を録音させていただきます" in panel.notice.sentence.text()
    start = window.controller.session.position_s
    wait_for_audio(qtbot, window, start + 0.8)
    at_press_ms = int(window.controller.session.position_s * 1000)
    with qtbot.waitSignal(window.controller.notice_given, timeout=5_000) as given:
        qtbot.keyClick(window, Qt.Key.Key_F8)
    offset_ms = given.args[0]
    assert at_press_ms <= offset_ms < at_press_ms + 500
    assert not panel.notice.button.isEnabled()
    assert panel.notice.done_label.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F8)  # a second press changes nothing
    wait_stop_allowed(qtbot, window)
    with qtbot.waitSignal(window.after_stop_shown, timeout=15_000) as shown:
        qtbot.keyClick(window, Qt.Key.Key_F9)
    player.kill()
    player.wait()
    assert not panel.notice.isVisible()
    (rec,) = service.recordings.list()
    notice = rec.manifest.notice
    assert notice is not None and notice.kind == "spoken" and notice.offset_ms == offset_ms
    assert notice.who == service.actor
    entries = [e.event for e in service.audit.entries(f"recording:{rec.manifest.id}")]
    assert entries.count("recording.notice") == 1
    assert service.verify_audit().ok
    shown.args[0].close()


def test_the_file_menus_poster_entry_writes_the_poster(qtbot, service, tmp_path):
    window = MainWindow(service)
    qtbot.addWidget(window)
    action = window.menu_actions["poster"]
    assert "ポスター" in action.text()
    out = tmp_path / "poster.pdf"
    with qtbot.waitSignal(window.poster_saved, timeout=20_000):
        window.save_poster(out)
    assert out.read_bytes().startswith(b"%PDF")
    assert "ポスターを保存しました" in window.statusBar().currentMessage()
