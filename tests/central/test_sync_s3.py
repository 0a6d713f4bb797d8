"""The central store with its blobs in an S3 bucket with Object Lock (a real SeaweedFS): the
same sync, custody check and officer export as with large objects, and the object store
stopped during a sync."""

from __future__ import annotations

import datetime as dt

import pytest

from kasuhara_recorder.central.admin import S3Target, init_central
from kasuhara_recorder.central.errors import CentralUnreachable
from kasuhara_recorder.store.incident_model import Marker
from tests.support.recordings import routine_recording


def test_sync_and_officer_export_with_blobs_in_s3(central, weed, tmp_path):
    init_central(central.admin_url, s3=S3Target(weed.endpoint, "kasuhara-evidence", 3))
    a = central.workstation(tmp_path, "counter-a")
    b = central.workstation(tmp_path, "counter-b")
    routine_recording(a, tmp_path)
    m = routine_recording(b, tmp_path, tags=(("conduct.mental", 200, "大声"),))
    inc = b.incidents.create_from_recording(m, [Marker("conduct.mental", 200, "大声")])
    assert a.sync.sync().ok and b.sync.sync().ok
    assert central.sql("SELECT count(*) FROM kasuhara.blobs WHERE backend = 's3'") == "2"
    assert central.sql("SELECT count(*) FROM pg_largeobject_metadata") == "0"
    s3 = weed.client()
    try:
        versions = s3.list_object_versions(Bucket="kasuhara-evidence")["Versions"]
        assert {v["Key"] for v in versions} >= {f"blobs/{m.sealed_sha256}"}
        head = s3.head_object(Bucket="kasuhara-evidence", Key=f"blobs/{m.sealed_sha256}")
        assert head["ObjectLockMode"] == "COMPLIANCE"
    finally:
        s3.close()
    again = b.sync.sync()
    assert again.ok and "blob" not in again.sent
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    report = central.verify(officer)
    assert report.ok, report.text.en
    assert report.blob_bytes >= m.sealed_size
    out = tmp_path / "bundle.zip"
    officer.export.export(inc.id, central.org, out,
                          exported_at=dt.datetime.now().astimezone())  # fmt: skip
    assert officer.export.verify(out).ok


def test_object_store_down_during_sync_loses_nothing(central, weed, tmp_path):
    init_central(central.admin_url, s3=S3Target(weed.endpoint, "kasuhara-evidence", 3))
    a = central.workstation(tmp_path, "counter-a")
    m = routine_recording(a, tmp_path)
    weed.stop()
    try:
        with pytest.raises(CentralUnreachable):
            a.sync.sync()
        assert a.sync.status().waiting >= 1
        assert central.sql("SELECT count(*) FROM kasuhara.recordings") == "0"
    finally:
        weed.start()
    report = a.sync.sync()
    assert report.ok, report.problems
    assert central.sql(f"SELECT count(*) FROM kasuhara.recordings WHERE id = '{m.id}'") == "1"
    assert a.sync.status().waiting == 0
