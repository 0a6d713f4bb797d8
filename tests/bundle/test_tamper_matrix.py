"""Every file of a real bundle changed, removed, or a file added: verify exits 1 and names it.
Hostile archives: exit 2 with a clear message, and nothing is written anywhere."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from kasuhara_recorder.bundle.verify import verify_bundle
from tests.bundle import hostile_zips
from tests.bundle.conftest import kr


def _entries(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as z:
        return {n: z.read(n) for n in z.namelist()}


def _rezip(entries: dict[str, bytes], out: Path) -> Path:
    # Rebuilt with another tool (valid CRCs), as someone editing the bundle would do.
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out


def _flip(data: bytes) -> bytes:
    b = bytearray(data)
    i = len(b) // 2
    b[i] = b[i] ^ 0x01 if b[i] not in (0x0A, 0x0D) else b[i] ^ 0x02
    return bytes(b)


def test_every_file_changed_removed_or_added_is_named(good_bundle, tmp_path):
    entries = _entries(good_bundle)
    assert verify_bundle(_rezip(entries, tmp_path / "same.zip")).ok  # the rebuild itself is fine
    misses = []
    for name in entries:
        changed = dict(entries, **{name: _flip(entries[name])})
        report = verify_bundle(_rezip(changed, tmp_path / "c.zip"))
        if report.ok or name not in {f.file for f in report.failures}:
            misses.append(("changed", name, report.failures))
        removed = {k: v for k, v in entries.items() if k != name}
        report = verify_bundle(_rezip(removed, tmp_path / "r.zip"))
        if report.ok or name not in {f.file for f in report.failures if f.check == "present"}:
            misses.append(("removed", name, report.failures))
    added = dict(entries, **{"recordings/extra.wav": b"RIFF....WAVE"})
    report = verify_bundle(_rezip(added, tmp_path / "a.zip"))
    assert {f.file for f in report.failures} == {"recordings/extra.wav"}
    assert "listed" in {f.check for f in report.failures}
    assert misses == []


def test_cli_exit_1_names_the_altered_wav(workstation, good_bundle, tmp_path):
    entries = _entries(good_bundle)
    wav = next(n for n in entries if n.endswith(".wav"))
    bad = _rezip(dict(entries, **{wav: _flip(entries[wav])}), tmp_path / "bad.zip")
    r = kr(workstation.data, "--json", "verify", str(bad), check=False)
    out = json.loads(r.stdout)
    assert r.returncode == 1 and not out["ok"]
    assert out["failed_files"] == [wav]
    assert {f["check"] for f in out["failures"]} == {"sha256sums", "manifest", "pcm-sha256"}
    plain = kr(workstation.data, "--lang", "ja", "verify", str(bad), check=False)
    assert plain.returncode == 1 and wav in plain.stdout and "改ざん" in plain.stdout


def test_flipped_byte_inside_the_original_zip_is_named_by_crc(workstation, good_bundle, tmp_path):
    data = bytearray(good_bundle.read_bytes())
    pos = data.find(b"data", data.find(b"WAVE")) + 5000  # in the stored audio
    data[pos] ^= 0x10
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    r = kr(workstation.data, "--json", "verify", str(bad), check=False)
    out = json.loads(r.stdout)
    assert r.returncode == 1
    assert out["failed_files"] == [n for n in out["failed_files"] if n.endswith(".wav")] != []


def _snapshot(root: Path) -> set[str]:
    return {str(p) for p in root.rglob("*")}


@pytest.mark.parametrize("kind", sorted(hostile_zips.HOSTILE))
def test_hostile_zip_exits_2_and_writes_nothing(kind, workstation, tmp_path):
    bad = tmp_path / "in" / "hostile.zip"
    bad.parent.mkdir()
    bad.write_bytes(hostile_zips.HOSTILE[kind]())
    work = tmp_path / "cwd"
    work.mkdir()
    before_tmp = set(os.listdir("/tmp"))
    before = _snapshot(tmp_path)
    r = kr(workstation.data, "--json", "verify", str(bad), check=False)
    assert r.returncode == 2, (kind, r.stdout, r.stderr)
    assert json.loads(r.stdout)["ok"] is False
    assert r.stderr.strip()  # a message for the person
    assert _snapshot(tmp_path) == before
    assert not {n for n in set(os.listdir("/tmp")) - before_tmp if "evil" in n or "etc" in n}


def test_a_zip_that_is_not_a_bundle_exits_2(workstation, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("holiday.jpg", b"\xff\xd8\xff")
    p = tmp_path / "photos.zip"
    p.write_bytes(buf.getvalue())
    r = kr(workstation.data, "--lang", "ja", "verify", str(p), check=False)
    assert r.returncode == 2 and "証拠バンドルではありません" in r.stderr
