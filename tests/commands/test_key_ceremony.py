"""The key ceremony through the real CLI: passphrases asked on a terminal (a pty), twice when
new, weak ones refused with the reason; recipients added and retired (each an audit entry, none
dropped silently, every recording still opening with exactly the identities it was sealed to,
checked with Debian's age); the paper backup key, read back from its QR code with zbarimg."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyrage
import pytest

from kasuhara_recorder.evidence.org_identity import unlock_identity
from tests.support.signals import tone, write_wav
from tests.support.terminal import Terminal

REPO = Path(__file__).resolve().parents[2]
STRONG = "りんご 望遠鏡 coffee 走る"  # made up for the test
OTHER = "correct horse, made at test time"


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "KASUHARA_DATA_DIR": str(data_dir), "LANG": "C.UTF-8"}


def kr(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", *args], cwd=REPO, env=_env(data_dir),
        input=stdin, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def terminal():
    made: list[Terminal] = []

    def spawn(data_dir: Path, *args: str) -> Terminal:
        t = Terminal.spawn([sys.executable, "-m", "kasuhara_recorder", *args], _env(data_dir),
                           cwd=str(REPO))  # fmt: skip
        made.append(t)
        return t

    yield spawn
    for t in made:
        t.close()


def test_init_org_asks_twice_on_the_terminal_and_refuses_a_weak_passphrase(terminal, tmp_path):
    t = terminal(tmp_path / "d", "keys", "init-org", "--out", str(tmp_path / "org"))
    at = t.expect("新しいパスフレーズ: ")
    t.type("abc")
    at = t.expect("3 文字しかありません", start=at)  # the reason, then asked again
    at = t.expect("新しいパスフレーズ: ", start=at)
    t.type("password1234")
    at = t.expect("よく使われる語", start=at)
    at = t.expect("ビット", start=at)
    at = t.expect("新しいパスフレーズ: ", start=at)
    t.type(STRONG)
    at = t.expect("もう一度入力してください: ", start=at)
    t.type(STRONG + " typo")
    at = t.expect("一致しません", start=at)
    at = t.expect("新しいパスフレーズ: ", start=at)
    t.type(STRONG)
    at = t.expect("もう一度入力してください: ", start=at)
    t.type(STRONG)
    t.expect("組織の鍵を作成しました", start=at)
    assert t.wait() == 0, t.text
    assert STRONG not in t.text and "abc\r" not in t.text  # never echoed
    identity = tmp_path / "org" / "org-identity.age"
    recipient = (tmp_path / "org" / "org-recipient.txt").read_text().strip()
    assert str(unlock_identity(identity, STRONG).to_public()) == recipient


def test_weak_passphrases_only_end_with_exit_2_and_nothing_created(terminal, tmp_path):
    from kasuhara_recorder.commands.passphrase_input import TRIES

    t = terminal(tmp_path / "d", "--lang", "en", "keys", "init-org", "--out", str(tmp_path / "o"))
    at = 0
    weak = ("abc", "aaaaaaaaaaaaaaaa", "kasuhara-sakaide-2025", "Passw0rd!2024", "1234567890123")
    for phrase in weak[:TRIES]:
        at = t.expect("New passphrase: ", start=at)
        t.type(phrase)
        at = t.expect("too weak", start=at)
    t.expect("nothing was created", start=at)
    assert t.wait() == 2
    assert not (tmp_path / "o" / "org-identity.age").exists()


def test_passphrase_from_stdin_and_a_weak_one_from_a_file_is_refused(tmp_path):
    r = kr(tmp_path / "d", "--json", "keys", "init-org", "--out", str(tmp_path / "org"),
           "--passphrase-file", "-", stdin=STRONG + "\n")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert unlock_identity(Path(json.loads(r.stdout)["identity"]), STRONG)
    weak = tmp_path / "weak.txt"
    weak.write_text("abc\n")
    r = kr(tmp_path / "d", "--json", "--lang", "en", "keys", "init-org", "--out",
           str(tmp_path / "o2"), "--passphrase-file", str(weak))  # fmt: skip
    obj = json.loads(r.stdout)
    assert r.returncode == 2 and obj["error"] == "PassphraseTooWeak"
    assert "only 3 characters" in obj["message"] and "nothing was created" in obj["message"]
    assert not (tmp_path / "o2").exists() or not any((tmp_path / "o2").iterdir())
    # no terminal and no --passphrase-file: says what to give instead
    r = kr(tmp_path / "d", "--lang", "en", "keys", "init-org", "--out", str(tmp_path / "o3"),
           stdin="")  # fmt: skip
    assert r.returncode == 2 and "--passphrase-file -" in r.stderr


def _plain_identity(identity_file: Path, passphrase: str, out: Path) -> Path:
    out.write_text(f"{unlock_identity(identity_file, passphrase)}\n")
    return out


def _age_opens(identity: Path, sealed: Path, tmp: Path) -> bytes | None:
    out = tmp / f"{sealed.stem}.{identity.stem}.out"
    r = subprocess.run(["age", "-d", "-i", str(identity), "-o", str(out), str(sealed)],
                       capture_output=True)  # fmt: skip
    return out.read_bytes() if r.returncode == 0 else None


def test_recipients_added_and_retired_never_orphan_a_recording(terminal, tmp_path):
    data = tmp_path / "d"
    for name, phrase in (("a", STRONG), ("b", OTHER)):
        r = kr(data, "keys", "init-org", "--out", str(tmp_path / name), "--passphrase-file", "-",
               stdin=phrase + "\n")  # fmt: skip
        assert r.returncode == 0, r.stderr
    rec_a = (tmp_path / "a" / "org-recipient.txt").read_text().strip()
    rec_b = (tmp_path / "b" / "org-recipient.txt").read_text().strip()
    assert kr(data, "setup", "--org-recipient", rec_a, "--workstation-name", "ws").returncode == 0
    r = kr(data, "--json", "keys", "backup", "--out", str(tmp_path / "safe"), "--label", "金庫 A")
    assert r.returncode == 0, r.stderr
    backup = json.loads(r.stdout)
    assert backup["paper_key"] not in r.stderr and "AGE-SECRET-KEY" not in r.stdout + r.stderr
    wav = write_wav(tmp_path / "in.wav", tone(440, 0.3))

    def imported() -> Path:
        r = kr(data, "--json", "import", str(wav))
        assert r.returncode == 0, r.stderr
        return Path(json.loads(r.stdout)["sealed_path"])

    first = imported()  # A only
    r = kr(data, "--json", "keys", "add-recipient", rec_b, backup["recipient_file"])
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["recipients"] == [rec_a, rec_b, backup["recipient"]]
    second = imported()  # A, B and the backup
    # a second setup that would drop recipients is refused, and changes nothing
    r = kr(data, "--json", "setup", "--org-recipient", rec_a)
    obj = json.loads(r.stdout)
    assert r.returncode == 2 and obj["error"] == "RecipientsWouldBeDropped", obj
    assert rec_b in obj["message"] and "--replace-recipients" in obj["message"]
    listed = json.loads(kr(data, "--json", "keys", "recipients").stdout)["recipients"]
    assert listed == [rec_a, rec_b, backup["recipient"]]
    # officer A leaves
    r = kr(data, "--json", "keys", "retire-recipient", rec_a)
    assert r.returncode == 0 and json.loads(r.stdout)["retired"] == [rec_a]
    third = imported()  # B and the backup
    # the last one cannot go; an unknown one is named
    assert kr(data, "keys", "retire-recipient", rec_a).returncode == 2
    # the paper key, read back from its QR code as a scanner would
    page = Path(backup["paper_key"]).read_text(encoding="utf-8")
    png = base64.b64decode(re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)[1])
    (tmp_path / "qr.png").write_bytes(png)
    assert shutil.which("zbarimg"), "zbar-tools missing: scripts/setup-system.sh installs it"
    scanned = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "qr.png")],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    assert scanned.startswith("AGE-SECRET-KEY-1") and scanned in page
    paper = tmp_path / "paper-key.txt"
    paper.write_text(scanned + "\n")
    assert str(pyrage.x25519.Identity.from_str(scanned).to_public()) == backup["recipient"]

    ids = {
        "a": _plain_identity(tmp_path / "a" / "org-identity.age", STRONG, tmp_path / "a.txt"),
        "b": _plain_identity(tmp_path / "b" / "org-identity.age", OTHER, tmp_path / "b.txt"),
        "paper": paper,
    }
    original = wav.read_bytes()
    expected = {first: {"a"}, second: {"a", "b", "paper"}, third: {"b", "paper"}}
    for sealed, who in expected.items():
        opened = {k for k, ident in ids.items() if _age_opens(ident, sealed, tmp_path)}
        assert opened == who, (sealed.name, opened)
        assert _age_opens(ids[sorted(who)[0]], sealed, tmp_path) == original
        manifest = json.loads(sealed.with_suffix(".manifest.json").read_text())
        want = {"a": rec_a, "b": rec_b, "paper": backup["recipient"]}
        assert set(manifest["recipients"]) == {want[k] for k in who}

    # every change is in the chain, which still verifies
    audit = kr(data, "--json", "audit", "verify")
    assert audit.returncode == 0, audit.stdout
    from kasuhara_recorder.app.service import AppService

    app = AppService(data)
    try:
        events = [(e.event, e.data.get("recipient")) for e in app.audit.entries()
                  if e.event.startswith("workstation.recipient")]  # fmt: skip
    finally:
        app.close()
    assert events == [
        ("workstation.recipient_added", rec_b),
        ("workstation.recipient_added", backup["recipient"]),
        ("workstation.recipient_retired", rec_a),
    ]
    # replacing the whole list needs saying so, and is entered as such
    r = kr(data, "--json", "setup", "--org-recipient", rec_a, "--replace-recipients")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["recipients"] == [rec_a]

    # the paper key restored with a new passphrase (typed on a terminal) opens the third
    t = terminal(data, "keys", "restore-backup", "--key-file", str(paper), "--out",
                 str(tmp_path / "restored"))  # fmt: skip
    at = t.expect("新しいパスフレーズ: ")
    t.type(OTHER)
    t.expect("もう一度入力してください: ", start=at)
    t.type(OTHER)
    assert t.wait() == 0, t.text
    restored = unlock_identity(tmp_path / "restored" / "org-identity.age", OTHER)
    assert pyrage.decrypt(third.read_bytes(), [restored]) == original


def test_export_asks_for_the_passphrase_on_the_terminal(terminal, tmp_path):
    from tests.bundle.conftest import PASSPHRASE, make_workstation

    ws = make_workstation(tmp_path / "ws", seconds=1.5)
    out = tmp_path / "bundle.zip"
    t = terminal(ws.data, "--data-dir", str(ws.data), "export", ws.incident_id, "--identity",
                 str(ws.identity), "--out", str(out))  # fmt: skip
    at = t.expect("パスフレーズ: ")
    t.type("not it at all")
    t.expect("パスフレーズが違います", start=at)
    assert t.wait() == 2 and not out.exists()
    t = terminal(ws.data, "--data-dir", str(ws.data), "export", ws.incident_id, "--identity",
                 str(ws.identity), "--out", str(out))  # fmt: skip
    at = t.expect("パスフレーズ: ")
    t.type(PASSPHRASE)
    at = t.expect("署名鍵のフィンガープリント", start=at)
    assert t.wait() == 0, t.text
    assert PASSPHRASE not in t.text
    assert "SHA-256" in t.text and out.is_file()
