"""Faults in the middle of a sync, caused for real: the server stopped (immediate shutdown, as
in a power cut) during a blob upload, the connection terminated between a blob and its
manifest. After the next sync nothing is lost and nothing is there twice."""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager

import psycopg

from kasuhara_recorder.central.errors import CentralUnreachable
from tests.support.signals import tone, write_wav


def _big_import(app, folder, seconds: float):
    wav = write_wav(folder / "long.wav", tone(330, seconds, amplitude=0.3))
    return app.recording.import_file(wav)


LOCK = 424242


@contextmanager
def paused(central, table: str, when: str):
    """Hold the sync inside the server: a trigger (added by the administrator for the test)
    makes the next ``table`` write that matches ``when`` wait for an advisory lock the test
    holds; yields a function that waits until the sync is stopped there. A pause placed in the
    real server, not a mock: what happens next (a shutdown, a killed backend) is real."""
    central.sql(
        "CREATE FUNCTION kasuhara.test_pause() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF {when} THEN PERFORM pg_advisory_xact_lock_shared({LOCK}); END IF; RETURN NEW; END $$;"
        f"CREATE TRIGGER test_pause BEFORE INSERT OR UPDATE ON kasuhara.{table} "
        "FOR EACH ROW EXECUTE FUNCTION kasuhara.test_pause()"
    )
    holder = psycopg.connect(central.admin_url, autocommit=True)
    holder.execute(f"SELECT pg_advisory_lock({LOCK})")

    def reached(timeout: float = 120) -> None:
        q = ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
             f"AND objid = {LOCK}")  # fmt: skip
        deadline = time.monotonic() + timeout
        while holder.execute(q).fetchone()[0] == 0:
            assert time.monotonic() < deadline, "the sync never reached the pause"
            time.sleep(0.01)

    try:
        yield reached
    finally:
        holder.close()
        if central.server.is_running():
            central.sql(f"DROP TRIGGER test_pause ON kasuhara.{table}; "
                        "DROP FUNCTION kasuhara.test_pause()")  # fmt: skip


def _sync_in_thread(app) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            app.sync.sync()
        except BaseException as e:  # noqa: BLE001 - handed to the test
            errors.append(e)

    t = threading.Thread(target=run, name="sync-under-test")
    t.start()
    return t, errors


def _counts(central, rid: str, sha: str) -> tuple[str, str, str]:
    return (
        central.sql(f"SELECT count(*) FROM kasuhara.recordings WHERE id = '{rid}'"),
        central.sql(f"SELECT count(*) FROM kasuhara.blobs WHERE sha256 = '{sha}'"),
        central.sql("SELECT count(*) FROM kasuhara.blob_uploads"),
    )


def test_server_stopped_mid_blob_upload_then_the_next_sync_completes_it(central, tmp_path,
                                                                          pg_server):  # fmt: skip
    app = central.workstation(tmp_path, "counter-a")
    r = _big_import(app, tmp_path, seconds=400)  # ~37 MiB: three commits of 16 pieces
    rec = app.recordings.get(r.id)
    try:
        after_first_commit = "TG_OP = 'UPDATE' AND OLD.written >= 16 * 1048576"
        with paused(central, "blob_uploads", after_first_commit) as reached:
            t, errors = _sync_in_thread(app)
            reached()  # the first 16 MiB are committed, the next piece waits
            pg_server.stop_server("immediate")
            t.join(60)
        assert not t.is_alive() and len(errors) == 1
        assert isinstance(errors[0], CentralUnreachable), errors
    finally:
        if not pg_server.is_running():
            pg_server.start_server()
    assert app.sync.status().waiting >= 1  # not marked synced
    written = int(central.sql("SELECT coalesce(max(written), 0) FROM kasuhara.blob_uploads"))
    assert 0 < written < rec.sealed_size  # a partial upload survived the crash…
    report = app.sync.sync()  # …and is resumed, not started again
    assert report.ok, report.problems
    assert _counts(central, rec.id, rec.sealed_sha256) == ("1", "1", "0")
    with app.sync.open_client() as client:
        assert client.blobs.confirm(rec.sealed_sha256, rec.sealed_size)
    assert app.sync.status().waiting == 0


def test_connection_terminated_between_blob_and_manifest(central, tmp_path):
    app = central.workstation(tmp_path, "counter-a")
    r = _big_import(app, tmp_path, seconds=20)
    rec = app.recordings.get(r.id)
    kill = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
        f"'{central.database}' AND usename LIKE 'counter%'"
    )
    with paused(central, "recordings", "true") as reached:
        t, errors = _sync_in_thread(app)
        reached()  # the blob is confirmed; its manifest's INSERT waits
        central.sql(kill)
        t.join(60)
    assert not t.is_alive() and len(errors) == 1
    assert isinstance(errors[0], CentralUnreachable), errors
    assert central.sql(f"SELECT count(*) FROM kasuhara.recordings WHERE id = '{rec.id}'") == "0"
    assert central.sql(f"SELECT count(*) FROM kasuhara.blobs WHERE sha256 = "
                       f"'{rec.sealed_sha256}'") == "1"  # fmt: skip
    report = app.sync.sync()
    assert report.ok, report.problems
    assert "blob" not in report.sent  # the blob was already confirmed: not sent again
    assert _counts(central, rec.id, rec.sealed_sha256) == ("1", "1", "0")
    n = central.sql("SELECT count(*), count(DISTINCT seq) FROM kasuhara.audit_entries")
    total, distinct = n.split("|")
    assert total == distinct
    assert os.path.exists(app.vault.file(rec.sealed_file))  # the local copy is kept too
