"""The central store refuses every change to evidence, whoever asks: the app's roles have no
UPDATE/DELETE privilege, large objects belong to the schema's owner, and triggers refuse the
rest (the administrator included)."""

from __future__ import annotations

import psycopg
import pytest

from kasuhara_recorder.central.client import NameTaken
from kasuhara_recorder.central.connection import connect
from tests.support.recordings import routine_recording


@pytest.fixture
def synced(central, tmp_path):
    app = central.workstation(tmp_path, "counter-a")
    m = routine_recording(app, tmp_path)
    assert app.sync.sync().ok
    return app, m


def _as_counter(app):
    return connect(app.settings.central_url)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE recordings SET status = 'x'",
        "DELETE FROM recordings",
        "UPDATE audit_entries SET actor = 'someone else'",
        "DELETE FROM audit_entries",
        "TRUNCATE audit_entries",
        "DELETE FROM blobs",
        "UPDATE incident_versions SET status = 'closed'",
    ],
)
def test_the_counter_login_cannot_change_or_delete_evidence(synced, sql):
    app, _ = synced
    with _as_counter(app) as c, pytest.raises(psycopg.errors.InsufficientPrivilege):
        c.execute(sql)


def test_the_counter_login_cannot_rewrite_or_unlink_its_large_object(synced, central):
    app, m = synced
    loid = central.sql(f"SELECT loid FROM kasuhara.blobs WHERE sha256 = '{m.sealed_sha256}'")
    with _as_counter(app) as c:
        for sql in (f"SELECT lo_unlink({loid})", f"SELECT lo_put({loid}, 0, '\\x00'::bytea)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(sql)
    with _as_counter(app) as c:  # nor through the upload functions: the blob is finished
        with pytest.raises(psycopg.DatabaseError, match="no upload of blob"):
            c.execute("SELECT blob_write(%s, 0, %b)", (m.sealed_sha256, b"x"))
    with app.sync.open_client() as client:
        assert client.blobs.confirm(m.sealed_sha256, m.sealed_size)


def test_even_the_administrator_is_refused_by_the_triggers(synced, central):
    with pytest.raises(RuntimeError, match="append-only"):
        central.sql("DELETE FROM kasuhara.audit_entries")
    with pytest.raises(RuntimeError, match="append-only"):
        central.sql("UPDATE kasuhara.recordings SET manifest_json = '{}'")
    with pytest.raises(RuntimeError, match="append-only"):
        central.sql("TRUNCATE kasuhara.recordings CASCADE")
    assert central.sql("SELECT count(*) FROM kasuhara.recordings") == "1"


def test_a_counter_reads_back_only_its_own_rows(central, tmp_path):
    a = central.workstation(tmp_path, "counter-a")
    b = central.workstation(tmp_path, "counter-b")
    routine_recording(a, tmp_path)
    routine_recording(b, tmp_path)
    assert a.sync.sync().ok and b.sync.sync().ok
    with _as_counter(a) as c:
        rows = c.execute("SELECT DISTINCT workstation FROM recordings").fetchall()
        assert rows == [(a.identity.key.fingerprint,)]
        entries = c.execute("SELECT DISTINCT workstation FROM audit_entries").fetchall()
        assert entries == [(a.identity.key.fingerprint,)]
        # …and cannot add rows in another workstation's name
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(
                "INSERT INTO workstation_heads (workstation, seq, hash, signature) "
                "VALUES (%s, 1, 'x', 'y')",
                (b.identity.key.fingerprint,),
            )


def test_the_same_name_with_another_key_is_refused(central, tmp_path):
    from kasuhara_recorder.app.service import AppService

    central.workstation(tmp_path, "counter-a")
    other = AppService(tmp_path / "impostor")
    try:
        other.workstation.setup([str(central.org.to_public())], "counter-a")
        with pytest.raises(NameTaken) as e:
            other.sync.join(central.url(central.login()))
        assert "counter-a" in e.value.message("ja")
    finally:
        other.close()


def test_a_url_with_a_password_is_refused_before_connecting(central, tmp_path):
    from kasuhara_recorder.central.connection import PasswordInUrl, check_url

    with pytest.raises(PasswordInUrl) as e:
        check_url("postgresql://pc1:secret@127.0.0.1:5432/kasuhara")
    assert "secret" not in e.value.message("ja") and "pgpass" in e.value.message("ja")
