"""The main window. At this stage: the frame the counter workflow is built into."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QPushButton, QVBoxLayout, QWidget


class MainWindow(QMainWindow):
    def __init__(self, data_dir: Path, lang: str = "ja") -> None:
        super().__init__()
        self.data_dir = data_dir
        self.setWindowTitle(self.tr("カスハラ録音 — Kasuhara Recorder"))
        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.record_button = QPushButton(self.tr("録音開始"), central)
        self.record_button.setMinimumHeight(96)
        font = self.record_button.font()
        font.setPointSize(24)
        self.record_button.setFont(font)
        self.status = QLabel(self.tr("待機中"), central)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.record_button)
        layout.addWidget(self.status)
        self.setCentralWidget(central)
        self.resize(900, 600)
