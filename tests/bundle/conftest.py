"""A real workstation with one incident and one recording, exported once per test module.

Everything goes through the CLI as an officer would use it: keys init-org, setup, incident new,
record --input-file (sox tone), export.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSPHRASE = "test passphrase, made at test time"
INCIDENT = {
    "occurred_at": "2026-11-20T10:00:00+09:00",
    "location": "counter",
    "department": "市民課",
    "demand": "手数料の返金と担当者の謝罪",
    "narrative": "来庁直後から大声で返金を要求した。",
    "categories": ["conduct.mental", "demand.apology"],
    "staff": [{"name": "窓口 太郎", "role": "主担当"}, {"name": "市民 花子", "role": "同席"}],
    "responses": [
        {"code": "response.police_call", "at": "2026-11-20T10:30:00+09:00", "by": "窓口 太郎"}
    ],
}


@pytest.fixture(autouse=True)
def _session_qapp(qapp):
    """The report renderer makes a bare QGuiApplication when none exists (the CLI case); in
    the test process the session's QApplication must come first, or later widget tests abort."""
    return qapp


def kr(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if check and r.returncode != 0:
        raise AssertionError(f"{args}: rc={r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


@dataclass
class Workstation:
    root: Path
    data: Path
    identity: Path
    passphrase_file: Path
    incident_id: str
    recording_id: str
    pcm_sha256: str

    def export(self, out: Path, *extra: str, check: bool = True) -> subprocess.CompletedProcess:
        return kr(
            self.data, "--json", "export", self.incident_id, "--identity", str(self.identity),
            "--passphrase-file", str(self.passphrase_file), "--out", str(out), *extra,
            check=check,
        )  # fmt: skip


def make_workstation(
    root: Path, seconds: float = 2.0, setup_extra: tuple[str, ...] = ()
) -> Workstation:
    root.mkdir(parents=True, exist_ok=True)
    data = root / "data"
    pw = root / "pass.txt"
    pw.write_text(PASSPHRASE + "\n")
    kr(data, "keys", "init-org", "--out", str(root / "org"), "--passphrase-file", str(pw))
    kr(data, "setup", "--org-recipient", str(root / "org" / "org-recipient.txt"),
       "--workstation-name", "counter-test-01", *setup_extra)  # fmt: skip
    tone = root / "tone.wav"
    subprocess.run(
        ["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(tone), "synth", str(seconds),
         "sine", "300-3000", "vol", "0.5"], check=True,
    )  # fmt: skip
    inc_file = root / "incident.json"
    inc_file.write_text(json.dumps(INCIDENT, ensure_ascii=False))
    inc = json.loads(kr(data, "--json", "incident", "new", "--json-file", str(inc_file)).stdout)
    rec = json.loads(
        kr(data, "--json", "record", "--input-file", str(tone), "--unpaced",
           "--tag", "conduct.mental@0.5", "--tag", "demand.apology@1.2",
           "--incident", inc["id"]).stdout
    )  # fmt: skip
    return Workstation(
        root, data, root / "org" / "org-identity.age", pw, inc["id"], rec["id"], rec["pcm_sha256"]
    )


@pytest.fixture(scope="module")
def workstation(tmp_path_factory) -> Workstation:
    return make_workstation(tmp_path_factory.mktemp("ws"))


@pytest.fixture(scope="module")
def good_bundle(workstation, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "bundle.zip"
    workstation.export(out, "--recipient", "police")
    return out
