"""Launch to a ready-to-record window, next to a bare PySide6 window in the same run.

Each is a fresh subprocess (offscreen), timed from spawn until the child prints READY after the
first paint of its window. Ours goes through the real entry point (``cli.main``, as the
``kasuhara-recorder`` command does: argument parsing, logging set-up, then the window).
Ready-to-record = the main window painted with the record button enabled on a set-up
workstation: the profile loaded, the data folder opened and the check for recordings a crash
left open done (録音開始 stays disabled until then). Target: ≤ 1.5× the bare window and under
2 s.

Deferring imports must not move the cost to the worker's first press: the same child then
presses 録音開始 (a WAV through the file source, so no device is needed) and reports how long
until recording has started. Target: well under a second.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import kasuhara_recorder
from bench.report import Figure, Report

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QPushButton
from PySide6.QtCore import QTimer
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.setCentralWidget(QPushButton("録音開始")); w.resize(1280, 700); w.show()
QTimer.singleShot(0, lambda: (w.grab(), print("READY", flush=True), app.quit()))
app.exec()
"""

APP = """
import sys, time
# The real entry point (kasuhara_recorder.cli.main, what `kasuhara-recorder` runs), observed by
# wrapping GuiController.show: the child reports once the window it made is ready to record.
# The CLI is imported first, as the real command does, and Qt only after it.
from kasuhara_recorder.cli import main
from PySide6.QtCore import QTimer
import kasuhara_recorder.ui.app as ui_app

def ready(w):
    if not w.record_panel.record_button.isEnabled():
        QTimer.singleShot(2, lambda: ready(w))
        return
    w.grab()
    print("READY", flush=True)
    app = ui_app.QApplication.instance()
    if len(sys.argv) > 2:  # then press 録音開始 once, as the worker would
        t = time.perf_counter()
        def started(_channel):
            print(f"STARTED {time.perf_counter() - t:.4f}", flush=True)
            w.controller.stop(on_done=lambda _m: app.quit())
        w.controller.started.connect(started)
        w.start_recording("counter", input_file=sys.argv[2], paced=True)
    else:
        app.quit()

show = ui_app.GuiController.show
def show_and_watch(self):
    w = show(self)
    QTimer.singleShot(0, lambda: ready(w))
    return w
ui_app.GuiController.show = show_and_watch
main(["--data-dir", sys.argv[1]])
"""

SETUP = """
import sys
from pathlib import Path
import pyrage
from kasuhara_recorder.app.service import AppService
app = AppService(Path(sys.argv[1]))
app.workstation.setup([str(pyrage.x25519.Identity.generate().to_public())], "bench-counter")
app.close()
"""


def launch(code: str, *args: str) -> float:
    return launch_and_start(code, *args)[0]


def launch_and_start(code: str, *args: str) -> tuple[float, float | None]:
    """Seconds from spawn to READY, and the child's own 録音開始 → started time if asked."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env=env, text=True,
    )  # fmt: skip
    try:
        line = proc.stdout.readline()
        elapsed = time.perf_counter() - t
        if "READY" not in line:
            raise RuntimeError(f"child did not become ready: {line!r}")
        started = None
        if len(args) > 1:
            rest = proc.stdout.readline()
            if not rest.startswith("STARTED"):
                raise RuntimeError(f"recording did not start: {rest!r}")
            started = float(rest.split()[1])
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return elapsed, started


def _tone_wav(path: str) -> str:
    import numpy as np
    import soundfile as sf

    t = np.arange(48000 * 5) / 48000
    sf.write(path, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 48000, "PCM_16")
    return path


def run(report: Report, quick: bool) -> None:
    repeat = 3 if quick else 7
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        subprocess.run([sys.executable, "-c", SETUP, data], check=True, timeout=60)
        wav = _tone_wav(os.path.join(tmp, "tone.wav"))
        # As installed (pip compiles bytecode at install time). A checkout run with
        # PYTHONDONTWRITEBYTECODE, as here, would otherwise recompile every module at each launch.
        package = os.path.dirname(kasuhara_recorder.__file__)
        subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True, timeout=120)
        launch(APP, data)  # first run migrates the database and warms the OS file cache
        launch(BARE)
        bare, ours, starts = [], [], []
        for _ in range(repeat):  # interleaved, so machine noise hits both alike
            bare.append(launch(BARE))
            ours.append(launch(APP, data))
            starts.append(launch_and_start(APP, data, wav)[1])
    report.add(
        Figure(
            "startup: launch → ready-to-record window (median)",
            sorted(ours)[len(ours) // 2],
            "s",
            baseline_name="bare PySide6 window",
            baseline=sorted(bare)[len(bare) // 2],
            target_ratio=1.5,
            target_abs=0.5,  # the settled guard: ready in under half a second
        )  # fmt: skip
    )
    report.add(
        Figure(
            "startup: first 録音開始 → recording (median)",
            sorted(starts)[len(starts) // 2],
            "s",
            target_abs=0.5,
        )  # fmt: skip
    )
