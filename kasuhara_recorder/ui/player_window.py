"""録音の再生: the evidence officer's player for one recording (a ``Playback`` from
``service.playback.open``): the waveform of the whole recording with its tag markers (click one,
or anywhere, to jump), position / length, −10 s / 再生・一時停止 / +10 s, speed and the output
device. The audio is decrypted in memory only; the window shows how far, and stops with the
message when a check against the signed capture manifest fails. Every played segment is entered
in the audit chain by the player itself; closing the window ends the last one and zeroes the
samples. A 30 Hz timer reads the position (the GUI never touches the stream)."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.ui.format import offset
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.recording_picker import channel_label, started
from kasuhara_recorder.ui.waveform_view import Marker, WaveformView

log = logging.getLogger("kasuhara.ui")
SKIP_S = 10
TICK_MS = 33
SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


class PlayerWindow(QWidget):
    closed = Signal(str)  # recording id

    def __init__(self, playback, profile, touch, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.playback = playback
        self.profile = profile
        self._touch = touch  # the officer is active: the session is not idle
        self.player = None
        self._stopped_for: KasuharaError | None = None
        m = playback.manifest
        self.setObjectName("PlayerWindow")
        self.setWindowTitle(self.tr("録音の再生 — %1").replace("%1", m.id))

        self.summary = QLabel(self)
        self.summary.setObjectName("PlayerSummary")
        self.summary.setText(
            self.tr("録音 %1 ・ %2 ・ %3 ・ 長さ %4")
            .replace("%1", m.id)
            .replace("%2", started(m.started_at))
            .replace("%3", channel_label(m.channel))
            .replace("%4", offset(m.duration_ms))
        )
        self.waveform = WaveformView(self)
        self.waveform.set_peaks(playback.audio.peaks, m.duration_ms)
        self.waveform.set_markers([Marker(t.offset_ms, self._tag_text(t), t.later)
                                   for t in playback.tags])  # fmt: skip
        self.waveform.seek_requested.connect(self.seek_ms)

        self.position = QLabel(self)
        self.position.setObjectName("PlayerPosition")
        f = self.position.font()
        f.setPointSize(f.pointSize() + 4)
        self.position.setFont(f)
        self.back_button = QPushButton(self.tr("−10秒"), self)
        self.back_button.setObjectName("BackButton")
        self.back_button.clicked.connect(lambda: self.skip(-SKIP_S))
        self.play_button = QPushButton(self.tr("再生"), self)
        self.play_button.setObjectName("PlayButton")
        self.play_button.setMinimumWidth(110)
        self.play_button.clicked.connect(self.toggle)
        self.forward_button = QPushButton(self.tr("+10秒"), self)
        self.forward_button.setObjectName("ForwardButton")
        self.forward_button.clicked.connect(lambda: self.skip(SKIP_S))
        self.speed = QComboBox(self)
        self.speed.setObjectName("SpeedCombo")
        for s in SPEEDS:
            self.speed.addItem(f"{s:g}×", s)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.currentIndexChanged.connect(self._speed_changed)
        self.device = QComboBox(self)
        self.device.setObjectName("OutputDeviceCombo")
        self.device.setMinimumContentsLength(18)
        self.device.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._fill_devices()
        self.device.currentIndexChanged.connect(self._device_changed)
        controls = QHBoxLayout()
        controls.addWidget(self.position)
        controls.addStretch(1)
        controls.addWidget(self.back_button)
        controls.addWidget(self.play_button)
        controls.addWidget(self.forward_button)
        controls.addStretch(1)
        controls.addWidget(QLabel(self.tr("速度:"), self))
        controls.addWidget(self.speed)
        controls.addWidget(QLabel(self.tr("再生装置:"), self))
        controls.addWidget(self.device, 1)

        self.tag_list = QListWidget(self)
        self.tag_list.setObjectName("PlayerTags")
        for k, t in enumerate(playback.tags):
            item = QListWidgetItem(f"{offset(t.offset_ms)}  {self._tag_text(t)}")
            item.setData(Qt.ItemDataRole.UserRole, k)
            self.tag_list.addItem(item)
        self.tag_list.itemActivated.connect(self._tag_chosen)
        self.tag_list.itemClicked.connect(self._tag_chosen)
        self.tag_list.setMaximumHeight(120)
        self.tag_list.setVisible(bool(playback.tags))

        self.status = QLabel(self)
        self.status.setObjectName("PlayerStatus")
        self.status.setWordWrap(True)
        note = QLabel(
            self.tr(
                "音声はこのパソコンのメモリ内だけで復号しています（ファイルには書き出しません）。"
                "再生した範囲は監査ログに記録されます。"
            ),
            self,
        )
        note.setObjectName("PlayerNote")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")

        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.waveform, 1)
        lay.addLayout(controls)
        lay.addWidget(self.tag_list)
        lay.addWidget(self.status)
        lay.addWidget(note)
        keys = ((Qt.Key.Key_Space, self.toggle), (Qt.Key.Key_Left, lambda: self.skip(-SKIP_S)),
                (Qt.Key.Key_Right, lambda: self.skip(SKIP_S)))  # fmt: skip
        for key, slot in keys:
            QShortcut(QKeySequence(key), self).activated.connect(slot)

        self.timer = QTimer(self)
        self.timer.setObjectName("PlayerTick")
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self._open_player()
        self.timer.start()
        self._tick()
        self.resize(1100, 460)

    def _tag_text(self, tag) -> str:
        try:
            label = localized(self.profile.category(tag.code).label)
        except (KeyError, KasuharaError):
            label = tag.code
        text = label + (f"「{tag.note}」" if tag.note else "")
        return text + ("  " + self.tr("（後から追加）") if tag.later else "")

    # --- output devices -----------------------------------------------------------------------
    def _fill_devices(self) -> None:
        from kasuhara_recorder.audio.devices import list_output_devices

        self.device.addItem(self.tr("既定の再生装置"), None)
        try:
            devices = list_output_devices()
        except KasuharaError as e:  # no PortAudio: opening the player says so
            log.warning("output devices not listed: %s", e.message("en"))
            devices = []
        for d in devices:
            self.device.addItem(f"{d.name} ({d.host_api})", d.index)

    def _open_player(self) -> None:
        data = self.device.currentData()
        try:
            self.player = self.playback.player(data)
        except KasuharaError as e:
            self.player = None
            self.status.setText(localized(e.text))
        for b in (self.play_button, self.back_button, self.forward_button):
            b.setEnabled(self.player is not None)

    def _device_changed(self, _index: int) -> None:
        was = self.player
        at, playing, speed = 0, False, 1.0
        if was is not None:
            at, playing, speed = was.position_frames, was.playing, was.speed
            self.playback.close_player(was)
        self._open_player()
        if self.player is not None:
            self.player.set_speed(speed)
            self.player.seek(at)
            if playing:
                self.player.play()

    # --- controls ---------------------------------------------------------------------------
    def toggle(self) -> None:
        if self.player is None or self._stopped_for is not None:
            return
        self._touch()
        if self.player.playing:
            self.player.pause()
        else:
            self.player.play()
        self._tick()

    def seek_ms(self, ms: int) -> None:
        if self.player is not None and self._stopped_for is None:
            self._touch()
            self.player.seek_ms(ms)
            self._tick()

    def skip(self, seconds: int) -> None:
        if self.player is not None and self._stopped_for is None:
            self._touch()
            self.player.skip(seconds)
            self._tick()

    def _speed_changed(self, _index: int) -> None:
        if self.player is not None:
            self._touch()
            self.player.set_speed(float(self.speed.currentData()))

    def _tag_chosen(self, item: QListWidgetItem) -> None:
        k = item.data(Qt.ItemDataRole.UserRole)
        self.seek_ms(self.playback.tags[k].offset_ms)

    # --- the timer ---------------------------------------------------------------------------
    def _tick(self) -> None:
        audio, player = self.playback.audio, self.player
        self.waveform.refresh()
        if audio.error is not None and self._stopped_for is None:
            self._stop_for(audio.error)
        ms = player.position_ms if player is not None else 0
        self.waveform.set_position(ms)
        self.position.setText(f"{offset(ms)} / {offset(self.playback.manifest.duration_ms)}")
        playing = player is not None and player.playing
        self.play_button.setText(self.tr("一時停止") if playing else self.tr("再生"))
        if playing:
            self._touch()
        if self._stopped_for is not None:
            return
        if player is not None and player.segment_error is not None:
            self.status.setText(self.tr("再生の記録（監査ログ）を書き込めませんでした。"
                                        "詳しくはログを確認してください。"))  # fmt: skip
        elif audio.checked:
            self.status.setText(self.tr("封印時の記録と一致することを確認しました。"))
        elif audio.available_frames() < audio.frames:
            pct = audio.available_frames() * 100 // max(1, audio.frames)
            self.status.setText(self.tr("復号しています… %1%").replace("%1", str(pct)))
        else:
            self.status.setText(self.tr("封印時の記録と照合しています…"))

    def _stop_for(self, error: KasuharaError) -> None:
        """A check failed: stop at once, say why, allow nothing more but closing."""
        self._stopped_for = error
        if self.player is not None:
            self.player.pause()
        for w in (self.play_button, self.back_button, self.forward_button, self.speed):
            w.setEnabled(False)
        self.status.setText(localized(error.text))
        self.status.setStyleSheet("color: #b71c1c; font-weight: bold;")

    # --- closing ----------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.timer.stop()
        self.playback.close()  # the last segment entered, the samples zeroed
        self.player = None
        self.closed.emit(self.playback.recording_id)
        event.accept()
