"""電話の録音告知を録音: the organisation's phone announcement, recorded from the phone preset's
input with the level meter, played back on the phone's output, and saved (with its words) as
the plain WAV the 電話 preset plays to callers. Nothing here is evidence; the dialog only asks
the service (``announcement_take``, ``announcement_player``, ``save_announcement``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.level_meter import LevelMeter

POLL_MS = 50


class AnnouncementDialog(QDialog):
    saved = Signal(str)  # the WAV's path

    def __init__(self, service, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AnnouncementDialog")
        self.setWindowTitle(self.tr("電話の録音告知を録音"))
        self.service = service
        self.take: Any = None  # AnnouncementTake (audio/), made at the first 録音
        self.player: Any = None  # AnnouncementPlayer while playing back
        self.pcm: Any = None  # the take's int16 samples once stopped
        intro = QLabel(
            self.tr(
                "電話の録音開始時に相手へ流す告知を録音します。下の文を読み上げてください"
                "（文は変更できます）。"
            ),
            self,
        )
        intro.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("AnnouncementText")
        pn = service.settings.phone_notice
        self.text.setPlainText(pn.text or service.profile.notice.phone.ja)
        self.text.setFixedHeight(70)
        device = service.settings.phone.device or self.tr("既定の入力装置")
        self.device_label = QLabel(self.tr("入力装置: %1").replace("%1", device), self)
        self.meter = LevelMeter(self)
        self.length_label = QLabel(self)
        self.record_button = QPushButton(self.tr("● 録音"), self)
        self.record_button.setObjectName("AnnouncementRecord")
        self.record_button.clicked.connect(self.toggle_recording)
        self.play_button = QPushButton(self.tr("▶ 再生"), self)
        self.play_button.clicked.connect(self.play)
        self.save_button = QPushButton(self.tr("告知音声として保存"), self)
        self.save_button.clicked.connect(self.save)
        close_button = QPushButton(self.tr("閉じる"), self)
        close_button.clicked.connect(self.reject)
        self.status = QLabel(self)
        self.status.setObjectName("AnnouncementStatus")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.record_button, self.play_button, self.save_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close_button)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.text)
        lay.addWidget(self.device_label)
        lay.addWidget(self.meter)
        lay.addWidget(self.length_label)
        lay.addWidget(self.status)
        lay.addLayout(buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self._show_state()
        self.resize(560, 300)

    # --- actions ------------------------------------------------------------------------------
    def toggle_recording(self) -> None:
        if self.take is not None and self.take.recording:
            self.pcm = self.take.stop()
            self.timer.stop()
            self.meter.reset()
        else:
            self._stop_player()
            try:
                if self.take is None:
                    self.take = self.service.announcement_take()
                self.take.start()
            except KasuharaError as e:
                self._fail(e)
                return
            self.pcm = None
            self.timer.start()
        self._show_state()

    def play(self) -> None:
        if self.take is None or self.pcm is None or not len(self.pcm):
            return
        self._stop_player()
        try:
            self.player = self.service.announcement_player(self.take.announcement())
            self.player.open()
            self.player.start()
        except KasuharaError as e:
            self.player = None
            self._fail(e)
            return
        self.timer.start()
        self._show_state()

    def save(self) -> None:
        if self.take is None or self.pcm is None or not len(self.pcm):
            return
        words = self.text.toPlainText().strip()
        path = self.service.save_announcement(self.pcm, self.take.format.samplerate, words)
        self.status.setText(self.tr("告知音声を保存しました: %1").replace("%1", str(path)))
        self.saved.emit(str(path))

    # --- state ----------------------------------------------------------------------------------
    def _poll(self) -> None:
        if self.take is not None and self.take.recording:
            levels = self.take.poll()
            self.meter.set_level(levels.rms_dbfs)
            self.length_label.setText(self.tr("%1 秒").replace("%1", f"{self.take.seconds:.1f}"))
        if self.player is not None and self.player.finished:
            self._stop_player()
            self._show_state()
        if (self.take is None or not self.take.recording) and self.player is None:
            self.timer.stop()

    def _show_state(self) -> None:
        recording = self.take is not None and self.take.recording
        have = self.pcm is not None and len(self.pcm) > 0
        self.record_button.setText(self.tr("■ 停止") if recording else self.tr("● 録音"))
        self.play_button.setEnabled(have and not recording)
        self.save_button.setEnabled(have and not recording)
        if have and not recording:
            seconds = len(self.pcm) / self.take.format.samplerate
            self.length_label.setText(self.tr("%1 秒").replace("%1", f"{seconds:.1f}"))

    def _fail(self, e: KasuharaError) -> None:
        self.status.setText(localized(e.text))

    def _stop_player(self) -> None:
        if self.player is not None:
            self.player.close()
            self.player = None

    def done(self, result: int) -> None:
        self.timer.stop()
        self._stop_player()
        if self.take is not None:
            self.take.close()
            self.take = None
        super().done(result)
