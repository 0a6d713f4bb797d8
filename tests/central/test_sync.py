"""Offline-first sync of real workstations into a real central PostgreSQL store."""

from __future__ import annotations

import hashlib

from tests.support.recordings import routine_recording


def test_two_workstations_sync_and_the_central_chains_verify(central, tmp_path):
    from kasuhara_recorder.central.verify import verify_central

    a = central.workstation(tmp_path, "counter-a")
    b = central.workstation(tmp_path, "counter-b")
    ma = routine_recording(a, tmp_path, tags=(("conduct.mental", 200, "大声"),))
    mb = routine_recording(b, tmp_path)
    ra, rb = a.sync.sync(), b.sync.sync()
    assert ra.ok and rb.ok, (ra.problems, rb.problems)
    assert ra.sent.get("recording") == 1 and rb.sent.get("recording") == 1
    # Again: nothing is sent twice.
    again = a.sync.sync()
    assert again.ok and "recording" not in again.sent and "blob" not in again.sent
    n = central.sql(f"SELECT count(*) FROM kasuhara.recordings WHERE id IN ('{ma.id}', '{mb.id}')")
    assert n == "2"
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    assert officer.sync.sync().ok
    with officer.sync.open_client() as client:
        report = verify_central(client)
        blob = b"".join(client.blobs.open(ma.sealed_sha256))
    assert report.ok, report.text.en
    assert report.workstations == 3 and report.recordings == 2
    assert hashlib.sha256(blob).hexdigest() == ma.sealed_sha256
    assert a.sync.status().waiting == 0


def test_an_incident_edited_after_a_sync_becomes_its_next_version_and_later_tags_follow(
    central, tmp_path
):
    from kasuhara_recorder.evidence.manifest import TagEntry
    from kasuhara_recorder.store.incident_model import Marker

    a = central.workstation(tmp_path, "counter-a")
    m = routine_recording(a, tmp_path)
    inc = a.incidents.create_from_recording(m, [Marker("conduct.mental", 100)])
    assert a.sync.sync().ok
    a.incidents.save_draft(inc.id, inc.draft.with_changes(narrative="大声で威圧した。"))
    a.recordings.add_tag(m.id, TagEntry("conduct.intimidation", 700, "机を叩いた", "窓口"))
    report = a.sync.sync()
    assert report.ok and report.sent.get("incident") == 1 and report.sent.get("tags") == 1
    rows = central.sql(f"SELECT version, status FROM kasuhara.incident_versions WHERE "
                       f"incident_id = '{inc.id}' ORDER BY version")  # fmt: skip
    assert rows.splitlines() == ["1|draft", "2|draft"]
    body = central.sql(f"SELECT body_json FROM kasuhara.incident_versions WHERE incident_id = "
                       f"'{inc.id}' AND version = 2")  # fmt: skip
    assert "大声で威圧した。" in body
    tags = central.sql(f"SELECT code, offset_ms, note FROM kasuhara.recording_tags WHERE "
                       f"recording_id = '{m.id}'")  # fmt: skip
    assert tags == "conduct.intimidation|700|机を叩いた"
    assert a.sync.sync().sent == {}  # nothing changed: nothing sent


def test_a_sealed_file_gone_from_this_pc_is_said_and_the_rest_still_goes(central, tmp_path):
    a = central.workstation(tmp_path, "counter-a")
    gone = routine_recording(a, tmp_path)
    kept = routine_recording(a, tmp_path)
    a.vault.file(gone.sealed_name).unlink()  # a disk error, an over-eager cleanup
    report = a.sync.sync()
    assert [p.kind for p in report.problems] == ["unreadable"]
    assert gone.id in report.problems[0].detail.ja
    ids = central.sql("SELECT id FROM kasuhara.recordings").split()
    assert ids == [kept.id]
    assert int(central.sql("SELECT count(*) FROM kasuhara.audit_entries")) > 0  # chain went too
