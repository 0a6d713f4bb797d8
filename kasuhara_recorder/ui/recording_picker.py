"""録音を追加: choose one of the recordings no incident holds yet (kept as a routine recording,
or recovered after a crash and the notice closed) to attach to the open incident.

The list comes from ``service.incidents.unattached_recordings()``; this dialog only shows it
and says which one was chosen. Nothing is preselected: attaching the wrong recording cannot be
undone from the form.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kasuhara_recorder.ui.format import offset


def channel_label(code: str) -> str:
    labels = {
        "counter": QCoreApplication.translate("RecordingPicker", "窓口"),
        "phone": QCoreApplication.translate("RecordingPicker", "電話"),
        "import": QCoreApplication.translate("RecordingPicker", "取込"),
    }
    return labels.get(code, code)


def started(iso: str) -> str:
    """2026-11-25T10:42:07.123+09:00 → 2026-11-25 10:42 (local time as recorded)."""
    return iso[:16].replace("T", " ")


def tag_count(n: int) -> str:
    return QCoreApplication.translate("RecordingPicker", "タグ%1件").replace("%1", str(n))


def describe(rec) -> str:
    """One line for a recording (a RecordingSummary): 2026-11-25 10:42  窓口  12:34  タグ3件."""
    text = "  ".join(
        (started(rec.started_at), channel_label(rec.channel), offset(rec.duration_ms),
         tag_count(rec.tags))
    )  # fmt: skip
    if rec.recovered:
        text += "  " + QCoreApplication.translate("RecordingPicker", "（復旧）")
    return text


class RecordingPicker(QDialog):
    COLUMNS = 5

    def __init__(self, recordings: list, parent: QWidget | None = None,
                 purpose: str = "attach") -> None:  # fmt: skip
        """``recordings``: RecordingSummary rows, newest first. ``purpose``: ``attach`` (録音を
        追加, unattached ones) or ``play`` (録音を再生…, every recording)."""
        super().__init__(parent)
        self.setObjectName("RecordingPicker")
        play = purpose == "play"
        self.setWindowTitle(self.tr("録音を再生") if play else self.tr("録音を追加"))
        self.recordings = list(recordings)

        self.message = QLabel(self)
        self.message.setObjectName("PickerMessage")
        self.message.setWordWrap(True)
        self.table = QTableWidget(len(self.recordings), self.COLUMNS, self)
        self.table.setObjectName("unattached_recordings")
        self.table.setHorizontalHeaderLabels(
            [self.tr("開始"), self.tr("種別"), self.tr("長さ"), self.tr("タグ"), self.tr("備考")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        h = self.table.horizontalHeader()
        for col in range(self.COLUMNS - 1):
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(self.COLUMNS - 1, QHeaderView.ResizeMode.Stretch)
        for row, rec in enumerate(self.recordings):
            note = self.tr("復旧") if rec.recovered else ""
            cells = (started(rec.started_at), channel_label(rec.channel),
                     offset(rec.duration_ms), tag_count(rec.tags), note)  # fmt: skip
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(self.tr("録音 %1").replace("%1", rec.id))
                if rec.recovered:
                    item.setToolTip(
                        item.toolTip()
                        + "\n"
                        + self.tr("アプリが途中で終了したため、止まる直前まで復旧した録音です。")
                    )
                self.table.setItem(row, col, item)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda _item: self._accept_selected())

        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(
            self.tr("再生する") if play else self.tr("この事案に追加"),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.ok_button.setObjectName("PickerOk")
        self.ok_button.setEnabled(False)
        self.cancel_button = self.buttons.addButton(
            self.tr("キャンセル"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.buttons.accepted.connect(self._accept_selected)
        self.buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addWidget(self.message)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.buttons)
        if play:
            self.message.setText(
                self.tr("再生する録音を選んでください（新しい順）。")
                if self.recordings else self.tr("録音はまだありません。")
            )  # fmt: skip
            if not self.recordings:
                self.table.hide()
                self.ok_button.hide()
                self.cancel_button.setText(self.tr("閉じる"))
        elif self.recordings:
            self.message.setText(
                self.tr(
                    "この事案に追加する録音を選んでください。事案に登録されていない録音"
                    "（通常の録音として保存したもの、復旧したもの）を新しい順に表示しています。"
                )
            )
        else:
            self.message.setText(
                self.tr(
                    "追加できる録音はありません。通常の録音として保存した録音や、"
                    "復旧した録音がここに表示されます。"
                )
            )
            self.table.hide()
            self.ok_button.hide()
            self.cancel_button.setText(self.tr("閉じる"))
        self.setMinimumWidth(520)
        self.resize(640, 360 if self.recordings else 140)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)

    def _selection_changed(self) -> None:
        self.ok_button.setEnabled(self.recording_id() is not None)

    def _accept_selected(self) -> None:
        if self.recording_id() is not None:
            self.accept()

    def recording_id(self) -> str | None:
        rows = {i.row() for i in self.table.selectedItems()}
        return self.recordings[rows.pop()].id if len(rows) == 1 else None
