"""The file dialog a worker meets (添付するファイル, 受取人ファイル): where Qt draws its own, it is
Japanese throughout and its sidebar shows 「コンピュータ」 whole (issue 11: 'Look in:' and
'Files of type:' were English, the place name cut off)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QListView

from kasuhara_recorder.ui.file_dialog import open_file

CJK = set(range(0x3040, 0x30FF + 1)) | set(range(0x4E00, 0x9FFF + 1))


def _japanese(text: str) -> bool:
    return any(ord(c) in CJK for c in text)


def _seen_open(tmp_path: Path) -> dict:
    seen: dict = {}

    def look() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, QFileDialog) and w.isVisible()), None)  # fmt: skip
        if dialog is None:
            return
        poll.stop()
        seen["labels"] = {
            name: dialog.findChild(QLabel, name).text()
            for name in ("lookInLabel", "fileNameLabel", "fileTypeLabel")
        }
        sidebar = dialog.findChild(QListView, "sidebar")
        model = sidebar.model()
        names = [str(model.index(r, 0).data()) for r in range(model.rowCount())]
        seen["places"] = names
        seen["fits"] = (sidebar.sizeHintForColumn(0), sidebar.viewport().width())
        dialog.reject()

    poll = QTimer()
    poll.timeout.connect(look)
    poll.start(20)
    try:
        chosen = open_file(
            None, "添付するファイル", tmp_path, "画像・PDF (*.png);;すべてのファイル (*)"
        )
    finally:
        poll.stop()
    seen["chosen"] = chosen
    return seen


def test_the_file_dialog_is_japanese_and_shows_the_place_names_whole(qtbot, tmp_path):
    seen = _seen_open(tmp_path)
    assert seen["chosen"] is None  # cancelled: nothing chosen
    assert all(_japanese(t) for t in seen["labels"].values()), seen["labels"]
    assert "コンピュータ" in seen["places"]
    widest, room = seen["fits"]
    assert widest <= room, seen["places"]  # no name elided
