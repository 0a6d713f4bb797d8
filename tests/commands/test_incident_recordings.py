"""`incident recordings --unattached` and `incident attach ID RECORDING_ID` as a script uses
them: real recordings kept as routine, the CLI in its own process on the same data folder."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.recordings import routine_recording


def kr(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--lang", "ja", *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def ok_json(*args: str) -> dict:
    r = kr(*args, "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout)


def test_list_attach_and_refuse(service, tmp_path):
    tagged = routine_recording(service, tmp_path, (("conduct.mental", 300, "大声"),))
    plain = routine_recording(service, tmp_path)
    inc, other = service.incidents.create(), service.incidents.create()

    listed = ok_json("incident", "recordings", "--unattached")["recordings"]
    assert [r["id"] for r in listed] == [plain.id, tagged.id]
    assert listed[1]["tags"] == 1 and listed[1]["channel"] == "counter"
    assert listed[1]["recovered"] is False and listed[1]["incident_id"] is None
    text = kr("incident", "recordings", "--unattached").stdout
    assert tagged.id in text and "窓口" in text and "タグ1件" in text

    done = ok_json("incident", "attach", inc.id, tagged.id)
    assert done == {
        "ok": True, "id": inc.id, "recording": tagged.id, "attached": True, "markers_added": 1,
    }  # fmt: skip
    assert service.incidents.get(inc.id).draft.markers[0].note == "大声"
    again = ok_json("incident", "attach", inc.id, tagged.id)
    assert again["attached"] is False and again["markers_added"] == 0
    own = ok_json("incident", "recordings", inc.id)["recordings"]
    assert [(r["id"], r["incident_id"]) for r in own] == [(tagged.id, inc.id)]

    refused = kr("incident", "attach", other.id, tagged.id)
    assert refused.returncode == 2 and inc.id in refused.stderr and "別の事案" in refused.stderr
    missing = kr("--json", "incident", "attach", other.id, "rec-20990101-000000-000000")
    assert missing.returncode == 2
    assert json.loads(missing.stdout)["error"] == "RecordingNotFound"
    assert kr("incident", "recordings").returncode == 2  # an ID or --unattached
    assert [r["id"] for r in ok_json("incident", "recordings", "--unattached")["recordings"]] == [
        plain.id
    ]
    assert kr("audit", "verify").returncode == 0
