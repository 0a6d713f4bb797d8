"""Retention and the central store: a recording deleted by retention before it was ever sent
is not sent (nothing to send), the sync is clean, and the central custody check accepts the
chain that says it went."""

from __future__ import annotations

import datetime as dt
import getpass

import psycopg
import pytest

from kasuhara_recorder.config import RoleGrant
from tests.support.recordings import routine_recording


def test_a_recording_purged_before_its_first_sync_is_not_sent_and_the_chain_verifies(
    central, tmp_path
):
    a = central.workstation(tmp_path, "counter-a")
    gone = routine_recording(a, tmp_path)
    kept = routine_recording(a, tmp_path)
    # a clock between the two recordings' 30th day: only the first is due (the period is
    # measured from each recording's end; the second began after the first ended)
    first_end = dt.datetime.fromisoformat(gone.ended_at)
    second_end = dt.datetime.fromisoformat(kept.ended_at)
    assert first_end < second_end
    a.retention.clock = lambda: first_end + dt.timedelta(days=30) + (second_end - first_end) / 2
    result = a.retention.run(trigger="app_start")
    assert result.purged == (f"recording:{gone.id}",)

    report = a.sync.sync()
    assert report.ok, report.problems
    assert report.sent.get("recording") == 1
    ids = central.sql("SELECT string_agg(id, ',') FROM kasuhara.recordings")
    assert ids == kept.id
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    assert officer.sync.sync().ok
    check = central.verify(officer)
    assert check.ok, check.text.en
    assert a.sync.status().waiting == 0


def _loid(central, sha):
    return central.sql(f"SELECT loid FROM kasuhara.blobs WHERE sha256 = '{sha}'")


def _lo_exists(central, loid) -> bool:
    return central.sql(f"SELECT count(*) FROM pg_largeobject_metadata WHERE oid = {loid}") == "1"


def test_a_purge_on_the_pc_removes_the_blob_centrally_through_the_audited_function(
    central, tmp_path
):
    a = central.workstation(tmp_path, "counter-a")
    m = routine_recording(a, tmp_path)
    assert a.sync.sync().ok
    loid = _loid(central, m.sealed_sha256)
    assert _lo_exists(central, loid)

    ended = dt.datetime.fromisoformat(m.ended_at)
    a.retention.clock = lambda: ended + dt.timedelta(days=31)
    assert a.retention.run(trigger="app_start").purged == (f"recording:{m.id}",)
    report = a.sync.sync()
    assert report.ok, report.problems
    assert report.sent.get("purge") == 1
    assert not _lo_exists(central, loid)  # the bytes are gone from the central store
    row = central.sql(
        "SELECT kind || ' ' || item || ' ' || audit_seq FROM kasuhara.blob_purges "
        f"WHERE sha256 = '{m.sealed_sha256}'"
    )
    seq = central.sql(
        "SELECT seq FROM kasuhara.audit_entries WHERE event = 'retention.purge' "
        f"AND subject = 'recording:{m.id}'"
    )
    assert row == f"recording {m.id} {seq}"
    # the rows stay: the manifest is the record that the recording existed
    assert central.sql(f"SELECT count(*) FROM kasuhara.recordings WHERE id = '{m.id}'") == "1"
    assert "purge" not in a.sync.sync().sent  # done once
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    assert officer.sync.sync().ok
    check = central.verify(officer)
    assert check.ok, check.text.en
    assert check.purged == 1


def test_the_purge_function_refuses_without_an_entry_for_another_pc_and_under_hold(
    central, tmp_path
):
    from kasuhara_recorder.central.client import PurgeRefused
    from tests.store.test_incidents import FILLED

    a = central.workstation(tmp_path, "counter-a")
    b = central.workstation(tmp_path, "counter-b")
    m = routine_recording(a, tmp_path)
    held = routine_recording(a, tmp_path)
    inc = a.incidents.create(FILLED)
    a.incidents.attach_existing_recording(inc.id, held.id)
    # the department's supervisor, signed in at counter-a, sets the hold
    a.save_settings(a.settings.with_changes(
        roles=(RoleGrant(getpass.getuser(), "supervisor", ("市民課",)),)))  # fmt: skip
    a.incidents.set_legal_hold(inc.id, True, reason="訴訟予定")
    assert a.sync.sync().ok and b.sync.sync().ok
    with a.sync.open_client() as client:
        with pytest.raises(PurgeRefused) as e:  # no retention.purge entry in its chain
            client.purge_blob("recording", m.id, m.sealed_sha256)
        assert "監査ログに削除の記録がありません" in e.value.message("ja")
    with b.sync.open_client() as client, pytest.raises(PurgeRefused) as e:
        client.purge_blob("recording", m.id, m.sealed_sha256)  # not b's recording
    assert "not this login's" in e.value.message("en")
    # A chained purge entry of a held recording (written by hand, as a dishonest PC could):
    # the server still refuses, as the latest incident version is under hold.
    a.audit.append(a.actor, "retention.purge", f"recording:{held.id}", {"rule": "forged"})
    assert a.sync.sync().ok
    with a.sync.open_client() as client, pytest.raises(PurgeRefused) as e:
        client.purge_blob("recording", held.id, held.sealed_sha256)
    assert "legal hold" in e.value.message("en")
    assert _lo_exists(central, _loid(central, held.sealed_sha256))
    assert _lo_exists(central, _loid(central, m.sealed_sha256))


@pytest.mark.parametrize("who", ["counter", "officer", "administrator"])
def test_no_role_deletes_evidence_directly_on_the_central_store(central, tmp_path, who):
    from kasuhara_recorder.central.connection import connect

    a = central.workstation(tmp_path, "counter-a")
    gone = routine_recording(a, tmp_path)
    m = routine_recording(a, tmp_path)
    assert a.sync.sync().ok
    # one blob purged for real, so blob_purges has a row to try to delete
    first_end = dt.datetime.fromisoformat(gone.ended_at)
    gap = dt.datetime.fromisoformat(m.ended_at) - first_end
    a.retention.clock = lambda: first_end + dt.timedelta(days=30) + gap / 2
    assert a.retention.run(trigger="app_start").purged == (f"recording:{gone.id}",)
    assert a.sync.sync().sent.get("purge") == 1
    statements = [
        f"DELETE FROM kasuhara.recordings WHERE id = '{m.id}'",
        f"DELETE FROM kasuhara.blobs WHERE sha256 = '{m.sealed_sha256}'",
        "DELETE FROM kasuhara.blob_purges",
        f"SELECT lo_unlink({_loid(central, m.sealed_sha256)})",
    ]
    if who == "administrator":
        for sql in statements[:3]:
            with pytest.raises(RuntimeError, match="append-only"):
                central.sql(sql)
        return
    app = a if who == "counter" else central.workstation(tmp_path, "officer-1", role="officer")
    for sql in statements:
        with (
            connect(app.settings.central_url) as c,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            c.execute(sql)
    assert _lo_exists(central, _loid(central, m.sealed_sha256))
