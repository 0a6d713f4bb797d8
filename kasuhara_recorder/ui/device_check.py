"""One input preset (窓口 or 電話) as a person sets it: the device, channels and sample rate,
and テスト, which opens the device for a few seconds and shows its level on the meter — a
test capture through ``service.recording.probe_input``: levels only, nothing recorded, nothing
written to disk. Used by the first-run wizard and the settings dialog.

``load(preset)`` / ``read() -> InputPreset``; ``set_devices(devices)`` fills the device list
(the window asks PortAudio once, off the GUI thread, for both presets).
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from kasuhara_recorder.app.settings_service import SAMPLE_RATES
from kasuhara_recorder.config import InputPreset
from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.level_meter import FLOOR_DB, LevelMeter
from kasuhara_recorder.ui.task_runner import TaskRunner

log = logging.getLogger("kasuhara.ui.devices")

HEARD_DBFS = -50.0  # a test whose loudest 50 ms window is above this heard something


class DeviceCheck(QWidget):
    tested = Signal(float)  # the loudest level of the test (dBFS); FLOOR_DB if it failed
    test_seconds = 3.0

    def __init__(self, channel: str, service, tasks: TaskRunner, parent=None) -> None:
        super().__init__(parent)
        self.channel = channel
        self.service = service
        self.tasks = tasks
        self.probe = None
        self.testing = False
        self.loudest_db: float | None = None  # of the last test
        self._started = 0.0
        self._closing = False
        self.setObjectName(f"device_check_{channel}")

        self.device = QComboBox(self)
        self.device.setObjectName("device")
        self.device.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.device.setMinimumContentsLength(24)
        self.device.addItem(self.tr("既定の入力装置"), None)
        self.channels = QSpinBox(self)
        self.channels.setObjectName("channels")
        self.channels.setRange(0, 8)
        self.channels.setSpecialValueText(self.tr("既定"))
        self.samplerate = QComboBox(self)
        self.samplerate.setObjectName("samplerate")
        for rate in SAMPLE_RATES:
            self.samplerate.addItem(f"{rate} Hz", rate)
        self.test_button = QPushButton(self.tr("テスト"), self)
        self.test_button.setObjectName("device_test")
        self.test_button.clicked.connect(self.start_test)
        self.meter = LevelMeter(self)
        self.result = QLabel(self)
        self.result.setObjectName("device_result")
        self.result.setWordWrap(True)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel(self.tr("装置:"), self), 0, 0)
        grid.addWidget(self.device, 0, 1, 1, 3)
        grid.addWidget(QLabel(self.tr("チャンネル数:"), self), 1, 0)
        grid.addWidget(self.channels, 1, 1)
        grid.addWidget(QLabel(self.tr("サンプリング周波数:"), self), 1, 2)
        grid.addWidget(self.samplerate, 1, 3)
        grid.addWidget(self.test_button, 2, 0)
        grid.addWidget(self.meter, 2, 1, 1, 3)
        grid.addWidget(self.result, 3, 0, 1, 4)
        grid.setColumnStretch(3, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._poll)
        self.load(getattr(service.settings, channel))

    # --- the preset -----------------------------------------------------------------------
    def set_devices(self, names: list[str]) -> None:
        keep = self.device.currentData()
        self.device.blockSignals(True)
        while self.device.count() > 1:
            self.device.removeItem(1)
        for name in names:
            self.device.addItem(name, name)
        self._choose(keep)
        self.device.blockSignals(False)

    def _choose(self, name: str | None) -> None:
        i = self.device.findData(name) if name else 0
        if i < 0:  # remembered, not connected now: kept, and said so
            self.device.addItem(self.tr("%1（接続されていません）").replace("%1", name or ""), name)
            i = self.device.count() - 1
        self.device.setCurrentIndex(i)

    def load(self, preset: InputPreset) -> None:
        self._choose(preset.device)
        self.channels.setValue(preset.channels or 0)
        i = self.samplerate.findData(preset.samplerate)
        if i < 0:
            self.samplerate.addItem(f"{preset.samplerate} Hz", preset.samplerate)
            i = self.samplerate.count() - 1
        self.samplerate.setCurrentIndex(i)

    def read(self) -> InputPreset:
        return InputPreset(
            device=self.device.currentData() or None,
            channels=self.channels.value() or None,
            samplerate=int(self.samplerate.currentData()),
        )

    # --- the test -------------------------------------------------------------------------
    def start_test(self) -> None:
        if self.testing or self._closing:
            return
        self.testing = True
        self.test_button.setEnabled(False)
        self.meter.reset()
        self.loudest_db = None
        self.result.setText(self.tr("装置を開いています…"))
        recording, channel, preset = self.service.recording, self.channel, self.read()
        self.tasks.run(lambda: recording.probe_input(channel, preset),
                       on_done=self._opened, on_error=self._failed)  # fmt: skip

    def _opened(self, probe) -> None:
        if self._closing:
            probe.close()
            return
        self.probe = probe
        self._started = time.monotonic()
        self.result.setText(self.tr("話しかけてください。レベルを測っています…"))
        self._timer.start()

    def _poll(self) -> None:
        probe = self.probe
        if probe is None:
            return
        self.meter.set_level(probe.levels.rms_dbfs)
        if time.monotonic() - self._started >= self.test_seconds or not probe.alive:
            self._finish()

    def _finish(self) -> None:
        probe, self.probe = self.probe, None
        self._timer.stop()
        if probe is None:
            return
        loudest = max(FLOOR_DB, probe.loudest_dbfs)
        self.tasks.run(probe.close, on_done=lambda _r: self._closed(loudest))

    def _closed(self, loudest: float) -> None:
        self.testing = False
        self.test_button.setEnabled(True)
        self.loudest_db = loudest
        if loudest > HEARD_DBFS:
            self.result.setText(
                self.tr("音声が届いています（最大 %1 dBFS）。").replace("%1", f"{loudest:.0f}")
            )
        else:
            self.result.setText(
                self.tr("音声が届いていません。マイクの接続と音量、装置の選択を確認してください。")
            )
        self.tested.emit(loudest)

    def _failed(self, e: BaseException) -> None:
        self.testing = False
        self.test_button.setEnabled(True)
        self.loudest_db = FLOOR_DB
        if isinstance(e, KasuharaError):
            text = localized(e.text)
        else:
            log.error("input test failed", exc_info=e)
            text = self.tr("装置を開けませんでした。詳しくはログを確認してください。")
        self.result.setText(text)
        self.tested.emit(FLOOR_DB)

    def shut_down(self) -> None:
        """The window closes: end a test still running, here and now."""
        self._closing = True
        self._timer.stop()
        probe, self.probe = self.probe, None
        if probe is not None:
            probe.close()
