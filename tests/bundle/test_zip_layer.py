"""The ZIP layer: deterministic writing that other tools read, and a reader that refuses attacks."""

from __future__ import annotations

import hashlib
import io
import subprocess
import zipfile

import pytest

from kasuhara_recorder.bundle import errors as E
from kasuhara_recorder.bundle.sha256sums import (
    Sha256SumsError,
    format_sha256sums,
    parse_sha256sums,
)
from kasuhara_recorder.bundle.wav import parse_wav_header, wav_header
from kasuhara_recorder.bundle.zip_reader import SafeZipReader
from kasuhara_recorder.bundle.zip_writer import DeterministicZipWriter
from tests.bundle import hostile_zips


def _write(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    w = DeterministicZipWriter(buf)
    for name, data in entries.items():
        if name.endswith(".wav"):
            w.add_stream(name, len(data), [data[i : i + 7] for i in range(0, len(data), 7)])
        else:
            w.add_bytes(name, data)
    w.finish()
    return buf.getvalue()


ENTRIES = {
    "README.txt": "証拠バンドル\nevidence bundle\n".encode() * 50,
    "incident/incident.json": b'{"id":"x"}',
    "recordings/a.wav": bytes(range(256)) * 40,
    "日本語/名前.txt": b"",
}


def test_same_entries_give_identical_bytes_that_unzip_accepts(tmp_path):
    a, b = _write(ENTRIES), _write(ENTRIES)
    assert a == b
    path = tmp_path / "b.zip"
    path.write_bytes(a)
    assert subprocess.run(["unzip", "-tq", str(path)], capture_output=True).returncode == 0
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        for name, data in ENTRIES.items():
            assert z.read(name) == data
            info = z.getinfo(name)
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == 0o100644


def test_reader_returns_what_the_writer_stored():
    with SafeZipReader(_write(ENTRIES)) as r:
        assert r.names() == list(ENTRIES)
        for name, data in ENTRIES.items():
            assert b"".join(r.iter_chunks(name, chunk=5)) == data


def test_reader_reads_zip64_made_by_another_tool():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("big.bin", "w", force_zip64=True) as f:
            f.write(b"abc" * 1000)
    with SafeZipReader(buf.getvalue()) as r:
        assert r.read("big.bin", 10_000) == b"abc" * 1000


def test_flipped_byte_in_stored_entry_is_named_as_damaged():
    data = bytearray(_write(ENTRIES))
    pos = data.find(bytes(range(256)))
    data[pos + 3] ^= 1
    with SafeZipReader(bytes(data)) as r, pytest.raises(E.DamagedEntry) as err:
        r.read("recordings/a.wav", 1 << 20)
    assert err.value.name == "recordings/a.wav"
    assert err.value.exit_code == 1


EXPECTED = {
    "traversal": E.UnsafePath,
    "absolute": E.UnsafePath,
    "drive_letter": E.UnsafePath,
    "backslash": E.UnsafePath,
    "symlink": E.LinkEntry,
    "duplicate_case": E.DuplicateEntry,
    "duplicate_exact": E.DuplicateEntry,
    "bomb_ratio": E.ZipBomb,
    "bomb_lying_size": E.ZipBomb,
    "overlapping": (E.ZipBomb, E.MalformedArchive),  # refused by whichever check fires first
    "encrypted": E.EncryptedEntry,
    "truncated": E.TruncatedArchive,
    "not_a_zip": E.NotAZip,
    "empty_file": E.NotAZip,
    "deep_json": E.HostileJson,
    "huge_json": E.ZipBomb,
    "unsupported_method": E.UnsupportedEntry,
}


@pytest.mark.parametrize("kind", sorted(hostile_zips.HOSTILE))
def test_hostile_archive_is_refused_with_a_typed_exit_2_error(kind):
    data = hostile_zips.HOSTILE[kind]()
    with pytest.raises(E.HostileArchive) as err:
        with SafeZipReader(data) as r:
            for name in r.names():
                if name.endswith(".json"):
                    r.read_json(name)
                else:
                    r.read(name, 1 << 30)
    assert isinstance(err.value, EXPECTED[kind])
    assert err.value.exit_code == 2
    assert err.value.message("ja") and err.value.message("en")


def test_sha256sums_round_trip_and_coreutils_agrees(tmp_path):
    files = {"a.txt": b"one", "sub/b 2.txt": "二".encode()}
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(data)
    sums = format_sha256sums((n, hashlib.sha256(d).hexdigest()) for n, d in files.items())
    (tmp_path / "SHA256SUMS").write_bytes(sums)
    ok = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True)
    assert ok.returncode == 0, ok.stdout
    assert parse_sha256sums(sums) == {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}
    with pytest.raises(Sha256SumsError):
        parse_sha256sums(b"abc  file\n")


def test_wav_data_chunk_is_the_pcm_and_soundfile_reads_it(tmp_path):
    import numpy as np
    import soundfile as sf

    pcm = (np.arange(4800, dtype=np.int16) * 7).tobytes()
    wav = wav_header(len(pcm), 48000, 1) + pcm
    layout = parse_wav_header(wav[:64], len(wav))
    assert wav[layout.data_offset : layout.data_offset + layout.data_size] == pcm
    (tmp_path / "a.wav").write_bytes(wav)
    data, rate = sf.read(tmp_path / "a.wav", dtype="int16")
    assert rate == 48000 and data.tobytes() == pcm


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    import os
    import threading

    fifo = tmp_path / "bundle.zip"
    os.mkfifo(fifo)
    result: list = []
    t = threading.Thread(target=lambda: result.append(_refusal(fifo)), daemon=True)
    t.start()
    t.join(10)
    if t.is_alive():  # let the blocked open() go before failing
        with open(fifo, "wb"):
            pass
        pytest.fail("opening a FIFO blocked")
    assert isinstance(result[0], E.NotAZip), result


def _refusal(path):
    try:
        SafeZipReader(path).close()
    except E.HostileArchive as e:
        return e
    return None


def test_a_file_the_os_cannot_seek_is_refused_cleanly():
    # /proc files refuse SEEK_END (EINVAL): an OSError while reading, as a failing USB stick or
    # a dropped network share gives, is exit 2 "cannot read", not an unexpected error.
    with pytest.raises(E.HostileArchive) as e:
        SafeZipReader("/proc/self/status")
    assert "Invalid argument" in e.value.message("en")
