"""添付と録音: the incident's sealed attachments (files, URLs) and its recordings, with buttons
to add more. Not part of the draft: the lists show what the store holds, and the buttons only
ask (the form chooses, seals and attaches). Welcome after 提出 too; an attachment added then is
marked with when and by whom."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
)

from kasuhara_recorder.store.incident_model import Attachment, IncidentDraft
from kasuhara_recorder.ui.form_sections.section import FormSection


class AttachmentsSection(FormSection):
    key = "attachments"
    fields = ("attachments",)  # the incident's, not the draft's: its problems are shown here

    file_requested = Signal()  # ファイルを添付…
    url_requested = Signal()  # URLを追加…
    recording_requested = Signal()  # 録音を追加…

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("添付（画像・PDF・SNS投稿のスクリーンショット・URL）と録音"))
        lay = QVBoxLayout(self)
        self.attachment_list = QListWidget(self)
        self.attachment_list.setObjectName("attachments")
        self.attachment_list.setMaximumHeight(110)
        self.attachment_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.add_file_button = QPushButton(self.tr("ファイルを添付…"), self)
        self.add_file_button.setObjectName("add_file")
        self.add_file_button.clicked.connect(self.file_requested)
        self.add_url_button = QPushButton(self.tr("URLを追加…"), self)
        self.add_url_button.setObjectName("add_url")
        self.add_url_button.clicked.connect(self.url_requested)
        note = QLabel(self.tr("添付ファイルは録音と同じく暗号化して封印されます。"), self)
        note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.add_file_button)
        row.addWidget(self.add_url_button)
        row.addWidget(note, 1)
        lay.addWidget(self.attachment_list)
        lay.addLayout(row)
        self.recording_list = QListWidget(self)
        self.recording_list.setObjectName("recordings")
        self.recording_list.setMaximumHeight(90)
        self.recording_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.add_recording_button = QPushButton(self.tr("録音を追加…"), self)
        self.add_recording_button.setObjectName("add_recording")
        self.add_recording_button.clicked.connect(self.recording_requested)
        rec_note = QLabel(
            self.tr("通常の録音として保存した録音や、復旧した録音を後から追加できます。"), self
        )
        rec_note.setWordWrap(True)
        rec_row = QHBoxLayout()
        rec_row.addWidget(self.add_recording_button)
        rec_row.addWidget(rec_note, 1)
        lay.addWidget(QLabel(self.tr("この事案の録音"), self))
        lay.addWidget(self.recording_list)
        lay.addLayout(rec_row)
        lay.addWidget(self.error_label)

    # --- no draft fields -------------------------------------------------------------------
    def _fill(self, d: IncidentDraft) -> None:
        pass

    def read(self, draft: IncidentDraft) -> IncidentDraft:
        return draft

    def set_editable(self, editable: bool) -> None:
        """Attachments and recordings may be added to a submitted incident as well."""

    # --- what the store holds ------------------------------------------------------------------
    def show_attachments(self, attachments: tuple[Attachment, ...]) -> None:
        self.attachment_list.clear()
        for a in attachments:
            text = (
                a.url if a.kind == "url" else f"{a.name}  ({a.size:,} B, sha256 {a.sha256[:12]}…)"
            )
            if a.after_submit:
                text = (
                    self.tr("【提出後に追加 %1 %2】")
                    .replace("%1", a.added_at[:16].replace("T", " "))
                    .replace("%2", a.added_by)
                    + " "
                    + text
                )
            self.attachment_list.addItem(text)

    def show_recordings(self, summaries) -> None:
        """The incident's recordings (``RecordingSummary``): start, channel, length, tags."""
        from kasuhara_recorder.ui.recording_picker import describe

        self.recording_list.clear()
        for rec in summaries:
            self.recording_list.addItem(describe(rec))
            item = self.recording_list.item(self.recording_list.count() - 1)
            item.setToolTip(self.tr("録音 %1").replace("%1", rec.id))

    def show_recording_ids(self, ids: tuple[str, ...]) -> None:
        """When the recordings could not be described: the bare ids still say which there are."""
        self.recording_list.clear()
        self.recording_list.addItems(list(ids))

    def set_recordings_addable(self, addable: bool) -> None:
        """A closed incident takes no more recordings (the store refuses them)."""
        self.add_recording_button.setEnabled(addable)
        self.add_recording_button.setToolTip(
            "" if addable else self.tr("完了した事案には録音を追加できません。")
        )
