"""Launch to a ready-to-record window, next to a bare PySide6 window in the same run.

Each is a fresh subprocess (offscreen), timed from spawn until the child prints READY after the
first paint of its window. Ready-to-record = the main window painted with the record button
enabled, the profile loaded and the data folder opened. Target: ≤ 1.5× the bare window and
under 2 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

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
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.ui.app import GuiController, application
app = application()
service = AppService(Path(sys.argv[1]))
w = GuiController(service, "ja").show()
def ready():
    w.grab()
    assert w.record_panel.record_button.isEnabled()
    print("READY", flush=True)
    app.quit()
QTimer.singleShot(0, ready)
app.exec()
"""


def launch(code: str, *args: str) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env=env, text=True,
    )  # fmt: skip
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t
    proc.wait(timeout=60)
    if "READY" not in line:
        raise RuntimeError(f"child did not become ready: {line!r}")
    return elapsed


def run(report: Report, quick: bool) -> None:
    repeat = 3 if quick else 7
    with tempfile.TemporaryDirectory() as data:
        launch(APP, data)  # first run creates the data folder and migrates the database
        launch(BARE)  # warm the OS file cache for both
        bare, ours = [], []
        for _ in range(repeat):  # interleaved, so machine noise hits both alike
            bare.append(launch(BARE))
            ours.append(launch(APP, data))
    report.add(
        Figure(
            "startup: launch → ready-to-record window (median)",
            sorted(ours)[len(ours) // 2],
            "s",
            baseline_name="bare PySide6 window",
            baseline=sorted(bare)[len(bare) // 2],
            target_ratio=1.5,
            target_abs=2.0,
        )  # fmt: skip
    )
