"""One recording's audio decrypted into memory for the officer's player: never into a file.

The plaintext goes from pyrage through an OS pipe (kernel memory) straight into one numpy array
of ``frames × channels`` int16 samples allocated up front (docs/FORMAT.md §2: the sealed file,
then a recovered recording's kept tail), while a decrypt thread of its own computes the waveform
(``audio.waveform.Peaks``) and the SHA-256 of the plaintext as it goes; ``bundle.sealed_reader``
hashes the sealed bytes beside it. Once the last byte is in, both are compared with the signed
capture manifest; a mismatch (or a chunk age refuses: its MAC fails) sets ``error``, which the
player checks on every block and stops on. ``close()`` zeroes the samples.

Memory: 2 bytes a sample, e.g. 60 minutes at 48 kHz mono = 346 MB (stereo 691 MB), on the
officer's PC only; a counter PC never decrypts.
"""

from __future__ import annotations

import hashlib
import threading
from contextlib import closing
from pathlib import Path

import numpy as np
import pyrage

from kasuhara_recorder.audio.waveform import Peaks
from kasuhara_recorder.bundle.sealed_reader import SealedReader
from kasuhara_recorder.errors import EvidenceError
from kasuhara_recorder.evidence.manifest import RecordingManifest
from kasuhara_recorder.evidence.vault import tail_member_path
from kasuhara_recorder.text import Text

STEP = 1 << 20  # bytes decrypted between two waveform updates


class RecordingCheckFailed(EvidenceError):
    """The decrypted recording is not what was sealed at capture (its manifest says otherwise)."""

    template = Text(
        "録音 {recording} は封印時の記録と一致しないため、再生を止めました（{check}）。"
        "改ざんや破損の可能性があります。録音ファイルには触れず、情報システム担当者に連絡して"
        "ください。",
        "recording {recording} does not match what was sealed at capture ({check}); playback "
        "stopped. It may have been altered or damaged: leave its files as they are and tell IT",
    )
    fields = ("recording", "check")


CHECKS: dict[str, Text] = {
    "sealed": Text("封印ファイルのハッシュが違います", "the sealed file's SHA-256 differs"),
    "tail": Text("復旧した末尾のハッシュが違います", "the recovered tail's SHA-256 differs"),
    "pcm": Text("音声のハッシュが違います", "the audio's SHA-256 differs"),
    "short": Text("音声が記録より短く終わっています", "the audio ends before its recorded length"),
    "long": Text("記録より長い音声が入っています", "the audio is longer than recorded"),
    "decrypt": Text("復号できない部分があります", "a part does not decrypt"),
}


class DecryptedRecording:
    """The PCM source of ``audio.player.Player``: ``available_frames()``, ``read(start, n)``."""

    def __init__(
        self, manifest: RecordingManifest, sealed_path: Path, identity: pyrage.x25519.Identity
    ) -> None:
        if manifest.sample_format != "s16le":
            raise ValueError("only captured PCM (s16le) is played")
        self.manifest = manifest
        self.samplerate = manifest.samplerate
        self.channels = manifest.channels
        self.frames = manifest.frames
        self._sealed = Path(sealed_path)
        self._identity = identity
        self._pcm = np.zeros(self.frames * self.channels, dtype="<i2")
        self.peaks = Peaks(self.frames, self.channels)
        self.filled_frames = 0  # written by the decrypt thread only
        self.error: RecordingCheckFailed | None = None
        self.checked = False  # every hash compared and equal
        self._cancel = threading.Event()
        self.finished = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the source the player reads -------------------------------------------------------
    def available_frames(self) -> int:
        return self.filled_frames

    def read(self, start: int, count: int) -> np.ndarray:
        """Frames ``start`` … ``start + count`` (clipped to what is decrypted), shape (n, ch)."""
        start = max(0, min(start, self.filled_frames))
        end = max(start, min(start + count, self.filled_frames))
        return self._pcm[start * self.channels : end * self.channels].reshape(-1, self.channels)

    @property
    def duration_ms(self) -> int:
        return self.frames * 1000 // self.samplerate if self.samplerate else 0

    # --- decrypting ------------------------------------------------------------------------
    def start(self) -> DecryptedRecording:
        self._thread = threading.Thread(target=self._run, name="playback-decrypt", daemon=True)
        self._thread.start()
        return self

    def _fail(self, check: str) -> None:
        if self.error is None:
            self.error = RecordingCheckFailed(self.manifest.id, check=CHECKS[check])

    def _run(self) -> None:
        m = self.manifest
        try:
            whole = memoryview(self._pcm.data).cast("B")
            pcm_hash = hashlib.sha256()
            main_len = len(whole) if m.tail is None else m.tail.pcm_offset
            main = SealedReader(self._sealed, self._identity)
            done = self._pour(main, whole[:main_len], 0, pcm_hash)
            if main.sealed_sha256 != m.sealed_sha256 or main.sealed_size != m.sealed_size:
                self._fail("sealed")
            if (main.error or main.beyond) and m.status != "recovered":
                self._fail("decrypt" if main.error else "long")
            if done < main_len:
                self._fail("decrypt" if main.error else "short")
            if m.tail is not None and self.error is None:
                tail = SealedReader(tail_member_path(self._sealed), self._identity)
                tail_hash = hashlib.sha256()
                got = self._pour(tail, whole[main_len:], main_len, pcm_hash, tail_hash)
                if tail.sealed_sha256 != m.tail.sealed_sha256 or (
                    tail_hash.hexdigest() != m.tail.pcm_sha256
                ):
                    self._fail("tail")
                if tail.error or tail.beyond or got < len(whole) - main_len:
                    self._fail("decrypt" if tail.error else "long" if tail.beyond else "short")
            if self.error is None and not self._cancel.is_set():
                if pcm_hash.hexdigest() != m.pcm_sha256:
                    self._fail("pcm")
                else:
                    self.checked = True
        except OSError:
            self._fail("decrypt")
        finally:
            self.finished.set()

    def _pour(self, reader: SealedReader, target: memoryview, base: int,
              *hashes: hashlib._Hash) -> int:  # fmt: skip
        """Decrypt ``reader`` into ``target`` (bytes ``base`` … of the recording)."""
        done = 0
        frame_bytes = 2 * self.channels
        with closing(reader.fill(target, STEP)) as pieces:
            for filled in pieces:
                for h in hashes:
                    h.update(target[done:filled])
                done = filled
                self.filled_frames = (base + done) // frame_bytes
                self.peaks.add(self._pcm, self.filled_frames)
                if self._cancel.is_set():
                    break
        return done

    def wait(self, timeout: float | None = None) -> bool:
        return self.finished.wait(timeout)

    def close(self) -> None:
        """Stop decrypting and zero the samples (the array is freed with this object)."""
        self._cancel.set()
        if self._thread is not None:
            self._thread.join()
        self.filled_frames = 0
        self._pcm.fill(0)
