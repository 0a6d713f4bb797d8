"""One app per data folder, with real processes: a second start (a double-click, a second
session) brings the running window forward and ends, and never touches the recording the first
one is making; a first app that crashed never locks the worker out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtNetwork import QLocalSocket

from kasuhara_recorder.ui.single_instance import LOCK_NAME, server_name
from tests.support.journal import journal_pcm_bytes
from tests.support.signals import tone, write_wav
from tests.support.waiting import wait_until

# The real app (run_gui), which also starts a recording from a file once its window is up and
# seals it when the test says so (a file appears): a worker recording at the counter.
RECORDING_APP = r"""
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from kasuhara_recorder.ui import app as gui

data, wav, stop_flag = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
show = gui.GuiController.show

def show_and_record(self):
    window = show(self)
    def started(_channel):
        print("RECORDING", window.controller.session.id, flush=True)
        poll.start(50)
    def stopped(manifest, _markers):
        print("SEALED", manifest.id, manifest.status, flush=True)
        QTimer.singleShot(0, gui.QApplication.instance().quit)
    def check():
        if stop_flag.exists() and window.controller.stop_allowed:
            poll.stop()
            window.stop_recording()
    poll = QTimer(window)
    poll.timeout.connect(check)
    window.controller.started.connect(started)
    window.controller.stopped.connect(stopped)
    QTimer.singleShot(0, lambda: window.start_recording("counter", input_file=wav, paced=True))
    return window

gui.GuiController.show = show_and_record
sys.exit(gui.run_gui(data, "ja"))
"""


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def _gui(data: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(data), "gui"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
    )  # fmt: skip


def _listening(data: Path) -> bool:
    sock = QLocalSocket()
    sock.connectToServer(server_name(data))
    ok = sock.waitForConnected(200)
    sock.abort()
    return ok


def _log(data: Path) -> str:
    p = data / "logs" / "kasuhara.log"
    return p.read_text(encoding="utf-8") if p.exists() else ""


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=30)


def test_a_second_start_brings_the_first_forward_and_ends(service):
    data = service.paths.root
    first = _gui(data)
    try:
        wait_until(lambda: _listening(data) or first.poll() is not None, 60, "the first app")
        assert first.poll() is None, first.stderr.read().decode()
        second = _gui(data)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err.decode()
        wait_until(lambda: "bringing the window forward" in _log(data), 30, "the first app told")
        assert "brought that window forward" in _log(data)
        assert first.poll() is None  # still running, still the one app
    finally:
        _stop(first)


def test_a_crashed_first_app_does_not_lock_the_next_start_out(service):
    data = service.paths.root
    first = _gui(data)
    try:
        wait_until(lambda: _listening(data) or first.poll() is not None, 60, "the first app")
    finally:
        first.kill()  # SIGKILL: its lock file stays behind
        first.communicate(timeout=30)
    assert (data / LOCK_NAME).exists()
    again = _gui(data)
    try:
        wait_until(lambda: _listening(data) or again.poll() is not None, 60, "the next start")
        assert again.poll() is None, again.stderr.read().decode()  # it took over, and runs
    finally:
        _stop(again)


def test_a_second_start_never_touches_the_recording_the_first_one_makes(service, tmp_path):
    data = service.paths.root
    wav = write_wav(tmp_path / "counter.wav", tone(440, 60.0, amplitude=0.3))
    script = tmp_path / "recording_app.py"
    script.write_text(RECORDING_APP, encoding="utf-8")
    stop_flag = tmp_path / "stop"
    first = subprocess.Popen(
        [sys.executable, str(script), str(data), str(wav), str(stop_flag)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), text=True,
    )  # fmt: skip
    try:
        line = wait_until(first.stdout.readline, 60, "the first app recording")
        assert line.startswith("RECORDING"), first.stderr.read()
        rid = line.split()[1]
        sealed = data / "vault" / f"{rid}.age"
        wait_until(lambda: journal_pcm_bytes(sealed) > 0, 30, "audio checkpointed")
        second = _gui(data)
        _, err = second.communicate(timeout=60)
        assert second.returncode == 0, err.decode()
        before = journal_pcm_bytes(sealed)
        wait_until(lambda: journal_pcm_bytes(sealed) > before, 30, "the recording going on")
        stop_flag.touch()
        line = wait_until(first.stdout.readline, 60, "the recording sealed")
        assert line.split() == ["SEALED", rid, "complete"], first.stderr.read()
        assert first.wait(30) == 0
    finally:
        _stop(first)
    rec = service.recordings.get(rid)
    assert rec is not None and rec.status == "complete"  # not "recovered" by the second start
    assert service.verify_audit().ok
    events = [e.event for e in service.audit.entries(f"recording:{rid}")]
    assert events[:2] == ["recording.start", "recording.stop"]
    assert "recording.recovered" not in events
