"""An audio file (WAV, FLAC… via soundfile) fed through the recorder like a live device.

Paced: blocks are released in real time, for demos and machines without a microphone.
Unpaced: as fast as the sealer takes them, for benches and long test recordings; the queue
then applies back-pressure instead of dropping.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import soundfile as sf

from kasuhara_recorder.audio.audio_format import AudioFormat
from kasuhara_recorder.audio.block_queue import BlockQueue
from kasuhara_recorder.audio.errors import InputFileError

PACED_BLOCK_SECONDS = 0.05
UNPACED_BLOCK_FRAMES = 32768


def file_format(path: Path) -> AudioFormat:
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, OSError) as e:
        raise InputFileError(str(path), str(e)) from None
    return AudioFormat(samplerate=int(info.samplerate), channels=int(info.channels))


class FileSource:
    realtime = False

    def __init__(self, path: Path, *, paced: bool = True, max_seconds: float | None = None):
        self.path = Path(path)
        self.paced = paced
        self.format = file_format(self.path)
        self.label = f"file:{self.path.name}"
        self.max_frames = None if max_seconds is None else int(max_seconds * self.format.samplerate)
        self.overflows = 0
        self.status_flags = 0
        self.finished = False
        self.natural_end = False  # True once the whole file (or max_seconds) went in
        self.error: Exception | None = None
        self._queue: BlockQueue | None = None
        self._file: sf.SoundFile | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def open(self, queue: BlockQueue) -> None:
        self._queue = queue
        try:
            self._file = sf.SoundFile(str(self.path))
        except (sf.LibsndfileError, RuntimeError, OSError) as e:
            raise InputFileError(str(self.path), str(e)) from None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="file-source", daemon=True)
        self._thread.start()

    @property
    def alive(self) -> bool:
        return not self.finished

    def _run(self) -> None:
        rate = self.format.samplerate
        block = int(rate * PACED_BLOCK_SECONDS) if self.paced else UNPACED_BLOCK_FRAMES
        sent = 0
        t0 = time.monotonic()
        f, queue = self._file, self._queue
        assert f is not None and queue is not None  # set by open(), before start()
        try:
            while not self._stop.is_set():
                want = block if self.max_frames is None else min(block, self.max_frames - sent)
                if want <= 0:
                    self.natural_end = True
                    break
                data = f.buffer_read(want, dtype="int16")
                if not len(data):
                    self.natural_end = True
                    break
                chunk = bytes(data)
                frames = len(chunk) // self.format.bytes_per_frame
                if self.paced:  # released when a device would have delivered it: at its end
                    delay = t0 + (sent + frames) / rate - time.monotonic()
                    if delay > 0 and self._stop.wait(delay):
                        break
                if not queue.put(chunk, self._stop.is_set):
                    break
                sent += frames
        except (sf.LibsndfileError, RuntimeError, OSError) as e:
            self.error = e
        finally:
            self.finished = True

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def close(self) -> None:
        self.stop()
        if self._file is not None:
            self._file.close()
            self._file = None
