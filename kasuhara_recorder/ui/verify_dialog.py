"""事案 → 証拠パッケージを検証する: choose a bundle ZIP, check it off the GUI thread with
``service.export.verify`` (the same checks as ``kasuhara-recorder verify``), and show each file
with its result — the failed files first, each with every check it failed, then the files that
passed — and the two values to compare with the sender (the signing key's fingerprint and the
ZIP's SHA-256, grouped to read aloud as the export showed them)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.task_runner import TaskHandle, TaskRunner

log = logging.getLogger("kasuhara.ui.verify")
POLL_MS = 100
OK_COLOR, BAD_COLOR = "#1b5e20", "#b71c1c"


class VerifyDialog(QDialog):
    verified = Signal(object)  # VerifyReport, or None when the file could not be read

    def __init__(self, export, tasks: TaskRunner | None = None, parent=None) -> None:
        super().__init__(parent)
        self.export = export
        self.tasks = tasks or TaskRunner(self)
        self.handle: TaskHandle | None = None
        self.latest: tuple[int, int] | None = None
        self.report = None
        self.setObjectName("VerifyDialog")
        self.setWindowTitle(self.tr("証拠パッケージを検証する"))

        intro = QLabel(
            self.tr(
                "受け取った、または書き出した証拠パッケージ（ZIP）が改ざんされていないか確かめます。"
                "ZIP は展開せずにそのまま調べます。"
            ),
            self,
        )
        intro.setWordWrap(True)
        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("bundle_file")
        self.path_edit.textChanged.connect(self._path_changed)
        browse = QPushButton(self.tr("参照…"), self)
        browse.clicked.connect(self._browse)
        self.verify_button = QPushButton(self.tr("検証する"), self)
        self.verify_button.setObjectName("verify_start")
        self.verify_button.setEnabled(False)
        self.verify_button.clicked.connect(self.start)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        row.addWidget(self.verify_button)

        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.hide()
        self.summary = QLabel(self)
        self.summary.setObjectName("verify_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.hide()
        self.handover = QLabel(self)
        self.handover.setObjectName("verify_handover")
        self.handover.setWordWrap(True)
        self.handover.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.handover.hide()
        self.table = QTreeWidget(self)
        self.table.setObjectName("verify_results")
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels([self.tr("ファイル"), self.tr("結果")])
        self.table.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.header().setStretchLastSection(True)
        self.table.setWordWrap(True)
        self.table.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("閉じる"))
        buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(row)
        lay.addWidget(self.bar)
        lay.addWidget(self.summary)
        lay.addWidget(self.handover)
        lay.addWidget(self.table, 1)
        lay.addWidget(buttons)
        self.setMinimumSize(720, 420)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("証拠パッケージを選ぶ"),
            self.path_edit.text() or str(Path.home()),
            self.tr("ZIP ファイル (*.zip);;すべてのファイル (*)"),
        )
        if path:
            self.path_edit.setText(path)

    def _path_changed(self, text: str) -> None:
        self.verify_button.setEnabled(bool(text.strip()) and self.handle is None)

    @property
    def running(self) -> bool:
        return self.handle is not None

    def start(self) -> None:
        if self.running:
            return
        path = Path(self.path_edit.text().strip()).expanduser()
        self.report, self.latest = None, None
        self.table.clear()
        self.table.hide()
        self.handover.hide()
        self.summary.setText(self.tr("検証しています…"))
        self.summary.setStyleSheet("")
        self.summary.show()
        self.bar.setValue(0)
        self.bar.show()
        self.verify_button.setEnabled(False)
        export = self.export

        def progress(done: int, total: int) -> None:  # worker thread: store only
            self.latest = (done, total)

        def work():
            return export.verify(path, progress)

        self.handle = self.tasks.run(work, on_done=self._done, on_error=self._failed)
        self.timer.start()

    def _poll(self) -> None:
        if self.latest is not None:
            done, total = self.latest
            self.bar.setValue(int(1000 * done / total) if total else 0)

    def _end(self) -> None:
        self.handle = None
        self.timer.stop()
        self.bar.hide()
        self._path_changed(self.path_edit.text())

    def _done(self, report) -> None:
        self._end()
        self.report = report
        if report.ok:
            text = self.tr(
                "問題はありません。%1 個のファイルすべてが一致し、署名も正しいことを確かめました"
                "（確認 %2 件）。"
            )
            color = OK_COLOR
        else:
            text = self.tr(
                "改ざんまたは欠落が見つかりました。%3 個のファイルで確認に失敗しました。"
                "このパッケージを証拠として使わず、送り主に連絡してください。"
            )
            color = BAD_COLOR
        bad_files = {f.file for f in report.failures}
        text = (
            text.replace("%1", str(report.files))
            .replace("%2", str(report.checks_passed))
            .replace("%3", str(len(bad_files)))
        )
        if report.incident_id:
            text += "\n" + self.tr("事案: %1").replace("%1", report.incident_id)
        self._summary(text, color)
        if report.signing_fingerprint or report.bundle_sha256:
            fingerprint, sha = report.handover.shown()
            self.handover.setText(
                self.tr(
                    "次の 2 つの値を、送付元から別の手段（電話・文書など）で伝えられた値と"
                    "照合してください。\n署名鍵のフィンガープリント:\n%1\n"
                    "ZIP ファイルの SHA-256:\n%2"
                )
                .replace("%1", fingerprint or "-")
                .replace("%2", sha)
            )
            self.handover.show()
        by_file: dict[str, list[str]] = {}
        for f in report.failures:
            by_file.setdefault(f.file, []).append(localized(f.text).split(": ", 1)[-1])
        names = list(report.file_names) + sorted(bad_files - set(report.file_names))
        # Failed files first (in name order), so a long list never hides them below the fold.
        names = [n for n in names if n in by_file] + [n for n in names if n not in by_file]
        for name in names:
            problems = by_file.get(name)
            result = "\n".join(problems) if problems else self.tr("OK")
            item = QTreeWidgetItem([name, result])
            brush = QBrush(QColor(BAD_COLOR if problems else OK_COLOR))
            item.setForeground(1, brush)
            if problems:
                item.setForeground(0, brush)
            self.table.addTopLevelItem(item)
        self.table.show()
        self.verified.emit(report)

    def _failed(self, e: BaseException) -> None:
        self._end()
        if isinstance(e, KasuharaError):
            text = (
                self.tr("このファイルは証拠パッケージとして検証できません。")
                + "\n"
                + localized(e.text)
            )
        elif isinstance(e, OSError):
            text = self.tr("ファイルを読み込めません（%1）。").replace(
                "%1", e.strerror or type(e).__name__
            )
        else:
            log.error("verify failed", exc_info=e)
            text = self.tr(
                "予期しないエラーで検証できませんでした。詳しくはログを確認してください。"
            )
        self._summary(text, BAD_COLOR)
        self.verified.emit(None)

    def _summary(self, text: str, color: str) -> None:
        self.summary.setText(text)
        self.summary.setStyleSheet(f"QLabel {{ color: {color}; font-weight: bold; }}")
        self.summary.show()

    def reject(self) -> None:
        if self.handle is not None:
            self.handle.cancel()  # drop the callbacks: this dialog is going away
            self.handle = None
            self.timer.stop()
        super().reject()
