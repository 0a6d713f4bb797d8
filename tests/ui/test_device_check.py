"""テスト of an input preset, through the PulseAudio null sink: a tone played into the sink
moves the level meter above -30 dBFS and the result says audio arrives; silence moves nothing
and says none arrives; nothing of the test is written to the data folder."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kasuhara_recorder.config import InputPreset
from kasuhara_recorder.ui.device_check import DeviceCheck
from kasuhara_recorder.ui.level_meter import FLOOR_DB
from kasuhara_recorder.ui.task_runner import TaskRunner
from tests.support.signals import tone, write_wav

pytestmark = pytest.mark.pulse


@pytest.fixture
def check(qtbot, service):
    tasks = TaskRunner()
    row = DeviceCheck("counter", service, tasks)
    qtbot.addWidget(row)
    row.show()
    yield row
    row.shut_down()
    tasks.wait()
    tasks.deleteLater()


def files_in(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def test_a_tone_in_the_sink_shows_on_the_meter(qtbot, check, service, pulse_sink, tmp_path):
    before = files_in(service.paths.root)
    player = pulse_sink.play(write_wav(tmp_path / "voice.wav", tone(440, 8.0, amplitude=0.3)))
    try:
        with qtbot.waitSignal(check.tested, timeout=15_000) as done:
            qtbot.mouseClick(check.test_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: check.meter.level_db > -30, timeout=10_000)
    finally:
        player.kill()
        player.wait()
    assert done.args[0] > -30
    assert "音声が届いています" in check.result.text()
    assert check.test_button.isEnabled() and not check.testing
    assert files_in(service.paths.root) == before  # a test capture records nothing


def test_silence_shows_no_level(qtbot, check, pulse_sink):
    seen: list[float] = []
    check.meter.set_level = lambda v, orig=check.meter.set_level: (seen.append(v), orig(v))[1]
    with qtbot.waitSignal(check.tested, timeout=15_000) as done:
        qtbot.mouseClick(check.test_button, Qt.MouseButton.LeftButton)
    assert seen, "the meter was read while the device was open"
    assert max(seen) <= -60 and done.args[0] == FLOOR_DB
    assert "音声が届いていません" in check.result.text()


def test_a_device_not_connected_is_said(qtbot, check):
    check.load(InputPreset(device="no such microphone", channels=1))
    assert check.read().device == "no such microphone"  # kept as remembered
    assert "接続されていません" in check.device.currentText()
    with qtbot.waitSignal(check.tested, timeout=15_000) as done:
        qtbot.mouseClick(check.test_button, Qt.MouseButton.LeftButton)
    assert done.args[0] == FLOOR_DB
    assert "no such microphone" in check.result.text()
