"""`record --incident ID` and `import --incident ID`: an unknown incident is refused before any
audio is taken, and a recording made for an incident arrives in its form with its tags, as the
after-stop choice would bring it."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from tests.commands.test_incident_recordings import kr


def _tone(path, seconds=2.0):
    t = np.arange(int(48000 * seconds)) / 48000
    sf.write(path, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 48000, "PCM_16")
    return str(path)


def _sealed(service):
    return sorted(p.name for p in service.paths.vault.glob("*.age"))


def test_record_for_an_unknown_incident_is_refused_before_recording(service, tmp_path):
    wav = _tone(tmp_path / "tone.wav")
    r = kr("record", "--input-file", wav, "--unpaced", "--incident", "20990101-nope00")
    assert r.returncode == 2 and "20990101-nope00" in r.stderr and "見つかりません" in r.stderr
    assert _sealed(service) == []  # nothing recorded, nothing orphaned
    r = kr("import", wav, "--incident", "20990101-nope00")
    assert r.returncode == 2 and _sealed(service) == []


def test_a_recording_made_for_an_incident_brings_its_tags_into_the_draft(service, tmp_path):
    wav = _tone(tmp_path / "tone.wav")
    inc = service.incidents.create()
    r = kr(
        "record", "--input-file", wav, "--unpaced", "--incident", inc.id,
        "--tag", "conduct.mental@0.5", "--tag", "demand.apology@1.5",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    got = service.incidents.get(inc.id)
    assert len(got.recordings) == 1
    rid = got.recordings[0]
    assert [(m.code, m.offset_ms, m.recording_id) for m in got.draft.markers] == [
        ("conduct.mental", 500, rid),
        ("demand.apology", 1500, rid),
    ]
    assert set(got.draft.categories) >= {"conduct.mental", "demand.apology"}
    attach = [e for e in service.audit.entries() if e.event == "incident.recording_attach"]
    assert [e.data["recording"] for e in attach] == [rid]

    r = kr("import", wav, "--incident", inc.id)
    assert r.returncode == 0, r.stderr
    assert len(service.incidents.get(inc.id).recordings) == 2
    assert kr("audit", "verify").returncode == 0
