"""Retention with a clock the test controls: routine recordings past their period go, an
incident's evidence stays while it is open or held and goes once closed long enough; every
deletion is one audit entry and the chain still verifies; a dry run deletes nothing."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys

import pytest

from kasuhara_recorder.app.roles import RoleRefused
from kasuhara_recorder.config import RoleGrant
from tests.store.test_incidents import FILLED
from tests.support.recordings import routine_recording

NOW = dt.datetime.now().astimezone()


def at(days: float):
    return lambda: NOW + dt.timedelta(days=days)


def sealed_files(app, rid):
    return [p for p in app.vault.audio_files(rid) if p.exists()]


def closed_incident(app, manifest):
    inc = app.incidents.create(FILLED)
    app.incidents.attach_existing_recording(inc.id, manifest.id)
    app.incidents.submit(inc.id)
    for status in ("reviewed", "closed"):
        app.incidents.set_status(inc.id, status)
    return app.incidents.get(inc.id)


def test_routine_recordings_go_after_their_period_and_the_chain_says_why(service, tmp_path):
    old = routine_recording(service, tmp_path)
    size = service.vault.sealed(old.id).stat().st_size
    service.retention.clock = at(29)
    assert service.retention.run().purged == ()  # not yet: 30 days by default
    service.retention.clock = at(31)

    dry = service.retention.run(dry_run=True)
    assert [(i.kind, i.id, i.rule) for i in dry.plan.items] == [("recording", old.id, "routine")]
    # the sealed file and its journal: the space the dry run says it frees
    assert dry.plan.size > size and dry.purged == () and service.vault.sealed(old.id).exists()

    done = service.retention.run()
    assert done.purged == (f"recording:{old.id}",) and done.freed == dry.plan.size
    assert sealed_files(service, old.id) == []
    # the row and its signed manifest stay: the record that the recording existed
    assert service.recordings.get(old.id).pcm_sha256 == old.pcm_sha256
    (entry,) = [e for e in service.audit.entries() if e.event == "retention.purge"]
    assert entry.subject == f"recording:{old.id}"
    assert entry.data["sealed_sha256"] == old.sealed_sha256 and entry.data["sealed_size"] == size
    assert entry.data["rule"] == "routine" and entry.data["rule_days"] == 30
    assert "30 日" in entry.data["reason"]
    assert service.verify_audit().ok
    # a second run finds nothing more to do and writes nothing
    n = len(service.audit.entries())
    assert service.retention.run().purged == () and len(service.audit.entries()) == n


def test_incident_evidence_stays_while_open_or_held_and_goes_once_closed_long_enough(
    service, tmp_path
):
    open_rec = routine_recording(service, tmp_path)
    open_inc = service.incidents.create(FILLED)
    service.incidents.attach_existing_recording(open_inc.id, open_rec.id)
    held_rec = routine_recording(service, tmp_path)
    held = closed_incident(service, held_rec)
    service.incidents.set_legal_hold(held.id, True, reason="訴訟予定のため")
    closed_rec = routine_recording(service, tmp_path)
    closed = closed_incident(service, closed_rec)
    att_file = tmp_path / "letter.txt"
    att_file.write_text("警告書の写し", encoding="utf-8")

    # whatever the date, the held and the open incident's recordings stay
    for days in (31, 365, 1826, 1827, 36500):
        service.retention.clock = at(days)
        plan = service.retention.run(dry_run=True).plan
        ids = {i.id for i in plan.items}
        assert open_rec.id not in ids and held_rec.id not in ids
        assert (closed_rec.id in ids) == (days > 1826)
        assert plan.held == ((held.id,) if days > 1826 else ())

    service.retention.clock = at(1827)
    done = service.retention.run()
    assert done.purged == (f"recording:{closed_rec.id}",)
    assert sealed_files(service, closed_rec.id) == []
    assert service.vault.sealed(open_rec.id).exists() and service.vault.sealed(held_rec.id).exists()
    entry = [e for e in service.audit.entries() if e.event == "retention.purge"][-1]
    assert entry.data["incident"] == closed.id and entry.data["rule"] == "closed"
    assert service.verify_audit().ok


def test_a_closed_incidents_file_attachments_go_with_its_recordings(service, tmp_path):
    rec = routine_recording(service, tmp_path)
    inc = service.incidents.create(FILLED)
    service.incidents.attach_existing_recording(inc.id, rec.id)
    letter = tmp_path / "letter.txt"
    letter.write_text("警告書の写し", encoding="utf-8")
    att = service.incidents.add_file_attachment(inc.id, letter)
    service.incidents.submit(inc.id)
    for status in ("reviewed", "closed"):
        service.incidents.set_status(inc.id, status)
    sealed = service.paths.root / att.sealed_path
    assert sealed.exists()
    service.retention.clock = at(1827)
    done = service.retention.run()
    assert set(done.purged) == {f"recording:{rec.id}", f"attachment:{att.id}"}
    assert not sealed.exists()
    e = [e for e in service.audit.entries() if e.subject == f"attachment:{att.id}"][-1]
    assert e.event == "retention.purge" and e.data["sha256"] == att.sha256
    assert service.verify_audit().ok


def test_a_hold_set_after_the_plan_keeps_the_item(service, tmp_path, monkeypatch):
    rec = routine_recording(service, tmp_path)
    inc = closed_incident(service, rec)
    service.retention.clock = at(1827)
    plan = service.retention.plan

    # The hold arrives between the plan and the deletion (a supervisor on another PC).
    def plan_then_hold():
        p = plan()
        service.incidents.set_legal_hold(inc.id, True, reason="弁護士相談中")
        return p

    monkeypatch.setattr(service.retention, "plan", plan_then_hold)
    assert service.retention.run().purged == ()
    assert service.vault.sealed(rec.id).exists()


def test_a_run_interrupted_after_the_audit_entry_finishes_the_deletion_next_time(
    service, tmp_path, monkeypatch
):
    # A fault between the committed entry and the unlink cannot be caused for real without
    # killing the process at that instant: the unlink is made to fail once (a mock, said so).
    rec = routine_recording(service, tmp_path)
    service.retention.clock = at(31)
    real = service.vault.remove_files

    def fail(_paths):
        raise OSError("simulated crash before the unlink")

    monkeypatch.setattr(type(service.vault), "remove_files", staticmethod(fail))
    with pytest.raises(OSError):
        service.retention.run()
    assert service.vault.sealed(rec.id).exists()  # the file is still there, but marked
    assert [e.event for e in service.audit.entries()][-1] == "retention.purge"
    monkeypatch.setattr(type(service.vault), "remove_files", staticmethod(real))
    result = service.retention.run()
    assert result.purged == () and result.freed > 0  # nothing new, the leftover removed
    assert sealed_files(service, rec.id) == []
    assert [e.event for e in service.audit.entries()].count("retention.purge") == 1


def test_only_an_officer_runs_retention_by_hand_once_roles_are_set_up(service, tmp_path):
    routine_recording(service, tmp_path)
    service.save_settings(service.settings.with_changes(
        roles=(RoleGrant("someone-else", "officer"),)))  # fmt: skip
    service.retention.clock = at(31)
    with pytest.raises(RoleRefused) as e:
        service.retention.run()
    assert "保存期間による削除" in e.value.message("ja")
    assert len(service.retention.run(dry_run=True).plan.items) == 1  # a dry run is fine
    assert len(service.retention.run(trigger="app_start").purged) == 1  # the app itself may


def test_cli_dry_run_lists_and_run_deletes_and_the_chain_verifies(service, tmp_path):
    rec = routine_recording(service, tmp_path)
    inc = closed_incident(service, rec)
    service.close()
    # An incident closed six years ago: its time is a column, not a signed value, so the test
    # can date it back (the CLI runs on the real clock).
    old = (NOW - dt.timedelta(days=6 * 365)).isoformat(timespec="milliseconds")
    with sqlite3.connect(service.paths.database) as db:
        db.execute("UPDATE incidents SET updated_at = ? WHERE id = ?", (old, inc.id))
    cmd = [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(service.paths.root)]

    def cli(*args):
        return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120)

    dry = cli("retention", "run", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    out = json.loads(dry.stdout)
    assert [(i["id"], i["rule"]) for i in out["items"]] == [(rec.id, "closed")]
    assert out["size"] > 0 and service.vault.sealed(rec.id).exists()
    ran = cli("--lang", "ja", "retention", "run")
    assert ran.returncode == 0, ran.stderr
    assert "1 件を削除" in ran.stdout and rec.id in ran.stdout
    assert not service.vault.sealed(rec.id).exists()
    assert cli("audit", "verify").returncode == 0
