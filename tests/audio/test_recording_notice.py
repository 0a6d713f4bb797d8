"""The recording notice (録音告知) through the app: the counter worker's 告知しました stamped
with its offset, in the signed manifest and the audit chain; a recording without one says none."""

from __future__ import annotations

from pathlib import Path

import pytest

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.evidence.manifest import CaptureRecord, read_signed_manifest
from tests.evidence.schemas import validate
from tests.support.signals import tone, write_wav


@pytest.fixture
def app(data_dir: Path, org_identity) -> AppService:
    app = AppService(data_dir)
    app.workstation.setup([org_identity.recipient], "test-counter-01")
    yield app
    app.close()


def test_counter_notice_is_in_the_signed_manifest_the_chain_and_the_pending_file(app, tmp_path):
    wav = write_wav(tmp_path / "in.wav", tone(440, 1.5, amplitude=0.3))
    session = app.recording.start("counter", input_file=wav, paced=True)
    assert session.notice.kind == "none"
    given = session.give_notice(offset_ms=700)
    again = session.give_notice(offset_ms=900)  # a second click: still the first notice
    assert again == given
    pending = CaptureRecord.from_pending_json(app.vault.pending(session.id).read_bytes())
    assert pending.notice == given  # survives a crash with the pending file
    assert session.wait_until_capture_ended(30)
    manifest = session.stop()
    signed = read_signed_manifest(app.paths.vault, manifest.id)
    assert signed.notice is not None
    assert signed.notice.kind == "spoken"
    assert signed.notice.offset_ms == 700
    assert signed.notice.text == app.profile.notice.counter.ja
    assert "トラブル防止のため、会話を録音させていただきます" in signed.notice.text
    validate(signed.to_dict(), "recording-manifest.schema.json")
    entries = [e for e in app.audit.entries(f"recording:{manifest.id}")]
    notice_entries = [e for e in entries if e.event == "recording.notice"]
    assert len(notice_entries) == 1
    assert app.audit.verify().ok


def test_a_recording_without_a_notice_says_none(app, tmp_path):
    wav = write_wav(tmp_path / "in.wav", tone(440, 0.5, amplitude=0.3))
    session = app.recording.start("phone", input_file=wav)
    assert session.wait_until_capture_ended(30)
    manifest = session.stop()
    signed = read_signed_manifest(app.paths.vault, manifest.id)
    assert signed.notice is not None and signed.notice.kind == "none"
    assert signed.notice.offset_ms is None
    validate(signed.to_dict(), "recording-manifest.schema.json")
    assert not any(
        e.event == "recording.notice" for e in app.audit.entries(f"recording:{manifest.id}")
    )


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"enabled": "yes"}, "phone_notice.enabled"),
        ({"wav": 3}, "phone_notice.wav"),
        ({"output_device": 1}, "phone_notice.output_device"),
        ({"volume": 1}, "phone_notice.volume"),
        ([], "phone_notice"),
    ],
)
def test_a_wrong_phone_notice_setting_is_named(value, where):
    import json

    from kasuhara_recorder.config import Settings, SettingsError

    with pytest.raises(SettingsError) as e:
        Settings.from_json(json.dumps({"phone_notice": value}).encode())
    assert e.value.where == where


def test_the_phone_notice_settings_round_trip():
    from kasuhara_recorder.config import PhoneNotice, Settings

    s = Settings(phone_notice=PhoneNotice(True, "C:/告知.wav", "録音します", "USB Audio"))
    assert Settings.from_json(s.to_json()).phone_notice == s.phone_notice
