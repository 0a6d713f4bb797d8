"""The recording panel: one big 録音開始 button (F9), and while recording a red indicator, the
elapsed time, the level meter and the §4(1) bar; the channel (窓口/電話) and device; 停止.

The panel only shows state and asks for actions by signals; the recording controller does the
work, so this file knows nothing of audio.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kasuhara_recorder.ui.format import clock
from kasuhara_recorder.ui.level_meter import LevelMeter
from kasuhara_recorder.ui.limit_bar import LimitBar
from kasuhara_recorder.ui.notice_prompt import NoticePrompt

RECORD_KEY = "F9"
CHANNELS = ("counter", "phone")


class RecordPanel(QFrame):
    start_requested = Signal(str)  # channel code
    stop_requested = Signal()
    channel_changed = Signal(str)  # channel code, when the worker picks the other one
    notice_requested = Signal()  # the counter's 告知しました (F8)

    def __init__(self, warning_seconds: int, limit_seconds: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("RecordPanel")
        self.recording = False
        self.busy = False
        self.blocked = False  # not set up: recording is impossible, the button says so

        self.record_button = QPushButton(self)
        self.record_button.setObjectName("RecordButton")
        self.record_button.setMinimumHeight(88)
        f = QFont(self.record_button.font())
        f.setPointSize(max(f.pointSize(), 10) + 10)
        f.setBold(True)
        self.record_button.setFont(f)
        self._button_points = f.pointSizeF()
        self.record_button.clicked.connect(self._toggle)
        self.record_button.setDefault(True)
        self.shortcut = QShortcut(QKeySequence(RECORD_KEY), self)
        # From any of the app's windows (an incident form in front included); a modal dialog
        # still blocks it. The tag keys stay window-wide: digits typed into a form are text.
        self.shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        self.shortcut.activated.connect(self._toggle)

        self.indicator = QLabel(self)
        self.indicator.setObjectName("RecordIndicator")
        self.indicator.setFixedSize(22, 22)
        self.state_label = QLabel(self)
        sf = QFont(self.state_label.font())
        sf.setPointSize(max(sf.pointSize(), 10) + 4)
        sf.setBold(True)
        self.state_label.setFont(sf)
        self.elapsed_label = QLabel(clock(0), self)
        self.elapsed_label.setObjectName("Elapsed")
        ef = QFont("monospace")
        ef.setStyleHint(QFont.StyleHint.Monospace)
        ef.setPointSize(max(sf.pointSize(), 14) + 6)
        ef.setBold(True)
        self.elapsed_label.setFont(ef)
        self.elapsed_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top = QHBoxLayout()
        top.addWidget(self.indicator)
        top.addWidget(self.state_label, 1)
        top.addWidget(self.elapsed_label)

        self.meter = LevelMeter(self)
        self.limit_bar = LimitBar(warning_seconds, limit_seconds, self)

        self.channel_group = QButtonGroup(self)
        self.channel_buttons: dict[str, QRadioButton] = {
            "counter": QRadioButton(self.tr("窓口"), self),
            "phone": QRadioButton(self.tr("電話"), self),
        }
        for i, code in enumerate(CHANNELS):
            self.channel_group.addButton(self.channel_buttons[code], i)
        self.channel_buttons["counter"].setChecked(True)
        self.channel_group.idToggled.connect(self._channel_toggled)
        self.device_label = QLabel(self)
        self.device_label.setWordWrap(True)
        self.device_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("録音の種類:"), self), 0, 0)
        chan = QHBoxLayout()
        for code in CHANNELS:
            chan.addWidget(self.channel_buttons[code])
        chan.addStretch(1)
        grid.addLayout(chan, 0, 1)
        grid.addWidget(QLabel(self.tr("入力装置:"), self), 1, 0)
        grid.addWidget(self.device_label, 1, 1)
        grid.setColumnStretch(1, 1)

        # What the idle input does: the worker (and a visitor asking) can read it plainly.
        self.input_note = QLabel(self)
        self.input_note.setObjectName("InputNote")
        self.input_note.setWordWrap(True)
        self.input_note.setStyleSheet("color: #1a4f8a;")
        self.input_note.hide()

        # 窓口 recordings: the sentence to say and 告知しました (ui/notice_prompt.py)
        self.notice = NoticePrompt(self)
        self.notice.notice_requested.connect(self.notice_requested)
        self.notice.hide()
        self.notice_sentence = ""  # the profile's counter notice, set by the window

        self.message = QLabel(self)
        self.message.setObjectName("EngineMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        lay = QVBoxLayout(self)
        lay.addWidget(self.record_button)
        lay.addLayout(top)
        lay.addWidget(self.meter)
        lay.addWidget(self.limit_bar)
        lay.addWidget(self.notice)
        lay.addLayout(grid)
        lay.addWidget(self.input_note)
        lay.addWidget(self.message)
        lay.addStretch(1)
        self.show_idle()

    def _fit_button_text(self) -> None:
        """Shrink the big button's font when a (longer) translation would not fit."""
        b = self.record_button
        if not b.isVisible():  # not laid out yet: the resize event at show fits it
            return
        f = QFont(b.font())
        f.setPointSizeF(self._button_points)
        room = max(100, b.width() - 32)
        width = QFontMetrics(f).horizontalAdvance(b.text())
        if width > room:  # text width scales with the size: jump close, then step down
            f.setPointSizeF(max(10.0, int(f.pointSizeF() * room / width)))
            while f.pointSizeF() > 10 and QFontMetrics(f).horizontalAdvance(b.text()) > room:
                f.setPointSizeF(f.pointSizeF() - 1)
        b.setFont(f)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_button_text()

    # --- actions --------------------------------------------------------------------------
    def channel(self) -> str:
        for code, button in self.channel_buttons.items():
            if button.isChecked():
                return code
        return "counter"

    def _channel_toggled(self, i: int, on: bool) -> None:
        if on:
            self.channel_changed.emit(CHANNELS[i])

    def _toggle(self) -> None:
        if self.busy or (self.blocked and not self.recording):
            return
        if self.recording:
            self.stop_requested.emit()
        else:
            self.start_requested.emit(self.channel())

    # --- state shown ------------------------------------------------------------------------
    def set_input_note(self, kept_open: bool | None, pre_event_s: int = 0) -> None:
        """True: the input is open and delivering; None: it is being opened; False: not."""
        if kept_open is None:
            self.input_note.setText(self.tr("マイクを準備しています…（数秒かかることがあります）"))
            self.input_note.show()
            return
        if not kept_open:
            self.input_note.hide()
            return
        text = self.tr(
            "マイクは待機中も開いています（録音開始の瞬間から録音するため。音声はメモリ内だけで"
            "扱い、録音開始まで保存しません）。"
        )
        if pre_event_s:
            text += "\n" + self.tr(
                "録音開始を押すと、その前の %1 秒間もさかのぼって録音に含めます。"
            ).replace("%1", str(pre_event_s))
        self.input_note.setText(text)
        self.input_note.show()

    def set_device(self, text: str) -> None:
        self.device_label.setText(text)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.record_button.setEnabled(not busy and not (self.blocked and not self.recording))

    def set_blocked(self, blocked: bool, reason: str = "") -> None:
        """Disable 録音開始 (and F9) while the workstation cannot record, e.g. not set up."""
        self.blocked = blocked
        self.set_busy(self.busy)
        if blocked:
            self.record_button.setToolTip(reason)
        elif not self.recording:
            self.record_button.setToolTip(
                self.tr("クリックするか %1 キーで録音を始めます").replace("%1", RECORD_KEY)
            )

    def show_idle(self) -> None:
        self.recording = False
        self.set_busy(False)
        self.record_button.setText(self.tr("● 録音開始  (%1)").replace("%1", RECORD_KEY))
        self._fit_button_text()
        self.record_button.setStyleSheet(
            "QPushButton#RecordButton { background: #c62828; color: white; border-radius: 8px; }"
            "QPushButton#RecordButton:disabled { background: #b0b0b0; }"
        )
        self.record_button.setToolTip(
            self.tr("クリックするか %1 キーで録音を始めます").replace("%1", RECORD_KEY)
        )
        self.indicator.setStyleSheet("background: #9e9e9e; border-radius: 11px;")
        self.state_label.setText(self.tr("待機中"))
        self.state_label.setStyleSheet("")
        for b in self.channel_buttons.values():
            b.setEnabled(True)
        self.notice.hide()
        self.meter.reset()

    def show_recording(self, channel: str) -> None:
        self.recording = True
        self.set_busy(False)
        self.channel_buttons.get(channel, self.channel_buttons["counter"]).setChecked(True)
        self.record_button.setText(self.tr("■ 停止して保存  (%1)").replace("%1", RECORD_KEY))
        self._fit_button_text()
        self.record_button.setStyleSheet(
            "QPushButton#RecordButton { background: #37474f; color: white; border-radius: 8px; }"
        )
        self._fit_button_text()
        self.record_button.setToolTip(self.tr("録音を止めて封印（暗号化・署名）します"))
        self.indicator.setStyleSheet("background: #e53935; border-radius: 11px;")
        self.state_label.setText(self.tr("録音中"))
        self.state_label.setStyleSheet("color: #c62828;")
        for b in self.channel_buttons.values():
            b.setEnabled(False)
        if channel == "counter" and self.notice_sentence:
            self.notice.prompt(self.notice_sentence)
        else:
            self.notice.hide()
        self.show_message("")

    def show_progress(
        self, elapsed: float, level_db: float | None, timer_state: str | None
    ) -> None:
        self.elapsed_label.setText(clock(elapsed))
        if level_db is not None:
            self.meter.set_level(level_db)
        self.limit_bar.set_elapsed(elapsed, timer_state)

    def show_message(self, text: str, severe: bool = False) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        color = "#b71c1c" if severe else "#5d4037"
        self.message.setStyleSheet(
            f"QLabel#EngineMessage {{ color: {color}; background: #fff3e0; padding: 6px;"
            " border: 1px solid #ffb74d; border-radius: 4px; }"
        )
