"""Trusted time on a recording, with a real TSA (`openssl ts -reply` on loopback): the capture
manifest's token comes at stop and verifies with `openssl ts -verify`; with no route to the
TSA the recording is kept as ever and its request waits for `timestamp retry`; a token for
other data or from another CA is refused, naming the file; a PC clock far off is a warning in
the chain."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

from kasuhara_recorder.app.timestamp_service import TimestampService
from tests.support.recordings import routine_recording
from tests.support.tsa import LoopbackTsa, TsaKeys, openssl_verify


def _use_tsa(app, tsa: LoopbackTsa) -> None:
    app.timestamps.configure(tsa.url, str(tsa.keys.ca), app.identity.key.fingerprint)


def _events(app, event: str) -> list:
    return [e for e in app.audit.entries() if e.event == event]


def test_the_capture_manifest_gets_a_token_at_stop_that_openssl_verifies(service, tsa, tmp_path):
    _use_tsa(service, tsa)
    m = routine_recording(service, tmp_path)
    token = service.vault.manifest_timestamp(m.id)
    assert token.exists(), "no token beside the manifest after stop"
    manifest = service.vault.manifest(m.id).manifest
    out = openssl_verify(manifest, token, tsa.keys.ca)
    assert "Verification: OK" in out, out
    row = service.timestamps.row("manifest", m.id)
    assert row.state == "added" and row.gen_time and "Test TSA" in row.tsa_name
    added = _events(service, "timestamp.added")
    assert added[-1].subject == f"recording:{m.id}"
    assert added[-1].data["gen_time"] == row.gen_time
    assert "Test TSA" in added[-1].data["tsa"]
    assert service.verify_audit().ok


def _cli(data_dir, *args):
    return subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(data_dir), "--json", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_with_the_tsa_down_the_recording_is_kept_and_the_token_comes_at_retry(
    service, tsa_one, tmp_path, data_dir
):
    _use_tsa(service, tsa_one)
    tsa_one.down()
    m = routine_recording(service, tmp_path)
    assert service.recordings.get(m.id) is not None  # the recording is evidence as ever
    assert not service.vault.manifest_timestamp(m.id).exists()
    row = service.timestamps.row("manifest", m.id)
    assert row.state == "queued" and row.attempts == 1 and row.last_error
    status = json.loads(_cli(data_dir, "timestamp", "status").stdout)
    assert status["queued"] == 1
    tsa_one.up()
    r = _cli(data_dir, "timestamp", "retry")
    assert r.returncode == 0, r.stderr
    got = {i["item"]: i for i in json.loads(r.stdout)["items"]}
    assert got[m.id]["state"] == "added"
    assert got[m.id]["added_at"] > got[m.id]["requested_at"]  # the record says when it came
    token = service.vault.manifest_timestamp(m.id)
    assert "Verification: OK" in openssl_verify(
        service.vault.manifest(m.id).manifest, token, tsa_one.keys.ca
    )


def test_a_token_for_other_data_is_refused_naming_the_file(service, tsa_one, tmp_path):
    from kasuhara_recorder.evidence.timestamp import build_request

    _use_tsa(service, tsa_one)
    tsa_one.answer_for = build_request("00" * 32).der  # the TSA stamps something else
    m = routine_recording(service, tmp_path)
    assert not service.vault.manifest_timestamp(m.id).exists()
    assert service.timestamps.row("manifest", m.id).state == "refused"
    refused = _events(service, "timestamp.refused")[-1]
    assert refused.subject == f"recording:{m.id}"
    assert refused.data["check"] == "imprint"
    assert f"{m.id}.manifest.json" in refused.data["reason"]


def test_a_tsa_certificate_from_another_ca_is_refused(service, other_tsa_keys, tmp_path):
    other = LoopbackTsa(other_tsa_keys, "tsa+ca").start()
    mine = TsaKeys.make(tmp_path / "mine")  # the CA this PC trusts; the TSA is under another
    try:
        service.timestamps.configure(other.url, str(mine.ca), service.identity.key.fingerprint)
        m = routine_recording(service, tmp_path)
    finally:
        other.down()
    assert service.timestamps.row("manifest", m.id).state == "refused"
    refused = _events(service, "timestamp.refused")[-1]
    assert refused.data["check"] == "chain"
    assert f"{m.id}.manifest.json" in refused.data["reason"]


def test_a_pc_clock_off_by_more_than_the_setting_is_a_warning_in_the_chain(
    service, tsa_one, tmp_path
):
    _use_tsa(service, tsa_one)
    service.save_settings(service.settings.with_changes(tsa_clock_warn_minutes=5))
    skewed = TimestampService(
        service._current_settings, service.vault, service.backend.store,
        service.backend.timestamps, service._current_audit, service._current_actor,
        clock=lambda: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20),
    )  # fmt: skip
    service.__dict__["timestamps"] = skewed  # this PC's clock runs 20 minutes fast
    m = routine_recording(service, tmp_path)
    assert service.timestamps.row("manifest", m.id).state == "added"
    warn = _events(service, "timestamp.clock_warning")
    assert warn and warn[-1].subject == f"recording:{m.id}"
    assert warn[-1].data["skew_s"] < -15 * 60
    assert service.verify_audit().ok


def test_the_audit_head_is_stamped_and_kept_in_the_store(service, tsa_one):
    _use_tsa(service, tsa_one)
    row = service.timestamps.stamp_audit_head("sync")
    assert row.state == "added" and row.token
    assert service.timestamps.daily() is None  # stamped today already


def test_at_the_next_sync_the_queued_token_comes_and_the_chains_head_is_stamped(
    central, tsa_one, tmp_path
):
    """A counter PC with no route to the TSA at stop: the sync sends the request again, stamps
    the audit chain's head, and the entries that say so reach the central store."""
    app = central.workstation(tmp_path, "counter-tsa")
    _use_tsa(app, tsa_one)
    tsa_one.down()
    m = routine_recording(app, tmp_path)
    assert app.timestamps.row("manifest", m.id).state == "queued"
    tsa_one.up()
    app.sync.sync()
    assert app.timestamps.row("manifest", m.id).state == "added"
    assert app.vault.manifest_timestamp(m.id).exists()
    heads = [r for r in app.timestamps.rows() if r.kind == "audit_head"]
    assert heads and heads[0].state == "added" and heads[0].token
    added = [e for e in app.audit.entries() if e.event == "timestamp.added"]
    assert {e.subject.split(":")[0] for e in added} == {"recording", "audit-head"}
    sent = central.sql(
        "SELECT count(*) FROM kasuhara.audit_entries WHERE event = 'timestamp.added'"
    )
    assert int(sent.strip()) == 2  # the chain went to the central store after them


def test_setup_refuses_a_tsa_without_its_ca_or_with_a_file_that_holds_none(
    service, tmp_path, data_dir
):
    r = _cli(data_dir, "setup", "--tsa-url", "http://127.0.0.1:9/tsa")
    assert r.returncode == 2
    assert "--tsa-ca" in r.stdout + r.stderr
    bad = tmp_path / "not-a-ca.pem"
    bad.write_text("hello\n")
    r = _cli(data_dir, "setup", "--tsa-url", "http://127.0.0.1:9/tsa", "--tsa-ca", str(bad))
    assert r.returncode != 0
    assert "not-a-ca.pem" in r.stdout + r.stderr
    assert service.settings.tsa_url == ""


def test_settings_json_with_a_wrong_tsa_setting_is_refused_naming_it():
    import pytest

    from kasuhara_recorder.config import Settings, SettingsError

    for raw, field in (
        (b'{"tsa_url": "ftp://tsa.example"}', "tsa_url"),
        (b'{"tsa_ca": 7}', "tsa_ca"),
        (b'{"tsa_clock_warn_minutes": 0}', "tsa_clock_warn_minutes"),
    ):
        with pytest.raises(SettingsError) as e:
            Settings.from_json(raw)
        assert field in e.value.message("ja")
    s = Settings.from_json(b'{"tsa_url": "https://tsa.example/", "tsa_clock_warn_minutes": 5}')
    assert s.tsa_url == "https://tsa.example/" and s.tsa_clock_warn_minutes == 5


def test_a_bundle_manifest_with_the_tsa_down_gets_no_token_and_nothing_waits(service, tsa_one):
    _use_tsa(service, tsa_one)
    tsa_one.down()
    assert service.timestamps.stamp_bundle_manifest("bundle-1", b"{}") is None
    row = service.timestamps.row("bundle", "bundle-1")
    assert row.state == "refused" and "not reached at export" in row.last_error
    tsa_one.up()
    r = service.timestamps.retry()
    assert r.queued == () and r.added == ()
