"""The whole road through the command line, as IT, staff and the evidence officer use it: three
counter PCs record (through the PulseAudio null sink) and import files while offline, join the
central store and sync; the officer, on a fourth PC, exports an incident recorded on the second
from the centre. The bundle verifies, its WAV data is the captured PCM, and its evidence equals
the second PC's own export."""

from __future__ import annotations

import getpass
import hashlib
import json
import zipfile

import numpy as np
import pytest

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.config import RoleGrant
from tests.bundle.conftest import INCIDENT, PASSPHRASE, kr
from tests.support.signals import aligned_correlation, sweep, tone, write_wav

EVIDENCE_PREFIXES = ("recordings/", "custody/", "incident/incident.json", "attachments/")


def _evidence(bundle) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith(EVIDENCE_PREFIXES)}


@pytest.mark.parametrize("blobs", ["large-objects", "s3"])
def test_three_pcs_offline_then_synced_and_exported_by_the_officer(
    blobs, pulse_sink, pg_server, tmp_path, monkeypatch, request
):
    monkeypatch.setenv("PGPASSFILE", str(pg_server.passfile))
    db = pg_server.new_database()
    admin = pg_server.url(database=db)
    s3: list[str] = []
    if blobs == "s3":
        weed = request.getfixturevalue("weed")
        s3 = ["--s3-endpoint", weed.endpoint, "--s3-bucket", "kasuhara-evidence"]
    out = json.loads(kr(tmp_path, "--json", "central", "init", "--url", admin, *s3).stdout)
    assert out["ok"] and out["version"] >= 1
    org, pw = tmp_path / "org", tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE + "\n")
    kr(tmp_path / "org-pc", "keys", "init-org", "--out", str(org), "--passphrase-file", str(pw))

    pcs = []
    for n in (1, 2, 3):
        data = tmp_path / f"pc{n}"
        kr(data, "setup", "--org-recipient", str(org / "org-recipient.txt"),
           "--workstation-name", f"counter-{n:02d}")  # fmt: skip
        pcs.append(data)
    # Offline: PC1 and PC3 import files, PC2 records a sweep through the null sink.
    for data in (pcs[0], pcs[2]):
        wav = write_wav(data.parent / f"{data.name}.wav", tone(440, 1.5, amplitude=0.3))
        assert json.loads(kr(data, "--json", "import", str(wav)).stdout)["ok"]
    inc_file = tmp_path / "incident.json"
    inc_file.write_text(json.dumps(INCIDENT, ensure_ascii=False))
    incident_id = json.loads(
        kr(pcs[1], "--json", "incident", "new", "--json-file", str(inc_file)).stdout
    )["id"]
    played = sweep(200.0, 6000.0, 2.0)
    app = AppService(pcs[1])
    try:
        session = app.recording.start("counter", incident_id=incident_id)
        assert session.recorder.wait_for_audio(10)
        pulse_sink.play_and_wait(write_wav(tmp_path / "sweep.wav", played))
        session.tag("conduct.intimidation")
        manifest = session.stop()
    finally:
        app.close()

    # IT gives each PC a login; the PCs join and sync.
    for n, data in enumerate(pcs, start=1):
        login = pg_server.add_login(f"pc{n:02d}_{db[-6:]}")
        kr(tmp_path, "central", "grant", login, "--role", "counter", "--url", admin)
        joined = json.loads(
            kr(data, "--json", "setup", "--central", pg_server.url(login, db)).stdout
        )
        assert joined["outcome"] == "registered"
        synced = json.loads(kr(data, "--json", "sync").stdout)
        assert synced["ok"] and synced["sent"]["recording"] == 1
        assert "password" not in (data / "settings.json").read_text()
    officer_login = pg_server.add_login(f"officer_{db[-6:]}")
    for role in ("officer", "counter"):
        kr(tmp_path, "central", "grant", officer_login, "--role", role, "--url", admin)
    officer = tmp_path / "officer"
    kr(officer, "setup", "--org-recipient", str(org / "org-recipient.txt"),
       "--workstation-name", "officer-01",
       "--central", pg_server.url(officer_login, db))  # fmt: skip

    bundle = tmp_path / "from-centre.zip"
    kr(officer, "export", incident_id, "--identity", str(org / "org-identity.age"),
       "--passphrase-file", str(pw), "--out", str(bundle))  # fmt: skip
    assert kr(officer, "verify", str(bundle), check=False).returncode == 0
    with zipfile.ZipFile(bundle) as z:
        wav = z.read(f"recordings/{manifest.id}.wav")
    pcm = wav[44:]
    assert hashlib.sha256(pcm).hexdigest() == manifest.pcm_sha256
    corr, _ = aligned_correlation(played, np.frombuffer(pcm, "<i2").astype(np.float32) / 32768)
    assert corr >= 0.95

    local = tmp_path / "local.zip"
    # an evidence officer signed in at the PC exports there too (a counter worker may not)
    pc = AppService(pcs[1])
    pc.save_settings(pc.settings.with_changes(roles=(RoleGrant(getpass.getuser(), "officer"),)))
    pc.close()
    kr(pcs[1], "export", incident_id, "--identity", str(org / "org-identity.age"),
       "--passphrase-file", str(pw), "--out", str(local))  # fmt: skip
    assert _evidence(bundle) == _evidence(local)
    kr(officer, "sync")
    checked = json.loads(kr(officer, "--json", "audit", "verify", "--central").stdout)
    assert checked["ok"] and checked["workstations"] == 4 and checked["recordings"] == 3
    backends = pg_server.admin("SELECT DISTINCT backend FROM kasuhara.blobs", db)
    assert backends == ("s3" if blobs == "s3" else "pg")
