"""The officer works from the centre: an incident recorded on another PC is exported from the
central store, verifies, and carries the same evidence, byte for byte, as that PC's own export."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import subprocess
import sys
import zipfile

from kasuhara_recorder.bundle.wav import parse_wav_header
from kasuhara_recorder.config import RoleGrant
from kasuhara_recorder.store.incident_model import Marker
from tests.support.recordings import routine_recording

EXPORTED_AT = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))

# Members that name the exporter (its key, name, time of signing): everything else is evidence.
EXPORTER_MEMBERS = ("manifest.json", "manifest.json.sig", "SHA256SUMS", "SHA256SUMS.sig",
                    "README.txt", "incident/report.pdf", "verify.html")  # fmt: skip


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_officer_exports_another_pcs_incident_from_the_centre(central, tmp_path):
    a = central.workstation(tmp_path, "counter-a")
    b = central.workstation(tmp_path, "counter-b", department="福祉課")
    routine_recording(a, tmp_path)
    m = routine_recording(b, tmp_path, tags=(("conduct.mental", 300, "威圧的な口調"),),
                          seconds=2.0)  # fmt: skip
    inc = b.incidents.create_from_recording(m, [Marker("conduct.mental", 300, "威圧的な口調")])
    for app in (a, b):
        assert app.sync.sync().ok
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    listed = {i.id: name for i, name in officer.export._central().incidents()}
    assert listed[inc.id] == "counter-b"

    out = tmp_path / "from-centre.zip"
    officer.export.export(inc.id, central.org, out, exported_at=EXPORTED_AT)
    assert not (officer.paths.root / "central-cache" / inc.id).exists()  # cache removed
    r = subprocess.run([sys.executable, "-m", "kasuhara_recorder", "--json", "verify", str(out)],
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr

    local = tmp_path / "local.zip"
    # an evidence officer signed in at counter-b exports there (a counter worker may not)
    b.save_settings(b.settings.with_changes(roles=(RoleGrant(getpass.getuser(), "officer"),)))
    b.export.export(inc.id, central.org, local, exported_at=EXPORTED_AT)
    got, want = _members(out), _members(local)
    # The same members, but for the exporter's own key (the officer's, beside counter-b's).
    assert set(got) - set(want) == {f"keys/{officer.identity.key.fingerprint[:16]}.pem"}
    assert set(want) <= set(got)
    evidence = [n for n in want if n not in EXPORTER_MEMBERS and not n.startswith("keys/")]
    assert any(n.startswith("recordings/") and n.endswith(".wav") for n in evidence)
    assert "custody/audit.jsonl" in evidence and "incident/incident.json" in evidence
    for name in evidence:
        assert got[name] == want[name], name
    wav = got[next(n for n in evidence if n.endswith(".wav"))]
    layout = parse_wav_header(wav[:4096], len(wav))
    pcm = wav[layout.data_offset : layout.data_offset + layout.data_size]
    assert hashlib.sha256(pcm).hexdigest() == m.pcm_sha256  # the captured PCM, exactly


def test_an_incident_whose_recording_never_reached_the_centre_is_not_exported_short(
    central, tmp_path
):
    import pytest

    from kasuhara_recorder.bundle.errors import ExportRefused

    b = central.workstation(tmp_path, "counter-b")
    m = routine_recording(b, tmp_path)
    inc = b.incidents.create_from_recording(m, [Marker("conduct.mental", 100)])
    b.vault.file(m.sealed_name).unlink()  # its file lost on the PC before the sync
    assert [p.kind for p in b.sync.sync().problems] == ["unreadable"]
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    out = tmp_path / "short.zip"
    with pytest.raises(ExportRefused) as e:
        officer.export.export(inc.id, central.org, out, exported_at=EXPORTED_AT)
    assert m.id in e.value.message("ja") and "同期されていません" in e.value.message("ja")
    assert not out.exists()
    assert not (officer.paths.root / "central-cache" / inc.id).exists()
