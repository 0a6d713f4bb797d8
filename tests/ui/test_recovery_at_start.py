"""Recovery at start, as a worker meets it: a recording process dies (really SIGKILLed), the
app is opened on the same data folder, and before 録音開始 is enabled it closes the recording as
`recovered`, says so in plain Japanese and offers the after-stop choice for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kasuhara_recorder.ui.format import clock
from kasuhara_recorder.ui.main_window import MainWindow
from tests.support.journal import wait_for_checkpoint
from tests.support.signals import tone, write_wav


def record_and_kill(service, wav: Path, seconds: float = 3.0) -> Path:
    """A headless recording fed from a file in real time, SIGKILLed once its checkpoints cover
    ``seconds`` of audio (48 kHz mono 16-bit)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kasuhara_recorder", "record", "--seconds", "60",
         "--input-file", str(wav)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy(),
    )  # fmt: skip
    try:
        sealed = wait_for_checkpoint(
            service.paths.vault, proc, int(seconds * 48_000 * 2), timeout=30 + seconds
        )
        proc.kill()  # SIGKILL: no handler runs, nothing is flushed or sealed
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    return sealed


def test_recording_killed_mid_way_is_recovered_and_announced_at_start(qtbot, service, tmp_path):
    wav = write_wav(tmp_path / "voice.wav", tone(440, 30.0, amplitude=0.3))
    sealed = record_and_kill(service, wav)
    rid = sealed.name.removesuffix(".age")

    window = MainWindow(service)
    qtbot.addWidget(window)
    # not ready to record until the check is done (F9 would be ignored)
    assert window.recovering and not window.record_panel.record_button.isEnabled()
    with qtbot.waitSignal(window.recovery_shown, timeout=30_000) as shown:
        window.show()
    box = shown.args[0]
    assert box.objectName() == "RecoveryNotice"
    assert window.record_panel.record_button.isEnabled()

    rec = service.recordings.get(rid)
    assert rec.status == "recovered"
    manifest = rec.manifest
    assert 1.5 < manifest.duration_ms / 1000 < 10
    text = box.text() + "\n" + box.informativeText()
    assert "1 件" in text and "復旧" in text and "封印" in text and "事案" in text
    assert manifest.started_at[:19].replace("T", " ") in text
    assert clock(manifest.duration_ms / 1000) in text

    # the chain is intact and says it was recovered
    r = subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--json", "audit", "verify"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    events = [e.event for e in service.audit.entries(f"recording:{rid}")]
    assert events == ["recording.start", "recording.recovered"]

    # 事案に登録する → the same after-stop choice as after 停止 → a new incident with it
    with qtbot.waitSignal(window.after_stop_shown, timeout=5_000) as after:
        qtbot.mouseClick(box.attach_button, Qt.MouseButton.LeftButton)
    dialog = after.args[0]
    assert "復旧した録音" in dialog.findChild(QLabel, "RecordingSummary").text()
    with qtbot.waitSignal(window.incident_form_opened) as opened:
        qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    form = opened.args[0]
    qtbot.addWidget(form)
    assert service.incidents.get(form.incident.id).recordings == (rid,)
    assert service.recordings.get(rid).incident_id == form.incident.id
    form.close()

    # opened again: nothing left to recover, no message
    again = MainWindow(service)
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.recovery_finished, timeout=30_000) as done:
        again.show()
    assert done.args[0] == []
    assert again.record_panel.record_button.isEnabled()


def test_a_recovery_failure_is_told_and_recording_stays_possible(qtbot, service):
    # A real unreadable leftover: a sealed file of garbage without a journal.
    service.paths.vault.mkdir(parents=True, exist_ok=True)
    (service.paths.vault / "rec-20261125-000000-dead.age").write_bytes(os.urandom(4096))
    window = MainWindow(service)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.recovery_shown, timeout=30_000) as shown:
        window.show()
    box = shown.args[0]
    assert box.objectName() == "RecoveryError"
    assert "新しい録音はこのまま行えます" in box.text()
    assert window.record_panel.record_button.isEnabled() and not window.recovering
    box.close()
