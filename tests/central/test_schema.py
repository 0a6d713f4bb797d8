"""The server recomputes each audit entry's hash from its columns (schema.py ``audit_body``):
its canonical JSON must be Python's byte for byte, or a genuine entry would be refused and a PC
could never sync again. Held to the same bytes over the text staff actually type (Japanese,
quotes, backslashes, control characters, emoji, line separators)."""

from __future__ import annotations

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kasuhara_recorder.central.admin import init_central
from kasuhara_recorder.evidence.audit_chain import make_entry
from kasuhara_recorder.evidence.canonical_json import canonical_json
from kasuhara_recorder.evidence.workstation_key import WorkstationKey

TRICKY = [
    "窓口 花子", 'say "stop"', "back\\slash", "tab\there", "line\nbreak", "\x01\x1f\x7f",
    "\u2028\u2029", "😡🙇", "/slash/", "ｶﾅ", "\ud7ff\ue000", "é (combining é)", "",
]  # fmt: skip


@pytest.fixture(scope="module")
def conn(pg_server):
    db = pg_server.new_database()
    url = pg_server.url(database=db)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PGPASSFILE", str(pg_server.passfile))
        init_central(url)
        c = psycopg.connect(url, autocommit=True, options="-c search_path=kasuhara")
    yield c
    c.close()


def _server_body(conn, e) -> bytes:
    row = conn.execute(
        "SELECT audit_body(ROW(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())"
        "::audit_entries)",
        (e.workstation, e.seq, e.time, e.actor, e.event, e.subject, e.data_json,
         e.data_sha256, e.prev_hash, e.hash, e.signature),
    ).fetchone()  # fmt: skip
    return row[0].encode("utf-8")


KEY = WorkstationKey(Ed25519PrivateKey.generate())  # made at test time


@pytest.mark.parametrize("text", TRICKY)
def test_the_servers_entry_body_is_pythons_canonical_json(conn, text):
    e = make_entry(None, time="2026-12-01T10:00:00.000+09:00", actor=text, event="note",
                   subject=f"incident:{text}", data={"note": text}, key=KEY)  # fmt: skip
    assert _server_body(conn, e) == canonical_json(e.body())


# Any text PostgreSQL can hold (no NUL, no lone surrogate).
pg_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(actor=pg_text, subject=pg_text)
def test_any_text_gives_the_same_bytes(conn, actor, subject):
    e = make_entry(None, time="2026-12-01T10:00:00.000+09:00", actor=actor, event="note",
                   subject=subject, data={}, key=KEY)  # fmt: skip
    assert _server_body(conn, e) == canonical_json(e.body())
