"""Organisation keys and workstation set-up through the real CLI, plus import: clear errors
(exit 2, Japanese, no traceback), the passphrase identity opened by Debian age."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pyrage
import pytest

from kasuhara_recorder.evidence.org_identity import (
    BadRecipient,
    DamagedIdentity,
    WrongPassphrase,
    parse_recipient,
    unlock_identity,
)
from tests.evidence.age_tool import age_decrypt
from tests.evidence.schemas import validate
from tests.support.signals import tone, write_wav

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, data_dir: Path, lang: str = "ja") -> subprocess.CompletedProcess:
    env = {**os.environ, "KASUHARA_DATA_DIR": str(data_dir), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--lang", lang, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_init_org_then_age_opens_a_recording_with_the_passphrase(tmp_path):
    (tmp_path / "pass.txt").write_text("合言葉 for the test\n", encoding="utf-8")
    r = run_cli(
        "--json",
        "keys",
        "init-org",
        "--out",
        str(tmp_path / "org"),
        "--passphrase-file",
        str(tmp_path / "pass.txt"),
        data_dir=tmp_path / "d",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["recipient"].startswith("age1")
    ident_file = Path(out["identity"])
    assert ident_file.stat().st_mode & 0o777 == 0o600
    assert b"AGE-SECRET-KEY" not in ident_file.read_bytes()  # encrypted at rest
    sealed = tmp_path / "m.age"
    sealed.write_bytes(pyrage.encrypt(b"evidence bytes", [pyrage.x25519.Recipient.from_str(
        out["recipient"])]))  # fmt: skip
    run = age_decrypt(ident_file, "合言葉 for the test", sealed, tmp_path / "plain")
    assert run.returncode == 0, run.terminal
    assert (tmp_path / "plain").read_bytes() == b"evidence bytes"
    # the same identity through the app's own unlock
    ident = unlock_identity(ident_file, "合言葉 for the test")
    assert pyrage.decrypt(sealed.read_bytes(), [ident]) == b"evidence bytes"
    # refuses to overwrite it
    r = run_cli(
        "keys",
        "init-org",
        "--out",
        str(tmp_path / "org"),
        "--passphrase-file",
        str(tmp_path / "pass.txt"),
        data_dir=tmp_path / "d",
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_wrong_passphrase_is_a_clear_error(org):
    with pytest.raises(WrongPassphrase) as e:
        unlock_identity(org.files.identity, "not the passphrase")
    assert e.value.exit_code == 2
    assert "パスフレーズが違います" in e.value.message("ja")


@pytest.mark.parametrize("damage", ["truncate", "flip_payload", "not_age"])
def test_damaged_identity_is_a_clear_error(tmp_path, org, damage):
    raw = bytearray(org.files.identity.read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) - 20]
    elif damage == "flip_payload":
        raw[-3] ^= 0x10
    else:
        raw = bytearray(b"AGE-SECRET-KEY-1 this is not an encrypted identity\n")
    bad = tmp_path / "damaged.age"
    bad.write_bytes(raw)
    with pytest.raises(DamagedIdentity) as e:
        unlock_identity(bad, org.passphrase)
    assert "壊れて" in e.value.message("ja") and e.value.exit_code == 2


@pytest.mark.parametrize("text", ["age1", "age1qqqq", "AGE-SECRET-KEY-1ABC", "ssh-ed25519 AAAA"])
def test_bad_recipient_strings_are_refused(text):
    with pytest.raises(BadRecipient):
        parse_recipient(text)


def test_setup_with_a_bad_recipient_exits_2_in_japanese_without_traceback(tmp_path):
    r = run_cli("setup", "--org-recipient", "age1notakey", data_dir=tmp_path / "d")
    assert r.returncode == 2
    assert "受取人の公開鍵が正しくありません" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert not (tmp_path / "d" / "settings.json").exists()


def test_setup_prints_the_fingerprint_and_keeps_no_private_org_key(tmp_path, org):
    rec_file = tmp_path / "recipients.txt"
    second = str(pyrage.x25519.Identity.generate().to_public())
    rec_file.write_text(f"# officers\n{org.recipient}\n{second}\n")
    r = run_cli(
        "--json",
        "setup",
        "--org-recipient",
        str(rec_file),
        "--workstation-name",
        "本庁舎1階窓口",
        data_dir=tmp_path / "d",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["recipients"] == [org.recipient, second]
    assert len(out["fingerprint"]) == 64
    # a second set-up that would drop an active recipient is refused (issue 10) ...
    r = run_cli("setup", "--org-recipient", org.recipient, data_dir=tmp_path / "d")
    assert r.returncode == 2 and second in r.stderr and "--replace-recipients" in r.stderr
    r = run_cli("--json", "setup", "--org-recipient", str(rec_file), data_dir=tmp_path / "d")
    assert json.loads(r.stdout)["recipients"] == [org.recipient, second]  # unchanged
    # ... and done when asked for
    r = run_cli("setup", "--org-recipient", org.recipient, "--replace-recipients",
                data_dir=tmp_path / "d")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert out["fingerprint"] in r.stdout  # same key the second time
    for p in (tmp_path / "d").rglob("*"):
        if p.is_file():
            assert b"AGE-SECRET-KEY" not in p.read_bytes(), p


def test_import_seals_the_original_byte_for_byte_and_enters_the_chain(tmp_path, org):
    d = tmp_path / "d"
    assert run_cli("setup", "--org-recipient", org.recipient, data_dir=d).returncode == 0
    wav = write_wav(tmp_path / "ic-recorder 001.wav", tone(440, 1.5))
    r = run_cli("--json", "import", str(wav), data_dir=d)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["sha256"] == hashlib.sha256(wav.read_bytes()).hexdigest()
    sealed = Path(out["sealed_path"])
    assert hashlib.sha256(sealed.read_bytes()).hexdigest() == out["sealed_sha256"]
    run = age_decrypt(org.files.identity, org.passphrase, sealed, tmp_path / "back.wav")
    assert run.returncode == 0, run.terminal
    assert (tmp_path / "back.wav").read_bytes() == wav.read_bytes()
    manifest = json.loads((sealed.parent / f"{out['id']}.manifest.json").read_bytes())
    validate(manifest, "recording-manifest.schema.json")
    assert manifest["status"] == "imported" and manifest["channel"] == "import"
    assert manifest["import"]["original_name"] == "ic-recorder 001.wav"
    assert manifest["import"]["original_size"] == wav.stat().st_size
    assert manifest["samplerate"] == 48000 and manifest["frames"] == 72000
    r = run_cli("--json", "audit", "verify", data_dir=d)
    assert r.returncode == 0 and json.loads(r.stdout)["entries_checked"] == 2


def test_import_of_a_missing_file_seals_nothing(tmp_path, org):
    d = tmp_path / "d"
    assert run_cli("setup", "--org-recipient", org.recipient, data_dir=d).returncode == 0
    wav = write_wav(tmp_path / "a.wav", tone(440, 0.2))
    r = run_cli("import", str(wav), str(tmp_path / "missing.wav"), data_dir=d)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert list((d / "vault").glob("*.age")) == []


def test_import_before_setup_says_to_run_setup(tmp_path):
    wav = write_wav(tmp_path / "a.wav", tone(440, 0.2))
    r = run_cli("import", str(wav), data_dir=tmp_path / "d")
    assert r.returncode == 2
    assert "setup" in r.stderr and "Traceback" not in r.stderr
