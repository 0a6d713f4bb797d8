"""The officer's player as the officer uses it: 録音を再生 asks to unlock the key (a wrong
passphrase first), a click on the waveform and 再生 play the recording — made through one
PulseAudio null sink — to another, whose monitor is captured in memory; what was heard is the
recording from the clicked offset; the chain shows it; and afterwards no file in the data
folder, the temp folder or the home folder holds the audio."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from kasuhara_recorder.app.officer_session import OfficerSession
from kasuhara_recorder.ui.main_window import MainWindow
from tests.support.playback import (
    MonitorCapture,
    files_holding,
    make_officer,
    pcm_windows,
    record_through,
)
from tests.support.recordings import routine_recording
from tests.support.signals import aligned_correlation, sweep

pytestmark = pytest.mark.pulse
RATE = 48000


def _window(qtbot, service) -> MainWindow:
    window = MainWindow(service)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.recovering, timeout=10_000)
    return window


def _opened(qtbot, window, recording_id: str, kind: str):
    """open_player, and the window it shows (an UnlockDialog, PlayerWindow or message box)."""
    shown: list = []
    window.dialog_opened.connect(shown.append)
    window.open_player(recording_id)
    qtbot.waitUntil(lambda: any(type(w).__name__ == kind or w.objectName() == kind
                                for w in shown), timeout=15_000)  # fmt: skip
    return next(w for w in shown if type(w).__name__ == kind or w.objectName() == kind)


def _unlock(qtbot, dialog, passphrase: str, identity_file: Path | None = None) -> None:
    if identity_file is not None:
        dialog.identity_edit.setText(str(identity_file))
    dialog.passphrase.setText(passphrase)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)


def _player(qtbot, window, dialog, officer):
    shown: list = []
    window.dialog_opened.connect(shown.append)
    _unlock(qtbot, dialog, officer.passphrase, officer.identity_file)
    qtbot.waitUntil(lambda: any(type(w).__name__ == "PlayerWindow" for w in shown), timeout=15_000)
    player = next(w for w in shown if type(w).__name__ == "PlayerWindow")
    qtbot.waitUntil(lambda: player.playback.audio.checked, timeout=15_000)
    return player


def test_the_officer_unlocks_plays_from_a_click_and_no_file_holds_the_audio(
    qtbot, service, org_identity, pulse_server, tmp_path, monkeypatch
):
    began = time.time()
    real_roots = [Path(tempfile.gettempdir()), Path.home()]
    # the app's temp and home folders are this test's, so every file in them can be read
    for name in ("TMPDIR", "HOME"):
        (tmp_path / name.lower()).mkdir()
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.setattr(tempfile, "tempdir", None)
    rec_sink = pulse_server.new_sink()
    try:
        signal = np.round(sweep(200, 4000, 8.0, amp=0.4) * 32767).astype(np.int16)
        manifest = record_through(service, rec_sink, signal)
    finally:
        rec_sink.remove()
    import pyrage

    sealed = (service.paths.vault / manifest.sealed_name).read_bytes()
    original = np.frombuffer(pyrage.decrypt(sealed, [org_identity]), dtype="<i2")
    officer = make_officer(service, org_identity, tmp_path / "org")
    out = pulse_server.new_sink()  # the default output: where the player plays
    window = _window(qtbot, service)
    assert "play" in window.menu_actions  # 録音を再生… for an officer

    dialog = _opened(qtbot, window, manifest.id, "UnlockDialog")
    _unlock(qtbot, dialog, "not the passphrase", officer.identity_file)
    assert dialog.isVisible()
    text = dialog.message.text()
    assert "パスフレーズが違います" in text and "続けて 1 回目" in text
    failed = [e for e in service.audit.entries() if e.event == "key.unlock_failed"]
    assert len(failed) == 1 and failed[0].data["purpose"] == "playback"
    win = _player(qtbot, window, dialog, officer)
    assert service.audit.entries()[-1].event == "key.unlock"
    assert service.settings.identity_file == str(officer.identity_file)  # remembered

    capture = MonitorCapture(out)
    try:
        qtbot.waitUntil(lambda: capture.frames > 0, timeout=10_000)
        view = win.waveform
        x = int(view.width() * 0.4)
        clicked_ms = view.ms_of(x)
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(x, view.height() // 2))
        assert win.player.position_ms == clicked_ms
        qtbot.mouseClick(win.play_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: win.player.position_ms >= clicked_ms + 2000, timeout=15_000)
        assert win.play_button.text() == "一時停止"
        qtbot.mouseClick(win.play_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(win.playback.segments), timeout=10_000)
        heard = capture.stop().astype(np.float32) / 32768
    finally:
        capture.stop()
    loud = np.flatnonzero(np.abs(heard) > 0.01)
    assert len(loud), "nothing was heard"
    heard = heard[loud[0] : loud[-1] + 1]
    corr, lag = aligned_correlation(heard[: RATE // 2], original.astype(np.float32) / 32768)
    assert corr >= 0.95, f"correlation {corr:.3f}"
    assert abs(lag * 1000 / RATE - clicked_ms) <= 50, f"{lag * 1000 / RATE:.0f} vs {clicked_ms}"
    plays = [e for e in service.audit.entries(f"recording:{manifest.id}")
             if e.event == "recording.play"]  # fmt: skip
    assert len(plays) == 1 and plays[0].data["from_ms"] == clicked_ms
    assert clicked_ms + 1950 <= plays[0].data["to_ms"] <= clicked_ms + 2600
    win.close()
    window.close()
    out.remove()

    windows = pcm_windows(original)
    roots = [service.paths.root, tmp_path / "tmpdir", tmp_path / "home"]
    assert files_holding(windows, roots) == []
    # and nothing written anywhere under the real temp and home folders meanwhile
    assert files_holding(windows, real_roots, since=began) == []


def test_a_click_on_a_tag_marker_jumps_to_it(qtbot, service, org_identity, pulse_sink, tmp_path):
    tags = (("conduct.mental", 700, "大声"), ("demand.apology", 1600, ""))
    manifest = routine_recording(service, tmp_path, tags=tags, seconds=2.5)
    service.recordings.add_tag(manifest.id, _later_tag())
    officer = make_officer(service, org_identity, tmp_path / "org")
    window = _window(qtbot, service)
    win = _player(qtbot, window, _opened(qtbot, window, manifest.id, "UnlockDialog"),
                  officer)  # fmt: skip
    view = win.waveform
    assert [(m.offset_ms, m.later) for m in view.markers] == [(700, False), (1600, False),
                                                              (2000, True)]  # fmt: skip
    assert "精神的な攻撃" in view.markers[0].label and "大声" in view.markers[0].label
    x = round(view.x_of(1600)) + 3  # near the marker, not on it: the marker wins
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(x, view.height() // 2))
    assert win.player.position_ms == 1600
    assert win.position.text().startswith("00:01 / 00:02")
    win.close()


def _later_tag():
    from kasuhara_recorder.evidence.manifest import TagEntry

    return TagEntry("conduct.intimidation", 2000, "後から", "証拠 担当")


def test_a_supervisor_has_no_player_and_is_refused(qtbot, service, org_identity, pulse_sink,
                                                   tmp_path):  # fmt: skip
    manifest = routine_recording(service, tmp_path)
    make_officer(service, org_identity, tmp_path / "org", role="supervisor")
    window = _window(qtbot, service)
    assert "play" not in window.menu_actions
    box = _opened(qtbot, window, manifest.id, "PlayerRefused")
    assert "録音の再生" in box.text() and "権限がありません" in box.text()
    assert not [
        e for e in service.audit.entries() if e.event.startswith(("key.", "recording.play"))
    ]
    box.close()


def test_the_idle_key_locks_and_closes_the_player(qtbot, service, org_identity, pulse_sink,
                                                  tmp_path):  # fmt: skip
    manifest = routine_recording(service, tmp_path)
    officer = make_officer(service, org_identity, tmp_path / "org")
    now = [1000.0]
    service.__dict__["officer"] = OfficerSession(
        settings=lambda: service.settings, roles=service.roles, audit=lambda: service.audit,
        actor=lambda: service.actor, clock=lambda: now[0],
    )  # fmt: skip
    window = _window(qtbot, service)
    win = _player(qtbot, window, _opened(qtbot, window, manifest.id, "UnlockDialog"),
                  officer)  # fmt: skip
    closed: list = []
    win.closed.connect(closed.append)
    now[0] += service.settings.idle_lock_minutes * 60 + 1
    window._players.watch.check()  # what its 5 s timer does
    assert closed == [manifest.id]
    assert service.audit.entries()[-1].event == "key.lock"
    assert "組織の鍵を閉じました" in window.statusBar().currentMessage()
    # opening again asks for the key first
    dialog = _opened(qtbot, window, manifest.id, "UnlockDialog")
    dialog.reject()


def test_the_incident_details_play_button_opens_the_player(
    qtbot, service, org_identity, pulse_sink, tmp_path
):
    manifest = routine_recording(service, tmp_path, tags=(("conduct.mental", 500, ""),))
    inc = service.incidents.create_from_recording(manifest, [])
    officer = make_officer(service, org_identity, tmp_path / "org")
    window = _window(qtbot, service)
    listing = window.open_incident_list()
    detail = listing.open_detail(inc.id)
    qtbot.waitUntil(lambda: detail.data is not None, timeout=10_000)
    shown: list = []
    window.dialog_opened.connect(shown.append)
    qtbot.mouseClick(detail.play_buttons[manifest.id], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(type(w).__name__ == "UnlockDialog" for w in shown))
    dialog = next(w for w in shown if type(w).__name__ == "UnlockDialog")
    win = _player(qtbot, window, dialog, officer)
    assert win.playback.recording_id == manifest.id
    win.close()
    listing.close()
