"""An input stream kept open while the app is idle, so a recording starts at the key press.

Opening a capture stream is slow on some systems: PulseAudio resumes a source it suspended after
a few idle seconds, and the first samples arrived 1.3–1.9 s after the stream was started (every
recording lost its first second while the screen already said 録音中). With the stream already
running, the recording begins with the block the key press falls in, cut to the sample.

While idle the blocks live in memory only (a ring of ``hold_s`` seconds, never on disk): the
optional pre-event buffer (the last N seconds before 録音開始, as body cameras have) is taken from
it; everything older is dropped as new blocks arrive. The OS shows the microphone as in use for
as long as this stream is open, which is why it is a setting (``Settings.keep_input_open``).

Threads: the PortAudio callback is the only one that touches the ring and the hand-over, so no
lock is needed: a recording asks for the hand-over (``take``) and the callback performs it at
its next block, moving the kept blocks into the recorder's queue before the new one; a stop asks
for the hand-back and the callback splits its block at the stop time.
"""

from __future__ import annotations

import collections
import contextlib
import math
import threading
import time
from typing import Any, NamedTuple

from kasuhara_recorder.audio.audio_format import AudioFormat
from kasuhara_recorder.audio.block_queue import BlockQueue
from kasuhara_recorder.audio.devices import InputDevice, sounddevice
from kasuhara_recorder.audio.errors import DeviceUnavailable
from kasuhara_recorder.audio.stream_source import block_time, open_input_stream
from kasuhara_recorder.config import MAX_PRE_EVENT_S  # one limit: the setting's

HAND_OVER_TIMEOUT_S = 2.0  # a stream that delivers nothing for this long is not running
# open() returns once this many blocks came (250 ms): a stream that woke its source delivers
# its first block 1-2 s after start() and may skip audio right after it.
FLOWING_BLOCKS = 5
FLOWING_TIMEOUT_S = 6.0
_MARGIN_S = 1.0  # the ring keeps this much more than asked, so a cut never lacks a block


class _Block(NamedTuple):
    """A tuple, not a dataclass: made 20 times a second in the callback while idle."""

    t: float  # time.monotonic() of its first frame (the ADC time, mapped)
    data: bytes


def cut_frame(t0: float, at: float, frames: int, rate: int) -> int:
    """Index of the first frame at or after time ``at`` in a block of ``frames`` from ``t0``."""
    return max(0, min(frames, math.ceil(round((at - t0) * rate, 6))))


class WarmInput:
    """Owns the open stream of one device and format between recordings."""

    def __init__(
        self,
        device: InputDevice,
        fmt: AudioFormat,
        pre_event_s: float = 0.0,
        *,
        clock=time.monotonic,
        hand_over_timeout_s: float = HAND_OVER_TIMEOUT_S,
    ) -> None:
        self.device = device
        self.clock = clock  # time.monotonic; injectable so a test knows each block's time
        self._timeout = hand_over_timeout_s
        self.format = fmt
        self.label = device.name
        self.pre_event_s = max(0.0, min(float(pre_event_s), MAX_PRE_EVENT_S))
        self._hold_bytes = int((self.pre_event_s + _MARGIN_S) * fmt.bytes_per_second)
        self._ring: collections.deque[_Block] = collections.deque()
        self._ring_bytes = 0
        self._stream: Any = None  # a sounddevice.RawInputStream (the module has no types)
        # hand-over state: written by take()/release(), acted on by the callback
        self._target: BlockQueue | None = None  # the recording's queue, once handed over
        self._want: tuple[BlockQueue, float] | None = None  # (queue, from time): take()
        self._release_at: float | None = None  # stop time: release()
        self._handed = threading.Event()
        self._released = threading.Event()
        self.first_kept_t: float | None = None  # time of the recording's first frame
        self.overflows = 0
        self.status_flags = 0
        self.finished = False
        self.blocks = 0  # callbacks so far (a running stream keeps counting)
        self._flowing = threading.Event()

    # --- the stream -----------------------------------------------------------------------
    def open(self) -> None:
        """Open and start the stream; returns once audio flows steadily (so a recording
        taken now begins at its press), DeviceUnavailable if it does not."""
        stream = open_input_stream(self.device, self.format, self._callback, self._finished)
        sd = sounddevice()
        try:
            stream.start()
        except (sd.PortAudioError, ValueError) as e:
            stream.close()
            raise DeviceUnavailable(self.device.name, str(e)) from None
        self._stream = stream
        if not self._flowing.wait(FLOWING_TIMEOUT_S) or self.finished:
            self.close()
            raise DeviceUnavailable(
                self.device.name,
                f"no audio within {FLOWING_TIMEOUT_S:.0f} s",
                f"{FLOWING_TIMEOUT_S:.0f} 秒たっても音声が届きません",
            )

    @property
    def alive(self) -> bool:
        return self._stream is not None and self._stream.active and not self.finished

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        sd = sounddevice()
        with contextlib.suppress(sd.PortAudioError):
            stream.stop()
        with contextlib.suppress(sd.PortAudioError):
            stream.close()
        self._ring.clear()
        self._ring_bytes = 0

    def _finished(self) -> None:  # PortAudio thread
        self.finished = True
        self._handed.set()  # nobody waits for a dead stream
        self._released.set()

    def _callback(self, indata, frames, time_info, status) -> None:  # PortAudio thread
        if status:
            self.status_flags += 1
            if status.input_overflow:
                self.overflows += 1
        t = block_time(time_info, frames, self.format.samplerate, self.clock())
        block = _Block(t, bytes(indata))
        self.blocks += 1
        if self.blocks == FLOWING_BLOCKS:
            self._flowing.set()
        if self._want is not None:
            self._hand_over(block, *self._want)
        elif self._target is not None:
            if self._release_at is not None:
                self._hand_back(block, self._target, self._release_at)
            else:
                self._target.offer(block.data)
        else:
            self._keep(block)

    # --- idle: the ring -------------------------------------------------------------------
    def _keep(self, block: _Block) -> None:
        ring = self._ring
        ring.append(block)
        held = self._ring_bytes + len(block.data)
        while held > self._hold_bytes and len(ring) > 1:
            held -= len(ring.popleft().data)
        self._ring_bytes = held

    # --- recording: hand-over and hand-back (both done in the callback) -------------------
    def _hand_over(self, block: _Block, queue: BlockQueue, start: float) -> None:
        bpf = self.format.bytes_per_frame
        rate = self.format.samplerate
        first: float | None = None
        kept: list[bytes] = []
        for b in (*self._ring, block):
            frames = len(b.data) // bpf
            k = cut_frame(b.t, start, frames, rate)
            if k >= frames:
                continue
            if first is None:
                first = b.t + k / rate
            kept.append(b.data[k * bpf :])
        if first is None:
            # Everything delivered so far was captured before the press (a stream running
            # behind, as one just woken is by a few hundred ms): the press's audio is yet to
            # come, so the hand-over waits for it instead of starting early.
            self._keep(block)
            return
        for data in kept:
            queue.offer(data)
        self._ring.clear()
        self._ring_bytes = 0
        self.first_kept_t = first
        self._target, self._want = queue, None
        self._handed.set()

    def _hand_back(self, block: _Block, target: BlockQueue, release_at: float) -> None:
        bpf = self.format.bytes_per_frame
        frames = len(block.data) // bpf
        k = cut_frame(block.t, release_at, frames, self.format.samplerate)
        if k:
            target.offer(block.data[: k * bpf])
        if k < frames:
            self._keep(_Block(block.t + k / self.format.samplerate, block.data[k * bpf :]))
        self._target, self._release_at = None, None
        self._released.set()

    def take(self, queue: BlockQueue, from_t: float) -> None:
        """Hand the stream to a recording whose first frame is at ``from_t`` (monotonic; the
        key press minus the pre-event seconds). Returns once the callback has done it."""
        if self._target is not None or self._want is not None:
            raise RuntimeError("the input is already recording")
        self.first_kept_t = None
        self._handed.clear()
        self._want = (queue, from_t)
        if not self._handed.wait(self._timeout) or self.finished:
            self._want = None
            raise DeviceUnavailable(self.device.name, "the input stream delivers no audio")

    def release(self, at_t: float) -> None:
        """End the recording at ``at_t``: frames before it went to the recording, the rest
        stay in memory for the next one. Returns once the callback has done it (or the
        stream is dead, when there is nothing more to hand over)."""
        if self._target is None:
            return
        self._released.clear()
        self._release_at = at_t
        if not self._released.wait(self._timeout):
            self._target, self._release_at = None, None  # no callback came: a dead stream


class WarmSource:
    """The Recorder's source for one recording taken from a WarmInput (audio/recorder.py)."""

    realtime = True
    natural_end = False

    def __init__(self, warm: WarmInput, from_t: float) -> None:
        self.warm = warm
        self.format = warm.format
        self.label = warm.label
        self.from_t = from_t
        self._queue: BlockQueue | None = None
        self._overflows_before = warm.overflows
        self._stopped = False

    @property
    def overflows(self) -> int:
        return self.warm.overflows - self._overflows_before

    @property
    def finished(self) -> bool:
        return self.warm.finished

    @property
    def alive(self) -> bool:
        return self.warm.alive

    @property
    def first_sample_t(self) -> float | None:
        return self.warm.first_kept_t

    def open(self, queue: BlockQueue) -> None:
        self._queue = queue

    def start(self) -> None:
        if self._queue is None:
            raise RuntimeError("start() before open()")
        self.warm.take(self._queue, self.from_t)

    def stop(self) -> None:
        if not self._stopped:
            self._stopped = True
            self.warm.release(self.warm.clock())

    def close(self) -> None:
        self.stop()  # the stream itself stays open for the next recording
