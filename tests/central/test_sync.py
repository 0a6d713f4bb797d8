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
    client = officer.sync.open_client()
    try:
        report = verify_central(client)
        blob = b"".join(client.blobs.open(ma.sealed_sha256))
    finally:
        client.close()
    assert report.ok, report.text.en
    assert report.workstations == 3 and report.recordings == 2
    assert hashlib.sha256(blob).hexdigest() == ma.sealed_sha256
    assert a.sync.status().waiting == 0
