"""Choosing a file, one way for every screen.

The system's own dialog where there is one (Windows, a desktop session), in the system's
language. Where Qt draws its own (no desktop, as on a kiosk PC or under Xvfb), its labels come
from qtbase_ja plus ``qt_extra_ja`` (i18n.py), and its sidebar is made wide enough for
「コンピュータ」, which the default width cut off.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QListView, QSplitter, QWidget


def _widen_sidebar(dialog: QFileDialog) -> None:
    """Each place name in full: the sidebar's viewport as wide as its widest item."""
    sidebar = dialog.findChild(QListView, "sidebar")
    splitter = dialog.findChild(QSplitter, "splitter")
    if sidebar is None or splitter is None:
        return  # a native dialog: nothing of ours to lay out
    sizes = splitter.sizes()
    lack = sidebar.sizeHintForColumn(0) - sidebar.viewport().width()
    if len(sizes) == 2 and lack > 0:
        splitter.setSizes([sizes[0] + lack + 4, max(sizes[1] - lack - 4, 1)])


def _run(dialog: QFileDialog) -> Path | None:
    dialog.show()  # laid out, so the sidebar's model and the splitter's sizes are real
    _widen_sidebar(dialog)
    if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    return Path(dialog.selectedFiles()[0])


def open_file(parent: QWidget, title: str, start: Path, name_filter: str = "") -> Path | None:
    dialog = QFileDialog(parent, title, str(start), name_filter)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    return _run(dialog)


def save_file(parent: QWidget, title: str, start: Path, name_filter: str = "") -> Path | None:
    dialog = QFileDialog(parent, title, str(start), name_filter)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    return _run(dialog)
