"""Export to a destination that fails: read-only, full, gone half-way, or a folder where the file
should go. The officer gets a message naming the destination (not the data folder, not an
"unexpected error"), and no partial bundle is left anywhere."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kasuhara_recorder.app.service import AppService
from tests.bundle.conftest import PASSPHRASE


@pytest.fixture
def tmpfs(tmp_path):
    """A small tmpfs (needs root, as in CI's container); skipped where it cannot be mounted."""
    mounted = []

    def mount(options: str) -> Path:
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        r = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True
        )
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", str(point)], check=False)


def _export(ws, out: Path) -> subprocess.CompletedProcess:
    return ws.export(out, check=False)


def _assert_clean_failure(r: subprocess.CompletedProcess, out: Path) -> dict:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    msg = json.loads(r.stdout)
    assert msg["ok"] is False and msg["error"] == "ExportWriteFailed", msg
    assert str(out) in r.stderr and "unexpected" not in r.stderr and "予期しない" not in r.stderr
    assert "data folder" not in r.stderr and "データフォルダ" not in r.stderr
    return msg


def test_read_only_destination(workstation, tmpfs):
    folder = tmpfs("ro,size=1m")
    out = folder / "bundle.zip"
    _assert_clean_failure(_export(workstation, out), out)
    assert os.listdir(folder) == []


def test_disk_full_half_way_leaves_nothing(workstation, tmpfs):
    folder = tmpfs("size=64k")  # the bundle is ~170 KB: the disk fills mid-write
    out = folder / "bundle.zip"
    _assert_clean_failure(_export(workstation, out), out)
    assert os.listdir(folder) == []
    assert os.statvfs(folder).f_bfree == os.statvfs(folder).f_blocks  # space given back


def test_destination_folder_removed_during_export(workstation, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    out = folder / "bundle.zip"
    app = AppService(workstation.data)
    try:
        identity = app.export.unlock(workstation.identity, PASSPHRASE)
        removed = []

        def progress(p):
            if not removed and p.done > 0:  # the partial file exists and is being written
                shutil.rmtree(folder)  # the USB stick pulled out
                removed.append(True)

        with pytest.raises(FileNotFoundError) as e:  # the wizard says "保存先に書き込めません"
            app.export.export(workstation.incident_id, identity, out, progress=progress)
        assert removed and e.value.filename == str(out)
        events = [x.event for x in app.audit.entries()]
        assert events[-1] == "key.unlock"  # no bundle.export entered for a bundle not written
    finally:
        app.close()
    assert not folder.exists()


def test_out_is_an_existing_folder(workstation, tmp_path):
    out = tmp_path / "bundle.zip"
    out.mkdir()
    r = _export(workstation, out)
    assert r.returncode == 2, r.stderr
    assert json.loads(r.stdout)["error"] == "UsageError"
    assert str(out) in r.stderr and "unexpected" not in r.stderr
    assert os.listdir(out) == [] and os.listdir(tmp_path) == ["bundle.zip"]


def test_fat_usb_stick(workstation, tmp_path):
    """FAT refuses chmod 0600 with EPERM; the export must not need it (skipped where this
    kernel or container cannot mount vfat)."""
    image = tmp_path / "usb.img"
    image.write_bytes(b"")
    os.truncate(image, 8 << 20)
    mkfs = shutil.which("mkfs.vfat")
    if mkfs is None:  # a set-up step, not a limit of this machine: never a skip
        pytest.fail("mkfs.vfat missing: make test installs dosfstools (scripts/setup-system.sh)")
    subprocess.run([mkfs, str(image)], check=True, capture_output=True)
    point = tmp_path / "usb"
    point.mkdir()
    r = subprocess.run(["mount", "-o", "loop", str(image), str(point)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount vfat here: {r.stderr.decode().strip()}")
    try:
        out = point / "bundle.zip"
        r = _export(workstation, out)
        assert r.returncode == 0, r.stderr
        assert os.listdir(point) == ["bundle.zip"]
    finally:
        subprocess.run(["umount", str(point)], check=False)


def test_a_long_japanese_file_name_that_the_disk_allows(workstation, tmp_path):
    # 244 bytes: a valid name (the limit is 255), but the partial file's name used to add 18
    # bytes to it, and the export failed with "File name too long".
    out = tmp_path / ("証拠" * 40 + ".zip")
    r = _export(workstation, out)
    assert r.returncode == 0, r.stderr
    assert os.listdir(tmp_path) == [out.name]


def test_sigterm_during_export_leaves_no_partial_file(workstation, tmp_path):
    # A logout or `kill` stops the export: the hidden partial file holds plaintext audio and
    # must not stay behind on the stick.
    import signal
    import time

    folder = tmp_path / "usb"
    folder.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(workstation.data),
         "export", workstation.incident_id, "--identity", str(workstation.identity),
         "--passphrase-file", str(workstation.passphrase_file), "--out", str(folder / "b.zip")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    # The bundle file is open on the stick: a hidden partial, or (O_TMPFILE) an unnamed file
    # only /proc/PID/fd shows.
    from tests.support.export_kill import open_destination_file

    deadline = time.monotonic() + 60
    while open_destination_file(proc.pid, folder) is None:
        assert proc.poll() is None, "the export ended before it could be stopped"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert list(folder.iterdir()) == []


def test_another_organisations_identity_is_named_as_the_wrong_file(workstation, tmp_path):
    # Not "recording … failed a check: decryption gave 0 of N bytes", which reads as altered
    # evidence and sends the officer to report tampering.
    from tests.bundle.conftest import kr

    kr(workstation.data, "keys", "init-org", "--out", str(tmp_path / "other"),
       "--passphrase-file", str(workstation.passphrase_file))  # fmt: skip
    folder = tmp_path / "usb"
    folder.mkdir()
    r = kr(workstation.data, "--json", "--lang", "en", "export", workstation.incident_id,
           "--identity", str(tmp_path / "other" / "org-identity.age"),
           "--passphrase-file", str(workstation.passphrase_file),
           "--out", str(folder / "b.zip"), check=False)  # fmt: skip
    assert r.returncode == 2, r.stderr
    assert json.loads(r.stdout)["error"] == "WrongIdentity"
    assert workstation.recording_id in r.stderr and "identity" in r.stderr
    assert list(folder.iterdir()) == []


def test_a_file_name_that_is_not_utf8(workstation, tmp_path):
    # Shift-JIS bytes, as a name from an old Windows share arrives: the export used to write
    # the bundle and then fail to enter it in the audit chain (UnicodeEncodeError, "unexpected
    # error"), and verify --json could not print the path.
    out = tmp_path / os.fsdecode("証拠".encode("shift_jis") + b".zip")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}  # as under ja_JP.UTF-8
    base = [
        sys.executable,
        "-m",
        "kasuhara_recorder",
        "--data-dir",
        str(workstation.data),
        "--json",
    ]
    r = subprocess.run(
        [*base, "export", workstation.incident_id, "--identity", str(workstation.identity),
         "--passphrase-file", str(workstation.passphrase_file), "--out", str(out)],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ok"]
    app = AppService(workstation.data)
    try:
        last = list(app.audit.entries())[-1]
    finally:
        app.close()
    assert last.event == "bundle.export"
    r = subprocess.run([*base, "verify", str(out)], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ok"]


def test_out_inside_the_data_folder_is_refused_and_the_evidence_kept(workstation):
    # --out naming a sealed recording used to replace it with the bundle (the final rename).
    sealed = workstation.data / "vault" / f"{workstation.recording_id}.age"
    before = sealed.read_bytes()
    r = _export(workstation, sealed)
    assert r.returncode == 2, r.stderr
    assert json.loads(r.stdout)["error"] == "UsageError" and "data folder" in r.stderr
    assert sealed.read_bytes() == before
    assert not [p for p in sealed.parent.iterdir() if p.name.endswith(".partial")]


def test_out_naming_the_identity_file_is_refused_and_the_identity_kept(workstation, tmp_path):
    # Replacing org-identity.age with the bundle would leave every sealed recording unopenable.
    before = workstation.identity.read_bytes()
    r = _export(workstation, workstation.identity)
    assert r.returncode == 2, r.stderr
    assert "not a ZIP" in r.stderr
    assert workstation.identity.read_bytes() == before
    again = tmp_path / "again.zip"
    assert _export(workstation, again).returncode == 0
    # an earlier bundle may be replaced (when the officer says so: tests/commands)
    assert workstation.export(again, "--overwrite", check=False).returncode == 0


@pytest.mark.parametrize("unnamed", [True, False], ids=["o_tmpfile", "portable"])
def test_a_file_that_appears_during_the_export_is_not_replaced(
    workstation, tmp_path, monkeypatch, unnamed
):
    # Someone (another export, a copy) puts a file at the name while the export runs: the
    # naming step itself refuses (linkat/link fail on an existing name), so nothing is replaced.
    from kasuhara_recorder.bundle import destination_file
    from kasuhara_recorder.bundle.errors import BundleExists

    if not unnamed:  # the seam: a filesystem without O_TMPFILE (FAT, SMB, Windows)
        monkeypatch.setattr(destination_file, "open_unnamed", lambda folder: None)
    folder = tmp_path / "usb"
    folder.mkdir()
    out = folder / "b.zip"
    app = AppService(workstation.data)
    try:
        identity = app.export.unlock(workstation.identity, PASSPHRASE)

        def progress(p):
            if p.done > 0 and not out.exists():
                out.write_bytes(b"PK\x03\x04 put there meanwhile")

        with pytest.raises(BundleExists) as e:
            app.export.export(workstation.incident_id, identity, out, progress=progress)
        assert e.value.path == str(out) and e.value.exit_code == 2
        assert [x.event for x in app.audit.entries()][-1] == "key.unlock"
    finally:
        app.close()
    assert os.listdir(folder) == ["b.zip"]
    assert out.read_bytes() == b"PK\x03\x04 put there meanwhile"
    assert not list((workstation.data / "partial-exports").iterdir())


def test_the_export_modules_import_and_fall_back_without_posix_calls(tmp_path):
    # Windows has neither fcntl nor O_TMPFILE: the partial-file code must import and take the
    # portable path (the lock's Windows branch itself only runs on Windows).
    code = f"""
import os, sys
sys.modules["fcntl"] = None  # import fcntl fails, as on Windows
del os.O_TMPFILE
from pathlib import Path
from kasuhara_recorder.bundle import destination_file, partial_ledger
assert destination_file.open_unnamed(Path({str(tmp_path)!r})) is None
print("ok")
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
