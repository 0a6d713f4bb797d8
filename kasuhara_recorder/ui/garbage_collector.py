"""Python's cycle collector runs on the GUI thread only, from its own timer, between events.

Why (the cause of the suite's rare segfaults, found with core dumps; ARCHITECTURE.md, Threads):
CPython starts a collection on whichever thread happens to allocate, and our workers allocate a
lot (autosaves, sealing, export). A collection on a QThreadPool worker freed the last Python
reference of live, Python-owned Qt objects held in reference cycles (a window's tray menu and its
icons were seen). shiboken then destroys a QObject "in the main thread" by a Python pending
call, which runs at whatever bytecode the GUI thread executes next: in the middle of a Python
slot or event handler, while Qt is delivering an event to an object that this deletion frees
(the crash: a DeferredDelete delivered to freed memory). Non-QObject values such as QIcon and
QPixmap are destroyed on the worker itself, which Qt forbids. A collection at an arbitrary
allocation on the GUI thread has the same effect one level up.

So the automatic collector is switched off and this object collects, on the GUI thread, from its
timer, the generations the automatic collector would have collected by now. Reference counting
still frees everything that is not in a cycle at once; only cycles wait (at most one interval).
"""

from __future__ import annotations

import gc
import logging
import threading

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger("kasuhara.ui.gc")

INTERVAL_MS = 200


def collect_due() -> int:
    """Collect the oldest generation whose threshold is exceeded, as the automatic collector
    would; nothing when none is. Returns the number of objects found unreachable."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("the cycle collector runs on the GUI thread only")
    counts, thresholds = gc.get_count(), gc.get_threshold()
    for generation in (2, 1, 0):
        if counts[generation] > thresholds[generation]:
            return gc.collect(generation)
    return 0


class GuiThreadCollector(QObject):
    """Install once per process, on the GUI thread, before any worker runs Python code."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(collect_due)
        self.timer.start()

    def stop(self) -> None:
        """Back to the automatic collector (for a process that leaves Qt behind)."""
        self.timer.stop()
        gc.enable()


def install(app: QObject) -> GuiThreadCollector:
    """The one collector of ``app`` (the QApplication), made on first call."""
    found = app.findChild(GuiThreadCollector)
    if found is None:
        found = GuiThreadCollector(app)
        log.debug("cycle collection moved to the GUI thread")
    return found
