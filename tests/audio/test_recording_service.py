"""Recording through the app (``app.recording``): real PulseAudio null sink, real sealer, files
decrypted with Debian's age, real faults (device removed, tmpfs that fills up)."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from kasuhara_recorder.app.recording_service import UnknownTag
from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.audio.errors import DeviceUnavailable
from kasuhara_recorder.config import InputPreset
from kasuhara_recorder.evidence.manifest import read_signed_manifest
from tests.support.journal import journal_pcm_bytes, wait_for_first_checkpoint
from tests.support.signals import aligned_correlation, espeak_phrase, sweep, tone, write_wav
from tests.support.waiting import wait_until

RATE = 48000


@pytest.fixture
def app(data_dir: Path, org_identity) -> AppService:
    app = AppService(data_dir)
    app.workstation.setup([org_identity.recipient], "test-counter-01")
    app.save_settings(app.settings.with_changes(counter=InputPreset(device="pulse", channels=1)))
    yield app
    app.close()


def active_span_s(x: np.ndarray, threshold: float = 0.02) -> float:
    loud = np.flatnonzero(np.abs(x) > threshold)
    return 0.0 if not len(loud) else (loud[-1] - loud[0] + 1) / RATE


def audit_events(app: AppService, rid: str) -> list[str]:
    return [e.event for e in app.audit.entries(f"recording:{rid}")]


def test_sweep_and_japanese_phrase_come_back_through_the_app_pipeline(
    app, pulse_sink, tmp_path, org_identity
):
    signals = {
        "sweep": sweep(100.0, 8000.0, 3.0),
        "phrase": espeak_phrase(tmp_path / "phrase.wav", "お客様、大声を出すのはおやめください。"),
    }
    import soundfile as sf

    signals["phrase"] = sf.read(signals["phrase"], dtype="float32")[0]
    session = app.recording.start("counter")
    assert session.recorder.wait_for_audio(10)
    for name, sig in signals.items():
        pulse_sink.play_and_wait(write_wav(tmp_path / f"{name}-in.wav", sig))
        if name == "sweep":
            tag = session.tag("conduct.mental", note="声が大きい")
        played = session.position_s  # 0.3 s more of the recording, so the signal's end is in
        wait_until(lambda p=played: session.position_s >= p + 0.3, 10, "0.3 s more audio")
    manifest = session.stop()

    assert manifest.status == "complete" and manifest.dropped_frames == 0
    assert session.capture.overflows == 0
    assert manifest.tags == (tag,) and 0 < tag.offset_ms < manifest.duration_ms
    assert read_signed_manifest(app.paths.vault, manifest.id) == manifest
    pcm = org_identity.decrypt_pcm(app.paths.vault / manifest.sealed_name)
    assert len(pcm) == manifest.frames
    assert hashlib.sha256(pcm.tobytes()).hexdigest() == manifest.pcm_sha256
    assert abs(manifest.duration_ms - len(pcm) * 1000 / RATE) <= 1
    rec = pcm.astype(np.float32) / 32768
    for name, sig in signals.items():
        corr, lag = aligned_correlation(sig, rec)
        assert corr >= 0.95, f"{name}: correlation {corr:.3f}"
        heard = rec[lag : lag + len(sig)]
        assert abs(active_span_s(heard) - active_span_s(sig)) <= 0.050, name
    assert audit_events(app, manifest.id) == ["recording.start", "recording.tag", "recording.stop"]


def test_policy_timer_events_and_over_limit_flag_with_an_injected_clock(app, tmp_path):
    rules = app.profile.rules
    now = [0.0]
    app.recording.clock = lambda: now[0]
    wav = write_wav(tmp_path / "t.wav", tone(440.0, 60.0, amplitude=0.1))
    session = app.recording.start("counter", input_file=wav, paced=True)
    now[0] = rules.warning_seconds + 1
    deadline = time.monotonic() + 30  # a condition's deadline, not a time it takes
    kinds: list[str] = []
    while "warning" not in kinds and time.monotonic() < deadline:
        kinds += [e.kind for e in session.poll_events()]
        time.sleep(0.05)
    assert session.timer_state.phase.value == "warning"
    now[0] = rules.limit_seconds + 1
    deadline = time.monotonic() + 30
    while "limit" not in kinds and time.monotonic() < deadline:
        kinds += [e.kind for e in session.poll_events()]
        time.sleep(0.05)
    assert kinds[-2:] == ["warning", "limit"]
    manifest = session.stop()
    assert manifest.over_limit


def test_unknown_tag_code_is_refused_and_not_recorded(app, tmp_path):
    wav = write_wav(tmp_path / "t.wav", tone(440.0, 5.0))
    session = app.recording.start("counter", input_file=wav, paced=True)
    with pytest.raises(UnknownTag):
        session.tag("conduct.shouting_loudly")
    manifest = session.stop()
    assert manifest.tags == ()
    assert "recording.tag" not in audit_events(app, manifest.id)


def test_a_device_that_does_not_exist_fails_before_anything_is_written(app, pulse_sink):
    with pytest.raises(DeviceUnavailable) as e:
        app.recording.start("counter", device="USB Phone Adapter XYZ")
    msg = e.value.message("ja")  # names the device, and says what is wrong with it
    assert "USB Phone Adapter XYZ" in msg and "接続されていません" in msg and "使えません" in msg
    assert list(app.paths.vault.glob("rec-*")) == []


def test_cli_record_with_a_missing_device_exits_2_with_a_message(app, pulse_sink):
    r = subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--lang", "ja", "record", "--seconds", "2",
         "--device", "存在しないマイク"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 2
    assert "存在しないマイク" in r.stderr and "Traceback" not in r.stderr
    assert "接続されていません" in r.stderr  # what is wrong, not only the name given


def test_device_removed_mid_recording_is_sealed_marked_and_reported(
    app, pulse_server, org_identity
):
    # Real fault: the null sink the preset records from is unloaded under the stream.
    sink = pulse_server.new_sink()
    session = app.recording.start("counter")
    assert session.recorder.wait_for_audio(10)
    wait_until(lambda: session.position_s >= 1.0, 10, "1 s of audio")
    sink.remove()
    assert session.wait_stopped(10), "the session did not seal itself after the device went"
    manifest = session.stop()  # idempotent: the same manifest the auto-stop made
    kinds = [e.kind for e in session.poll_events()]
    assert "device_lost" in kinds and kinds[-1] == "stopped"
    assert manifest.status == "device_lost"
    pcm = org_identity.decrypt_pcm(app.paths.vault / manifest.sealed_name)
    assert len(pcm) == manifest.frames >= RATE
    entries = app.audit.entries(f"recording:{manifest.id}")
    assert entries[-1].event == "recording.stop" and entries[-1].data["end"] == "device_lost"


@pytest.fixture
def small_vault(app):
    """The vault on an 8 MiB tmpfs: the sealer keeps a 4 MiB reserve, ~4 MiB are left."""
    vault = app.paths.vault
    vault.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(vault)],
                       capture_output=True, text=True)  # fmt: skip
    if r.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs for the disk-full test (needs root): {r.stderr}")
    yield vault
    subprocess.run(["umount", "-l", str(vault)], check=False)


def test_vault_on_a_full_filesystem_stops_and_seals_what_fits(
    app, small_vault, tmp_path, org_identity
):
    # Real full filesystem (tmpfs). The audio comes from a 2-minute file fed unpaced through the
    # same Recorder so the 4 MiB fill up in a second instead of 40.
    sig = tone(330.0, 120.0, amplitude=0.3)
    wav = write_wav(tmp_path / "long.wav", sig)
    session = app.recording.start("counter", input_file=wav, paced=False)
    assert session.wait_stopped(30)
    manifest = session.stop()
    kinds = [e.kind for e in session.poll_events()]
    assert kinds[0] == "low_space"  # the start-up check saw < 2 hours of room
    assert "disk_full" in kinds
    assert manifest.status == "disk_full"
    assert 0 < manifest.frames < len(sig)
    pcm = org_identity.decrypt_pcm(small_vault / manifest.sealed_name)
    assert len(pcm) == manifest.frames
    import soundfile as sf

    expected = sf.read(wav, dtype="int16")[0]
    assert np.array_equal(pcm, expected[: len(pcm)])  # a bit-exact prefix of what came in
    assert read_signed_manifest(app.paths.vault, manifest.id).status == "disk_full"


def test_sigkilled_recording_is_recovered_with_its_checkpoint_hash(
    app, pulse_sink, tmp_path, org_identity, data_dir
):
    from kasuhara_recorder.evidence.sealed_writer import read_checkpoint
    from tests.support.journal import newest_attested

    sig = sweep(200.0, 4000.0, 10.0)
    wav = write_wav(tmp_path / "sweep.wav", sig)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kasuhara_recorder", "record", "--seconds", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        sealed = wait_for_first_checkpoint(app.paths.vault, proc, timeout=20)
        player = pulse_sink.play(wav)
        t_play = time.monotonic()
        attested = journal_pcm_bytes(sealed)  # 4 s more audio made durable, then the kill
        wait_until(lambda: journal_pcm_bytes(sealed) >= attested + 4 * RATE * 2, 30, "4 s more")
        proc.kill()  # SIGKILL: no handler, no flush
        t_kill = time.monotonic()
        proc.wait(10)
        player.kill()
    finally:
        if proc.poll() is None:
            proc.kill()
    checkpoint = read_checkpoint(sealed)
    assert checkpoint is not None and not checkpoint.closed
    # The newest attested audio: a chunk checkpoint, or the sealed tail after it.
    attested_bytes, attested_sha = newest_attested(sealed)
    assert attested_bytes >= checkpoint.pcm_bytes

    r = subprocess.run([sys.executable, "-m", "kasuhara_recorder", "--json", "recover"],
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [x["id"] for x in out["recovered"]] == [sealed.name.removesuffix(".age")]
    rec = out["recovered"][0]
    assert rec["pcm_sha256"] == attested_sha

    # Debian age: the sealed file (cut at a chunk checkpoint), then its sealed tail if any.
    pcm = np.frombuffer(org_identity.decrypt_recording(sealed, rec["tail"]), dtype="<i2")
    assert len(pcm) * 2 == attested_bytes
    assert hashlib.sha256(pcm.tobytes()).hexdigest() == attested_sha
    x = pcm.astype(np.float32) / 32768
    _, lag = aligned_correlation(sig[:RATE], x)  # where the sweep starts in the recording
    recovered_s = (len(x) - lag) / RATE
    played_s = t_kill - t_play
    print(f"played before the kill {played_s:.2f} s, recovered {recovered_s:.2f} s")
    assert played_s - recovered_s <= 1.0, f"played {played_s:.2f} s, recovered {recovered_s:.2f}"
    manifest = read_signed_manifest(app.paths.vault, rec["id"])
    assert manifest.status == "recovered" and manifest.recovery is not None
    events = [e.event for e in app.audit.entries(f"recording:{rec['id']}")]
    assert events == ["recording.start", "recording.recovered"]
    again = subprocess.run([sys.executable, "-m", "kasuhara_recorder", "--json", "recover"],
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert json.loads(again.stdout)["recovered"] == []


@pytest.mark.slow
def test_sixty_seconds_under_cpu_load_with_a_frozen_caller_drops_nothing(app, pulse_sink):
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)
    ]  # both cores busy
    try:
        session = app.recording.start("counter")
        assert session.recorder.wait_for_audio(15)
        wait_until(lambda: session.position_s >= 20, 90, "20 s of audio")
        end = time.monotonic() + 2.0  # the caller (a frozen GUI) hogs the interpreter for 2 s
        while time.monotonic() < end:  # (the stimulus lasts 2 s; nothing waits on a time)
            pass
        wait_until(lambda: session.position_s >= 60, 120, "60 s of audio")
        manifest = session.stop()
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    assert manifest.status == "complete"
    assert manifest.dropped_frames == 0 and session.capture.overflows == 0
    assert manifest.frames >= 60 * RATE


def test_phone_preset_records_the_devices_channels_and_the_cli_prints_the_id(
    app, pulse_sink, org_identity
):
    # 電話: no channel count remembered → the adapter's own channels (at most two).
    app.save_settings(app.settings.with_changes(phone=InputPreset(device="pulse")))
    r = subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--json", "record", "--channel", "phone",
         "--seconds", "1.5", "--tag", "conduct.restraint@1"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"id", "sealed_path", "pcm_sha256", "sealed_sha256"} <= out.keys()
    manifest = read_signed_manifest(app.paths.vault, out["id"])
    assert manifest.channel == "phone" and manifest.channels == 2
    assert [(t.code, t.offset_ms) for t in manifest.tags] == [("conduct.restraint", 1000)]
    pcm = org_identity.decrypt(Path(out["sealed_path"]))
    assert hashlib.sha256(pcm).hexdigest() == out["pcm_sha256"] == manifest.pcm_sha256
    assert len(pcm) == manifest.frames * 4 and manifest.frames >= 1.5 * RATE
    plain = subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "record", "--seconds", "0.5"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert plain.returncode == 0
    ids = [
        ln for ln in plain.stdout.splitlines() if re.fullmatch(r"rec-\d{8}-\d{6}-[0-9a-f]{6}", ln)
    ]
    assert len(ids) == 1  # the id alone on its line, for people and simple scripts


def test_only_a_recording_in_real_time_seals_its_tail(app, tmp_path):
    """A device or a file fed at its pace seals its tail twice a second; a file fed as fast as
    the sealer takes it (benches, long tests) does not: its tail would be the whole pipeline."""
    wav = write_wav(tmp_path / "tone.wav", tone(440, 1.5))
    kinds = {}
    for paced in (True, False):
        session = app.recording.start("counter", input_file=wav, paced=paced)
        assert session.wait_until_capture_ended(30)
        m = session.stop()
        journal = app.paths.vault / f"{m.id}.age.journal"
        kinds[paced] = [json.loads(line).get("kind") for line in journal.read_bytes().splitlines()]
    assert kinds[True][0] == "open" and "tail" in kinds[True]
    assert kinds[False][0] == "open" and "tail" not in kinds[False]
