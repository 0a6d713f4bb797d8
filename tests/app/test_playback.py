"""Officer playback through the service, with real audio: a recording made through one
PulseAudio null sink is played to another, whose monitor is captured (into memory) while it
plays; the captured audio is compared with the recording. The window's tests are in
tests/ui/test_player_window.py."""

from __future__ import annotations

import numpy as np
import pytest

from kasuhara_recorder.app.officer_session import IdentityLocked
from kasuhara_recorder.app.roles import RoleRefused
from kasuhara_recorder.bundle.decrypted_recording import RecordingCheckFailed
from tests.support.playback import MonitorCapture, make_officer, record_through
from tests.support.recordings import routine_recording
from tests.support.signals import aligned_correlation, peak_frequency, sweep
from tests.support.waiting import wait_until

pytestmark = pytest.mark.pulse
RATE = 48000


def _i16(x: np.ndarray) -> np.ndarray:
    return np.round(x * 32767).astype(np.int16)


def _decrypted(identity, app, manifest) -> np.ndarray:
    import pyrage

    raw = pyrage.decrypt((app.paths.vault / manifest.sealed_name).read_bytes(), [identity])
    return np.frombuffer(raw, dtype="<i2")


def _heard(capture: MonitorCapture) -> np.ndarray:
    x = capture.stop().astype(np.float32) / 32768
    loud = np.flatnonzero(np.abs(x) > 0.01)
    assert len(loud), "nothing was heard on the output sink"
    return x[loud[0] : loud[-1] + 1]


def test_a_played_segment_is_the_recording_from_the_offset_and_is_in_the_chain(
    service, org_identity, pulse_server, tmp_path
):
    rec_sink = pulse_server.new_sink()
    try:
        manifest = record_through(service, rec_sink, _i16(sweep(200, 4000, 6.0, amp=0.4)))
    finally:
        rec_sink.remove()
    original = _decrypted(org_identity, service, manifest)
    officer = make_officer(service, org_identity, tmp_path / "org")
    service.officer.unlock(officer.identity_file, officer.passphrase, purpose="playback")
    out = pulse_server.new_sink()  # the default output now
    playback = service.playback.open(manifest.id)
    try:
        assert playback.audio.wait(10) and playback.audio.checked
        player = playback.player("pulse")
        capture = MonitorCapture(out)
        wait_until(lambda: capture.frames > 0, 10, "the monitor's first samples")
        player.seek_ms(2000)
        player.play()
        wait_until(lambda: player.position_ms >= 4000, 15, "two seconds played")
        player.pause()
        wait_until(lambda: playback.segments or player.segment_error, 10, "the segment entered")
        assert player.segment_error is None
        heard = _heard(capture)
    finally:
        playback.close()
        out.remove()
    ref = original.astype(np.float32) / 32768
    corr, lag = aligned_correlation(heard[: RATE // 2], ref)
    assert corr >= 0.95, f"correlation {corr:.3f}"
    assert abs(lag / RATE * 1000 - 2000) <= 50, f"started at {lag / RATE * 1000:.0f} ms"
    (entry,) = [e for e in service.audit.entries(f"recording:{manifest.id}")
                if e.event == "recording.play"]  # fmt: skip
    assert entry.data["from_ms"] == 2000 and 3950 <= entry.data["to_ms"] <= 4200
    assert entry.data["speed"] == "1" and entry.actor == service.actor


def test_twice_as_fast_is_half_as_long_at_the_same_pitch(
    service, org_identity, pulse_server, tmp_path
):
    manifest = routine_recording(service, tmp_path, seconds=3.0)  # a 440 Hz tone
    officer = make_officer(service, org_identity, tmp_path / "org")
    service.officer.unlock(officer.identity_file, officer.passphrase, purpose="playback")
    out = pulse_server.new_sink()
    playback = service.playback.open(manifest.id)
    try:
        assert playback.audio.wait(10)
        player = playback.player("pulse")
        player.set_speed(2.0)
        capture = MonitorCapture(out)
        wait_until(lambda: capture.frames > 0, 10, "the monitor's first samples")
        player.play()
        wait_until(lambda: player.ended, 15, "played to the end")
        wait_until(lambda: playback.segments, 10, "the segment entered")
        heard = _heard(capture)
    finally:
        playback.close()
        out.remove()
    seconds = len(heard) / RATE
    assert abs(seconds - manifest.duration_ms / 2000) <= 0.1, f"{seconds:.2f} s"
    assert abs(peak_frequency(heard, RATE) - 440) <= 440 * 0.03
    seg = playback.segments[-1]
    assert seg.speed == 2.0 and seg.from_ms == 0 and seg.to_ms >= manifest.duration_ms - 25


def test_a_supervisor_cannot_play_and_nothing_is_decrypted(service, org_identity, tmp_path):
    manifest = routine_recording(service, tmp_path)
    make_officer(service, org_identity, tmp_path / "org", role="supervisor")
    with pytest.raises(RoleRefused) as e:
        service.playback.open(manifest.id)
    assert "録音の再生" in e.value.message("ja")
    assert not [x for x in service.audit.entries() if x.event == "recording.play"]


def test_playing_needs_the_key_unlocked(service, org_identity, tmp_path):
    manifest = routine_recording(service, tmp_path)
    make_officer(service, org_identity, tmp_path / "org")
    with pytest.raises(IdentityLocked) as e:
        service.playback.open(manifest.id)
    assert "組織の鍵が開いていません" in e.value.message("ja")


def test_an_altered_sealed_file_stops_with_a_clear_message(service, org_identity, tmp_path):
    manifest = routine_recording(service, tmp_path, seconds=2.0)
    officer = make_officer(service, org_identity, tmp_path / "org")
    service.officer.unlock(officer.identity_file, officer.passphrase, purpose="playback")
    sealed = service.paths.vault / manifest.sealed_name
    data = bytearray(sealed.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit in the middle of the ciphertext
    sealed.chmod(0o600)
    sealed.write_bytes(bytes(data))
    playback = service.playback.open(manifest.id)
    try:
        assert playback.audio.wait(10)
        err = playback.audio.error
        assert isinstance(err, RecordingCheckFailed) and not playback.audio.checked
        assert "一致しない" in err.message("ja") and "再生を止めました" in err.message("ja")
    finally:
        playback.close()


def test_the_waveform_has_the_recording_shape(service, org_identity, tmp_path):
    manifest = routine_recording(service, tmp_path, seconds=2.0)
    officer = make_officer(service, org_identity, tmp_path / "org")
    service.officer.unlock(officer.identity_file, officer.passphrase, purpose="playback")
    playback = service.playback.open(manifest.id)
    try:
        assert playback.audio.wait(10)
        peaks = playback.audio.peaks
        assert peaks.ready == peaks.count > 1000
        # the tone (amplitude 0.3) is there from start to end: over any 10 buckets (5 ms,
        # two periods of 440 Hz) the peaks reach it
        n = (peaks.count - 20) // 10 * 10
        highs = peaks.maxs[10 : 10 + n].reshape(-1, 10).max(axis=1)
        lows = peaks.mins[10 : 10 + n].reshape(-1, 10).min(axis=1)
        assert np.all(np.abs(highs - 0.3 * 32767) < 0.05 * 32767)
        assert np.all(np.abs(lows + 0.3 * 32767) < 0.05 * 32767)
    finally:
        playback.close()
