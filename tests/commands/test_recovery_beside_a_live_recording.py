"""Recovery never touches a recording a live writer holds, with real processes on one data
folder (two app processes started at once, a second window, a script running `recover`).

It used to: a second process's recovery took the first one's live `*.pending.json` for an
unfinished recording, cut the live file, registered it as "recovered", and the real recording
then failed with RecordingNotRegistered. The writer now holds its journal's lock from before the
sealed file exists until the recording is registered, and recovery claims that lock first."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from kasuhara_recorder.app.service import AppService

RATE = 8000  # the low rate: a sealed tail is what there is to cut for the first 4 s


def kr(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def signal_wav(path: Path, seconds: float) -> tuple[str, np.ndarray]:
    rng = np.random.default_rng(3)
    x = (0.2 * rng.standard_normal(int(RATE * seconds))).clip(-0.9, 0.9).astype(np.float32)
    sf.write(path, x, RATE, subtype="PCM_16")
    return str(path), sf.read(path, dtype="int16")[0]


def start_record(data_dir: Path, wav: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(data_dir), "--json",
         "record", "--input-file", wav, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for_tail(vault: Path, alive, timeout: float = 60) -> Path:
    """The live recording's sealed file once a sealed tail is journalled (audio flows)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for sealed in vault.glob("rec-*.age"):
            j = Path(f"{sealed}.journal")
            if j.exists() and b'"kind":"tail"' in j.read_bytes():
                return sealed
        assert alive(), "the recorder ended before it sealed a tail"
        time.sleep(0.02)
    raise AssertionError("the recorder never sealed a tail")


def recovered_ids(r: subprocess.CompletedProcess) -> list[str]:
    assert r.returncode == 0, r.stdout + r.stderr
    return [x["id"] for x in json.loads(r.stdout)["recovered"]]


def test_recover_in_other_processes_leaves_a_live_cli_recording_alone(service, tmp_path):
    data = service.paths.root
    wav, samples = signal_wav(tmp_path / "sig.wav", 6.0)
    proc = start_record(data, wav)
    try:
        sealed = wait_for_tail(service.paths.vault, lambda: proc.poll() is None)
        rid = sealed.name.removesuffix(".age")
        seen = []
        # `recover` as a script runs it, and as a second window runs it at start (a fresh
        # service over the same folder), again and again until the recording has stopped,
        # so some of them fall while it seals, signs and registers itself.
        while proc.poll() is None:
            seen.append(recovered_ids(kr(data, "--json", "recover")))
            second = AppService(data)
            try:
                seen.append([r.manifest.id for r in second.recording.recover()])
            finally:
                second.close()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out + err
    assert len(seen) >= 2 and all(ids == [] for ids in seen), seen
    result = json.loads(out)
    assert result["status"] == "complete" and result["id"] == rid
    expected = samples.tobytes()
    assert result["frames"] == len(samples)
    assert result["pcm_sha256"] == hashlib.sha256(expected).hexdigest()  # not cut, not lost
    assert result["sealed_sha256"] == hashlib.sha256(sealed.read_bytes()).hexdigest()
    events = [e.event for e in service.audit.entries(f"recording:{rid}")]
    assert events == ["recording.start", "recording.stop"]
    assert service.recordings.get(rid).manifest.status == "complete"
    assert sorted(p.name for p in service.paths.vault.iterdir() if rid in p.name) == [
        f"{rid}.age", f"{rid}.age.journal", f"{rid}.manifest.json", f"{rid}.manifest.json.sig",
    ]  # fmt: skip
    assert kr(data, "audit", "verify").returncode == 0


def test_a_recording_in_this_process_is_left_alone_by_recover_in_another(service, tmp_path):
    """The other way round: the GUI's path (app.recording) records here, `recover` runs in
    another process while it records and while it stops."""
    wav, samples = signal_wav(tmp_path / "sig.wav", 5.0)
    session = service.recording.start("counter", input_file=wav, paced=True)
    try:
        wait_for_tail(service.paths.vault, lambda: not session.stopped)
        seen = [recovered_ids(kr(service.paths.root, "--json", "recover"))]
        while not session.wait_until_capture_ended(0):
            seen.append(recovered_ids(kr(service.paths.root, "--json", "recover")))
        # stopping (seal, sign, register) in one thread, recover in another process meanwhile
        stopped = []
        stopper = threading.Thread(target=lambda: stopped.append(session.stop()))
        stopper.start()
        while stopper.is_alive():
            seen.append(recovered_ids(kr(service.paths.root, "--json", "recover")))
        stopper.join()
    finally:
        if not session.stopped:
            session.stop()
    assert all(ids == [] for ids in seen), seen
    (manifest,) = stopped
    assert manifest.status == "complete" and manifest.frames == len(samples)
    assert manifest.pcm_sha256 == hashlib.sha256(samples.tobytes()).hexdigest()
    events = [e.event for e in service.audit.entries(f"recording:{manifest.id}")]
    assert events == ["recording.start", "recording.stop"]


def test_two_recoveries_at_once_close_a_crashed_recording_once(service, tmp_path):
    data = service.paths.root
    wav, samples = signal_wav(tmp_path / "sig.wav", 30.0)
    proc = start_record(data, wav)
    try:
        sealed = wait_for_tail(service.paths.vault, lambda: proc.poll() is None)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    rid = sealed.name.removesuffix(".age")
    env = {**os.environ, "KASUHARA_DATA_DIR": str(data)}
    cmd = [sys.executable, "-m", "kasuhara_recorder", "--json", "recover"]
    runs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(3)]  # fmt: skip
    outs = []
    try:
        for p in runs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, out + err
            outs.append([x["id"] for x in json.loads(out)["recovered"]])
    finally:
        for p in runs:
            if p.poll() is None:
                p.kill()
                p.wait()
    assert sorted(sum(outs, [])) == [rid], outs  # exactly one of them closed it
    events = [e.event for e in service.audit.entries(f"recording:{rid}")]
    assert events == ["recording.start", "recording.recovered"]
    m = service.recordings.get(rid).manifest
    assert m.status == "recovered" and m.samplerate == RATE
    assert kr(data, "audit", "verify").returncode == 0
