"""Starts the desktop app: QApplication, translators, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kasuhara_recorder.ui.main_window import MainWindow


def run_gui(data_dir: Path, lang: str = "ja") -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Kasuhara Recorder")
    window = MainWindow(data_dir=data_dir, lang=lang)
    window.show()
    return app.exec()
