"""The officer's session: one unlock for export and playback, attempts in the chain, and the
key locked again when idle or minimised (an injected clock, no waiting)."""

from __future__ import annotations

import pytest

from kasuhara_recorder.app.officer_session import IdentityLocked, OfficerSession
from kasuhara_recorder.app.roles import RoleRefused
from kasuhara_recorder.evidence.org_identity import WrongPassphrase
from tests.support.playback import make_officer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _session(app, clock: Clock) -> OfficerSession:
    return OfficerSession(
        settings=lambda: app.settings, roles=app.roles, audit=lambda: app.audit,
        actor=lambda: app.actor, clock=clock,
    )  # fmt: skip


def test_a_wrong_passphrase_is_counted_then_the_right_one_opens(service, org_identity, tmp_path):
    officer = make_officer(service, org_identity, tmp_path / "org")
    session = service.officer
    for attempt in (1, 2):
        with pytest.raises(WrongPassphrase) as e:
            session.unlock(officer.identity_file, "not it", purpose="playback")
        assert e.value.attempt == attempt
    assert not session.unlocked
    identity = session.unlock(officer.identity_file, officer.passphrase, purpose="playback")
    assert str(identity.to_public()) == str(org_identity.to_public())
    events = [(e.event, e.data.get("purpose"), e.data.get("attempt"))
              for e in service.audit.entries() if e.event.startswith("key.")]  # fmt: skip
    assert events == [("key.unlock_failed", "playback", 1), ("key.unlock_failed", "playback", 2),
                      ("key.unlock", "playback", None)]  # fmt: skip
    # export shares it: the wizard's unlock is the same session's, with its own purpose
    service.export.unlock(officer.identity_file, officer.passphrase)
    assert service.audit.entries()[-1].data["purpose"] == "export"


def test_idle_minutes_lock_the_key_and_say_so_in_the_chain(service, org_identity, tmp_path):
    officer = make_officer(service, org_identity, tmp_path / "org")
    service.save_settings(service.settings.with_changes(idle_lock_minutes=5))
    clock = Clock()
    session = _session(service, clock)
    session.unlock(officer.identity_file, officer.passphrase, purpose="playback")
    clock.now += 4 * 60
    session.touch()  # the officer clicked
    clock.now += 4 * 60
    assert session.unlocked and session.identity() is not None
    clock.now += 5 * 60 + 1
    assert not session.unlocked
    with pytest.raises(IdentityLocked) as e:
        session.identity()
    assert "操作がなかった" in e.value.message("ja")
    last = service.audit.entries()[-1]
    assert last.event == "key.lock" and last.data["reason"] == "idle"


def test_minimised_for_long_locks_the_key(service, org_identity, tmp_path):
    officer = make_officer(service, org_identity, tmp_path / "org")
    clock = Clock()
    session = _session(service, clock)
    session.unlock(officer.identity_file, officer.passphrase, purpose="playback")
    session.minimised(True)
    clock.now += 30
    session.minimised(False)  # back within the minute: still open
    assert session.unlocked
    session.minimised(True)
    clock.now += 61
    assert session.lock_if_due() == "minimised" and not session.unlocked


def test_a_counter_worker_cannot_unlock(service, org_identity, tmp_path):
    officer = make_officer(service, org_identity, tmp_path / "org", role="counter")
    with pytest.raises(RoleRefused):
        service.officer.unlock(officer.identity_file, officer.passphrase, purpose="playback")
    assert not [e for e in service.audit.entries() if e.event.startswith("key.")]
