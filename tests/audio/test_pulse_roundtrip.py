"""The test rig itself: a tone played into the null sink is heard by sounddevice."""

from __future__ import annotations

import numpy as np

from tests.support.signals import peak_frequency, tone, write_wav
from tests.support.waiting import wait_until


def test_tone_played_into_null_sink_is_recorded_through_sounddevice(pulse_sink, tmp_path):
    import sounddevice as sd

    wav = write_wav(tmp_path / "tone.wav", tone(1000.0, 2.0))
    chunks: list[np.ndarray] = []

    def callback(indata, frames, time_info, status):
        chunks.append(indata.copy())

    with sd.InputStream(device="pulse", samplerate=48000, channels=1, dtype="int16",
                        callback=callback):  # fmt: skip
        player = pulse_sink.play(wav)
        player.wait(timeout=30)
        # until the tone's end has come back: a block of silence after it
        wait_until(lambda: chunks and np.abs(chunks[-1]).max() < 100, 10, "the tone's end")
    recorded = np.concatenate(chunks)[:, 0].astype(np.float32) / 32768
    assert np.max(np.abs(recorded)) > 0.1, "nothing but silence came back"
    heard = np.flatnonzero(np.abs(recorded) > 0.05)
    loud = recorded[heard[0] : heard[-1]]
    assert len(loud) / 48000 > 1.8, "the tone came back shorter than it was played"
    assert abs(peak_frequency(loud, 48000) - 1000.0) < 5.0
