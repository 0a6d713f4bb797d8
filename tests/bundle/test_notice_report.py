"""The recording notice in the evidence bundle: a counter recording whose 告知しました was given
has it in its signed manifest inside the bundle and a line in the report PDF (pdftotext)."""

from __future__ import annotations

import json
import subprocess
import unicodedata
import zipfile

from tests.bundle.conftest import INCIDENT, PASSPHRASE, kr


def test_spoken_notice_is_in_the_bundles_manifest_and_the_report(tmp_path):
    data, pw = tmp_path / "data", tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE + "\n")
    kr(data, "keys", "init-org", "--out", str(tmp_path / "org"), "--passphrase-file", str(pw))
    kr(data, "setup", "--org-recipient", str(tmp_path / "org" / "org-recipient.txt"))
    tone = tmp_path / "tone.wav"
    subprocess.run(
        ["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(tone), "synth", "2",
         "sine", "440", "vol", "0.5"], check=True,
    )  # fmt: skip
    (tmp_path / "inc.json").write_text(json.dumps(INCIDENT, ensure_ascii=False))
    inc = json.loads(
        kr(data, "--json", "incident", "new", "--json-file", str(tmp_path / "inc.json")).stdout
    )
    rec = json.loads(
        kr(data, "--json", "record", "--input-file", str(tone), "--unpaced",
           "--notice-at", "1.3", "--incident", inc["id"]).stdout
    )  # fmt: skip
    assert rec["notice"]["kind"] == "spoken" and rec["notice"]["offset_ms"] == 1300
    out = tmp_path / "bundle.zip"
    identity = tmp_path / "org" / "org-identity.age"
    kr(data, "--json", "export", inc["id"], "--identity", str(identity),
       "--passphrase-file", str(pw), "--out", str(out))  # fmt: skip
    assert json.loads(kr(data, "--json", "verify", str(out)).stdout)["ok"]
    with zipfile.ZipFile(out) as z:
        manifest = json.loads(z.read(f"recordings/{rec['id']}.json"))
        (tmp_path / "report.pdf").write_bytes(z.read("incident/report.pdf"))
    assert manifest["notice"]["kind"] == "spoken" and manifest["notice"]["offset_ms"] == 1300
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = unicodedata.normalize("NFKC", text).replace("\n", "")
    assert "録音の告知" in text
    assert "職員が口頭で告知" in text
    assert "00:00:01.3" in text
