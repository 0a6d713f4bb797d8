"""``KASUHARA_SMOKE_READY=1``: print READY once the main window can record, then quit.

The frozen app cannot be observed by wrapping code, as bench/bench_startup.py does with the
venv's, so the packaging smoke test and bench/bench_package.py ask the app itself. Hidden on
purpose (no option in ``--help``): it is for those two checks, not for people.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer

if TYPE_CHECKING:
    from kasuhara_recorder.ui.main_window import MainWindow

READY_ENV = "KASUHARA_SMOKE_READY"


def watch(window: MainWindow) -> None:
    """Ready = what bench_startup.py waits for: painted, 録音開始 enabled (profile loaded, data
    folder open, the check for recordings a crash left open done)."""
    if os.environ.get(READY_ENV) != "1":
        return
    timer = QTimer(window)
    timer.setInterval(2)

    def check() -> None:
        if not window.record_panel.record_button.isEnabled():
            return
        timer.stop()
        window.grab()  # the first paint, as the bench's venv figure includes it
        if sys.stdout is not None:  # a console=False Windows build has none
            print("READY", flush=True)
        app = QCoreApplication.instance()
        if app is not None:
            app.quit()

    timer.timeout.connect(check)
    timer.start()
