"""An hour at the counter with the input kept open and a 10 s pre-event buffer, compressed in
time: nothing of what the microphone heard reaches the disk, and memory holds no more than the
buffer, at any moment of the hour.

The device, its format and the app are real (the preset's PulseAudio device, the desktop app's
``warm_up``/``cool_down``); only the stream is replaced, by one that delivers an hour of noise
into the warm input's callback as fast as it takes it, the clock advanced by each block's
length — an hour of real capture cannot be made faster than an hour. The real stream, in real
time, is tests/audio/test_capture_start.py."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.audio.warm_input import WarmInput
from kasuhara_recorder.config import InputPreset

pytestmark = pytest.mark.pulse
RATE = 8000
BLOCK = RATE // 20  # 50 ms, as the real stream's
HOUR_S = 3600
PRE_EVENT_S = 10


@dataclass
class _Times:  # the stream times PortAudio passes to the callback
    inputBufferAdcTime: float
    currentTime: float


class HourStream:
    """Stands in for PortAudio's stream: the whole hour, block by block, into the callback."""

    active = True

    def __init__(self, warm: WarmInput, audio: np.ndarray) -> None:
        self.warm, self.audio, self.now = warm, audio, 1000.0
        self.most_held = 0  # the ring's size at its largest, in bytes
        warm.clock = lambda: self.now

    def run(self) -> None:
        times = _Times(inputBufferAdcTime=5.0, currentTime=5.0 + BLOCK / RATE)
        for k in range(0, len(self.audio), BLOCK):
            self.now += BLOCK / RATE
            block = self.audio[k : k + BLOCK]
            self.warm._callback(memoryview(block.tobytes()), len(block), times, 0)
            self.most_held = max(self.most_held, self.warm._ring_bytes)

    def stop(self) -> None:
        self.active = False

    def close(self) -> None:
        self.active = False


def on_disk(probe: bytes, *folders: Path) -> list[str]:
    found = []
    for folder in folders:
        for f in folder.rglob("*") if folder != Path(tempfile.gettempdir()) else folder.iterdir():
            try:
                if f.is_file() and f.stat().st_size < 1 << 30:
                    if probe in f.read_bytes():
                        found.append(str(f))
            except OSError:
                continue
    return found


def test_an_idle_hour_with_the_input_open_leaves_nothing_on_disk_and_memory_bounded(
    data_dir: Path, org_identity, monkeypatch, pulse_sink
):
    audio = np.random.default_rng(3).integers(-12000, 12000, RATE * HOUR_S, dtype="<i2")
    streams: list[HourStream] = []

    def open_for_an_hour(warm: WarmInput) -> None:
        stream = HourStream(warm, audio)
        warm._stream = stream
        streams.append(stream)
        stream.run()

    monkeypatch.setattr(WarmInput, "open", open_for_an_hour)
    app = AppService(data_dir)
    try:
        app.workstation.setup([org_identity.recipient], "test-counter-01")
        app.save_settings(app.settings.with_changes(
            counter=InputPreset(device="pulse", channels=1, samplerate=RATE),
            keep_input_open=True, pre_event_seconds=PRE_EVENT_S,
        ))  # fmt: skip
        assert app.recording.warm_up("counter")  # returns after the hour
        (stream,) = streams
        assert stream.now - 1000.0 == pytest.approx(HOUR_S)
        # at most the buffer and its one-second margin, plus the block being added
        bound = (PRE_EVENT_S + 1) * RATE * 2 + BLOCK * 2
        assert 0 < stream.most_held <= bound, stream.most_held

        # stretches of the hour: long gone, an hour's middle, and the buffer's own last seconds
        probes = [audio[s : s + 64].tobytes() for s in
                  (RATE * 60, RATE * HOUR_S // 2, len(audio) - RATE * 3)]  # fmt: skip
        folders = (data_dir, Path(tempfile.gettempdir()))
        for probe in probes:
            assert on_disk(probe, *folders) == []

        app.recording.cool_down()  # the buffer is dropped with the stream
        assert not stream.active
        for probe in probes:
            assert on_disk(probe, *folders) == []
    finally:
        app.close()
