"""Reference cycles holding Qt objects are collected on the GUI thread, from the collector's
timer, never by whichever thread allocates (kasuhara_recorder/ui/garbage_collector.py).

The suite's rare segfault (a DeferredDelete delivered to freed memory, seen in core dumps) came
from the automatic collector running on QThreadPool workers: it freed live Python-owned Qt
objects held in cycles (a window's tray menu, its icons), and shiboken then destroyed them at an
arbitrary point of the GUI thread. Whether that crashes is timing; where the collection runs and
where the object is destroyed is not, so that is what these tests check. They run in a fresh
interpreter, as the app starts, with the app's own ``application()``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = r"""
import gc, json, sys, threading, traceback
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QMenu
from kasuhara_recorder.ui.app import application
from kasuhara_recorder.ui.task_runner import TaskRunner

app = application()
off_main = []
def watch(phase, info):
    if phase == "start" and threading.current_thread() is not threading.main_thread():
        off_main.append(threading.current_thread().name)
gc.callbacks.append(watch)

destroyed = []
def note(*_):
    stack = traceback.extract_stack()
    destroyed.append({
        "thread": threading.current_thread().name,
        "by_collector": any(f.name == "collect_due" for f in stack),
        "frames": [f.name for f in stack][-6:],
    })

def orphan():
    # Python-owned, held only by a cycle, as the tray menu was before it had a parent
    menu = QMenu()
    menu.cycle = menu
    child = QObject(menu)
    child.destroyed.connect(note, Qt.ConnectionType.DirectConnection)

def churn():  # a worker allocating, as autosave, sealing and export do
    cycles = []
    for _ in range(5000):
        d = {}
        d["self"] = d
        cycles.append(d)
    return len(cycles)

runner = TaskRunner()
orphan()
polls, done = [0], []
def check():  # until the menu is gone, or 10 s
    polls[0] += 1
    if destroyed or polls[0] > 500:
        app.quit()
runner.run(churn, on_done=done.append)
timer = QTimer()
timer.timeout.connect(check)
timer.start(20)
app.exec()
print("RESULT " + json.dumps({"off_main": off_main, "destroyed": destroyed, "done": done}))
"""


def _run(tmp_path) -> dict:
    script = tmp_path / "gc_probe.py"
    script.write_text(SCRIPT, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def test_a_worker_allocating_never_runs_the_cycle_collector(tmp_path):
    result = _run(tmp_path)
    assert result["done"] == [5000]  # the worker really allocated its cycles
    assert result["off_main"] == []


def test_a_qt_object_in_a_cycle_is_destroyed_by_the_collector_on_the_gui_thread(tmp_path):
    (event,) = _run(tmp_path)["destroyed"]
    assert event["thread"] == "MainThread"
    assert event["by_collector"], event["frames"]  # not at an arbitrary bytecode
