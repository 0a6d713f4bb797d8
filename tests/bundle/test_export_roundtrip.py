"""Record → incident → export → verify, checked with the recipient's own tools."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.bundle.errors import ExportCancelled, ExportRefused
from kasuhara_recorder.evidence.org_identity import unlock_identity
from tests.bundle.conftest import PASSPHRASE, kr


def _unzip(zpath: Path, dest: Path) -> Path:
    with zipfile.ZipFile(zpath) as z:
        z.extractall(dest)
    return dest


def test_verify_accepts_a_fresh_export(workstation, good_bundle):
    r = kr(workstation.data, "--json", "verify", str(good_bundle))
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["ok"] and out["failures"] == []
    assert out["incident_id"] == workstation.incident_id
    assert out["recordings"] == [workstation.recording_id]


def test_wav_data_is_the_pcm_that_debian_age_decrypts(workstation, good_bundle, tmp_path):
    ident = unlock_identity(workstation.identity, PASSPHRASE)
    key_file = tmp_path / "id.txt"
    key_file.write_text(f"{ident}\n")
    sealed = workstation.data / "vault" / f"{workstation.recording_id}.age"
    pcm = subprocess.run(
        ["age", "-d", "-i", str(key_file), str(sealed)], capture_output=True, check=True
    ).stdout
    with zipfile.ZipFile(good_bundle) as z:
        wav = z.read(f"recordings/{workstation.recording_id}.wav")
    assert wav[44:] == pcm
    assert hashlib.sha256(wav[44:]).hexdigest() == workstation.pcm_sha256


def test_sha256sum_and_openssl_accept_the_unzipped_bundle(good_bundle, tmp_path):
    folder = _unzip(good_bundle, tmp_path / "b")
    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True)
    assert sums.returncode == 0, sums.stdout
    manifest = json.loads((folder / "manifest.json").read_text())
    key = manifest["signing_key"]["file"]
    for data, sig in (("manifest.json", "manifest.json.sig"),) + tuple(
        (r["manifest"], r["signature"]) for r in manifest["recordings"]
    ):
        v = subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", key, "-rawin",
             "-in", data, "-sigfile", sig], cwd=folder, capture_output=True, text=True,
        )  # fmt: skip
        assert v.returncode == 0 and "Signature Verified Successfully" in v.stdout, v


def test_report_pdf_has_the_incident_in_japanese_and_the_hashes(workstation, good_bundle, tmp_path):
    folder = _unzip(good_bundle, tmp_path / "b")
    text = subprocess.run(
        ["pdftotext", "-layout", str(folder / "incident" / "report.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    text = unicodedata.normalize("NFKC", text)
    for needle in ("事案報告書", workstation.incident_id, "手数料の返金", "精神的な攻撃",
                   "謝罪の要求", "警察へ通報した", "窓口 太郎", "4(4)"):  # fmt: skip
        assert needle in text, needle
    assert workstation.pcm_sha256[:32] in text and workstation.pcm_sha256[32:] in text
    manifest = json.loads((folder / "manifest.json").read_text())
    incident_json = next(f for f in manifest["files"] if f["path"] == "incident/incident.json")
    assert incident_json["sha256"][:32] in text


def test_readme_explains_every_way_to_check(good_bundle):
    with zipfile.ZipFile(good_bundle) as z:
        readme = z.read("README.txt").decode("utf-8")
    needles = ("certutil -hashfile", "sha256sum -c SHA256SUMS", "shasum -a 256 -c",
               "openssl pkeyutl -verify", "verify.html", "確認方法", "How to verify")  # fmt: skip
    for needle in needles:
        assert needle in readme


def test_same_export_twice_is_byte_identical(workstation, tmp_path):
    app = AppService(workstation.data)
    try:
        ident = unlock_identity(workstation.identity, PASSPHRASE)
        when = dt.datetime(2026, 11, 25, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
        inputs = app.export.gather(workstation.incident_id, "lawyer", when)
        from kasuhara_recorder.bundle.export import export_bundle

        a = export_bundle(inputs, ident, tmp_path / "a.zip")
        b = export_bundle(inputs, ident, tmp_path / "b.zip")
    finally:
        app.close()
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    assert a.bundle_id == b.bundle_id


def test_altered_sealed_file_stops_the_export_and_writes_nothing(tmp_path):
    from tests.bundle.conftest import make_workstation

    ws = make_workstation(tmp_path / "ws", seconds=1.5)  # the tags go to 1.2 s
    sealed = ws.data / "vault" / f"{ws.recording_id}.age"
    data = bytearray(sealed.read_bytes())
    data[len(data) // 2] ^= 0x40
    sealed.write_bytes(bytes(data))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    r = ws.export(out_dir / "b.zip", check=False)
    assert r.returncode == 1
    assert ws.recording_id in r.stderr
    assert list(out_dir.iterdir()) == []


def test_wrong_passphrase_is_a_clear_error(workstation, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("not the passphrase\n")
    r = kr(
        workstation.data, "--lang", "ja", "export", workstation.incident_id,
        "--identity", str(workstation.identity), "--passphrase-file", str(bad),
        "--out", str(tmp_path / "b.zip"), check=False,
    )  # fmt: skip
    assert r.returncode == 2 and "パスフレーズが違います" in r.stderr
    assert not (tmp_path / "b.zip").exists()


def test_cancel_midway_leaves_no_file(workstation, tmp_path):
    import threading

    app = AppService(workstation.data)
    cancel = threading.Event()
    seen = []

    def progress(p):
        seen.append(p)
        if p.done > 0:
            cancel.set()

    try:
        ident = unlock_identity(workstation.identity, PASSPHRASE)
        with pytest.raises(ExportCancelled):
            app.export.export(
                workstation.incident_id, ident, tmp_path / "b.zip", progress=progress,
                cancel=cancel,
            )  # fmt: skip
    finally:
        app.close()
    assert seen and list(tmp_path.iterdir()) == []


def test_refused_error_names_the_recording():
    e = ExportRefused("録音 rec-1 / recording rec-1", "pcm mismatch")
    assert "rec-1" in e.message("ja") and "rec-1" in e.message("en") and e.exit_code == 1
