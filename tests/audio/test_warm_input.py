"""The warm input's hand-over, sample by sample: what a recording gets from a stream that was
already running (the key press, or N seconds before it), and what it leaves for the next one.

The PortAudio callback is driven here with known blocks and times (its clock is injectable);
the real stream through PulseAudio is tests/audio/test_capture_start.py."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pytest

from kasuhara_recorder.audio.audio_format import AudioFormat
from kasuhara_recorder.audio.block_queue import BlockQueue
from kasuhara_recorder.audio.devices import InputDevice
from kasuhara_recorder.audio.errors import DeviceUnavailable
from kasuhara_recorder.audio.warm_input import WarmInput, WarmSource

RATE = 8000
BLOCK = 400  # 50 ms
FMT = AudioFormat(samplerate=RATE, channels=1)
DEVICE = InputDevice(0, "test", "ALSA", 1, RATE, True)


@dataclass
class _Times:  # what PortAudio's callback receives: stream times of the block
    inputBufferAdcTime: float
    currentTime: float


class FakeStream:
    """Blocks of consecutive sample numbers (frame n holds n mod 32768), so a cut is visible
    to the sample; block k's first frame is at time k * 50 ms."""

    def __init__(self, warm: WarmInput, lag: float = 0.0) -> None:
        self.warm, self.k, self.now, self.lag = warm, 0, 0.0, lag
        warm.clock = lambda: self.now

    def block(self) -> None:
        start = self.k * BLOCK
        data = (np.arange(start, start + BLOCK) % 32768).astype("<i2")
        # delivered once filled, ``lag`` seconds late (a stream running behind)
        self.now = (self.k + 1) * BLOCK / RATE + self.lag
        times = _Times(inputBufferAdcTime=10.0, currentTime=10.0 + BLOCK / RATE + self.lag)
        self.warm._callback(memoryview(data.tobytes()), BLOCK, times, 0)
        self.k += 1

    def run(self, n: int) -> None:
        for _ in range(n):
            self.block()


def frames_of(queue: BlockQueue) -> np.ndarray:
    return np.frombuffer(b"".join(queue.drain()), dtype="<i2")


def take_while_running(stream: FakeStream, source: WarmSource, queue: BlockQueue) -> None:
    """start() waits for the callback to hand over: the stream goes on meanwhile."""
    source.open(queue)
    t = threading.Thread(target=source.start)
    t.start()
    while t.is_alive():
        stream.block()
        t.join(0.001)


def test_the_recording_begins_at_the_key_press_to_the_sample():
    warm = WarmInput(DEVICE, FMT)
    stream = FakeStream(warm)
    stream.run(40)  # 2 s idle
    press = 1.2345
    source, queue = WarmSource(warm, press), BlockQueue(10**7)
    take_while_running(stream, source, queue)
    got = frames_of(queue)
    first = int(np.ceil(press * RATE))  # the frame at (or just after) the press
    assert got[0] == first
    assert np.all(np.diff(got.astype(np.int64)) == 1)  # nothing lost or doubled
    assert warm.first_kept_t == pytest.approx(first / RATE)


def test_a_stream_running_behind_the_press_still_begins_the_recording_at_the_press():
    """A stream just woken delivers its audio a few hundred ms late: when 録音開始 is pressed,
    every block that has arrived was captured before the press. The recording still starts
    with the frame at the press (it waited -320 ms early for the fresh app's first one)."""
    warm = WarmInput(DEVICE, FMT)
    stream = FakeStream(warm, lag=0.32)
    stream.run(40)
    press = stream.now  # the newest audio here is 0.32 s old
    source, queue = WarmSource(warm, press), BlockQueue(10**7)
    take_while_running(stream, source, queue)
    got = frames_of(queue)
    first = int(np.ceil(round(press * RATE, 6)))
    assert got[0] == first % 32768
    assert np.all(np.diff(got.astype(np.int64)) == 1)
    assert warm.first_kept_t == pytest.approx(first / RATE)


def test_a_pre_event_buffer_gives_the_seconds_before_the_press_and_nothing_older():
    warm = WarmInput(DEVICE, FMT, pre_event_s=10)
    stream = FakeStream(warm)
    stream.run(20 * 20)  # 20 s idle: only the last 10 s (+ margin) stay in memory
    assert warm._ring_bytes <= (10 + 1) * FMT.bytes_per_second + BLOCK * 2
    press = stream.now
    source, queue = WarmSource(warm, press - 10), BlockQueue(10**7)
    take_while_running(stream, source, queue)
    got = frames_of(queue)
    assert got[0] == int(np.ceil((press - 10) * RATE)) % 32768
    assert len(got) >= 10 * RATE


def test_the_stop_cuts_to_the_sample_and_what_follows_stays_for_the_next_recording():
    warm = WarmInput(DEVICE, FMT, pre_event_s=1)
    stream = FakeStream(warm)
    stream.run(10)
    source, queue = WarmSource(warm, stream.now), BlockQueue(10**7)
    take_while_running(stream, source, queue)
    stream.run(10)
    stop_at = stream.now + 0.0123  # inside the next block
    t = threading.Thread(target=warm.release, args=(stop_at,))
    t.start()
    while t.is_alive():
        stream.block()
        t.join(0.001)
    got = frames_of(queue)
    assert got[-1] == int(np.ceil(stop_at * RATE)) - 1  # the last frame before the stop
    # the next recording's pre-event reaches back to the stop, never into the last recording
    nxt, q2 = WarmSource(warm, stop_at - 1.0), BlockQueue(10**7)
    take_while_running(stream, nxt, q2)
    again = frames_of(q2)
    assert again[0] == got[-1] + 1


def test_a_stream_that_delivers_nothing_cannot_be_taken():
    warm = WarmInput(DEVICE, FMT, hand_over_timeout_s=0.05)  # no callback ever comes
    source = WarmSource(warm, 0.0)
    source.open(BlockQueue(10**6))
    with pytest.raises(DeviceUnavailable):
        source.start()
