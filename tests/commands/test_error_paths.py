"""The CLI's error paths as an IT admin or a script meets them (DESIGN invariant 8 and
"Command line"): every failure is a typed message in the chosen language, exit 1 for an
evidence problem and 2 for bad usage or input, one JSON object with --json, never the generic
"unexpected error", and nothing already kept is lost or written over."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pyrage
import pytest
import soundfile as sf

from tests.support.waiting import wait_until

UNEXPECTED = ("予期しない", "unexpected error", "Traceback")


def kr(*args: str, lang: str = "ja", data_dir: Path | None = None) -> subprocess.CompletedProcess:
    extra = ["--data-dir", str(data_dir)] if data_dir is not None else []
    return subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--lang", lang, *extra, *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def failure(*args: str, code: int, lang: str = "ja", data_dir: Path | None = None) -> dict:
    """Run with --json; the exit code, one JSON object on stdout, the same message on stderr."""
    r = kr("--json", *args, lang=lang, data_dir=data_dir)
    assert r.returncode == code, r.stdout + r.stderr
    for bad in UNEXPECTED:
        assert bad not in r.stdout + r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1, r.stdout
    obj = json.loads(lines[0])
    assert obj["ok"] is False and obj["error"] and obj["message"]
    assert obj["message"].splitlines()[0] in r.stderr
    return obj


def tone(path: Path, seconds: float = 2.0) -> str:
    t = np.arange(int(48000 * seconds)) / 48000
    sf.write(path, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 48000, "PCM_16")
    return str(path)


def sealed(service) -> list[str]:
    return sorted(p.name for p in service.paths.vault.glob("*.age"))


# --- usage ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ("record", "--seconds", "abc"),
        ("no-such-command",),
        ("incident",),
        ("incident", "show"),
        ("keys",),
        ("audit",),
    ],
)
def test_bad_usage_is_one_json_object_and_exit_2(data_dir, args):
    obj = failure(*args, code=2, lang="en")
    assert obj["error"] == "UsageError" and obj["message"].startswith("bad input")
    plain = kr(*args)  # people get the usage line and a Japanese message
    assert plain.returncode == 2 and "入力が正しくありません" in plain.stderr
    assert plain.stdout == ""


@pytest.mark.parametrize("seconds", ["nan", "inf", "-inf", "0", "-1"])
def test_seconds_must_be_a_positive_number(service, tmp_path, seconds):
    wav = tone(tmp_path / "tone.wav")
    obj = failure("record", "--input-file", wav, "--unpaced", f"--seconds={seconds}", code=2)
    assert "--seconds" in obj["message"]
    assert sealed(service) == []


@pytest.mark.parametrize(
    "tag", ["conduct.mental@nan", "conduct.mental@inf", "conduct.mental@-1", "nocode", "@1"]
)
def test_a_tag_that_can_never_be_placed_is_refused_before_recording(service, tmp_path, tag):
    wav = tone(tmp_path / "tone.wav")
    obj = failure("record", "--input-file", wav, "--unpaced", "--tag", tag, code=2)
    assert tag in obj["message"]
    assert sealed(service) == []


def test_a_tag_after_the_end_of_the_input_file_is_refused_not_dropped(service, tmp_path):
    # It used to be recorded without the tag, exit 0 and no word about it.
    wav = tone(tmp_path / "tone.wav", seconds=2.0)
    obj = failure("record", "--input-file", wav, "--unpaced", "--tag", "conduct.mental@100", code=2)
    assert "100" in obj["message"] and "2.00" in obj["message"]
    assert sealed(service) == []
    obj = failure("record", "--input-file", wav, "--tag", "no.such.code@1", code=2, lang="en")
    assert obj["error"] == "UnknownTag" and "no.such.code" in obj["message"]


# --- the data folder --------------------------------------------------------------------------
def test_a_data_folder_that_is_a_file(tmp_path):
    not_a_folder = tmp_path / "data"
    not_a_folder.write_bytes(b"something else\n")
    for args in (("incident", "list"), ("audit", "verify"), ("recover",)):
        obj = failure(*args, code=2, data_dir=not_a_folder)
        assert obj["error"] == "DataFolderError"
        assert str(not_a_folder) in obj["message"] and "--data-dir" in obj["message"]
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    obj = failure("setup", "--org-recipient", recipient, code=2, data_dir=not_a_folder, lang="en")
    assert "data folder" in obj["message"]
    assert not_a_folder.read_bytes() == b"something else\n"


def _chattr(path: Path, flag: str) -> None:
    subprocess.run(["chattr", "-R", flag, str(path)], check=True, capture_output=True)


def test_a_read_only_data_folder(service, tmp_path):
    """The folder made immutable (chattr +i: read-only even for root, who runs the tests)."""
    if shutil.which("chattr") is None:  # e2fsprogs: installed everywhere the set-up runs
        pytest.fail("chattr missing (e2fsprogs)")
    wav = tone(tmp_path / "tone.wav")
    service.close()
    try:
        _chattr(service.paths.root, "+i")
    except subprocess.CalledProcessError as e:
        pytest.skip(f"this file system cannot make a folder immutable: {e.stderr}")
    try:
        obj = failure("record", "--input-file", wav, "--unpaced", code=2, lang="en")
        assert "write permission" in obj["message"]
        obj = failure("setup", "--org-recipient", str(service.settings.org_recipients[0]), code=2)
        assert "書き込み権限" in obj["message"]
    finally:
        _chattr(service.paths.root, "-i")
    assert sealed(service) == []


def test_a_data_folder_with_japanese_and_spaces_in_its_path(tmp_path, org_identity):
    d = tmp_path / "市民課 データ" / "録音 フォルダ"
    r = kr("setup", "--org-recipient", str(org_identity.to_public()), data_dir=d)
    assert r.returncode == 0, r.stderr
    wav = tone(tmp_path / "音声 ファイル.wav")
    r = kr("--json", "record", "--input-file", wav, "--unpaced", data_dir=d)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["sealed_path"].startswith(str(d))
    r = kr("--json", "import", wav, data_dir=d)
    assert r.returncode == 0, r.stderr
    assert kr("audit", "verify", data_dir=d).returncode == 0


# --- settings ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "change, where",
    [
        ({"workstation_name": None}, "workstation_name"),
        ({"org_recipients": "age1abc"}, "org_recipients"),
        ({"counter": 5}, "counter"),
        ({"counter": {"device": None, "channels": "two", "samplerate": 48000}}, "channels"),
        ({"language": 3}, "language"),
        ({"org_recipients": ["age1notarecipient"]}, "org_recipients"),
    ],
)
def test_settings_of_the_wrong_type_are_refused_before_recording(service, tmp_path, change, where):
    """A null workstation name used to be found only when the recording stopped: the audio was
    taken, and then could not be signed."""
    doc = json.loads(service.paths.settings.read_bytes())
    doc.update(change)
    service.paths.settings.write_text(json.dumps(doc), encoding="utf-8")
    wav = tone(tmp_path / "tone.wav")
    obj = failure("record", "--input-file", wav, "--unpaced", code=2)
    assert obj["error"] == "SettingsError"
    assert str(service.paths.settings) in obj["message"] and where in obj["message"]
    assert "setup" in obj["message"]
    assert sealed(service) == []
    if isinstance(change.get("org_recipients"), list):  # setup still reads it, and repairs it
        good = str(service.settings.org_recipients[0])
        assert kr("setup", "--org-recipient", good).returncode == 0
        assert kr("record", "--input-file", wav, "--unpaced").returncode == 0


def test_malformed_settings_and_a_bom(service, tmp_path):
    good = service.paths.settings.read_bytes()
    wav = tone(tmp_path / "tone.wav")
    service.paths.settings.write_bytes(b'{"workstation_name": "x",')
    obj = failure("record", "--input-file", wav, "--unpaced", code=2, lang="en")
    assert obj["error"] == "SettingsError" and "settings file" in obj["message"]
    service.paths.settings.write_bytes(b"\xef\xbb\xbf" + good)  # saved by Windows Notepad
    assert kr("record", "--input-file", wav, "--unpaced").returncode == 0


# --- a damaged, missing or locked database ----------------------------------------------------
def _damage_table(db: Path, table: str) -> None:
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = c.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        size = c.execute("PRAGMA page_size").fetchone()[0]
    c.close()
    raw = bytearray(db.read_bytes())
    start = (page[0] - 1) * size
    for i in range(start, start + size, 7):
        raw[i] ^= 0xA5
    db.write_bytes(raw)


@pytest.mark.parametrize("table", ["audit_log", "recordings", "workstation_keys"])
def test_a_damaged_database_is_reported_never_passed_or_replaced(service, tmp_path, table):
    wav = tone(tmp_path / "tone.wav")
    assert kr("record", "--input-file", wav, "--unpaced").returncode == 0
    service.close()
    db = service.paths.database
    _damage_table(db, table)
    damaged = db.read_bytes()
    # audit verify used to crash ("unexpected error"), or to say "intact" when the damage
    # was outside the audit table
    obj = failure("audit", "verify", code=1)
    assert obj["error"] == "DatabaseDamaged" and "バックアップ" in obj["message"]
    obj = failure("audit", "verify", code=1, lang="en")
    assert "damaged" in obj["message"] and "backup" in obj["message"]
    r = kr("--json", "record", "--input-file", wav, "--unpaced")
    assert r.returncode == 1 and not any(b in r.stderr for b in UNEXPECTED)
    assert json.loads(r.stdout)["ok"] is False
    assert db.read_bytes()[:100] == damaged[:100]  # the same file, not a new one
    assert len(db.read_bytes()) >= len(damaged)


@pytest.mark.parametrize("how", ["missing", "empty", "truncated"])
def test_a_lost_database_is_not_recreated_over_the_evidence(service, tmp_path, how):
    """A missing or 0-byte database used to be replaced by a fresh one whose empty audit chain
    `audit verify` then called intact."""
    wav = tone(tmp_path / "tone.wav")
    assert kr("record", "--input-file", wav, "--unpaced").returncode == 0
    service.close()
    db = service.paths.database
    for extra in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        extra.unlink(missing_ok=True)
    if how == "missing":
        db.unlink()
    else:
        raw = db.read_bytes()
        db.write_bytes(b"" if how == "empty" else raw[: len(raw) // 3])
    before = db.read_bytes() if db.exists() else None
    for args in (("audit", "verify"), ("incident", "list"), ("incident", "new")):
        obj = failure(*args, code=1)
        assert obj["error"] in ("DatabaseMissing", "DatabaseDamaged"), obj
        assert "バックアップ" in obj["message"]
    obj = failure("record", "--input-file", wav, "--unpaced", code=1)
    assert (db.read_bytes() if db.exists() else None) == before
    assert len(sealed(service)) == 1  # nothing new recorded into a folder without its index


def test_a_database_locked_at_stop_leaves_the_recording_sealed_and_recover_registers_it(
    service, tmp_path
):
    """Another process holds the database through the end of a recording: the recording is
    sealed and signed, the message says so and names `recover`, which then enters it (it used
    to say "nothing to recover" and leave the recording outside the database for good)."""
    from tests.support.journal import journal_closed

    wav = tone(tmp_path / "tone.wav", seconds=8.0)
    db = service.paths.database
    proc = subprocess.Popen(
        [sys.executable, "-m", "kasuhara_recorder", "--lang", "ja", "--json",
         "record", "--input-file", wav],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _wait_for_start_entry(service, proc)
    release, locked = threading.Event(), threading.Event()

    def hold_lock():
        c = sqlite3.connect(db, isolation_level=None, timeout=30)
        c.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait(60)
        c.execute("ROLLBACK")
        c.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(30)
        (live,) = service.paths.vault.glob("*.age")
        # what this test is about: the lock is held before the recording stops
        assert not journal_closed(live), "the recording ended before the lock was taken"
        out, err = proc.communicate(timeout=90)
    finally:
        release.set()
        holder.join()
    assert proc.returncode == 1, out + err
    obj = json.loads(out)
    assert obj["error"] == "RecordingNotRegistered"
    assert "recover" in obj["message"] and "封印" in obj["message"]
    (age,) = service.paths.vault.glob("*.age")
    rid = age.name.removesuffix(".age")
    assert service.recordings.get(rid) is None

    r = kr("--json", "recover")
    assert r.returncode == 0, r.stderr
    assert [x["id"] for x in json.loads(r.stdout)["recovered"]] == [rid]
    got = service.recordings.get(rid)
    assert got is not None and got.manifest.status == "complete"
    assert kr("audit", "verify").returncode == 0
    again = json.loads(kr("--json", "recover").stdout)
    assert again == {"ok": True, "recovered": []}


def _wait_for_start_entry(service, proc) -> None:
    def started() -> bool:
        assert proc.poll() is None, proc.communicate()
        return any(e.event == "recording.start" for e in service.audit.entries())

    wait_until(started, 20, "the recording's start entry")


# --- recover ----------------------------------------------------------------------------------
def _crashed_recording(service, wav: str) -> Path:
    """A recording process killed (SIGKILL) once its first checkpoint is written."""
    from tests.support.journal import journal_pcm_bytes

    before = set(service.paths.vault.glob("*.age"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kasuhara_recorder", "record", "--input-file", wav],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:

        def checkpointed() -> Path | None:
            assert proc.poll() is None, proc.stderr.read().decode()
            new = set(service.paths.vault.glob("*.age")) - before
            return next((p for p in new if journal_pcm_bytes(p) > 0), None)

        sealed_file = wait_until(checkpointed, 20, "the first checkpoint")
    finally:
        proc.kill()
        proc.wait()
    return sealed_file


def test_recover_with_nothing_to_do_and_with_one_damaged_journal(service, tmp_path):
    r = kr("--json", "recover")
    assert r.returncode == 0 and json.loads(r.stdout) == {"ok": True, "recovered": []}
    assert "復旧が必要な録音はありません" in kr("recover").stdout

    wav = tone(tmp_path / "long.wav", seconds=30.0)
    damaged = _crashed_recording(service, wav)
    healthy = _crashed_recording(service, wav)
    journal = Path(f"{damaged}.journal")
    journal.write_bytes(bytes(b ^ 0x55 for b in journal.read_bytes()))
    damaged_bytes = damaged.read_bytes()

    obj = failure("recover", code=1)
    # the healthy one is recovered although the damaged one sorts first
    assert [x["id"] for x in obj["recovered"]] == [healthy.name.removesuffix(".age")]
    assert [x["id"] for x in obj["failed"]] == [damaged.name.removesuffix(".age")]
    assert obj["failed"][0]["error"] == "NoCheckpoint"
    assert "改ざん" not in obj["message"] and "保全" in obj["message"]
    assert damaged.read_bytes() == damaged_bytes  # kept as it was, for the officer
    obj = failure("recover", code=1, lang="en")
    assert "no usable checkpoint" in obj["message"] and obj["recovered"] == []


# --- import -----------------------------------------------------------------------------------
def test_import_refuses_missing_folder_and_empty_files_before_sealing_any(service, tmp_path):
    wav = tone(tmp_path / "tone.wav")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    for bad in (str(tmp_path / "missing.wav"), str(tmp_path), str(empty)):
        obj = failure("import", wav, bad, code=2)
        assert bad in obj["message"]
    assert "0 bytes" in failure("import", str(empty), code=2, lang="en")["message"]
    assert sealed(service) == []


def _unreadable_file() -> str:
    """A file that exists and has a size but cannot be read, even by root: a write-only
    sysfs attribute (reading one is harmless)."""
    for candidate in ("/sys/bus/pci/rescan", "/sys/bus/pci/drivers_probe"):
        p = Path(candidate)
        try:
            if p.is_file() and p.stat().st_size > 0:
                p.read_bytes()
        except OSError:
            return candidate
    pytest.skip("no unreadable file to import on this system")


def test_import_of_several_files_where_one_fails_midway(service, tmp_path):
    """The files before a failing one used to be sealed without a word in the JSON (which held
    only the error), and the ones after it were never tried."""
    a, b = tone(tmp_path / "a.wav"), tone(tmp_path / "b.wav", seconds=1.0)
    bad = _unreadable_file()
    obj = failure("import", a, bad, b, code=2)
    assert obj["error"] == "ImportIncomplete"
    assert [Path(x["original"]).name for x in obj["imported"]] == ["a.wav", "b.wav"]
    assert [x["path"] for x in obj["failed"]] == [bad]
    assert bad in obj["message"] and "2 件" in obj["message"]
    assert len(sealed(service)) == 2
    assert all(service.recordings.get(x["id"]) for x in obj["imported"])
    r = kr("import", a, bad, lang="en")
    assert r.returncode == 2 and "a.wav" in r.stdout and bad in r.stderr
    assert kr("audit", "verify").returncode == 0


def test_import_of_a_file_that_is_not_audio_is_sealed_as_is(service, tmp_path):
    """Phone-recorder formats soundfile cannot read (m4a…) must still be importable: the bytes
    are sealed, the length is unknown."""
    odd = tmp_path / "call.m4a"
    odd.write_bytes(b"\x00\x00\x00\x18ftypM4A not really")
    r = kr("--json", "import", str(odd))
    assert r.returncode == 0, r.stderr
    assert len(sealed(service)) == 1


# --- setup and keys ---------------------------------------------------------------------------
def test_setup_reads_recipient_files_from_windows_and_never_echoes_a_secret(data_dir, tmp_path):
    ids = [pyrage.x25519.Identity.generate() for _ in range(2)]
    recipients = [str(i.to_public()) for i in ids]
    f = tmp_path / "recipients.txt"
    text = f"# 証拠管理担当\r\n\r\n  # 予備\r\n{recipients[0]}\r\n   \r\n{recipients[1]}\r\n"
    f.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    r = kr("--json", "setup", "--org-recipient", str(f))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["recipients"] == recipients

    secret = tmp_path / "identity.txt"
    secret.write_text(f"# key\n{ids[0]}\n", encoding="ascii")
    obj = failure("setup", "--org-recipient", str(secret), code=2, lang="en")
    assert "AGE-SECRET-KEY" not in obj["message"] and "line 2" in obj["message"]
    obj = failure("setup", "--org-recipient", str(ids[0]), code=2, lang="en")
    assert "AGE-SECRET-KEY" not in obj["message"] and "secret key" in obj["message"]
    passfile = tmp_path / "pass.txt"
    passfile.write_text("correct horse battery\n", encoding="utf-8")
    obj = failure("setup", "--org-recipient", str(passfile), code=2)
    assert "correct horse" not in obj["message"]
    r = kr("setup", "--org-recipient", str(passfile))
    assert "correct horse" not in r.stdout + r.stderr
    obj = failure("setup", "--org-recipient", "", code=2)
    assert obj["error"] == "BadRecipient"
    obj = failure("setup", "--org-recipient", "age1notarecipient", code=2)
    assert obj["error"] == "BadRecipient"


def test_keys_init_org_never_overwrites_and_checks_the_passphrase_file(data_dir, tmp_path):
    out = tmp_path / "org"
    pw = tmp_path / "pass.txt"
    # BOM and CRLF: neither is part of it (long enough: weak new passphrases are refused)
    pw.write_bytes("\ufeff合言葉 です、長くて覚えやすい 2026 年の秘密\r\n".encode())
    r = kr("--json", "keys", "init-org", "--out", str(out), "--passphrase-file", str(pw))
    assert r.returncode == 0, r.stderr
    identity = (out / "org-identity.age").read_bytes()
    recipient = (out / "org-recipient.txt").read_bytes()
    phrase = "合言葉 です、長くて覚えやすい 2026 年の秘密"
    assert pyrage.passphrase.decrypt(identity, phrase).startswith(b"# created")

    obj = failure("keys", "init-org", "--out", str(out), "--passphrase-file", str(pw), code=2)
    assert "org-identity.age" in obj["message"]
    assert (out / "org-identity.age").read_bytes() == identity
    assert (out / "org-recipient.txt").read_bytes() == recipient

    for content in (b"", b"\n\n", b"  trailing  \n", b"\ttab\n"):
        pw.write_bytes(content)
        other = tmp_path / f"org-{len(content)}"
        obj = failure("keys", "init-org", "--out", str(other), "--passphrase-file", str(pw),
                      code=2)  # fmt: skip
        assert str(pw) in obj["message"]
        assert not (other / "org-identity.age").exists()
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    pw.write_text("ok phrase\n")
    for where in (a_file, a_file / "sub"):
        obj = failure("keys", "init-org", "--out", str(where), "--passphrase-file", str(pw),
                      code=2)  # fmt: skip
        assert str(where) in obj["message"]
    assert a_file.read_text() == "x"


# --- incidents --------------------------------------------------------------------------------
def test_incident_new_names_the_keys_it_did_not_take(service, tmp_path):
    """Unknown keys are tolerated (newer files), but a misspelt field used to vanish unseen."""
    f = tmp_path / "incident.json"
    f.write_text(
        json.dumps({"ocurred_at": "2026-01-01T10:00", "department": "市民課", "status": "x"}),
        encoding="utf-8",
    )
    r = kr("--json", "incident", "new", "--json-file", str(f))
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert obj["ignored_fields"] == ["ocurred_at"] and "ocurred_at" in r.stderr
    assert service.incidents.get(obj["id"]).draft.department == "市民課"
    r = kr("--json", "incident", "new")
    assert "ignored_fields" not in json.loads(r.stdout)
    for bad in (str(tmp_path / "missing.json"), str(tmp_path)):
        obj = failure("incident", "new", "--json-file", bad, code=2, lang="en")
        assert bad in obj["message"]
    obj = failure("incident", "show", "20990101-nope00", code=2, lang="en")
    assert obj["error"] == "IncidentNotFound"


def test_record_from_a_missing_input_file_or_a_folder(service, tmp_path):
    for bad in (str(tmp_path / "missing.wav"), str(tmp_path)):
        obj = failure("record", "--input-file", bad, code=2, lang="en")
        assert obj["error"] == "UsageError" and bad in obj["message"]
        assert "not found or not a file" in obj["message"]
    assert sealed(service) == []


def test_a_full_disk_before_recording_says_nothing_was_taken(tmp_path, org_identity):
    """A vault on a nearly full file system (a 1 MiB tmpfs in a private mount namespace: room
    for the set-up database, not for the 4 MiB reserve a recording opens):
    the message used to say the recording was "sealed up to the saved part" when nothing had
    been taken at all."""
    if shutil.which("unshare") is None:  # util-linux: installed everywhere the set-up runs
        pytest.fail("unshare missing (util-linux)")
    mnt = tmp_path / "small"
    mnt.mkdir()
    wav = tone(tmp_path / "tone.wav", seconds=4.0)
    kr_cmd = f"{sys.executable} -m kasuhara_recorder --lang en --json"
    script = f"""
set -e
mount -t tmpfs -o size=1m tmpfs {mnt} || exit 77
export KASUHARA_DATA_DIR={mnt}/data
{kr_cmd} setup --org-recipient {org_identity.to_public()} > /dev/null
set +e
{kr_cmd} record --input-file {wav} --unpaced; echo "rc=$?"
{kr_cmd} import {wav}; echo "rc=$?"
ls -A {mnt}/data/vault; echo "end"
"""
    r = subprocess.run(
        ["unshare", "-m", "bash", "-c", script], capture_output=True, text=True, timeout=120
    )
    if r.returncode == 77 or "Operation not permitted" in r.stderr:
        pytest.skip(f"cannot mount a small file system here: {r.stderr}")
    out = r.stdout.splitlines()
    assert out[1] == "rc=1" and out[3] == "rc=1", r.stdout + r.stderr
    for line in (out[0], out[2]):
        obj = json.loads(line)
        assert obj["error"] == "VaultOpenError" and "nothing was recorded" in obj["message"]
    assert out[4] == "end"  # the vault is empty: no half-made file left behind


def test_a_disk_that_fills_during_a_recording(tmp_path, org_identity):
    """Sealed up to what fitted, registered, exit 1, and the --json object names the error
    like every other failure (it used to carry only ok=false and a status)."""
    if shutil.which("unshare") is None:  # util-linux: installed everywhere the set-up runs
        pytest.fail("unshare missing (util-linux)")
    mnt = tmp_path / "small"
    mnt.mkdir()
    wav = tone(tmp_path / "long.wav", seconds=30.0)  # 2.9 MB of PCM: more than fits
    kr_cmd = f"{sys.executable} -m kasuhara_recorder --lang en --json"
    script = f"""
mount -t tmpfs -o size=6000k tmpfs {mnt} || exit 77
export KASUHARA_DATA_DIR={mnt}/data
{kr_cmd} setup --org-recipient {org_identity.to_public()} > /dev/null || exit 78
{kr_cmd} record --input-file {wav} --unpaced; echo "rc=$?"
{kr_cmd} audit verify > /dev/null; echo "rc=$?"
"""
    r = subprocess.run(
        ["unshare", "-m", "bash", "-c", script], capture_output=True, text=True, timeout=120
    )
    if r.returncode == 77 or "Operation not permitted" in r.stderr:
        pytest.skip(f"cannot mount a small file system here: {r.stderr}")
    out = r.stdout.splitlines()
    assert out[1:] == ["rc=1", "rc=0"], r.stdout + r.stderr
    obj = json.loads(out[0])
    assert obj["ok"] is False and obj["status"] == "disk_full"
    assert obj["error"] == "DiskFull" and "disk full" in obj["message"]
    assert 0 < obj["duration_ms"] < 30000 and obj["sealed_sha256"]


def test_a_broken_audit_chain_is_a_failure_object_with_error_and_message(service, tmp_path):
    wav = tone(tmp_path / "tone.wav")
    assert kr("record", "--input-file", wav, "--unpaced").returncode == 0
    service.close()
    with sqlite3.connect(service.paths.database) as c:
        c.execute("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2")
    c.close()
    r = kr("--json", "audit", "verify", lang="en")
    assert r.returncode == 1
    obj = json.loads(r.stdout)
    assert obj["ok"] is False and obj["first_bad_seq"] == 2
    assert obj["error"] == "AuditChainBroken" and "seq 2" in obj["message"]
    assert "監査ログ" in json.loads(kr("--json", "audit", "verify").stdout)["message"]


def test_messages_are_japanese_by_default(service, tmp_path):
    """The details used to stay English inside the Japanese sentence."""
    wav = tone(tmp_path / "tone.wav")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    cases = [
        (("record", "--input-file", wav, "--seconds=nan"), "正の数"),
        (("record", "--input-file", wav, "--tag", "x@nan"), "コード@秒"),
        (("record", "--input-file", wav, "--tag", "conduct.mental@9"), "より後です"),
        (("record", "--input-file", str(tmp_path / "no.wav")), "見つからない"),
        (("import", str(empty)), "空です"),
        (("incident", "recordings"), "どちらか一方"),
        (("audit",), "使い方"),
    ]
    for args, words in cases:
        r = subprocess.run(
            [sys.executable, "-m", "kasuhara_recorder", *args],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "LANG": "C.UTF-8", "LC_ALL": ""},
        )  # fmt: skip
        assert r.returncode == 2 and words in r.stderr, (args, r.stderr)


def test_a_live_tag_the_locked_database_refuses_does_not_end_the_recording(service, tmp_path):
    """The tag's audit entry waits out the busy timeout; the error used to leave the command
    as a plain database error while the capture was sealed behind it. The recording now goes
    on, the tag stays in its manifest, and the warning says the audit entry is missing."""
    wav = tone(tmp_path / "tone.wav", seconds=3.0)
    db = service.paths.database
    proc = subprocess.Popen(
        [sys.executable, "-m", "kasuhara_recorder", "--lang", "en", "--json",
         "record", "--input-file", wav, "--tag", "conduct.mental@1.5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _wait_for_start_entry(service, proc)
    c = sqlite3.connect(db, isolation_level=None, timeout=30)
    c.execute("BEGIN EXCLUSIVE")
    try:
        warning = proc.stderr.readline()  # blocks until the tag's entry gave up (~30 s)
    finally:
        c.execute("ROLLBACK")
        c.close()
    assert "conduct.mental@1.5" in warning and "not in the audit log" in warning
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err
    obj = json.loads(out)
    assert [(t["code"], t["offset_ms"]) for t in obj["tags"]] == [("conduct.mental", 1500)]
    assert service.recordings.get(obj["id"]) is not None
    assert kr("audit", "verify").returncode == 0
