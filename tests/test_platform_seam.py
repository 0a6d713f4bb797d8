"""The app without POSIX: what a Windows counter PC's Python lacks is removed
(tests/support/posix_hidden.py) and the whole evidence path still works — recording sealed
as captured, a killed recorder recovered, an imported WAV, export and verification — and the
bytes are the ones Debian's `age` decrypts. A static check keeps the POSIX-only names inside
``platform_seam``."""

from __future__ import annotations

import ast
import hashlib
import json
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import kasuhara_recorder
from tests.bundle.conftest import INCIDENT, PASSPHRASE
from tests.evidence.age_tool import age_decrypt
from tests.support import posix_hidden
from tests.support.waiting import wait_until

PACKAGE = Path(kasuhara_recorder.__file__).parent
SEAM = PACKAGE / "platform_seam.py"


def windowsish(data: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run(
        [sys.executable, "-m", "tests.support.posix_hidden", "--data-dir", str(data), *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if check:
        assert r.returncode == 0, f"{args}: rc={r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def pcm_of(path: Path) -> bytes:
    data, _ = sf.read(path, dtype="int16")
    return np.ascontiguousarray(data).tobytes()


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    root = tmp_path_factory.mktemp("windowsish")
    data, pw = root / "data", root / "pass.txt"
    pw.write_text(PASSPHRASE + "\n")
    windowsish(data, "keys", "init-org", "--out", str(root / "org"), "--passphrase-file", str(pw))
    windowsish(data, "setup", "--org-recipient", str(root / "org" / "org-recipient.txt"),
               "--workstation-name", "counter-win-01")  # fmt: skip
    (root / "incident.json").write_text(json.dumps(INCIDENT, ensure_ascii=False))
    inc = json.loads(
        windowsish(
            data, "--json", "incident", "new", "--json-file", str(root / "incident.json")
        ).stdout
    )
    return root, data, pw, inc["id"]


def test_recorded_imported_recovered_exported_and_verified_without_posix(station, tmp_path):
    root, data, pw, incident = station
    identity = root / "org" / "org-identity.age"
    rng = np.random.default_rng(7)
    tone = tmp_path / "tone.wav"
    sf.write(tone, (0.3 * rng.standard_normal(48000 * 2)).astype(np.float32), 48000, "PCM_16")

    # recorded: sealed as captured, the bytes age decrypts are the ones fed in
    rec = json.loads(windowsish(data, "--json", "record", "--input-file", str(tone), "--unpaced",
                                "--incident", incident).stdout)  # fmt: skip
    assert rec["pcm_sha256"] == hashlib.sha256(pcm_of(tone)).hexdigest()
    out = tmp_path / "rec.pcm"
    run = age_decrypt(identity, PASSPHRASE, data / "vault" / f"{rec['id']}.age", out)
    assert run.returncode == 0, run.terminal
    assert out.read_bytes() == pcm_of(tone)

    # imported: byte for byte
    call = tmp_path / "call.wav"
    sf.write(call, (0.2 * rng.standard_normal(16000)).astype(np.float32), 16000, "PCM_16")
    windowsish(data, "import", "--incident", incident, str(call))

    # a recorder killed mid-recording (real time, 8 kHz) and recovered
    slow = tmp_path / "slow.wav"
    sf.write(slow, (0.2 * rng.standard_normal(8000 * 30)).astype(np.float32), 8000, "PCM_16")
    vault = data / "vault"
    before = set(vault.glob("*.age"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.posix_hidden", "--data-dir", str(data),
         "record", "--input-file", str(slow), "--incident", incident],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:

        def a_tail_is_journalled() -> bool:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            new = set(vault.glob("*.age")) - before
            if not new:
                return False
            journal = Path(f"{next(iter(new))}.journal")
            return journal.exists() and b'"tail"' in journal.read_bytes()

        wait_until(a_tail_is_journalled, timeout=60, what="the killed recorder's first tail")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        if proc.stderr:
            proc.stderr.close()
    (killed,) = set(vault.glob("*.age")) - before
    got = json.loads(windowsish(data, "--json", "recover").stdout)
    assert got["ok"] and [r["id"] for r in got["recovered"]] == [killed.name.removesuffix(".age")]
    out = tmp_path / "killed.pcm"
    run = age_decrypt(identity, PASSPHRASE, killed, out)
    assert run.returncode == 0, run.terminal
    heard = out.read_bytes()
    assert heard and pcm_of(slow).startswith(heard)  # a true prefix of what was played

    # exported (the portable named partial file: no O_TMPFILE) and verified, both without POSIX
    bundle = tmp_path / "usb" / "bundle.zip"
    bundle.parent.mkdir()
    windowsish(data, "--json", "export", incident, "--identity", str(identity),
               "--passphrase-file", str(pw), "--out", str(bundle))  # fmt: skip
    assert sorted(p.name for p in bundle.parent.iterdir()) == ["bundle.zip"]  # no partial left
    with zipfile.ZipFile(bundle) as z:
        assert sum(n.endswith(".wav") for n in z.namelist()) == 3
    verdict = json.loads(windowsish(data, "--json", "verify", str(bundle)).stdout)
    assert verdict["ok"] is True

    # and a flipped byte is still caught
    raw = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as z:
        info = next(i for i in z.infolist() if i.filename.endswith(".wav"))
    raw[info.header_offset + 30 + len(info.filename) + 200] ^= 0x01
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(raw))
    r = windowsish(data, "--json", "verify", str(bad), check=False)
    assert r.returncode == 1 and json.loads(r.stdout)["ok"] is False


def test_the_hidden_names_are_really_gone_in_the_child():
    code = (
        "import sys; from tests.support import posix_hidden as p; p.hide();\n"
        "import os\n"
        "try:\n    import fcntl\nexcept ImportError:\n    pass\nelse:\n    sys.exit(3)\n"
        f"sys.exit(4 if any(hasattr(os, n) for n in {posix_hidden.HIDDEN_OS!r}) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


# --- the static half: nothing outside the seam names what Windows lacks ------------------------
POSIX_MODULES = {"fcntl", "msvcrt", "termios", "pty", "pwd", "grp", "resource", "posix"}
POSIX_OS = set(posix_hidden.HIDDEN_OS) | {
    "uname",
    "fork",
    "setsid",
    "killpg",
    "getuid",
    "geteuid",
    "chown",
    "mkfifo",
    "sync",
    "statvfs",
}


def _looked_up_names(tree: ast.AST) -> set[int]:
    """ids of the string constants given to getattr/hasattr as the attribute's name: the way
    code reaches an os function by name (a "fork" that is a refusal's kind, or "sync" that
    names a subcommand, is no POSIX call)."""
    ids = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr") and len(node.args) >= 2):  # fmt: skip
            ids.add(id(node.args[1]))
    return ids


def offenders(source: str) -> list[str]:
    found = []
    tree = ast.parse(source)
    looked_up = _looked_up_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in POSIX_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in POSIX_MODULES:
                found.append(node.module)
            if node.module == "os":
                found += [f"os.{a.name}" for a in node.names if a.name in POSIX_OS]
        elif isinstance(node, ast.Attribute) and node.attr in POSIX_OS:
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                found.append(f"os.{node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            by_name = node.value in POSIX_OS and id(node) in looked_up
            if by_name or node.value.startswith("/proc/"):
                found.append(repr(node.value))  # getattr(os, "pread") counts too
    return found


def test_posix_only_names_live_in_the_platform_seam_only():
    bad = {
        str(p.relative_to(PACKAGE)): hits
        for p in sorted(PACKAGE.rglob("*.py"))
        if p != SEAM and (hits := offenders(p.read_text(encoding="utf-8")))
    }
    assert bad == {}


def test_the_static_check_sees_each_way_of_naming_them():
    assert offenders("import fcntl") == ["fcntl"]
    assert offenders("from os import pread") == ["os.pread"]
    assert offenders("import os\nos.fchmod(3, 0o600)") == ["os.fchmod"]
    assert offenders("import os\ngetattr(os, 'fdatasync', None)") == ["'fdatasync'"]
    assert offenders("hasattr(os, 'fork')") == ["'fork'"]
    assert offenders("KIND = 'fork'\nadd('sync', cmd)") == []  # words, not calls
    assert offenders("p = '/proc/self/fd/3'") == ["'/proc/self/fd/3'"]
    assert offenders("import os\nos.fsync(3)") == []
