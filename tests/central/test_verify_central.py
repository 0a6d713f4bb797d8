"""``audit verify --central`` finds what a database administrator could still do behind the
app's back (a superuser can disable triggers): each problem named with workstation and seq."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.recordings import routine_recording


@pytest.fixture
def synced(central, tmp_path):
    a = central.workstation(tmp_path, "counter-a")
    m = routine_recording(a, tmp_path)
    assert a.sync.sync().ok
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    assert officer.sync.sync().ok
    return a, m, officer


def _verify(officer) -> tuple[int, dict]:
    r = subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(officer.paths.root),
         "--json", "audit", "verify", "--central"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return r.returncode, json.loads(r.stdout)


def test_an_intact_central_store_verifies(synced):
    _, m, officer = synced
    rc, out = _verify(officer)
    assert rc == 0 and out["ok"], out
    assert out["workstations"] == 2 and out["recordings"] == 1
    assert out["blob_bytes"] == m.sealed_size  # every blob read back in full


def test_a_large_object_changed_by_the_administrator_is_found(synced, central):
    a, m, officer = synced
    loid = central.sql(f"SELECT loid FROM kasuhara.blobs WHERE sha256 = '{m.sealed_sha256}'")
    central.sql(f"SELECT lo_put({loid}, 200, '\\xdeadbeef'::bytea)")  # a real flipped range
    rc, out = _verify(officer)
    assert rc == 1 and not out["ok"]
    blob = [p for p in out["problems"] if p["kind"] == "blob"]
    assert blob and blob[0]["workstation"] == "counter-a"
    assert m.id in blob[0]["detail"]


def test_an_entry_edited_with_triggers_disabled_is_found(synced, central):
    a, _, officer = synced
    fp = a.identity.key.fingerprint
    central.sql(
        "ALTER TABLE kasuhara.audit_entries DISABLE TRIGGER ALL; "
        f"UPDATE kasuhara.audit_entries SET actor = '別人' WHERE workstation = '{fp}' AND seq = 2; "
        "ALTER TABLE kasuhara.audit_entries ENABLE TRIGGER ALL"
    )
    rc, out = _verify(officer)
    assert rc == 1
    chain = [p for p in out["problems"] if p["kind"] == "chain"]
    assert chain == [{"kind": "chain", "workstation": "counter-a", "seq": 2,
                      "detail": chain[0]["detail"]}]  # fmt: skip


def test_an_entry_signed_by_an_unregistered_key_is_found(synced, central):
    _, _, officer = synced
    stranger = "f" * 64
    central.sql(
        "ALTER TABLE kasuhara.audit_entries DISABLE TRIGGER ALL; "
        "INSERT INTO kasuhara.audit_entries (workstation, seq, time, actor, event, subject, "
        "data_json, data_sha256, prev_hash, hash, signature) VALUES "
        f"('{stranger}', 1, '2026-12-01T10:00:00+09:00', 'x', 'recording.create', 'x', '{{}}', "
        f"'{'0' * 64}', '{'0' * 64}', '{'1' * 64}', '{'2' * 128}'); "
        "ALTER TABLE kasuhara.audit_entries ENABLE TRIGGER ALL"
    )
    rc, out = _verify(officer)
    assert rc == 1
    assert [p["kind"] for p in out["problems"]] == ["unknown_key"]
    assert out["problems"][0]["workstation"] == stranger and out["problems"][0]["seq"] == 1
