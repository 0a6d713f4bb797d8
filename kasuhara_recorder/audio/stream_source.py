"""Live capture from a PortAudio input device.

The callback copies the block (``bytes(indata)``) into the BlockQueue and counts status flags;
it takes no lock, logs nothing and never raises. Everything else happens on the writer thread.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

from kasuhara_recorder.audio.audio_format import AudioFormat
from kasuhara_recorder.audio.block_queue import BlockQueue
from kasuhara_recorder.audio.devices import InputDevice, sounddevice
from kasuhara_recorder.audio.errors import DeviceUnavailable

# 50 ms blocks: 20 callbacks a second, one level update each. PortAudio's ALSA/pulse path
# starts reliably with this latency; "low" latency stalled for seconds on the test server.
BLOCK_SECONDS = 0.05
LATENCY_SECONDS = 0.1


def block_time(time_info, frames: int, rate: int, now: float | None = None) -> float:
    """time.monotonic() of a callback block's first frame, from PortAudio's stream times."""
    now = time.monotonic() if now is None else now
    adc, current = time_info.inputBufferAdcTime, time_info.currentTime
    if adc > 0 and current >= adc:
        return now - (current - adc)
    return now - frames / rate - LATENCY_SECONDS  # a host API without stream times


def open_input_stream(
    device: InputDevice,
    fmt: AudioFormat,
    callback: Callable[..., None],
    finished: Callable[[], None],
) -> Any:
    """A PortAudio input stream in the app's block size and latency, not started yet (both the
    recording's and the warm input's); DeviceUnavailable if the device refuses it."""
    sd = sounddevice()
    try:
        return sd.RawInputStream(
            device=device.index,
            samplerate=fmt.samplerate,
            channels=fmt.channels,
            dtype="int16",
            blocksize=int(fmt.samplerate * BLOCK_SECONDS),
            latency=LATENCY_SECONDS,
            callback=callback,
            finished_callback=finished,
        )
    except (sd.PortAudioError, ValueError) as e:
        raise DeviceUnavailable(device.name, str(e)) from None


class StreamSource:
    realtime = True

    def __init__(self, device: InputDevice, fmt: AudioFormat) -> None:
        self.device = device
        self.format = fmt
        self.label = device.name
        self.overflows = 0  # input_overflow flags: PortAudio lost data before that block
        self.status_flags = 0  # any flag at all
        self.finished = False  # PortAudio ended the stream (device gone, fatal host error)
        self.natural_end = False  # a live device never ends on its own
        self._queue: BlockQueue  # set by open(), before the stream can call back
        self._stream: Any = None  # a sounddevice.RawInputStream (the module has no types)
        self._stopping = False
        self.first_sample_t: float | None = None  # time.monotonic() of the first frame kept

    def open(self, queue: BlockQueue) -> None:
        self._queue = queue
        self._stream = open_input_stream(self.device, self.format, self._callback, self._finished)

    def _callback(self, indata, frames, time_info, status) -> None:  # PortAudio thread
        if status:
            self.status_flags += 1
            if status.input_overflow:
                self.overflows += 1
        if self.first_sample_t is None:  # when the recording really begins (the ADC's time)
            self.first_sample_t = block_time(time_info, frames, self.format.samplerate)
        self._queue.offer(bytes(indata))

    def _finished(self) -> None:  # PortAudio thread, once, however the stream ended
        self.finished = True

    def start(self) -> None:
        sd = sounddevice()
        try:
            self._stream.start()
        except sd.PortAudioError as e:
            raise DeviceUnavailable(self.device.name, str(e)) from None

    @property
    def alive(self) -> bool:
        return self._stream is not None and self._stream.active and not self.finished

    def stop(self) -> None:
        """Stop delivering blocks (the ones PortAudio already holds are delivered first)."""
        if self._stream is None or self._stopping:
            return
        self._stopping = True
        sd = sounddevice()
        with contextlib.suppress(sd.PortAudioError):  # a dead device cannot refuse to stop
            self._stream.stop()

    def close(self) -> None:
        if self._stream is None:
            return
        sd = sounddevice()
        self.stop()
        with contextlib.suppress(sd.PortAudioError):
            self._stream.close()
        self._stream = None
