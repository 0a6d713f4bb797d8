"""The phone announcement (録音告知) through a real PulseAudio null sink: played through the
output when a 電話 recording starts, heard by the input (the sink's monitor, as a phone adapter
hears what it plays), so it is in the recording; the manifest says where. What the sink
played is captured from its monitor by parec into memory (tests/support/playback.py)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.config import InputPreset, PhoneNotice
from kasuhara_recorder.evidence.manifest import RecordingManifest
from tests.audio.test_capture_start import noise
from tests.support.playback import MonitorCapture
from tests.support.signals import aligned_correlation, write_wav
from tests.support.waiting import wait_until

pytestmark = pytest.mark.pulse
RATE = 48000


@pytest.fixture
def app(data_dir: Path, org_identity):
    app = AppService(data_dir)
    app.workstation.setup([org_identity.recipient], "test-phone-01")
    yield app
    app.close()


def where_it_starts(announcement: np.ndarray, pcm: np.ndarray) -> tuple[float, int]:
    """Where the announcement's first frame is in the recording, and how alike the two are
    there: from a stretch half a second in, so it is found even when its first milliseconds are
    not in the recording — a null sink mixes a new stream ahead of its monitor's clock, and
    the monitor then holds the announcement from up to ~25 ms before the recording's first
    frame (seen in about one run in five; a phone adapter's loop cannot). Negative then."""
    skip = RATE // 2
    corr, lag = aligned_correlation(announcement[skip:], pcm)
    return corr, lag - skip


@dataclass
class Played:
    announcement: np.ndarray
    wav: Path
    press: float
    heard: np.ndarray  # the sink's monitor, by parec
    manifest: RecordingManifest
    pcm: np.ndarray  # the decrypted recording, float


def _record_a_phone_call(app, pulse_sink, tmp_path, org_identity, listen=True) -> Played:
    """A 電話 recording with the announcement; ``listen``: the sink's monitor captured too
    (parec at a 10 ms latency, which makes PulseAudio run the sink's monitor differently)."""
    announcement = noise(1.5, seed=16)  # never periodic: one sharp correlation peak
    wav = write_wav(tmp_path / "announcement.wav", announcement)
    app.save_settings(app.settings.with_changes(
        phone=InputPreset(device="pulse", channels=1), keep_input_open=True,
        phone_notice=PhoneNotice(enabled=True, wav=str(wav), output_device="pulse"),
    ))  # fmt: skip
    monitor = MonitorCapture(pulse_sink) if listen else None
    try:
        assert app.recording.warm_up("phone")
        warm = app.recording.warm_input("phone")
        # the input kept open, as the desktop app has it long before a call: a source just
        # resumed by PulseAudio skips audio in its first blocks (a second's worth is plenty)
        wait_until(lambda: warm.blocks > 20 and (monitor is None or monitor.frames > RATE), 30,
                   "the inputs flow")  # fmt: skip
        press = time.monotonic()
        session = app.recording.start("phone", pressed_at=press)
        wait_until(lambda: session.notice.kind == "played", 10, "the announcement stamped")
        notice = session.notice
        end_s = (notice.offset_ms + notice.duration_ms) / 1000 + 0.5
        wait_until(lambda: session.position_s > end_s, 30, "the announcement recorded")
        manifest = session.stop()
        if monitor is not None:
            after = monitor.frames
            wait_until(lambda: monitor.frames > after + RATE // 2, 30, "the monitor after stop")
    finally:
        heard = np.zeros(0, np.float32) if monitor is None else monitor.stop() / 32768
    pcm = org_identity.decrypt_pcm(app.paths.vault / manifest.sealed_name).astype(np.float32)
    return Played(announcement, wav, press, heard, manifest, pcm / 32768)


def test_the_announcement_is_played_at_the_start_heard_and_in_the_manifest(
    app, pulse_sink, tmp_path, org_identity
):
    p = _record_a_phone_call(app, pulse_sink, tmp_path, org_identity)
    # what the sink played (its monitor) is the WAV
    corr, _ = aligned_correlation(p.announcement, p.heard)
    assert corr >= 0.95, corr
    # the recording (which begins at 録音開始: the input is kept open) holds it, from within
    # 200 ms of its start (from before it by the null sink's mixing ahead: where_it_starts)
    corr_rec, lag_rec = where_it_starts(p.announcement, p.pcm)
    assert corr_rec >= 0.95, corr_rec
    assert -0.05 <= lag_rec / RATE < 0.2, lag_rec / RATE
    assert p.manifest.pre_event_ms == 0
    n = p.manifest.notice
    assert n is not None and n.kind == "played"
    assert n.duration_ms == 1500
    assert n.wav_sha256 == hashlib.sha256(p.wav.read_bytes()).hexdigest()
    assert n.text == app.profile.notice.phone.ja
    events = [e.event for e in app.audit.entries(f"recording:{p.manifest.id}")]
    assert events.count("recording.notice") == 1


def test_the_manifests_offset_is_where_the_announcement_is_in_the_recording(
    app, pulse_sink, tmp_path, org_identity
):
    """The manifest's offset is found in the recording (audio/announcement_locator.py): the
    output's DAC time minus the input's ADC time, which is all PortAudio tells, put it 80–140 ms
    late on PulseAudio's ALSA plugin, and 360 ms with an input just opened."""
    p = _record_a_phone_call(app, pulse_sink, tmp_path, org_identity, listen=False)
    corr, lag_rec = where_it_starts(p.announcement, p.pcm)
    assert corr >= 0.95, corr
    assert p.manifest.notice is not None and p.manifest.notice.offset_ms is not None
    # an offset is never negative: one that began before the first frame starts at 0
    assert abs(max(0, lag_rec) * 1000 / RATE - p.manifest.notice.offset_ms) <= 50


def test_a_phone_preset_without_a_wav_records_and_says_none(app, pulse_sink, tmp_path):
    app.save_settings(app.settings.with_changes(
        phone=InputPreset(device="pulse", channels=1),
        phone_notice=PhoneNotice(enabled=True, wav=""),
    ))  # fmt: skip
    session = app.recording.start("phone")
    assert session.recorder.wait_for_audio(10)
    wait_until(lambda: session.position_s > 0.5, 10, "half a second recorded")
    manifest = session.stop()
    assert manifest.status == "complete" and manifest.duration_ms >= 500
    assert manifest.notice is not None and manifest.notice.kind == "none"
    assert session.announcement is None


def test_an_unreadable_wav_is_said_and_the_call_is_recorded(app, pulse_sink, tmp_path):
    bad = tmp_path / "not-a-wav.wav"
    bad.write_bytes(b"this is not audio")
    app.save_settings(app.settings.with_changes(
        phone=InputPreset(device="pulse", channels=1),
        phone_notice=PhoneNotice(enabled=True, wav=str(bad)),
    ))  # fmt: skip
    session = app.recording.start("phone")
    wait_until(lambda: session.position_s > 0.5, 10, "half a second recorded")
    kinds = [e.kind for e in session.poll_events()]
    manifest = session.stop()
    assert "announcement_failed" in kinds
    assert manifest.status == "complete" and manifest.notice.kind == "none"
