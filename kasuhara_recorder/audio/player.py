"""The officer's player: a recording held in memory (``PcmSource``) to an output device.

Threads (docs/ARCHITECTURE.md): the PortAudio callback only takes the next prepared block off a
deque and copies it out (silence when there is none), and says which block it played; a feeder
thread prepares blocks of ``BLOCK_S`` ahead (converted, time-stretched at a speed other than 1,
see ``audio/time_stretch.py``) and ends the played segments; the caller (the GUI thread) only
sets what it wants (play, pause, seek, speed) and reads the position.

Every change of what is wanted starts a new *generation*: the callback drops blocks of an older
one, so a pause or a seek is heard within one block. One generation is one contiguous played
segment: the feeder hands it to ``on_segment`` (from and to in ms of the recording, the speed)
when the next one starts, at the end of the recording and at ``close()`` — never on the GUI
thread, so its audit entry's write does not hold up a frame.

The stream stays open while the player is: a click plays at the next callback, not after a
device has been opened.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from kasuhara_recorder.audio.devices import sounddevice
from kasuhara_recorder.audio.errors import OutputUnavailable
from kasuhara_recorder.audio.time_stretch import Wsola

BLOCK_S = 0.02
QUEUE_BLOCKS = 5  # prepared ahead: 100 ms
SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
MIN_SPEED, MAX_SPEED = 0.5, 2.0


class PcmSource(Protocol):
    samplerate: int
    channels: int
    frames: int
    error: Any  # an error (a KasuharaError) once the source is found bad, else None

    def available_frames(self) -> int: ...

    def read(self, start: int, count: int) -> np.ndarray: ...


@dataclass(frozen=True)
class PlayedSegment:
    from_ms: int
    to_ms: int
    speed: float


class _Block:
    __slots__ = ("data", "gen", "src_end", "src_start")

    def __init__(self, data: np.ndarray, gen: int, src_start: int, src_end: int) -> None:
        self.data, self.gen, self.src_start, self.src_end = data, gen, src_start, src_end


class _Feed:
    """What the feeder is making: one generation."""

    def __init__(self, gen: int, start: int, speed: float, source: PcmSource) -> None:
        self.gen, self.start, self.speed = gen, start, speed
        self.next = start  # speed 1: the next source frame
        self.out = 0  # output frames made
        self.ended = False
        self.stretch = (
            Wsola(source.samplerate, source.channels, speed, start) if speed != 1.0 else None
        )
        self.pending = np.zeros((0, source.channels), dtype=np.float32)


class Player:
    def __init__(
        self,
        source: PcmSource,
        *,
        device: int | str | None = None,
        on_segment: Callable[[PlayedSegment], None] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.source = source
        self.device = device
        self.on_segment = on_segment or (lambda s: None)
        self.clock = clock
        self.block = max(64, int(source.samplerate * BLOCK_S))
        self._queue: collections.deque[_Block] = collections.deque()
        self._cond = threading.Condition()
        # wanted state: written by the caller under _cond, read by the feeder and the callback
        self._gen = 0
        self._playing = False
        self._start = 0  # source frame the current generation starts from
        self._speed = 1.0
        self._closing = False
        # the callback's: the newest block played, when the first block of a generation played
        self._last: _Block | None = None
        self._heard_gen = -1
        self.heard_at = 0.0  # clock() at the first played block of the newest generation
        self.underruns = 0
        self.status_flags = 0
        self.callbacks = 0  # blocks PortAudio asked for (the stream is flowing)
        self.ended = False  # played to the end (the feeder's)
        self.error: Any = None  # the source's error that stopped playback
        self.segment_error: BaseException | None = None  # on_segment failed (the audit write)
        self._stream: Any = None
        self._thread: threading.Thread | None = None

    # --- opening and closing ---------------------------------------------------------------
    def open(self) -> Player:
        sd = sounddevice()
        try:
            self._stream = sd.OutputStream(
                samplerate=self.source.samplerate, blocksize=self.block, device=self.device,
                channels=self.source.channels, dtype="float32", latency="low",
                callback=self._callback,
            )  # fmt: skip
            self._stream.start()
        except (sd.PortAudioError, ValueError) as e:
            if self._stream is not None:
                self._stream.close()
                self._stream = None
            raise OutputUnavailable(str(self.device or "default"), reason=str(e)) from None
        self._thread = threading.Thread(target=self._feed, name="playback-feeder", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop; the segment playing is handed to ``on_segment`` before this returns."""
        with self._cond:
            self._closing = True
            self._gen += 1
            self._playing = False
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None
        self._queue.clear()

    # --- what the officer wants --------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def position_frames(self) -> int:
        """What has been handed to the device of the current generation, else where it stands."""
        last = self._last
        if self._playing and last is not None and last.gen == self._gen:
            return last.src_end
        return self._start

    @property
    def position_ms(self) -> int:
        return self.position_frames * 1000 // self.source.samplerate

    def _restart(self, start: int, playing: bool, speed: float | None = None) -> None:
        with self._cond:
            if self._closing:
                return
            self._start = max(0, min(start, self.source.frames))
            self._playing = playing and self._start < self.source.frames
            if speed is not None:
                self._speed = speed
            self._gen += 1
            self.ended = False if playing else self.ended
            self._cond.notify_all()

    def play(self) -> None:
        if not self._playing:
            start = 0 if self.position_frames >= self.source.frames else self.position_frames
            self._restart(start, True)

    def pause(self) -> None:
        if self._playing:
            self._restart(self.position_frames, False)

    def seek(self, frame: int) -> None:
        """Jump to ``frame``; playing goes on from there, a paused player stays paused."""
        self._restart(frame, self._playing)

    def seek_ms(self, ms: int) -> None:
        self.seek(ms * self.source.samplerate // 1000)

    def skip(self, seconds: float) -> None:
        self.seek(self.position_frames + int(seconds * self.source.samplerate))

    def set_speed(self, speed: float) -> None:
        speed = min(MAX_SPEED, max(MIN_SPEED, float(speed)))
        if speed != self._speed:
            self._restart(self.position_frames, self._playing, speed)

    # --- the PortAudio callback: copy a prepared block out, nothing else ------------------------
    def _callback(self, outdata, frames, time_info, status) -> None:
        self.callbacks += 1
        if status:
            self.status_flags += 1
        q, gen = self._queue, self._gen
        while q:
            blk = q.popleft()
            if blk.gen == gen and len(blk.data) == frames:
                outdata[:] = blk.data
                if blk.gen != self._heard_gen:
                    self._heard_gen = blk.gen
                    self.heard_at = self.clock()
                self._last = blk
                return
        outdata.fill(0)
        if self._playing:
            self.underruns += 1

    # --- the feeder thread ------------------------------------------------------------------
    def _feed(self) -> None:
        feed: _Feed | None = None
        wait_s = BLOCK_S / 2
        while True:
            with self._cond:
                if feed is not None and feed.gen == self._gen and not self._closing:
                    self._cond.wait(wait_s)
                gen, playing, start, speed = self._gen, self._playing, self._start, self._speed
                closing = self._closing
            if feed is None or feed.gen != gen:
                self._end_segment(feed)
                feed = _Feed(gen, start, speed, self.source)
            if closing:
                break
            if not playing:
                continue
            if self.source.error is not None:
                self.error = self.source.error
                self._stopped(feed)
                continue
            while len(self._queue) < QUEUE_BLOCKS and not feed.ended:
                blk = self._make_block(feed)
                if blk is None:
                    break  # not decrypted that far yet
                self._queue.append(blk)
            if feed.ended and not any(b.gen == feed.gen for b in self._queue):
                last = self._last
                if last is None or last.gen != feed.gen or last.src_end >= self.source.frames:
                    self.ended = True
                    self._stopped(feed)

    def _stopped(self, feed: _Feed) -> None:
        """Played to the end, or the source failed: paused where it got to."""
        with self._cond:
            if self._gen == feed.gen:
                last = self._last
                self._start = last.src_end if last is not None and last.gen == feed.gen else 0
                self._playing = False
                self._gen += 1

    def _end_segment(self, feed: _Feed | None) -> None:
        last = self._last
        if feed is None or last is None or last.gen != feed.gen:
            return
        rate = self.source.samplerate
        seg = PlayedSegment(feed.start * 1000 // rate, last.src_end * 1000 // rate, feed.speed)
        try:
            self.on_segment(seg)
        except Exception as e:  # noqa: BLE001 - kept for the caller to show; never lost
            self.segment_error = e

    def _read(self, start: int, count: int) -> np.ndarray:
        """``count`` frames from ``start`` as float32, silence outside the recording."""
        out = np.zeros((count, self.source.channels), dtype=np.float32)
        lo = max(0, start)
        got = self.source.read(lo, count - (lo - start))
        out[lo - start : lo - start + len(got)] = got * (1 / 32768)
        return out

    def _make_block(self, feed: _Feed) -> _Block | None:
        src, n = self.source, self.block
        total, avail = src.frames, src.available_frames()
        if feed.stretch is None:
            if avail < min(feed.next + n, total):
                return None
            data = self._read(feed.next, n)
            begin, feed.next = feed.next, min(total, feed.next + n)
            feed.ended = feed.next >= total
            return _Block(data, feed.gen, begin, feed.next)
        st = feed.stretch
        while len(feed.pending) < n:
            ideal = st.start + round(st.hops * st.hop * st.speed)
            if ideal >= total:
                pad = np.zeros((n - len(feed.pending), src.channels), dtype=np.float32)
                feed.pending = np.concatenate([feed.pending, pad])
                feed.ended = True
                break
            if avail < min(ideal + st.size + 2 * st.tolerance, total):
                return None
            feed.pending = np.concatenate([feed.pending, st.next_hop(self._read)])
        data, feed.pending = feed.pending[:n], feed.pending[n:]
        begin = min(total, int(st.source_position(feed.out)))
        feed.out += n
        end = min(total, int(st.source_position(feed.out)))
        if feed.ended:
            end = total
        return _Block(np.ascontiguousarray(data), feed.gen, begin, end)
