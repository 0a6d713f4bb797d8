"""After 停止: what to do with the recording just sealed — a new incident (the form opens
pre-filled), an existing incident, or keep it as a routine recording (subject to retention)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

NEW, EXISTING, ROUTINE = "new", "existing", "routine"


class AfterStopDialog(QDialog):
    def __init__(
        self, summary: str, existing: list[tuple[str, str]], parent: QWidget | None = None
    ):
        """``existing``: (incident id, one-line description) of incidents still open."""
        super().__init__(parent)
        self.setObjectName("AfterStopDialog")
        self.setWindowTitle(self.tr("録音を保存しました"))
        self.choice: str | None = None
        self.incident_id: str | None = None

        head = QLabel(self.tr("録音は暗号化して封印しました。この録音をどうしますか？"), self)
        f = head.font()
        f.setPointSize(f.pointSize() + 2)
        f.setBold(True)
        head.setFont(f)
        head.setWordWrap(True)
        info = QLabel(summary, self)
        info.setWordWrap(True)
        info.setObjectName("RecordingSummary")

        self.new_button = QPushButton(self.tr("新しい事案として記録する（事案票を開く）"), self)
        self.new_button.setObjectName("choice:new")
        self.new_button.setMinimumHeight(48)
        self.new_button.setDefault(True)
        self.new_button.clicked.connect(lambda: self._choose(NEW))

        self.existing_combo = QComboBox(self)
        self.existing_combo.setObjectName("existing_incidents")
        for iid, text in existing:
            self.existing_combo.addItem(text, iid)
        self.existing_button = QPushButton(self.tr("選んだ既存の事案に追加する"), self)
        self.existing_button.setObjectName("choice:existing")
        self.existing_button.setMinimumHeight(40)
        self.existing_button.clicked.connect(lambda: self._choose(EXISTING))
        has_existing = bool(existing)
        self.existing_combo.setEnabled(has_existing)
        self.existing_button.setEnabled(has_existing)
        if not has_existing:
            self.existing_combo.addItem(self.tr("（未完了の事案はありません）"), None)

        self.routine_button = QPushButton(
            self.tr("通常の録音として保存する（保存期間後に削除）"), self
        )
        self.routine_button.setObjectName("choice:routine")
        self.routine_button.setMinimumHeight(40)
        self.routine_button.clicked.connect(lambda: self._choose(ROUTINE))

        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(info)
        lay.addSpacing(8)
        lay.addWidget(self.new_button)
        lay.addSpacing(8)
        lay.addWidget(self.existing_combo)
        lay.addWidget(self.existing_button)
        lay.addSpacing(8)
        lay.addWidget(self.routine_button)
        self.setMinimumWidth(520)
        # Closing the dialog without a choice keeps the recording as routine: nothing is lost.
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        if choice == EXISTING:
            self.incident_id = self.existing_combo.currentData()
        self.accept()

    def result_choice(self) -> tuple[str, str | None]:
        return (self.choice or ROUTINE, self.incident_id)
