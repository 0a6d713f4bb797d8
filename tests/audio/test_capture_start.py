"""What the worker sees is what is recorded, through a real PulseAudio null sink: the first
sample kept is the one at the key press (within 50 ms), or 10 s before it with the pre-event
buffer, on both devices the presets use (ALSA's ``default`` and ``pulse``); the manifest's
start is that sample's time and its end the start plus the length; nothing of the idle
input ever reaches the disk.

Where a sample "really" was is told by a second, independent stream on the same source that
records the whole time with PortAudio's ADC times: noise (never periodic) played into the
sink is found in both, so the recording's first sample has a time of its own."""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.audio.stream_source import block_time
from kasuhara_recorder.config import InputPreset
from tests.support.signals import write_wav
from tests.support.waiting import wait_until

pytestmark = pytest.mark.pulse
RATE = 48000


class Reference:
    """A plain sounddevice stream on ``device``: every block with its ADC time (monotonic)."""

    def __init__(self, device: str) -> None:
        import sounddevice as sd

        self.blocks: list[tuple[float, np.ndarray]] = []
        self._lock = threading.Lock()
        self.stream = sd.RawInputStream(
            device=device, samplerate=RATE, channels=1, dtype="int16", blocksize=2400,
            latency=0.1, callback=self._callback,
        )  # fmt: skip
        self.stream.start()

    def _callback(self, indata, frames, time_info, status) -> None:
        t = block_time(time_info, frames, RATE)
        with self._lock:
            self.blocks.append((t, np.frombuffer(bytes(indata), dtype="<i2").copy()))

    def close(self) -> None:
        self.stream.stop()
        self.stream.close()

    def signal(self) -> np.ndarray:
        """Every frame so far, blocks joined."""
        with self._lock:
            blocks = list(self.blocks)
        return np.concatenate([b for _, b in blocks])

    def time_of(self, frame: int) -> float:
        """When frame number ``frame`` of ``signal()`` was captured, by its own block's ADC
        time (a stream that just woke its source can skip audio between its first blocks, so
        counting frames from the first block would be wrong)."""
        with self._lock:
            blocks = list(self.blocks)
        for t, b in blocks:
            if frame < len(b):
                return t + frame / RATE
            frame -= len(b)
        raise IndexError("frame beyond the reference")

    def loud_seconds(self) -> float:
        with self._lock:
            return sum(len(b) for _, b in self.blocks if np.abs(b).max() > 3000) / RATE


def noise(seconds: float, seed: int = 7) -> np.ndarray:
    return (np.random.default_rng(seed).uniform(-0.3, 0.3, int(seconds * RATE))).astype(np.float32)


def where_in(reference: np.ndarray, piece: np.ndarray) -> int:
    """Frame index in ``reference`` where ``piece`` (a stretch of the same noise) is."""
    ref = reference.astype(np.float64)
    p = piece.astype(np.float64) - piece.mean()
    n = len(ref) + len(p)
    size = 1 << (n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(ref, size) * np.conj(np.fft.rfft(p, size)), size)
    return int(np.argmax(corr[: len(ref) - len(p) + 1]))


@pytest.fixture
def app(data_dir: Path, org_identity):
    app = AppService(data_dir)
    app.workstation.setup([org_identity.recipient], "test-counter-01")
    yield app
    app.close()


def _record_at_a_press(app, pulse_sink, tmp_path, org_identity, device, pre_event_s):
    app.save_settings(
        app.settings.with_changes(
            counter=InputPreset(device=device, channels=1), keep_input_open=True,
            pre_event_seconds=pre_event_s,
        )
    )  # fmt: skip
    reference = Reference(device)
    player = None
    try:
        assert app.recording.warm_up("counter")
        wav = write_wav(tmp_path / "noise.wav", noise(pre_event_s + 20))
        player = pulse_sink.play(wav)
        wait_until(lambda: reference.loud_seconds() > pre_event_s + 2, 60, "the noise heard")
        press = time.monotonic()
        wall_press = dt.datetime.now().astimezone()
        session = app.recording.start("counter", pressed_at=press)
        wait_until(lambda: session.position_s > pre_event_s + 2.0, 30, "2 s after the press")
        manifest = session.stop()
        wait_until(lambda: reference.loud_seconds() > pre_event_s + 6, 30, "the reference")
    finally:
        if player is not None:
            player.kill()
            player.wait()
        reference.close()
    pcm = org_identity.decrypt_pcm(app.paths.vault / manifest.sealed_name)
    ref = reference.signal()
    first_t = reference.time_of(where_in(ref, pcm[: RATE // 2]))  # by the reference
    return press, wall_press, first_t, manifest, pcm


@pytest.mark.parametrize("device", ["pulse", "default"])
def test_the_first_sample_kept_is_the_one_at_the_key_press(
    app, pulse_sink, tmp_path, org_identity, device
):
    press, wall_press, first_t, manifest, pcm = _record_at_a_press(
        app, pulse_sink, tmp_path, org_identity, device, 0
    )
    print(f"{device}: first sample {1000 * (first_t - press):+.1f} ms from the key press")
    assert abs(first_t - press) <= 0.050, f"first sample {1000 * (first_t - press):+.0f} ms"
    assert manifest.pre_event_ms == 0
    started = dt.datetime.fromisoformat(manifest.started_at)
    ended = dt.datetime.fromisoformat(manifest.ended_at)
    assert abs((started - wall_press).total_seconds()) <= 0.050
    assert abs((ended - started).total_seconds() - len(pcm) / RATE) <= 0.002  # start + length
    assert manifest.duration_ms == len(pcm) * 1000 // RATE


def test_a_ten_second_pre_event_buffer_begins_the_recording_ten_seconds_early(
    app, pulse_sink, tmp_path, org_identity
):
    press, _, first_t, manifest, pcm = _record_at_a_press(
        app, pulse_sink, tmp_path, org_identity, "pulse", 10
    )
    print(f"pre-event: first sample {1000 * (first_t - press + 10):+.1f} ms from press - 10 s")
    assert abs(first_t - (press - 10)) <= 0.050, f"{1000 * (first_t - press + 10):+.0f} ms"
    assert abs(manifest.pre_event_ms - 10_000) <= 50
    assert len(pcm) / RATE >= 12.0


def test_the_idle_input_and_a_discarded_pre_event_buffer_leave_no_audio_on_disk(
    app, pulse_sink, tmp_path, data_dir
):
    """The input kept open for 15 s of noise with a 10 s buffer, never recorded: no stretch
    of what was played is in any file of the data folder or the temp folder."""
    app.save_settings(app.settings.with_changes(
        counter=InputPreset(device="pulse", channels=1), keep_input_open=True,
        pre_event_seconds=10,
    ))  # fmt: skip
    played = noise(15, seed=11)
    reference = Reference("pulse")
    try:
        assert app.recording.warm_up("counter")
        player = pulse_sink.play(write_wav(tmp_path / "played.wav", played))
        try:
            wait_until(lambda: reference.loud_seconds() > 12, 60, "the noise heard")
        finally:
            player.kill()
            player.wait()
        heard = reference.signal()
    finally:
        reference.close()
    app.recording.cool_down()  # the buffer is dropped
    loud = np.flatnonzero(np.abs(heard) > 3000)
    probe = heard[loud[len(loud) // 2] : loud[len(loud) // 2] + 64].tobytes()  # 128 bytes
    assert len(probe) == 128
    played_path = tmp_path / "played.wav"
    temp = Path(tempfile.gettempdir())
    candidates = [*data_dir.rglob("*"), *tmp_path.rglob("*"), *temp.iterdir()]
    found = []
    for f in candidates:
        try:
            if f.is_file() and f != played_path and f.stat().st_size < 1 << 30:
                if probe in f.read_bytes():
                    found.append(str(f))
        except OSError:
            continue
    assert found == []
