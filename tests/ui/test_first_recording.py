"""The first recording of a freshly started app, as a worker meets it in the morning: the real
app (run_gui) in its own process, F9 with a voice playing into the PulseAudio null sink. The
level meter moves (it stayed black for the whole first recording of the day while the WAV held
speech: the meter is how a worker knows the microphone works), and the recording begins at
the key press: its first sample (the manifest's start, from the audio's own ADC time) is the
press, not a second later. (The worker presses once the app is ready, as the idle screen shows:
the input is open.) The start, not the length, is compared with the clock: on a loaded machine
the OS can drop audio mid-recording, which shortens the length without the start being late."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

from kasuhara_recorder.config import InputPreset
from tests.support.signals import tone, write_wav
from tests.support.waiting import wait_until

pytestmark = pytest.mark.pulse

FRESH_APP = r"""
import json, sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication
from kasuhara_recorder.ui import app as gui

show = gui.GuiController.show
seen = {"levels": [], "pressed": None, "pressed_wall": None, "stopped": None}

def show_and_record(self):
    window = show(self)
    def press_f9():
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            key = QKeyEvent(kind, Qt.Key.Key_F9, Qt.KeyboardModifier.NoModifier)
            QApplication.sendEvent(window, key)
    def ready():  # as soon as the app is ready: 録音開始 enabled, the input open
        panel = window.record_panel
        ready_to_record = window.service.recording.warm_input("counter") is not None
        if panel.record_button.isEnabled() and ready_to_record:
            poll.stop()
            seen["pressed"] = time.monotonic()
            seen["pressed_wall"] = time.time()
            press_f9()
    def watch():
        if window.controller.recording:
            seen["levels"].append(window.record_panel.meter.level_db)
            if time.monotonic() - seen["pressed"] > 3.0 and window.controller.stop_allowed:
                seen["stopped"] = time.monotonic()
                press_f9()
    def stopped(manifest, _markers):
        got = {"duration_ms": manifest.duration_ms, "started_at": manifest.started_at}
        print("RESULT " + json.dumps({**seen, **got}), flush=True)
        QTimer.singleShot(0, QApplication.instance().quit)
    poll = QTimer(window); poll.timeout.connect(ready); poll.start(10)
    meter = QTimer(window); meter.timeout.connect(watch); meter.start(50)
    window.controller.stopped.connect(stopped)
    return window

gui.GuiController.show = show_and_record
sys.exit(gui.run_gui(Path(sys.argv[1]), "ja"))
"""


def test_the_first_recording_of_a_fresh_app_moves_the_meter_and_starts_at_the_press(
    service, pulse_sink, tmp_path
):
    service.save_settings(service.settings.with_changes(counter=InputPreset(device="pulse")))
    player = pulse_sink.play(write_wav(tmp_path / "voice.wav", tone(440, 60.0, amplitude=0.3)))
    script = tmp_path / "fresh_app.py"
    script.write_text(FRESH_APP, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(service.paths.root)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    try:
        line = wait_until(proc.stdout.readline, 90, "the first recording's stop")
        assert line.startswith("RESULT "), proc.stderr.read()
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)
        player.kill()
        player.wait()
    seen = json.loads(line.removeprefix("RESULT "))
    assert max(seen["levels"]) > -30, seen["levels"][:20]  # the meter showed the voice
    # the first sample is the one at the press (the cold start's was 1.3-1.9 s after it)
    late = dt.datetime.fromisoformat(seen["started_at"]).timestamp() - seen["pressed_wall"]
    assert abs(late) <= 0.1, f"first sample {late * 1000:+.0f} ms from the press"
    assert seen["duration_ms"] > 0 and seen["stopped"] > seen["pressed"]
