"""The announcement dialog through a real PulseAudio null sink: 録音 records what the phone
preset's input hears (the sink's monitor) with the meter moving, 停止, 再生 plays the take on the
output (heard on the monitor), 保存 keeps it as the plain WAV the phone preset then plays."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt

from kasuhara_recorder.config import InputPreset
from kasuhara_recorder.ui.announcement_dialog import AnnouncementDialog
from tests.audio.test_capture_start import noise
from tests.support.playback import MonitorCapture
from tests.support.signals import aligned_correlation, write_wav

pytestmark = pytest.mark.pulse
RATE = 48000


def test_record_play_back_and_save_the_announcement(qtbot, service, pulse_sink, tmp_path):
    service.save_settings(service.settings.with_changes(
        phone=InputPreset(device="pulse", channels=1)))  # fmt: skip
    dialog = AnnouncementDialog(service)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "この通話は" in dialog.text.toPlainText()
    assert not dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert dialog.take.recording
    voice = noise(1.5, seed=3)
    lead = np.zeros(RATE // 2, dtype=np.float32)  # the input's first blocks may come late
    player = pulse_sink.play(write_wav(tmp_path / "voice.wav", np.concatenate([lead, voice])))
    qtbot.waitUntil(lambda: dialog.meter.level_db > -30, timeout=10_000)
    player.wait(30)
    qtbot.waitUntil(lambda: dialog.take.seconds > 3.0, timeout=10_000)
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert not dialog.take.recording and dialog.save_button.isEnabled()
    corr, _ = aligned_correlation(voice, dialog.pcm.astype(np.float32) / 32768)
    assert corr >= 0.9, corr
    # 再生: the take is heard on the output (the sink's monitor)
    monitor = MonitorCapture(pulse_sink)
    try:
        qtbot.waitUntil(lambda: monitor.frames > RATE // 10, timeout=10_000)
        qtbot.mouseClick(dialog.play_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.player is None, timeout=20_000)
        start = monitor.frames
        qtbot.waitUntil(lambda: monitor.frames > start + RATE // 4, timeout=10_000)
    finally:
        heard = monitor.stop().astype(np.float32) / 32768
    corr_heard, _ = aligned_correlation(voice, heard)
    assert corr_heard >= 0.9, corr_heard
    # 保存: a plain WAV, and the phone preset plays it now
    dialog.text.setPlainText("この通話は録音されます。")
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    pn = service.settings.phone_notice
    assert pn.enabled and pn.text == "この通話は録音されます。"
    data, rate = sf.read(pn.wav, dtype="int16")
    assert rate == RATE and np.array_equal(data, dialog.pcm)
    dialog.reject()
    assert dialog.take is None
