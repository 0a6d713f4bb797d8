"""An early crash at a low rate is recovered truthfully, as an officer reads `recover`.

At 8 kHz the first 64 KiB age chunk takes 4.1 s. A recorder killed before it used to leave a
0-byte `.age` and `.journal` that `recover` called NoCheckpoint (read as a damaged journal), and
a lost pending file made recovery assume 48 kHz mono. Now: the audio sealed as a tail comes back
(a whole age file), a kill before any audio was durable is closed as an empty recording with a
plain message, and the sample rate comes from the journal's first line or is never guessed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

RATE = 8000


def kr(data_dir: Path, *args: str, lang: str = "ja") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(data_dir), "--lang", lang,
         *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def lines(sealed: Path) -> list[dict]:
    out = []
    for line in Path(f"{sealed}.journal").read_bytes().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def crash(service, tmp_path: Path, until, stop_first: bool = False) -> Path:
    """`record` fed an 8 kHz WAV in real time, killed once ``until(journal lines)``. With
    ``stop_first`` it is frozen (SIGSTOP) the moment that is seen, so the journal can be read
    as the kill will leave it; should something have come in meanwhile, it is made again."""
    wav = tmp_path / "sig.wav"
    if not wav.exists():
        rng = np.random.default_rng(1)
        sf.write(wav, (0.2 * rng.standard_normal(RATE * 30)).astype(np.float32), RATE, "PCM_16")
    vault = service.paths.vault
    for _attempt in range(5):
        before = set(vault.glob("*.age")) if vault.exists() else set()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(service.paths.root),
             "record", "--input-file", str(wav)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                new = set(vault.glob("*.age")) - before if vault.exists() else set()
                if new and Path(f"{next(iter(new))}.journal").exists():
                    seen = lines(next(iter(new)))
                    if until(seen):
                        if stop_first:
                            proc.send_signal(signal.SIGSTOP)
                        break
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "the journal never got there"
                time.sleep(0.005)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        (sealed,) = new
        if until(lines(sealed)):
            return sealed
        assert kr(service.paths.root, "recover").returncode == 0  # tidy; try again
    pytest.fail("five recorders in a row went past the state wanted before they were frozen")


def only_the_open_line(seen: list[dict]) -> bool:
    return [ln.get("kind") for ln in seen] == ["open"]


def has_a_tail(seen: list[dict]) -> bool:
    return any(ln.get("kind") == "tail" for ln in seen)


def a_tail_and_no_chunk(seen: list[dict]) -> bool:
    return has_a_tail(seen) and all("kind" in ln for ln in seen)


def plain_identity_file(service, org_identity, tmp_path) -> Path:
    f = tmp_path / "identity.txt"
    f.write_text(f"{org_identity}\n")
    return f


def test_killed_before_any_audio_was_durable_is_closed_as_an_empty_recording(
    service, org_identity, tmp_path
):
    sealed = crash(service, tmp_path, only_the_open_line, stop_first=True)
    rid = sealed.name.removesuffix(".age")
    assert sealed.stat().st_size == 0  # as the issue found it: nothing sealed yet
    r = kr(service.paths.root, "recover")
    assert r.returncode == 0, r.stdout + r.stderr
    assert rid in r.stdout and "空の録音" in r.stdout
    assert "保存が確定した音声はありません" in r.stdout
    assert "NoCheckpoint" not in r.stdout + r.stderr and "壊れ" not in r.stdout + r.stderr
    m = service.recordings.get(rid).manifest
    assert m.status == "recovered" and m.frames == 0 and m.samplerate == RATE
    assert "no audio was durable" in m.recovery.reason
    run = subprocess.run(
        ["age", "-d", "-i", str(plain_identity_file(service, org_identity, tmp_path)),
         str(sealed)], capture_output=True,
    )  # fmt: skip
    assert run.returncode == 0 and run.stdout == b""  # a standard age file with no audio
    entries = service.audit.entries(f"recording:{rid}")
    assert entries[-1].event == "recording.recovered"
    assert entries[-1].data["recovered_from"] == "empty"
    if [e.event for e in entries] != ["recording.start", "recording.recovered"]:
        # killed before its start entry was written: the recovery entry says so
        assert [e.event for e in entries] == ["recording.recovered"]
        assert entries[-1].data["start_entry"] == "missing"
    assert kr(service.paths.root, "audit", "verify").returncode == 0
    again = json.loads(kr(service.paths.root, "--json", "recover").stdout)
    assert again == {"ok": True, "recovered": []}


def test_english_says_the_same(service, tmp_path):
    crash(service, tmp_path, only_the_open_line, stop_first=True)
    r = kr(service.paths.root, "recover", lang="en")
    assert r.returncode == 0 and "empty recording" in r.stdout and "no audio" in r.stdout


def test_killed_before_the_first_chunk_recovers_what_the_tail_holds(
    service, org_identity, tmp_path
):
    sealed = crash(service, tmp_path, a_tail_and_no_chunk, stop_first=True)
    r = json.loads(kr(service.paths.root, "--json", "recover").stdout)
    (item,) = r["recovered"]
    assert item["frames"] > 0 and item["recovered_from"] == "tail"
    run = subprocess.run(
        ["age", "-d", "-i", str(plain_identity_file(service, org_identity, tmp_path)),
         str(sealed)], capture_output=True,
    )  # fmt: skip
    assert run.returncode == 0 and len(run.stdout) == item["frames"] * 2


def test_a_lost_pending_file_takes_the_sample_rate_from_the_journal(service, tmp_path):
    sealed = crash(service, tmp_path, has_a_tail)
    rid = sealed.name.removesuffix(".age")
    (service.paths.vault / f"{rid}.pending.json").unlink()
    r = json.loads(kr(service.paths.root, "--json", "recover").stdout)
    assert [x["id"] for x in r["recovered"]] == [rid]
    m = service.recordings.get(rid).manifest
    assert (m.samplerate, m.channels) == (RATE, 1)  # it used to say 48000
    assert m.duration_ms == m.frames * 1000 // RATE


def test_with_neither_pending_file_nor_format_line_nothing_is_guessed(service, tmp_path):
    """A journal from before the format line, its pending file lost: recovery says why it
    stops, in Japanese, and changes nothing (the officer can still decrypt the file)."""
    sealed = crash(service, tmp_path, has_a_tail)
    rid = sealed.name.removesuffix(".age")
    (service.paths.vault / f"{rid}.pending.json").unlink()
    journal = Path(f"{sealed}.journal")
    journal.write_bytes(b"\n".join(journal.read_bytes().split(b"\n")[1:]))  # no open line
    before = {p.name: p.read_bytes() for p in service.paths.vault.iterdir() if rid in p.name}
    r = kr(service.paths.root, "--json", "recover")
    assert r.returncode == 1
    obj = json.loads(r.stdout)
    assert [f["error"] for f in obj["failed"]] == ["RecordingFormatUnknown"]
    assert "サンプリング周波数" in obj["failed"][0]["message"] and "保全" in obj["message"]
    after = {p.name: p.read_bytes() for p in service.paths.vault.iterdir() if rid in p.name}
    assert after == before
