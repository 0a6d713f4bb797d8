"""The whole chain with a real microphone path: a sweep played into the PulseAudio null sink is
recorded by the app, attached to an incident, exported, and comes out of the bundle intact."""

from __future__ import annotations

import hashlib
import json
import subprocess
import zipfile

import numpy as np

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.evidence.org_identity import unlock_identity
from tests.bundle.conftest import INCIDENT, PASSPHRASE, kr
from tests.support.signals import aligned_correlation, sweep, write_wav


def test_recorded_from_the_null_sink_exported_and_verified(pulse_sink, tmp_path):
    data, pw = tmp_path / "data", tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE + "\n")
    kr(data, "keys", "init-org", "--out", str(tmp_path / "org"), "--passphrase-file", str(pw))
    kr(data, "setup", "--org-recipient", str(tmp_path / "org" / "org-recipient.txt"))
    inc_file = tmp_path / "incident.json"
    inc_file.write_text(json.dumps(INCIDENT, ensure_ascii=False))
    incident_id = json.loads(
        kr(data, "--json", "incident", "new", "--json-file", str(inc_file)).stdout
    )["id"]

    played = sweep(200.0, 6000.0, 2.0)
    app = AppService(data)
    try:
        session = app.recording.start("counter", incident_id=incident_id)
        assert session.recorder.wait_for_audio(10)
        pulse_sink.play_and_wait(write_wav(tmp_path / "sweep.wav", played))
        session.tag("conduct.intimidation")
        manifest = session.stop()
    finally:
        app.close()
    assert manifest.status == "complete" and manifest.dropped_frames == 0

    bundle = tmp_path / "bundle.zip"
    kr(data, "export", incident_id, "--identity", str(tmp_path / "org" / "org-identity.age"),
       "--passphrase-file", str(pw), "--out", str(bundle))  # fmt: skip
    assert kr(data, "verify", str(bundle), check=False).returncode == 0

    # The WAV in the bundle is what Debian's age decrypts from the vault, and it holds the sweep.
    key = tmp_path / "id.txt"
    key.write_text(f"{unlock_identity(tmp_path / 'org' / 'org-identity.age', PASSPHRASE)}\n")
    pcm = subprocess.run(
        ["age", "-d", "-i", str(key), str(data / "vault" / f"{manifest.id}.age")],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    with zipfile.ZipFile(bundle) as z:
        wav = z.read(f"recordings/{manifest.id}.wav")
    assert wav[44:] == pcm
    assert hashlib.sha256(pcm).hexdigest() == manifest.pcm_sha256
    corr, _ = aligned_correlation(played, np.frombuffer(pcm, "<i2").astype(np.float32) / 32768)
    assert corr >= 0.95
