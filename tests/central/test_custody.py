"""Custody across PCs: a fork offered by a PC whose local database was put back, and a central
store restored from an older backup, each caught and named."""

from __future__ import annotations

import json
import shutil
import subprocess

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.central.client import ChainRefused
from tests.support.recordings import routine_recording


def _reopen(central, app: AppService) -> AppService:
    root = app.paths.root
    app.close()
    central.apps.remove(app)
    again = AppService(root)
    central.apps.append(again)
    return again


def test_a_pc_whose_database_was_put_back_forks_and_is_refused_and_reported(central, tmp_path):
    a = central.workstation(tmp_path, "counter-a")
    routine_recording(a, tmp_path)
    assert a.sync.sync().ok
    a = _reopen(central, a)  # closed: the database file is whole (WAL checkpointed)
    saved = tmp_path / "backup.sqlite3"
    shutil.copy(a.paths.database, saved)
    routine_recording(a, tmp_path)
    assert a.sync.sync().ok
    central_seq = int(central.sql("SELECT max(seq) FROM kasuhara.audit_entries WHERE "
                                  f"workstation = '{a.identity.key.fingerprint}'"))  # fmt: skip
    a = _reopen(central, a)
    shutil.copy(saved, a.paths.database)  # the PC's disk restored from last week's copy…
    for _ in range(3):
        routine_recording(a, tmp_path)  # …and new, different entries signed after it
    try:
        a.sync.sync()
        raise AssertionError("a forked chain was accepted")
    except ChainRefused as e:
        assert e.kind == "fork" and e.seq == central_seq
        assert "第" in e.message("ja")
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    report = central.verify(officer)
    assert not report.ok
    refused = [p for p in report.problems if p.kind == "refused"]
    assert refused and refused[0].workstation == "counter-a" and refused[0].seq == central_seq
    assert "counter-a" in report.text.ja
    # The central copy of the chain is untouched by the refused upload.
    n = central.sql(f"SELECT count(*) FROM kasuhara.audit_entries WHERE workstation = "
                    f"'{a.identity.key.fingerprint}'")  # fmt: skip
    assert int(n) == central_seq


def test_a_central_store_restored_from_an_older_backup_is_reported_and_refilled(
    central, tmp_path, pg_server
):
    a = central.workstation(tmp_path, "counter-a")
    routine_recording(a, tmp_path)
    assert a.sync.sync().ok
    dump = tmp_path / "central.dump"
    env = {**__import__("os").environ, **pg_server.env()}
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), central.admin_url], check=True, env=env,
                   capture_output=True, timeout=120)  # fmt: skip
    late = routine_recording(a, tmp_path)
    first = a.sync.sync()
    assert first.ok and first.head_seq >= 2
    # IT restores last night's dump: the newest recording and head are gone centrally.
    pg_server.admin(f"DROP DATABASE {central.database}")
    pg_server.admin(f"CREATE DATABASE {central.database}")
    subprocess.run(["pg_restore", "-d", central.admin_url, str(dump)], check=True, env=env,
                   capture_output=True, timeout=120)  # fmt: skip
    assert central.sql(f"SELECT count(*) FROM kasuhara.recordings WHERE id = '{late.id}'") == "0"
    report = a.sync.sync()
    assert not report.ok
    kinds = {p.kind for p in report.problems}
    assert kinds == {"rolled_back"}
    words = " ".join(p.detail.ja for p in report.problems)
    assert "以前の状態に戻されています" in words
    # …and the PC sent again what the restored store had lost.
    assert central.sql(f"SELECT count(*) FROM kasuhara.recordings WHERE id = '{late.id}'") == "1"
    again = a.sync.sync()
    assert again.ok, again.problems
    head = json.loads(central.sql("SELECT body_json FROM kasuhara.central_heads "
                                  "ORDER BY seq DESC LIMIT 1"))  # fmt: skip
    assert head["chains"][a.identity.key.fingerprint]["seq"] == a.audit.head().seq
