"""The streaming sealer against the real `age`: bit-identical round trips, checkpoints that
match what survives a SIGKILL, tampering caught, and a really full disk sealed to the end."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pyrage
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kasuhara_recorder.evidence.org_identity import unlock_identity
from kasuhara_recorder.evidence.sealed_writer import (
    CT_CHUNK,
    PT_CHUNK,
    CheckpointMismatch,
    SealedWriter,
    VaultWriteError,
    find_unfinished,
    journal_path,
    read_checkpoint,
    recover,
)
from tests.evidence.age_tool import age_decrypt
from tests.support.journal import journal_pcm_bytes
from tests.support.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]


def pcm(n: int, seed: int = 1) -> bytes:
    """Deterministic, incompressible stand-in for audio."""
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:n])


def seal(path: Path, data: bytes, recipients: list[str], block: int = 4800) -> object:
    w = SealedWriter(path, recipients)
    view = memoryview(data)
    for i in range(0, len(data), block):
        w.write(view[i : i + block])
    return w.close()


def test_sealed_file_decrypts_with_debian_age_and_the_passphrase_bit_identical(tmp_path, org):
    data = pcm(5 * PT_CHUNK + 77)
    res = seal(tmp_path / "rec.age", data, [org.recipient])
    run = age_decrypt(org.files.identity, org.passphrase, tmp_path / "rec.age", tmp_path / "out")
    assert run.returncode == 0, run.terminal
    assert (tmp_path / "out").read_bytes() == data
    assert res.pcm_sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("size", [0, 1, PT_CHUNK - 1, PT_CHUNK, PT_CHUNK + 1, 3 * PT_CHUNK])
def test_sealed_file_decrypts_with_debian_age_at_chunk_edges(tmp_path, size):
    ident = pyrage.x25519.Identity.generate()
    key = tmp_path / "plain-identity.txt"  # unprotected: no prompt, so many sizes stay fast
    key.write_text(f"{ident}\n")
    data = pcm(size)
    res = seal(tmp_path / "rec.age", data, [str(ident.to_public())])
    run = subprocess.run(
        ["age", "-d", "-i", str(key), "-o", str(tmp_path / "out"), str(tmp_path / "rec.age")],
        capture_output=True,
    )
    assert run.returncode == 0, run.stderr
    out = tmp_path / "out"
    assert (out.read_bytes() if out.exists() else b"") == data  # age -o opens lazily
    raw = (tmp_path / "rec.age").read_bytes()
    assert res.pcm_bytes == size
    assert res.pcm_sha256 == hashlib.sha256(data).hexdigest()
    assert res.sealed_bytes == len(raw)
    assert res.sealed_sha256 == hashlib.sha256(raw).hexdigest()
    assert res.complete and not res.disk_full
    assert read_checkpoint(tmp_path / "rec.age").closed
    assert find_unfinished(tmp_path) == []


def write_slowly(w: SealedWriter, data: bytes) -> None:
    """One chunk at a time, each written only once the one before is checkpointed (with
    ``checkpoint_interval_s=0`` the writer checkpoints every chunk end it reaches)."""
    for i in range(0, len(data), PT_CHUNK):
        piece = data[i : i + PT_CHUNK]
        w.write(piece)
        # pyrage emits a chunk once a full read (8 KiB) of what follows it is there: after a
        # whole next chunk, the previous one is on disk and checkpointed; a short last piece
        # waits for close()
        if i and len(piece) == PT_CHUNK:
            wait_until(lambda i=i: journal_pcm_bytes(w.path) >= i, 30, f"a checkpoint at {i}")


def test_no_plaintext_and_no_reserve_left_on_disk(tmp_path, org):
    data = pcm(300_000, seed=7)
    seal(tmp_path / "rec.age", data, [org.recipient])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["rec.age", "rec.age.journal"]  # no .reserve either
    probe = data[100_000:100_032]
    for p in (tmp_path / "rec.age", tmp_path / "rec.age.journal"):
        assert probe not in p.read_bytes()
    for line in journal_path(tmp_path / "rec.age").read_bytes().splitlines():
        rec = json.loads(line)
        assert set(rec) <= {"v", "pcm_bytes", "pcm_sha256", "sealed_bytes", "sealed_sha256",
                            "written_at", "closed", "recovered", "cut_bytes"}  # fmt: skip


def test_every_recipient_can_open_it_so_rotation_orphans_nothing(tmp_path):
    a, b = pyrage.x25519.Identity.generate(), pyrage.x25519.Identity.generate()
    data = pcm(70_000)
    seal(tmp_path / "r.age", data, [str(a.to_public()), str(b.to_public())])
    raw = (tmp_path / "r.age").read_bytes()
    assert pyrage.decrypt(raw, [a]) == data
    assert pyrage.decrypt(raw, [b]) == data


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pos=st.integers(min_value=0), bit=st.integers(min_value=0, max_value=7))
def test_flipped_byte_in_sealed_file_is_detected(tmp_path_factory, pos, bit):
    d = tmp_path_factory.mktemp("flip")
    ident = pyrage.x25519.Identity.generate()
    data = pcm(3 * PT_CHUNK + 500, seed=3)
    res = seal(d / "r.age", data, [str(ident.to_public())])
    raw = bytearray((d / "r.age").read_bytes())
    i = pos % len(raw)
    raw[i] ^= 1 << bit
    # The capture-time hash in the manifest catches it without any key ...
    assert hashlib.sha256(raw).hexdigest() != res.sealed_sha256
    # ... and age's own authentication refuses it (or the header no longer parses).
    with pytest.raises((pyrage.DecryptError, pyrage.IdentityError, ValueError)):
        pyrage.decrypt(bytes(raw), [ident])


WRITER_SCRIPT = r"""
import sys, hashlib
from pathlib import Path
from kasuhara_recorder.evidence.sealed_writer import SealedWriter
path, recipient = Path(sys.argv[1]), sys.argv[2]
w = SealedWriter(path, [recipient], checkpoint_interval_s=0.1)
counter = 0
print("ready", flush=True)
while True:  # 48 kHz mono s16 is 9600 bytes per 0.1 s; write faster to keep it short
    block = b"".join(hashlib.sha256(f"1:{counter + i}".encode()).digest() for i in range(300))
    counter += 300
    w.write(block)
"""


def test_writer_killed_mid_stream_leaves_audio_matching_its_checkpoint(tmp_path, org):
    sealed = tmp_path / "vault" / "rec-killed.age"
    sealed.parent.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER_SCRIPT, str(sealed), org.recipient],
        cwd=REPO,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout.readline().strip() == b"ready"
        wait_until(
            lambda: (cp := read_checkpoint(sealed)) is not None and cp.pcm_bytes >= 20 * PT_CHUNK,
            30, "20 chunks checkpointed",
        )  # fmt: skip
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    cp = read_checkpoint(sealed)
    assert cp is not None and not cp.closed
    assert find_unfinished(sealed.parent) == [sealed]
    assert sealed.stat().st_size >= cp.sealed_bytes

    # Debian age decrypts every surviving chunk, then reports the cut.
    run = age_decrypt(org.files.identity, org.passphrase, sealed, tmp_path / "cut.pcm")
    assert run.returncode != 0
    survived = (tmp_path / "cut.pcm").read_bytes()
    assert len(survived) >= cp.pcm_bytes
    assert hashlib.sha256(survived[: cp.pcm_bytes]).hexdigest() == cp.pcm_sha256
    assert survived == pcm(len(survived))  # what the killed process wrote, byte for byte

    # Recovery closes it at the checkpoint: every byte left is attested.
    res = recover(sealed)
    assert not res.complete
    assert res.pcm_sha256 == cp.pcm_sha256 and res.sealed_bytes == cp.sealed_bytes
    assert hashlib.sha256(sealed.read_bytes()).hexdigest() == cp.sealed_sha256
    assert find_unfinished(sealed.parent) == []
    ident = unlock_identity(org.files.identity, org.passphrase)
    with open(sealed, "rb") as src, open(tmp_path / "rec.pcm", "wb") as dst:
        with pytest.raises((pyrage.DecryptError, OSError)):  # no final chunk: cut stays visible
            pyrage.decrypt_io(src, dst, [ident])
    assert (tmp_path / "rec.pcm").read_bytes() == survived[: cp.pcm_bytes]


def test_recover_refuses_a_file_that_does_not_match_its_checkpoint(tmp_path, org):
    sealed = tmp_path / "r.age"
    w = SealedWriter(sealed, [org.recipient], checkpoint_interval_s=0)
    write_slowly(w, pcm(4 * PT_CHUNK))
    w.close()
    # Make it look unfinished with a checkpoint in the middle, then flip a covered byte.
    lines = journal_path(sealed).read_bytes().splitlines()
    mid = [ln for ln in lines if json.loads(ln)["pcm_bytes"] == 2 * PT_CHUNK]
    assert mid, lines
    journal_path(sealed).write_bytes(mid[0] + b"\n")
    raw = bytearray(sealed.read_bytes())
    raw[json.loads(mid[0])["sealed_bytes"] - 10] ^= 0x40
    sealed.write_bytes(raw)
    with pytest.raises(CheckpointMismatch):
        recover(sealed)


def test_checkpoint_covers_only_complete_chunks_on_disk(tmp_path, org):
    sealed = tmp_path / "r.age"
    w = SealedWriter(sealed, [org.recipient], checkpoint_interval_s=0)
    write_slowly(w, pcm(10 * PT_CHUNK + 123))
    w.close()
    header = None
    seen = set()
    for line in journal_path(sealed).read_bytes().splitlines():
        rec = json.loads(line)
        if rec["closed"]:
            continue
        if header is None:
            header = rec["sealed_bytes"]
            assert rec["pcm_bytes"] == 0
        assert rec["pcm_bytes"] % PT_CHUNK == 0
        assert rec["sealed_bytes"] == header + rec["pcm_bytes"] // PT_CHUNK * CT_CHUNK
        prefix = pcm(10 * PT_CHUNK + 123)[: rec["pcm_bytes"]]
        assert rec["pcm_sha256"] == hashlib.sha256(prefix).hexdigest()
        seen.add(rec["pcm_bytes"])
    assert len(seen) >= 5  # checkpoints really came between chunks


@pytest.fixture
def small_disk(tmp_path):
    """A real 6 MiB filesystem (tmpfs), so ENOSPC is the kernel's, not a mock."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mnt)])
    if r.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_stops_and_seals_what_fits(small_disk, org):
    sealed = small_disk / "r.age"
    w = SealedWriter(sealed, [org.recipient])
    fed = bytearray()
    block_no = 0
    with pytest.raises(VaultWriteError) as err:
        for block_no in range(10_000):  # far more than fits
            block = pcm(48_000, seed=block_no)
            w.write(block)
            fed += block
    assert err.value.disk_full
    assert "ディスク" in err.value.message("ja")
    res = w.close()
    assert res.complete and res.disk_full
    assert 0 < res.pcm_bytes <= len(fed) + 48_000
    raw = sealed.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == res.sealed_sha256
    ident = unlock_identity(org.files.identity, org.passphrase)
    out = pyrage.decrypt(raw, [ident])  # a whole age file: final chunk present
    assert len(out) == res.pcm_bytes
    assert hashlib.sha256(out).hexdigest() == res.pcm_sha256
    assert out == bytes(fed)[: len(out)] or out[: len(fed)] == bytes(fed)
    assert read_checkpoint(sealed).closed
    assert not any(p.name.endswith(".reserve") for p in small_disk.iterdir())


def test_a_disk_already_full_refuses_to_start(small_disk, org):
    with open(small_disk / "filler", "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    with pytest.raises(VaultWriteError) as err:
        SealedWriter(small_disk / "r.age", [org.recipient])
    assert err.value.disk_full
    assert not (small_disk / "r.age").exists()


def test_bad_recipient_and_existing_file_are_refused(tmp_path, org):
    from kasuhara_recorder.errors import UsageError

    with pytest.raises(UsageError):
        SealedWriter(tmp_path / "a.age", ["age1notarecipient"])
    (tmp_path / "b.age").write_bytes(b"x")
    with pytest.raises(UsageError):
        SealedWriter(tmp_path / "b.age", [org.recipient])
    assert (tmp_path / "b.age").read_bytes() == b"x"
    assert not os.path.exists(tmp_path / ".b.age.reserve")
