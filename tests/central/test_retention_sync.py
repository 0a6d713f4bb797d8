"""Retention and the central store: a recording deleted by retention before it was ever sent
is not sent (nothing to send), the sync is clean, and the central custody check accepts the
chain that says it went."""

from __future__ import annotations

import datetime as dt

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
