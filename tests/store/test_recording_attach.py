"""Attaching a stored recording to an incident later: the recordings no incident holds (kept as
routine, or recovered after a crash), attaching one with its tags as markers, and the refusals
that keep a recording in exactly one incident."""

from __future__ import annotations

import json

import pytest

from kasuhara_recorder.app.incident_service import (
    IncidentClosed,
    IncidentNotFound,
    RecordingInOtherIncident,
    RecordingNotFound,
    incident_digest,
)
from kasuhara_recorder.evidence.manifest import TagEntry
from kasuhara_recorder.store.incident_model import Marker
from tests.store.test_incidents import FILLED, chain
from tests.support.recordings import routine_recording

TAGS = (("conduct.mental", 300, "机を叩いた"), ("demand.apology", 600, ""))


def test_routine_recordings_are_listed_and_attached_with_their_tags(service, tmp_path):
    first = routine_recording(service, tmp_path, TAGS)
    second = routine_recording(service, tmp_path)
    # a tag added after capture (store table) counts and comes along too
    later = TagEntry("conduct.intimidation", 800, "後から追記", "係長 佐藤")
    service.recordings.add_tag(second.id, later)

    listed = service.incidents.unattached_recordings()
    assert [r.id for r in listed] == [second.id, first.id]  # newest first
    s2, s1 = listed
    assert (s1.tags, s2.tags) == (2, 1)
    assert s1.channel == "counter" and s1.duration_ms == first.duration_ms > 500
    assert s1.started_at == first.started_at and s1.incident_id is None
    assert not s1.recovered and s1.status == "complete"

    inc = service.incidents.create()
    attached = service.incidents.attach_existing_recording(inc.id, first.id)
    assert attached.recordings == (first.id,)
    assert attached.draft.markers == (
        Marker("conduct.mental", 300, "机を叩いた", service.actor, first.id),
        Marker("demand.apology", 600, "", service.actor, first.id),
    )
    assert {"conduct.mental", "demand.apology"} <= set(attached.draft.categories)
    assert [r.id for r in service.incidents.unattached_recordings()] == [second.id]
    assert service.recordings.get(first.id).incident_id == inc.id
    (own,) = service.incidents.recording_summaries(inc.id)
    assert own.id == first.id and own.incident_id == inc.id and own.tags == 2

    event, data = chain(service, inc.id)[-1]
    assert event == "incident.recording_attach" and data["recording"] == first.id
    assert [m["note"] for m in data["markers"]] == ["机を叩いた", ""]
    assert data["sha256"] == incident_digest(service.incidents.get(inc.id))

    again = service.incidents.attach_existing_recording(inc.id, second.id)
    assert again.draft.markers[-1] == Marker(
        "conduct.intimidation", 800, "後から追記", "係長 佐藤", second.id
    )
    assert service.incidents.unattached_recordings() == []
    assert service.verify_audit().ok


def test_a_recording_stays_in_one_incident(service, tmp_path):
    manifest = routine_recording(service, tmp_path, TAGS)
    a, b = service.incidents.create(), service.incidents.create()
    service.incidents.attach_existing_recording(a.id, manifest.id)
    entries = len(service.audit.entries())

    with pytest.raises(RecordingInOtherIncident) as e:
        service.incidents.attach_existing_recording(b.id, manifest.id)
    assert a.id in e.value.message("ja") and "別の事案" in e.value.message("ja")
    assert a.id in e.value.message("en") and e.value.exit_code == 2
    with pytest.raises(RecordingInOtherIncident):  # the after-stop path is guarded too
        service.incidents.attach_recording(b.id, manifest, [])
    with pytest.raises(RecordingInOtherIncident):  # and a new incident made from it
        service.incidents.create_from_recording(manifest, [])
    assert service.recordings.get(manifest.id).incident_id == a.id
    assert service.incidents.get(b.id).recordings == ()
    assert len(service.incidents.list()) == 2

    # the same incident again: nothing changes, no marker is doubled, nothing is chained
    same = service.incidents.attach_existing_recording(a.id, manifest.id)
    assert same.recordings == (manifest.id,) and len(same.draft.markers) == 2
    assert len(service.audit.entries()) == entries
    assert service.verify_audit().ok


def test_closed_incidents_unknown_ids_and_submitted_incidents(service, tmp_path):
    manifest = routine_recording(service, tmp_path, TAGS)
    closed = service.incidents.create(FILLED)
    service.incidents.submit(closed.id)
    for status in ("reviewed", "closed"):
        service.incidents.set_status(closed.id, status)
    with pytest.raises(IncidentClosed) as e:
        service.incidents.attach_existing_recording(closed.id, manifest.id)
    assert "完了" in e.value.message("ja") and "closed" in e.value.message("en")
    assert [r.id for r in service.incidents.unattached_recordings()] == [manifest.id]

    open_inc = service.incidents.create()
    with pytest.raises(RecordingNotFound) as e:
        service.incidents.attach_existing_recording(open_inc.id, "rec-20990101-000000-000000")
    assert "見つかりません" in e.value.message("ja") and e.value.exit_code == 2
    with pytest.raises(IncidentNotFound):
        service.incidents.attach_existing_recording("20990101-000000", manifest.id)

    # a submitted incident takes the recording; its submitted form is not rewritten
    submitted = service.incidents.create(FILLED)
    service.incidents.submit(submitted.id)
    after = service.incidents.attach_existing_recording(submitted.id, manifest.id)
    assert after.recordings == (manifest.id,) and after.draft == FILLED
    assert chain(service, submitted.id)[-1][0] == "incident.recording_attach"
    assert service.verify_audit().ok


def test_a_recovered_recording_is_listed_as_recovered(service, tmp_path):
    from tests.support.signals import tone, write_wav
    from tests.ui.test_recovery_at_start import record_and_kill

    wav = write_wav(tmp_path / "voice.wav", tone(440, 30.0, amplitude=0.3))
    rid = record_and_kill(service, wav, seconds=1.0).name.removesuffix(".age")
    assert service.incidents.unattached_recordings() == []  # not sealed until recovery
    (recovered,) = service.recording.recover()  # what the window does at start
    (listed,) = service.incidents.unattached_recordings()
    assert listed.id == rid == recovered.manifest.id
    assert listed.recovered and listed.status == "recovered"
    inc = service.incidents.create()
    assert service.incidents.attach_existing_recording(inc.id, rid).recordings == (rid,)
    assert json.loads(service.audit.entries(f"incident:{inc.id}")[-1].data_json)["recording"] == rid
