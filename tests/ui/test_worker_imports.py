"""Worker threads never import a module: ui/preload.py loads them on the GUI thread first.

An import on a QThreadPool worker while the GUI thread deleted a QObject crashed the app (a
segfault in 8 of 12 runs of a form closed during the start-up warm-up, which then imported on a
worker). Whether it crashes is timing; whether a worker imports is not, so that is what this
checks, in a fresh interpreter where nothing is imported yet."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import soundfile as sf

SCRIPT = r"""
import sys, threading
from pathlib import Path

off_main = []
def hook(event, args):
    if event == "import" and threading.current_thread() is not threading.main_thread():
        off_main.append(f"{args[0]} on {threading.current_thread().name}")
sys.addaudithook(hook)

import pyrage
from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.ui.app import application
from kasuhara_recorder.ui.main_window import MainWindow
from PySide6.QtCore import QTimer

app = application()
service = AppService(Path(sys.argv[1]))
service.workstation.setup([str(pyrage.x25519.Identity.generate().to_public())], "t")
window = MainWindow(service)
window.show()

def record():  # as a worker would, right after start-up: record, stop, open a form, attach
    def started(_channel):
        window.controller.stop(on_done=stopped)
    def stopped(manifest):
        inc = service.incidents.create()
        form = window.open_incident(inc.id)
        form.attach_file(Path(sys.argv[2]))
        QTimer.singleShot(1500, finish)
    window.controller.started.connect(started)
    window.start_recording("counter", input_file=sys.argv[2], paced=False)

def finish():
    window.tasks.wait()
    print("OFF_MAIN", off_main, flush=True)
    app.quit()

QTimer.singleShot(0, record)
app.exec()
"""


def test_no_module_is_imported_on_a_worker_thread(tmp_path):
    wav = tmp_path / "tone.wav"
    t = np.arange(48000) / 48000
    sf.write(wav, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 48000, "PCM_16")
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "data"), str(wav)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    line = next((x for x in out.stdout.splitlines() if x.startswith("OFF_MAIN")), None)
    assert line is not None, out.stdout + out.stderr[-3000:]
    assert line == "OFF_MAIN []"
