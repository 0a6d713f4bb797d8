"""The incident store through the app service and the CLI: every change is in the tables and
in the audit chain, with the incident's digest; attachments are sealed like recordings."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

from kasuhara_recorder.app.incident_service import (
    IncidentInvalid,
    IncidentLocked,
    incident_digest,
)
from kasuhara_recorder.errors import UsageError
from kasuhara_recorder.store.incident_model import (
    IncidentDraft,
    Marker,
    ResponseAction,
    StaffMember,
)

FILLED = IncidentDraft(
    occurred_at="2026-11-25T10:00:00+09:00", duration_seconds=1500, location="meeting_room",
    department="市民課", staff=(StaffMember("山田 太郎"), StaffMember("佐藤 次郎", "係長")),
    demand="手数料を返せ", validity=("validity.no_fault",), categories=("conduct.mental",),
    narrative="大声で30分怒鳴り続けた。", responses=(
        ResponseAction("response.police_call", "2026-11-25T10:20:00+09:00", "佐藤 次郎"),
    ),
    markers=(Marker("conduct.mental", 61_000, "机を叩く", "山田 太郎"),),
)  # fmt: skip


def chain(service, incident_id):
    return [
        (e.event, json.loads(e.data_json)) for e in service.audit.entries(f"incident:{incident_id}")
    ]


def test_draft_edits_and_submission_are_stored_and_chained(service):
    inc = service.incidents.create()
    assert inc.status == "draft" and inc.draft == IncidentDraft()
    saved = service.incidents.save_draft(inc.id, FILLED)
    assert saved.draft == FILLED
    submitted = service.incidents.submit(inc.id)
    assert submitted.status == "submitted" and submitted.submitted_at

    events = chain(service, inc.id)
    assert [e for e, _ in events] == ["incident.create", "incident.update", "incident.submit"]
    update = events[1][1]
    assert update["fields"]["narrative"] == FILLED.narrative
    assert update["fields"]["markers"][0]["note"] == "机を叩く"
    assert events[-1][1]["sha256"] == incident_digest(service.incidents.get(inc.id))
    assert service.verify_audit().ok


def test_submitted_incidents_are_locked_and_status_follows_the_workflow(service):
    inc = service.incidents.create(FILLED)
    service.incidents.submit(inc.id)
    with pytest.raises(IncidentLocked) as e:
        service.incidents.save_draft(inc.id, FILLED.with_changes(narrative="後から書き換え"))
    assert "提出済" in e.value.message("ja")
    service.incidents.set_status(inc.id, "reviewed")
    service.incidents.set_status(inc.id, "referred", note="警察へ照会")
    held = service.incidents.set_legal_hold(inc.id, True, "捜査のため")
    assert held.status == "referred" and held.legal_hold
    with pytest.raises(UsageError):
        service.incidents.set_status(inc.id, "nonsense")
    assert [e for e, _ in chain(service, inc.id)][-3:] == [
        "incident.status", "incident.status", "incident.legal_hold",
    ]  # fmt: skip


def test_submission_with_missing_fields_is_refused_with_field_messages(service):
    inc = service.incidents.create()
    with pytest.raises(IncidentInvalid) as e:
        service.incidents.submit(inc.id)
    assert {"narrative", "staff", "department"} <= {i.field for i in e.value.issues}
    assert "経過" in e.value.message("ja") and "course of events" in e.value.message("en")
    assert service.incidents.get(inc.id).status == "draft"


def test_file_attachment_is_sealed_for_the_organisation(service, org_identity, tmp_path):
    import pyrage

    shot = tmp_path / "sns-post.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    inc = service.incidents.create()
    att = service.incidents.add_file_attachment(inc.id, shot)
    sealed = service.paths.root / att.sealed_path
    assert b"PNG" not in sealed.read_bytes()
    assert hashlib.sha256(sealed.read_bytes()).hexdigest() == att.sealed_sha256
    assert pyrage.decrypt(sealed.read_bytes(), [org_identity]) == shot.read_bytes()
    assert att.sha256 == hashlib.sha256(shot.read_bytes()).hexdigest()
    assert service.incidents.get(inc.id).attachments == (att,)
    with pytest.raises(UsageError):
        service.incidents.add_url_attachment(inc.id, "javascript:alert(1)")


def test_autosaved_draft_survives_and_is_dropped_on_submit(service):
    inc = service.incidents.create()
    service.incidents.autosave(inc.id, FILLED)
    assert service.incidents.load_autosave(inc.id) == FILLED
    service.incidents.submit(inc.id, FILLED)
    assert service.incidents.load_autosave(inc.id) is None


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_cli_new_list_show(service, tmp_path):
    r = run_cli("incident", "new", "--json")
    assert r.returncode == 0, r.stderr
    empty_id = json.loads(r.stdout)["id"]
    f = tmp_path / "incident.json"
    f.write_text(json.dumps(FILLED.to_dict(), ensure_ascii=False), encoding="utf-8")
    r = run_cli("incident", "new", "--json-file", str(f), "--json")
    assert r.returncode == 0, r.stderr
    filled_id = json.loads(r.stdout)["id"]
    listed = json.loads(run_cli("incident", "list", "--json").stdout)["incidents"]
    assert {i["id"] for i in listed} == {empty_id, filled_id}
    shown = json.loads(run_cli("--json", "incident", "show", filled_id).stdout)["incident"]
    assert shown["narrative"] == FILLED.narrative and shown["status"] == "draft"
    from pathlib import Path

    import jsonschema  # a test dependency (pyproject.toml): never skipped

    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "docs/schema/incident.schema.json").read_text()
    )
    jsonschema.validate(shown, schema)
    f.write_text("[1, 2", encoding="utf-8")
    bad = run_cli("incident", "new", "--json-file", str(f))
    assert bad.returncode == 2 and "JSON" in bad.stderr
    missing = run_cli("incident", "show", "20990101-000000")
    assert missing.returncode == 2
