"""What a stressed worker does to the counter workflow: F9 mashed, the window closed while a
recording starts or seals, the language switched at the wrong moment, the after-stop choice
dismissed. Never two recordings, never one left running out of sight, never a lost one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from kasuhara_recorder.ui.main_window import MainWindow
from tests.ui.conftest import activate, settle, wait_for_audio, wait_stop_allowed

pytestmark = pytest.mark.pulse


@pytest.fixture
def answer_yes(monkeypatch):
    """The 'recording: stop, seal and quit?' box is modal; answering it is the user's part."""
    asked: list[str] = []

    def question(_parent, _title, text, *_a, **_k):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def all_sealed(service) -> bool:
    return not service.vault.may_need_recovery()


def test_f9_mashed_makes_one_recording_and_esc_keeps_it(qtbot, service, pulse_sink):
    window = MainWindow(service)
    qtbot.addWidget(window)
    activate(qtbot, window)
    shown = []
    window.after_stop_shown.connect(shown.append)
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.controller.recording, timeout=10_000)
    settle(qtbot, window)
    wait_stop_allowed(qtbot, window)
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: bool(shown), timeout=15_000)
    settle(qtbot, window)
    assert len(shown) == 1
    (rec,) = service.recordings.list()
    assert rec.status == "complete"
    qtbot.keyClick(shown[0], Qt.Key.Key_Escape)  # dismissed: kept as routine, in the chain
    assert ("recording.routine", f"recording:{rec.id}") in [
        (e.event, e.subject) for e in service.audit.entries()
    ]
    assert window.record_panel.record_button.isEnabled()
    assert window.record_panel.state_label.text() == "待機中"


def test_f9_pressed_twice_quickly_keeps_recording_and_never_seals_an_empty_one(
    qtbot, service, pulse_sink
):
    """A double press (80 ms apart) sealed an empty recording (長さ 0:00:00) when the device
    opened faster than the second press. The guard's clock is the controller's own, so "80 ms
    later" is exact here whatever the machine's speed."""
    window = MainWindow(service)
    qtbot.addWidget(window)
    activate(qtbot, window)
    now = [100.0]
    window.controller.clock = lambda: now[0]
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.controller.recording, timeout=10_000)
    now[0] += 0.080
    qtbot.keyClick(window, Qt.Key.Key_F9)  # the second half of the double press
    settle(qtbot, window)
    assert window.controller.recording and not window.controller.stopping
    assert window.record_panel.state_label.text() == "録音中"
    wait_for_audio(qtbot, window, 1.2)
    now[0] += 1.2  # a real stop, later
    with qtbot.waitSignal(window.after_stop_shown, timeout=15_000) as shown:
        qtbot.keyClick(window, Qt.Key.Key_F9)
    shown.args[0].reject()
    (rec,) = service.recordings.list()
    assert rec.duration_ms >= 1200


def test_closing_the_window_while_it_starts_seals_the_recording(
    qtbot, service, pulse_sink, answer_yes
):
    window = MainWindow(service)
    qtbot.addWidget(window)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert window.record_panel.busy  # the device is still opening
    window.close()
    assert not window.isVisible()
    settle(qtbot, window)  # the start's own callback arrives, after the window closed
    assert not window.controller.recording
    assert all_sealed(service)  # nothing left running behind a closed window
    (rec,) = service.recordings.list()
    assert rec.status == "complete"


def test_closing_while_it_seals_does_not_ask_again(qtbot, service, pulse_sink, answer_yes):
    window = MainWindow(service)
    qtbot.addWidget(window)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.controller.recording, timeout=10_000)
    stopped = []
    window.controller.stopped.connect(lambda m, _markers: stopped.append(m))
    wait_stop_allowed(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F9)  # sealing starts
    window.close()
    settle(qtbot, window)
    assert answer_yes == []  # it is already being saved: nothing to ask
    assert not window.isVisible()
    assert len(stopped) == 1  # one recording, reported once
    assert all_sealed(service)


def test_language_switch_while_it_starts_is_refused(qtbot, service, pulse_sink, monkeypatch, gui):
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    controller = gui()
    window = controller.show()
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    window.language_actions["en"].trigger()
    assert controller.window is window  # not rebuilt under a starting recording
    assert told and "録音中" in told[0]
    assert window.language_actions["ja"].isChecked()
    qtbot.waitUntil(lambda: window.controller.recording, timeout=10_000)
    assert window.record_panel.state_label.text() == "録音中"
    wait_stop_allowed(qtbot, window)
    with qtbot.waitSignal(window.after_stop_shown, timeout=15_000) as shown:
        qtbot.keyClick(window, Qt.Key.Key_F9)
    shown.args[0].reject()
    assert all_sealed(service)


def test_f9_records_and_stops_while_an_incident_form_is_in_front(qtbot, service, pulse_sink):
    """A worker filling in an earlier incident's form when the next confrontation begins:
    F9 must start (and stop) the recording, not be swallowed by the form's window."""
    inc = service.incidents.create(service.incidents.prefill(None, []))
    window = MainWindow(service)
    qtbot.addWidget(window)
    activate(qtbot, window)
    form = window.open_incident(inc.id)
    qtbot.addWidget(form)
    activate(qtbot, form)
    qtbot.keyClick(form.events.narrative, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.controller.recording, timeout=10_000)
    qtbot.keyClick(form.events.narrative, Qt.Key.Key_2)  # typing in the form stays typing
    assert form.events.narrative.toPlainText() == "2"
    assert window.tag_panel.table.rowCount() == 0
    wait_stop_allowed(qtbot, window)
    with qtbot.waitSignal(window.after_stop_shown, timeout=15_000) as shown:
        qtbot.keyClick(form.events.narrative, Qt.Key.Key_F9)
    shown.args[0].reject()
    assert all_sealed(service)
    form.close()


def test_keys_while_the_after_stop_choice_is_open_start_nothing(qtbot, service, pulse_sink):
    window = MainWindow(service)
    qtbot.addWidget(window)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.controller.recording, timeout=10_000)
    wait_stop_allowed(qtbot, window)
    with qtbot.waitSignal(window.after_stop_shown, timeout=15_000) as shown:
        qtbot.keyClick(window, Qt.Key.Key_F9)
    dialog = shown.args[0]
    for key in (Qt.Key.Key_F9, Qt.Key.Key_1, Qt.Key.Key_F9):
        qtbot.keyClick(dialog, key)
        qtbot.keyClick(window, key)
    settle(qtbot, window)  # a key that started anything would have left a task
    assert not window.controller.active  # no second recording behind the open choice
    assert dialog.isVisible()
    dialog.reject()
    assert len(service.recordings.list()) == 1
    assert window.tag_panel.table.rowCount() == 0


def test_an_unexpected_start_error_says_what_to_do(qtbot, service):
    """Not a KasuharaError (here a real TypeError from the service): the worker is told what
    to do next, not to read a log they cannot find."""
    window = MainWindow(service)
    qtbot.addWidget(window)
    activate(qtbot, window)
    with qtbot.waitSignal(window.controller.start_failed, timeout=10_000):
        window.start_recording("counter", no_such_option=True)
    text = window.record_panel.message.text()
    assert "もう一度録音開始を押してください" in text and "情報システム担当者" in text
    assert window.record_panel.record_button.isEnabled()
    assert not window.controller.active


def test_f9_works_in_the_window_a_language_switch_made(qtbot, service, pulse_sink, gui):
    """The record key is application-wide: the replaced window's key must not make it
    ambiguous (Qt then fires neither)."""
    controller = gui()
    window = controller.show()
    activate(qtbot, window)
    controller.switch_language("en")
    new = controller.window
    activate(qtbot, new)
    qtbot.keyClick(new, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: new.controller.recording, timeout=10_000)
    assert not window.controller.active
    wait_stop_allowed(qtbot, new)
    with qtbot.waitSignal(new.after_stop_shown, timeout=15_000) as shown:
        qtbot.keyClick(new, Qt.Key.Key_F9)
    shown.args[0].reject()
    assert all_sealed(service)
