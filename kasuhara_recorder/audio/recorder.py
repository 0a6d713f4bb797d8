"""The Recorder: a source (live device or file) → BlockQueue → writer thread → PCM sink.

Threads:
    PortAudio callback   copies each block into the queue, counts status flags; nothing else
    writer thread        drains the queue into the sink (the sealed writer), computes levels,
                         watches for a dead stream and for sink faults
    caller (GUI/CLI)     start(), stop(), reads ``levels``/``position_s`` at any time; may be
                         blocked for seconds without loss: the queue holds ``queue_seconds``

A fault never loses what was captured: the writer stops the source and reports a CaptureEvent;
``stop()`` then seals whatever reached the sink.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from kasuhara_recorder.audio.audio_format import AudioFormat
from kasuhara_recorder.audio.block_queue import BlockQueue
from kasuhara_recorder.audio.errors import AudioError, DeviceLost
from kasuhara_recorder.audio.levels import LevelMeter, Levels
from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.text import Text

log = logging.getLogger("kasuhara.audio")

FILE_QUEUE_BYTES = 1024 * 1024  # back-pressure for file sources: small, so stop is quick


class PcmSink(Protocol):
    """Where PCM goes: the evidence layer's SealedWriter (or a test's collector)."""

    def write(self, data: bytes | memoryview) -> None: ...

    def close(self) -> Any: ...


class Source(Protocol):
    format: AudioFormat
    label: str
    realtime: bool
    natural_end: bool

    # Read only: a source may derive these (WarmSource reads them from the open input).
    @property
    def overflows(self) -> int: ...

    @property
    def finished(self) -> bool: ...

    @property
    def alive(self) -> bool: ...

    def open(self, queue: BlockQueue) -> None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


class EndReason(StrEnum):
    STOPPED = "stopped"  # stop() was called
    SOURCE_ENDED = "source_ended"  # an input file reached its end (or its max length)
    DEVICE_LOST = "device_lost"  # the stream died or went silent-dead mid-recording
    DISK_FULL = "disk_full"  # the vault filled up; what fitted is sealed
    VAULT_ERROR = "vault_error"  # the vault could not be written for another reason
    ENGINE_ERROR = "engine_error"  # a bug in the writer thread; what was written is sealed

    @property
    def fault(self) -> bool:
        return self not in (EndReason.STOPPED, EndReason.SOURCE_ENDED)


@dataclass(frozen=True)
class CaptureEvent:
    kind: EndReason
    position_s: float
    error: KasuharaError | None = None

    @property
    def text(self) -> Text:
        return self.error.text if self.error else Text.same(self.kind.value)

    def message(self, lang: str = "ja") -> str:
        return self.text.pick(lang)


@dataclass(frozen=True)
class CaptureResult:
    format: AudioFormat
    source: str
    frames: int  # frames that reached the sink
    dropped_frames: int  # frames discarded because the queue was full
    overflows: int  # blocks PortAudio flagged input_overflow (it lost data before them)
    end: EndReason
    error: KasuharaError | None
    seal: Any  # whatever the sink's close() returned (SealResult for the sealed writer)
    started_at: dt.datetime
    ended_at: dt.datetime
    start_latency_s: float  # start() until the stream was running
    first_audio_s: float | None  # start() until the first block reached the writer
    stop_latency_s: float  # stop() until the sink was closed

    @property
    def duration_s(self) -> float:
        return self.frames / self.format.samplerate


class Recorder:
    def __init__(
        self,
        source: Source,
        sink: PcmSink,
        *,
        queue_seconds: float = 30.0,
        stall_timeout_s: float = 2.0,
        first_audio_timeout_s: float = 6.0,
        poll_s: float = 0.05,  # the block cadence: levels stay at ~20 updates a second
        on_event: Callable[[CaptureEvent], None] | None = None,
    ) -> None:
        self.source = source
        self.format = source.format
        self._sink = sink
        max_bytes = int(queue_seconds * self.format.bytes_per_second)
        self._queue = BlockQueue(max_bytes if source.realtime else FILE_QUEUE_BYTES)
        self._meter = LevelMeter(self.format.samplerate)
        self._stall_timeout = stall_timeout_s
        self._first_audio_timeout = first_audio_timeout_s
        self._poll = poll_s
        self._on_event = on_event
        self._stop_flag = threading.Event()
        self._ended = threading.Event()  # the source ended or a fault stopped capture
        self._got_audio = threading.Event()
        self._stop_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="recorder-writer", daemon=True)
        self._bytes_written = 0
        self._end = EndReason.STOPPED
        self._error: KasuharaError | None = None
        self._t_start = 0.0
        self._first_audio_s: float | None = None
        self._last_audio = 0.0
        self.started_at: dt.datetime | None = None
        self.start_latency_s = 0.0
        self._result: CaptureResult | None = None
        self._stopping = False
        self._taps: list[Callable[[bytes], None]] = []

    def add_tap(self, tap: Callable[[bytes], None]) -> None:
        """Also give ``tap`` every block written (on the writer thread, after the sink took it):
        the phone announcement is found in the recording's first seconds this way. Before
        start(); a tap must be quick and must not raise."""
        self._taps.append(tap)

    # --- caller side ---------------------------------------------------------------------
    def start(self) -> None:
        t0 = time.monotonic()
        self.source.open(self._queue)
        self.started_at = dt.datetime.now().astimezone()
        self._t_start = time.monotonic()
        self._thread.start()
        try:
            self.source.start()
        except BaseException:
            self._stop_flag.set()
            self._thread.join()
            self.source.close()
            raise
        self.start_latency_s = time.monotonic() - t0

    @property
    def levels(self) -> Levels:
        return self._meter.latest

    @property
    def position_s(self) -> float:
        """Audio captured so far (including what is still queued), in seconds."""
        return self.format.seconds(self._queue.bytes_in)

    @property
    def written_frames(self) -> int:
        return self.format.frames(self._bytes_written)

    @property
    def dropped_frames(self) -> int:
        return self.format.frames(self._queue.dropped_bytes)

    @property
    def end_reason(self) -> EndReason | None:
        """None while capturing; why capture ended once it has."""
        return self._end if self._ended.is_set() else None

    def wait_for_audio(self, timeout: float) -> bool:
        return self._got_audio.wait(timeout)

    def wait_until_ended(self, timeout: float | None = None) -> bool:
        """True once the source ended or a fault stopped capture (stop() is still needed)."""
        return self._ended.wait(timeout)

    def stop(self) -> CaptureResult:
        """Stop capture, flush everything queued into the sink and close it. Idempotent."""
        with self._stop_lock:
            if self._result is not None:
                return self._result
            t0 = time.monotonic()
            self._stopping = True
            self.source.stop()  # PortAudio hands over the blocks it holds, then stops
            self._stop_flag.set()
            self._thread.join()
            self.source.close()
            stopped_at = dt.datetime.now().astimezone()
            seal = self._sink.close()
            if getattr(seal, "disk_full", False) and not self._end.fault:
                self._disk_filled_behind()
            # The recording's own times: its first frame (the ADC's clock where the source
            # tells it, the start() call otherwise) and that plus its length, so start, end
            # and length agree on every screen and in the manifest.
            started_at = self._first_frame_at(stopped_at)
            ended_at = started_at + dt.timedelta(
                seconds=self.written_frames / self.format.samplerate
            )
            self._result = CaptureResult(
                format=self.format,
                source=self.source.label,
                frames=self.written_frames,
                dropped_frames=self.dropped_frames,
                overflows=self.source.overflows,
                end=self._end,
                error=self._error,
                seal=seal,
                started_at=started_at,
                ended_at=ended_at,
                start_latency_s=self.start_latency_s,
                first_audio_s=self._first_audio_s,
                stop_latency_s=time.monotonic() - t0,
            )
            return self._result

    def _disk_filled_behind(self) -> None:
        """The sealer writes behind the producer: the disk can fill after the last write
        returned (most often with an input file, whose blocks come fast and in few writes), so
        the sink says so only when it closes. The same fault, said the same way, as one a
        write reported: what fitted is sealed."""
        from kasuhara_recorder.evidence.sealed_writer import DiskFull

        path = getattr(self._sink, "path", None)
        self._finish(EndReason.DISK_FULL, DiskFull(str(path.parent) if path else "vault"))

    def _first_frame_at(self, fallback: dt.datetime) -> dt.datetime:
        t = getattr(self.source, "first_sample_t", None)
        if t is not None:
            return dt.datetime.now().astimezone() - dt.timedelta(seconds=time.monotonic() - t)
        return self.started_at or fallback

    # --- writer thread -------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while True:
                stopping = self._stop_flag.is_set()
                if not self._drain():
                    break  # the sink failed: _sink_failed() stopped capture
                if stopping:
                    break
                ended = self._watch()
                if ended is not None:
                    self.source.stop()
                    self._drain()  # what was captured before the end still goes in
                    self._finish(*ended)
                    break
                self._stop_flag.wait(self._poll)
        except Exception as e:
            log.exception("recorder writer thread failed")
            self.source.stop()
            self._finish(EndReason.ENGINE_ERROR, AudioError(f"{type(e).__name__}: {e}"))
        finally:
            self._ended.set()

    def _drain(self) -> bool:
        """Everything queued into the sink, as one write (the blocks of one poll joined: each
        sink write wakes the sealer's threads, so one per poll, not one per PortAudio block,
        is what keeps recording cheap); False when the sink failed."""
        blocks = list(self._queue.drain())
        if not blocks:
            return True
        data = blocks[0] if len(blocks) == 1 else b"".join(blocks)
        try:
            self._sink.write(data)
        except Exception as e:  # noqa: BLE001 - becomes a typed fault, never dropped
            self._sink_failed(e)
            return False
        self._meter.feed(data, self.format.channels)
        for tap in self._taps:
            tap(data)
        self._bytes_written += len(data)
        self._last_audio = time.monotonic()
        if not self._got_audio.is_set():
            self._first_audio_s = self._last_audio - self._t_start
            self._got_audio.set()
        return True

    def _watch(self) -> tuple[EndReason, KasuharaError | None] | None:
        """Why capture must end now (source ended or died), or None to go on."""
        src = self.source
        if self._stopping:  # stop() is stopping the source: its end is no fault
            return None
        now = time.monotonic()
        if src.finished:
            if src.natural_end:
                return EndReason.SOURCE_ENDED, None
            reason = getattr(src, "error", None) or "the input stream ended"
            return EndReason.DEVICE_LOST, DeviceLost(str(reason), "入力が途切れました")
        if not src.realtime:
            return None
        if not self._got_audio.is_set():
            if now - self._t_start > self._first_audio_timeout:
                s = f"{self._first_audio_timeout:.0f}"
                return EndReason.DEVICE_LOST, DeviceLost(
                    f"no audio within {s} s of the start",
                    f"開始から {s} 秒たっても音声が届きません",
                )
        elif now - self._last_audio > self._stall_timeout:
            gap = f"{now - self._last_audio:.1f}"
            return EndReason.DEVICE_LOST, DeviceLost(
                f"no audio for {gap} s", f"{gap} 秒間、音声が届いていません"
            )
        elif not src.alive:
            return EndReason.DEVICE_LOST, DeviceLost(
                "the input stream stopped", "入力が止まりました"
            )
        return None

    def _sink_failed(self, e: Exception) -> None:
        disk_full = bool(getattr(e, "disk_full", False))
        err = e if isinstance(e, KasuharaError) else AudioError(f"{type(e).__name__}: {e}")
        self.source.stop()
        self._finish(EndReason.DISK_FULL if disk_full else EndReason.VAULT_ERROR, err)

    def _finish(self, end: EndReason, error: KasuharaError | None) -> None:
        self._end = end
        self._error = error
        if error is not None:
            log.error("capture ended: %s: %s", end.value, error.message("en"))
        self._ended.set()
        if self._on_event is not None:
            try:
                self._on_event(CaptureEvent(end, self.position_s, error))
            except Exception:  # a listener's bug must not kill the writer
                log.exception("recording event listener failed")
