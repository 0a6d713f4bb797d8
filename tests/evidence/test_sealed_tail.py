"""The sealed tail: the audio not yet in a complete 64 KiB chunk made durable about twice a
second as its own small age file, never as plaintext; recovery that keeps it (or closes an early
crash as empty), checked with Debian `age`, idempotent, and refusing a tail that does not match.

Writers run in real subprocesses, paced like an 8 kHz mono device, and are really SIGKILLed once
the journal shows the state a test needs; every assertion holds whenever the kill lands."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyrage
import pytest

from kasuhara_recorder.errors import UsageError
from kasuhara_recorder.evidence.journal import read_journal
from kasuhara_recorder.evidence.sealed_writer import (
    PT_CHUNK,
    CheckpointMismatch,
    NoCheckpoint,
    SealedWriter,
    StreamInfo,
    find_unfinished,
    journal_path,
    recover,
)
from tests.evidence.schemas import validate
from tests.evidence.test_sealed_writer import pcm
from tests.support.journal import newest_attested

REPO = Path(__file__).resolve().parents[2]
BYTES_PER_S = 16_000  # 8 kHz mono s16

# A writer fed like the recorder feeds it from an 8 kHz device: a 50 ms block (800 bytes) at a
# time, in real time. ``write`` is the only thing it does; the test decides when it dies.
PACED_WRITER = r"""
import sys, time
from pathlib import Path
from kasuhara_recorder.evidence.sealed_writer import SealedWriter, StreamInfo
from tests.evidence.test_sealed_writer import pcm
path, recipient, rate = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
data = pcm(rate * 2 * 120)
w = SealedWriter(path, [recipient], checkpoint_interval_s=0.5, stream=StreamInfo(rate, 1),
                 tail_interval_s=0.5)
print("ready", flush=True)
block = rate * 2 // 20
t0 = time.monotonic()
for i in range(0, len(data), block):
    w.write(data[i : i + block])
    time.sleep(max(0.0, t0 + (i + block) / (rate * 2) - time.monotonic()))
"""

IDLE_WRITER = r"""
import sys, threading
from pathlib import Path
from kasuhara_recorder.evidence.sealed_writer import SealedWriter, StreamInfo
w = SealedWriter(Path(sys.argv[1]), [sys.argv[2]], stream=StreamInfo(8000, 1), tail_interval_s=0.5)
print("ready", flush=True)
threading.Event().wait()  # opened, never fed: killed before any audio
"""


@pytest.fixture
def plain_identity(tmp_path):
    """An unprotected identity file, so Debian `age -d` runs without a prompt."""
    ident = pyrage.x25519.Identity.generate()
    f = tmp_path / "identity.txt"
    f.write_text(f"{ident}\n")
    f.chmod(0o600)
    return ident, f


def age_d(identity_file: Path, sealed: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["age", "-d", "-i", str(identity_file), str(sealed)], capture_output=True, timeout=60
    )


def wait_for(condition, proc: subprocess.Popen, what: str, timeout: float = 60.0):
    """Poll until ``condition()`` is truthy (and return it); fail if the writer dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = condition()
        if got:
            return got
        if proc.poll() is not None:
            pytest.fail(f"the writer exited before {what}")
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


def journal_lines(sealed: Path) -> list[dict]:
    out = []
    try:
        raw = journal_path(sealed).read_bytes()
    except FileNotFoundError:
        return out
    for line in raw.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass  # torn by the kill
    return out


def run_and_kill(script: str, sealed: Path, recipient: str, until) -> None:
    """Start a writer subprocess, wait for ``until(lines)`` on its journal, SIGKILL it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(sealed), recipient, "8000"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout.readline().strip() == b"ready", proc.stderr.read()
        wait_for(lambda: until(journal_lines(sealed)), proc, "the journal state wanted")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL


def tail_is_newest(lines: list[dict]) -> bool:
    """The newest attested audio is a sealed tail that starts after a complete chunk."""
    tails = [ln for ln in lines if ln.get("kind") == "tail"]
    chunks = [ln for ln in lines if "kind" not in ln]
    return bool(
        tails
        and tails[-1]["tail"]["pcm_offset"] > 0
        and sum(ln.get("kind") == "tail" for ln in lines) >= 2
        and (not chunks or chunks[-1]["pcm_bytes"] < tails[-1]["pcm_bytes"])
    )


def killed_with_a_newer_tail(folder: Path, recipient: str) -> Path:
    """A writer killed while its newest attested audio is a tail after a chunk. The kill lands
    a moment after the test saw that; should a chunk checkpoint have overtaken every tail in
    that moment, the run is made again (the state is what the test is about, not the time)."""
    for attempt in range(5):
        sealed = folder / f"try{attempt}" / "rec.age"
        sealed.parent.mkdir(parents=True)
        run_and_kill(PACED_WRITER, sealed, recipient, tail_is_newest)
        if tail_is_newest(journal_lines(sealed)):
            return sealed
    pytest.fail("five kills in a row came after a chunk overtook every tail")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def recovered_audio(identity_file: Path, sealed: Path, result) -> bytes:
    """What Debian age gives back: the main file (cut unless it is the tail itself), then the
    tail member the result names, which must be a whole age file."""
    main = age_d(identity_file, sealed)
    data = main.stdout
    if result.tail is not None:
        tail = age_d(identity_file, sealed.parent / result.tail.file)
        assert tail.returncode == 0, tail.stderr
        data += tail.stdout
    return data


def check_recovery(tmp_path, identity_file: Path, sealed: Path):
    """Recover a killed writer's file and check everything that must hold for any kill."""
    attested_bytes, attested_sha = newest_attested(sealed)  # read after the kill
    for line in journal_lines(sealed):
        validate(line, "sealed-journal-line.schema.json")
    before = snapshot(sealed.parent)
    for name, data in before.items():  # no plaintext on disk: no 32-byte run of the audio
        for off in range(0, min(attested_bytes, 400_000), 40_000):
            assert pcm(off + 32)[off:] not in data, name

    res = recover(sealed)
    assert not res.complete
    assert res.pcm_bytes == attested_bytes and res.pcm_sha256 == attested_sha
    audio = recovered_audio(identity_file, sealed, res)
    assert audio == pcm(attested_bytes)  # what the killed writer wrote, byte for byte
    assert hashlib.sha256(audio).hexdigest() == res.pcm_sha256
    assert hashlib.sha256(sealed.read_bytes()).hexdigest() == res.sealed_sha256
    names = {p.name for p in sealed.parent.iterdir()}
    assert not any(n.endswith((".tail.0", ".tail.1", ".tmp", ".reserve")) for n in names)
    assert find_unfinished(sealed.parent) == []
    for line in journal_lines(sealed):
        validate(line, "sealed-journal-line.schema.json")

    # Idempotent: a second run changes nothing and says the same.
    after = snapshot(sealed.parent)
    again = recover(sealed)
    assert again == res
    assert snapshot(sealed.parent) == after
    return res


def test_tail_lines_name_sealed_slots_that_decrypt_to_the_audio_since_the_checkpoint(
    tmp_path, plain_identity
):
    ident, identity_file = plain_identity
    sealed = tmp_path / "rec.age"
    data = pcm(3 * PT_CHUNK + 5000)
    # a checkpoint at every chunk and a tail at every write
    w = SealedWriter(sealed, [str(ident.to_public())], checkpoint_interval_s=0,
                     stream=StreamInfo(8000, 1), tail_interval_s=0.0)  # fmt: skip
    seen = {}
    for i in range(0, len(data), 8000):
        w.write(data[i : i + 8000])
        p = min(i + 8000, len(data))
        # pyrage emits a chunk once it has read a little past its end (it reads ahead in
        # pieces of a few KiB): wait for the chunks 32 KiB behind, and for this block's tail
        complete = max(0, p - 32768) // PT_CHUNK * PT_CHUNK
        deadline = time.monotonic() + 30
        while not (
            any(ln.get("kind") == "tail" and ln["pcm_bytes"] == p for ln in journal_lines(sealed))
            and (not complete or any("kind" not in ln and ln["pcm_bytes"] == complete
                                     for ln in journal_lines(sealed)))
        ):  # fmt: skip
            assert time.monotonic() < deadline, f"no tail line at {p} or checkpoint {complete}"
            time.sleep(0.01)
        for ln in journal_lines(sealed):
            if ln.get("kind") == "tail" and ln["pcm_bytes"] not in seen:
                slot = tmp_path / ln["tail"]["file"]
                raw = slot.read_bytes()
                seen[ln["pcm_bytes"]] = (ln, raw)
    for p, (ln, raw) in seen.items():
        validate(ln, "sealed-journal-line.schema.json")
        t = ln["tail"]
        assert (
            len(raw) == t["sealed_size"] and hashlib.sha256(raw).hexdigest() == t["sealed_sha256"]
        )
        plain = pyrage.decrypt(raw, [ident])
        assert plain == data[t["pcm_offset"] : p]  # since a chunk checkpoint, up to P
        assert t["pcm_offset"] % PT_CHUNK == 0 and t["pcm_offset"] + t["pcm_bytes"] == p
        assert ln["pcm_sha256"] == hashlib.sha256(data[:p]).hexdigest()
        assert t["pcm_sha256"] == hashlib.sha256(plain).hexdigest()
        assert data[t["pcm_offset"] : t["pcm_offset"] + 32] not in raw  # sealed, not plain
    assert any(ln["tail"]["pcm_offset"] > 0 for ln, _ in seen.values())
    res = w.close()
    assert res.complete and res.tail is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "identity.txt", "rec.age", "rec.age.journal",
    ]  # fmt: skip  # the slots are spent once the closing line is written
    assert age_d(identity_file, sealed).stdout == data
    assert journal_lines(sealed)[0]["kind"] == "open"
    assert journal_lines(sealed)[0]["samplerate"] == 8000


def test_killed_before_the_first_chunk_recovers_the_tail_as_a_whole_age_file(
    tmp_path, plain_identity
):
    ident, identity_file = plain_identity
    sealed = tmp_path / "vault" / "rec.age"
    sealed.parent.mkdir()
    # 8 kHz: the first 64 KiB chunk is 4.1 s away; kill once a tail is journalled
    run_and_kill(PACED_WRITER, sealed, str(ident.to_public()),
                 lambda lines: any(ln.get("kind") == "tail" for ln in lines))  # fmt: skip
    res = check_recovery(tmp_path, identity_file, sealed)
    if res.pcm_bytes < PT_CHUNK:  # a chunk could only have completed had the kill come late
        assert res.recovered_from == "tail" and res.tail is None
        assert age_d(identity_file, sealed).returncode == 0  # a complete age file
        assert res.pcm_bytes >= BYTES_PER_S // 4  # a tail after 0.5 s of audio


def test_killed_after_chunks_keeps_the_tail_beside_the_cut_file(tmp_path, plain_identity):
    ident, identity_file = plain_identity
    sealed = tmp_path / "vault" / "rec.age"
    sealed.parent.mkdir()
    run_and_kill(
        PACED_WRITER, sealed, str(ident.to_public()),
        lambda lines: any(ln.get("kind") == "tail" and ln["tail"]["pcm_offset"] > 0
                          for ln in lines),
    )  # fmt: skip
    res = check_recovery(tmp_path, identity_file, sealed)
    if res.recovered_from == "tail":
        assert res.tail is not None and res.tail.file == "rec.age.tail"
        assert res.tail.pcm_offset + res.tail.pcm_bytes == res.pcm_bytes
        assert age_d(identity_file, sealed).returncode != 0  # cut at a chunk: age says so
        assert len(age_d(identity_file, sealed).stdout) == res.tail.pcm_offset
    else:  # the kill landed right after a chunk checkpoint newer than every tail
        assert res.recovered_from == "checkpoint" and res.tail is None


def test_killed_before_any_audio_is_closed_as_an_empty_recording(tmp_path, plain_identity):
    ident, identity_file = plain_identity
    sealed = tmp_path / "vault" / "rec.age"
    sealed.parent.mkdir()
    run_and_kill(IDLE_WRITER, sealed, str(ident.to_public()),
                 lambda lines: sealed.exists() and lines)  # fmt: skip
    assert sealed.stat().st_size == 0  # nothing reached the disk but the journal's open line
    with pytest.raises(UsageError):  # the recipients are needed to seal "nothing"
        recover(sealed)
    assert sealed.stat().st_size == 0  # and nothing was changed without them
    res = recover(sealed, [str(ident.to_public())])
    assert res.recovered_from == "empty" and res.pcm_bytes == 0 and res.tail is None
    run = age_d(identity_file, sealed)
    assert run.returncode == 0 and run.stdout == b""  # a standard, empty age file
    assert hashlib.sha256(sealed.read_bytes()).hexdigest() == res.sealed_sha256
    assert res.checkpoint_written_at == read_journal(sealed).opened_at
    after = snapshot(sealed.parent)
    assert recover(sealed, [str(ident.to_public())]) == res
    assert snapshot(sealed.parent) == after


def test_an_empty_journal_beside_an_empty_file_is_an_early_crash_not_damage(tmp_path):
    """What a writer before the open line left when killed within the first chunk at 8 kHz:
    a 0-byte `.age` and a 0-byte `.journal`. Closed as empty; it used to be NoCheckpoint."""
    ident = pyrage.x25519.Identity.generate()
    sealed = tmp_path / "rec.age"
    sealed.write_bytes(b"")
    journal_path(sealed).write_bytes(b"")
    res = recover(sealed, [str(ident.to_public())])
    assert res.recovered_from == "empty"
    assert pyrage.decrypt(sealed.read_bytes(), [ident]) == b""


def test_bytes_that_nothing_attests_are_kept_for_the_officer(tmp_path):
    ident = pyrage.x25519.Identity.generate()
    sealed = tmp_path / "rec.age"
    sealed.write_bytes(pyrage.encrypt(pcm(1000), [ident.to_public()]))
    journal_path(sealed).write_bytes(b"")  # a file with audio beside an empty journal
    with pytest.raises(NoCheckpoint):
        recover(sealed, [str(ident.to_public())])
    journal_path(sealed).write_bytes(b'{"v":1,"kind":"ope')  # only a torn first line
    with pytest.raises(NoCheckpoint):
        recover(sealed, [str(ident.to_public())])
    assert pyrage.decrypt(sealed.read_bytes(), [ident]) == pcm(1000)


@pytest.mark.parametrize("damage", ["flip", "missing", "swap"])
def test_a_tail_that_does_not_match_its_journal_line_changes_nothing(
    tmp_path, plain_identity, damage
):
    ident, _ = plain_identity
    sealed = killed_with_a_newer_tail(tmp_path, str(ident.to_public()))
    newest = [ln for ln in journal_lines(sealed) if ln.get("kind") == "tail"][-1]
    slot = sealed.parent / newest["tail"]["file"]
    other = slot.with_name(slot.name[:-1] + ("1" if slot.name.endswith("0") else "0"))
    if damage == "flip":
        raw = bytearray(slot.read_bytes())
        raw[len(raw) // 2] ^= 0x01
        slot.write_bytes(raw)
    elif damage == "missing":
        slot.unlink()
    else:  # the older slot put where the newer one should be
        os.replace(other, slot)
    before = snapshot(sealed.parent)
    with pytest.raises(CheckpointMismatch):
        recover(sealed)
    assert snapshot(sealed.parent) == before


def test_a_recovery_cut_short_after_moving_the_tail_is_finished_the_same(tmp_path, plain_identity):
    """The state a recovery killed between its rename and its closing line leaves (the slot
    already renamed to the tail member) is finished by the next run with the same result."""
    ident, identity_file = plain_identity
    sealed = killed_with_a_newer_tail(tmp_path, str(ident.to_public()))
    newest = [ln for ln in journal_lines(sealed) if ln.get("kind") == "tail"][-1]
    os.replace(sealed.parent / newest["tail"]["file"], sealed.parent / "rec.age.tail")
    res = recover(sealed)
    assert res.recovered_from == "tail" and res.tail.file == "rec.age.tail"
    audio = recovered_audio(identity_file, sealed, res)
    assert audio == pcm(res.pcm_bytes)
    assert hashlib.sha256(audio).hexdigest() == res.pcm_sha256 == newest["pcm_sha256"]


def test_a_writer_fed_far_faster_than_real_time_keeps_no_huge_tail(tmp_path, plain_identity):
    """Fed at disk speed with checkpoints far apart, the tail would be everything since the
    last checkpoint; past TAIL_MAX_BYTES the writer stops keeping one (memory stays bounded)
    and the file is still whole."""
    from kasuhara_recorder.evidence.sealed_writer import TAIL_MAX_BYTES

    ident, identity_file = plain_identity
    sealed = tmp_path / "rec.age"
    w = SealedWriter(sealed, [str(ident.to_public())], checkpoint_interval_s=3600,
                     stream=StreamInfo(8000, 1), tail_interval_s=0.0)  # fmt: skip
    data = pcm(TAIL_MAX_BYTES + 40 * PT_CHUNK, seed=11)
    for i in range(0, len(data), 1 << 20):
        w.write(data[i : i + (1 << 20)])
    res = w.close()
    tails = [ln for ln in journal_lines(sealed) if ln.get("kind") == "tail"]
    assert all(ln["tail"]["pcm_bytes"] <= TAIL_MAX_BYTES for ln in tails)
    assert res.complete and age_d(identity_file, sealed).stdout == data
