"""The main window's central-store line and its background sync, against a real PostgreSQL
central store (tests/support/central.py): what the worker reads in the status bar while the
recording waits, once the background sync sent it, and when the server is down for longer than
the set hours; a central store rolled back is said once, in a box that blocks nothing; a PC
without a central store shows no line at all."""

from __future__ import annotations

import datetime as dt
import logging
import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

from kasuhara_recorder.ui.main_window import MainWindow
from tests.support.postgres import wait_until_down
from tests.support.recordings import routine_recording
from tests.support.signals import tone, write_wav

ON_ONE_DISK = "この端末の記録はこの PC のディスクにしかありません"


def open_window(qtbot, app) -> MainWindow:
    window = MainWindow(app)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.recovering, timeout=10_000)
    return window


def syncs_seen(line) -> list[str]:
    """The line's text after each sync that ran (not the first read of the state)."""
    seen: list[str] = []
    line.sync_finished.connect(lambda _status: seen.append(line.text()))
    return seen


def record_and_keep(qtbot, window: MainWindow, tmp_path) -> object:
    """録音開始 → 停止 → 通常の録音として保存, as through the buttons; the manifest."""
    wav = write_wav(tmp_path / "voice.wav", tone(440, 1.5, amplitude=0.3))
    qtbot.waitUntil(window.record_panel.record_button.isEnabled, timeout=10_000)
    stopped: list = []
    window.controller.stopped.connect(lambda manifest, _markers: stopped.append(manifest))
    window.start_recording("counter", input_file=wav, paced=True)
    qtbot.waitUntil(lambda: window.controller.recording, timeout=10_000)
    assert window.record_panel.state_label.text() == "録音中"
    qtbot.waitUntil(lambda: window.controller.stop_allowed, timeout=10_000)
    with qtbot.waitSignal(window.after_stop_shown, timeout=30_000) as shown:
        window.stop_recording()
    qtbot.mouseClick(shown.args[0].routine_button, Qt.MouseButton.LeftButton)
    assert stopped and stopped[0] is not None
    return stopped[0]


def test_a_waiting_recording_is_sent_by_the_background_sync(central, qtbot, tmp_path):
    app = central.workstation(tmp_path, "counter-a")
    manifest = routine_recording(app, tmp_path)
    window = open_window(qtbot, app)
    line = window.sync_line
    assert line is not None and line.isVisible()

    # Before the first sync: the recording and the audit log's new entries (the lead's
    # SyncStatus counts the chain as one item), never sent.
    qtbot.waitUntil(lambda: "送信待ち" in line.text(), timeout=15_000)
    assert line.text() == "中央保管庫: 送信待ち 2 件（まだ接続していません）"
    assert not line.warning
    seen = syncs_seen(line)

    qtbot.waitUntil(lambda: bool(seen), timeout=30_000)  # shortly after the start, by itself
    assert re.fullmatch(r"中央保管庫: 同期済み（最終接続 \d{1,2}:\d{2}）", line.text()), line.text()
    assert not line.warning and line.toolTip() == ""
    assert not window.tasks.pending  # the recorder's runner was never used for it
    got = central.sql(f"SELECT sealed_sha256 FROM kasuhara.recordings WHERE id = '{manifest.id}'")
    assert got == manifest.sealed_sha256
    assert app.sync.status().waiting == 0


def test_a_server_down_longer_than_the_set_hours_warns_and_recording_goes_on(
    central,
    qtbot,
    tmp_path,
    monkeypatch,
):
    from kasuhara_recorder.store import sync_state

    app = central.workstation(tmp_path, "counter-b")
    app.save_settings(app.settings.with_changes(central_warn_hours=1))
    routine_recording(app, tmp_path)
    # The last real sync, two hours ago by this PC's clock (the sync state's own clock).
    earlier = dt.datetime.now().astimezone() - dt.timedelta(hours=2, minutes=5)
    with monkeypatch.context() as m:
        m.setattr(sync_state, "_now", lambda: earlier.isoformat(timespec="seconds"))
        assert app.sync.sync().ok
    server = central.server
    server.stop_server("immediate")
    try:
        wait_until_down(server)
        window = open_window(qtbot, app)
        line = window.sync_line
        assert line is not None
        seen = syncs_seen(line)
        qtbot.waitUntil(lambda: bool(seen), timeout=30_000)  # the first background sync failed
        warning = f"中央保管庫: 未接続 — 最後の接続から 2 時間。{ON_ONE_DISK}"
        assert line.text() == warning
        assert line.warning and "#fff3e0" in line.styleSheet()  # the warning colours
        assert "中央保管庫（" in line.toolTip() and "接続できません" in line.toolTip()
        assert app.backend.sync_state().contact().last_error  # the attempt was recorded

        before = len(seen)
        manifest = record_and_keep(qtbot, window, tmp_path)
        assert manifest.id in {r.id for r in app.recordings.list()}  # sealed and kept here
        qtbot.waitUntil(lambda: len(seen) > before, timeout=30_000)  # the sync after saving
        assert line.text() == warning
        assert app.sync.status().waiting == 2  # the new recording and its audit entries
        assert window.record_panel.record_button.isEnabled()
    finally:
        server.start_server()


def test_a_rolled_back_central_store_is_said_once_without_blocking(
    central,
    qtbot,
    tmp_path,
    caplog,
):
    from kasuhara_recorder.store.sync_state import SeenHead

    app = central.workstation(tmp_path, "counter-c")
    assert app.sync.sync().ok
    # This PC saw a later central head than the server has now: restored from an old backup.
    seen_head = app.backend.sync_state().seen_head()
    assert seen_head is not None
    later = SeenHead(seen_head.seq + 50, "0" * 64, "{}", seen_head.signed_by, "")
    app.backend.sync_state().see_head(later)
    window = open_window(qtbot, app)
    boxes: list[QMessageBox] = []
    window.sync_line.problem_shown.connect(boxes.append)
    with caplog.at_level(logging.ERROR, logger="kasuhara"):
        qtbot.waitUntil(lambda: bool(boxes), timeout=30_000)
    box = boxes[0]
    assert box.isVisible() and not box.isModal()
    assert box.windowModality() == Qt.WindowModality.NonModal
    assert "中央保管庫が以前の状態に戻されています" in box.text()
    assert "録音はこのまま続けられます" in box.text()
    assert "central store rolled back" in caplog.text
    qtbot.waitUntil(window.record_panel.record_button.isEnabled, timeout=10_000)
    assert window.sync_line.text().startswith("中央保管庫: 同期済み")

    seen = syncs_seen(window.sync_line)
    window.sync_line.sync_now()  # the next sync: the head it saw is the server's again
    qtbot.waitUntil(lambda: bool(seen), timeout=30_000)
    assert len(boxes) == 1
    box.close()


def test_no_central_store_no_line(qtbot, service):
    assert not service.settings.central_url
    window = open_window(qtbot, service)
    qtbot.waitUntil(window.record_panel.record_button.isEnabled, timeout=10_000)
    assert window.sync_line is None
    assert window.findChild(QLabel, "SyncStatus") is None
    shown = [w.text() for w in window.statusBar().findChildren(QLabel) if w.isVisible()]
    assert not any("中央保管庫" in t for t in shown), shown
