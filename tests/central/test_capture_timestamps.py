"""Capture manifests' RFC 3161 tokens in the central store (issue 16), with the real loopback TSA
(`openssl ts -reply`) and the real PostgreSQL: a token fetched on the recording PC reaches the
centre at its sync, one that came late at the next sync; the officer's export from the centre
carries it as the PC's own export would, and `verify`, `openssl ts -verify` and the report show
its trusted time; the server takes a token only over the manifest it holds."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import unicodedata
import zipfile

import psycopg
import pytest

from kasuhara_recorder.evidence.timestamp import build_request
from kasuhara_recorder.store.incident_model import Marker
from tests.bundle.test_import_roundtrip import readme_commands
from tests.support.recordings import routine_recording
from tests.support.tsa import LoopbackTsa, openssl_verify


def exported_at() -> dt.datetime:
    """An export time after every token the test got, taken when the test exports: a time
    fixed when the module was imported was minutes in the past by the time the test ran in the
    whole suite, and verify rightly refused tokens dated after the export."""
    return dt.datetime.now().astimezone().replace(microsecond=0) + dt.timedelta(minutes=5)


def _use_tsa(app, tsa: LoopbackTsa) -> None:
    app.timestamps.configure(tsa.url, str(tsa.keys.ca), app.identity.key.fingerprint)


def _cli(app, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(app.paths.root), "--json",
         *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _central_tokens(central) -> dict[str, str]:
    rows = central.sql("SELECT recording_id, token_sha256 FROM kasuhara.capture_timestamps")
    return dict(line.split("|") for line in rows.splitlines())


def _recorded_and_synced(central, tmp_path, tsa):
    """PC A records with the TSA up (the token comes at stop), makes an incident, syncs."""
    a = central.workstation(tmp_path, "counter-a")
    _use_tsa(a, tsa)
    m = routine_recording(a, tmp_path, tags=(("conduct.mental", 200, "大声"),))
    inc = a.incidents.create_from_recording(m, [Marker("conduct.mental", 200, "大声")])
    report = a.sync.sync()
    assert report.ok, report.problems
    assert report.sent.get("timestamp") == 1
    return a, m, inc


def _exported_from_the_centre(central, tmp_path, tsa, officer_tsa: bool = True):
    a, m, inc = _recorded_and_synced(central, tmp_path, tsa)
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    if officer_tsa:  # else the bundle has the capture token, and no token of its own manifest
        _use_tsa(officer, tsa)
    out = tmp_path / "from-centre.zip"
    officer.export.export(inc.id, central.org, out, exported_at=exported_at())
    return a, m, officer, out


def test_a_token_taken_at_stop_is_in_the_officers_bundle_from_the_centre_and_verifies(
    central, tsa, tmp_path
):
    """Both replies a TSA gives: its certificate alone, and with its CA (an unsorted SET)."""
    a, m, officer, out = _exported_from_the_centre(central, tmp_path, tsa)
    vault_token = a.vault.manifest_timestamp(m.id).read_bytes()
    assert _central_tokens(central) == {m.id: hashlib.sha256(vault_token).hexdigest()}
    member = f"timestamps/recordings/{m.id}.json.tsr"
    with zipfile.ZipFile(out) as z:
        assert z.read(member) == vault_token  # the PC's token, byte for byte
        folder = tmp_path / "x"
        z.extractall(folder)

    r = subprocess.run([sys.executable, "-m", "kasuhara_recorder", "--json", "verify", str(out)],
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    verified = json.loads(r.stdout)
    assert f"recordings/{m.id}.json" in {t["file"] for t in verified["timestamps"]}

    chain = folder / "timestamps" / "tsa-chain.pem"
    out_ssl = openssl_verify(folder / f"recordings/{m.id}.json", folder / member, chain)
    assert "Verification: OK" in out_ssl, out_ssl
    readme = (folder / "README.txt").read_text("utf-8")
    hand = [c for c, _x in readme_commands(readme, "en") if c.startswith("openssl ts -verify")]
    assert any(member in c for c in hand), hand
    for cmd in hand:  # run as README.txt gives them
        p = subprocess.run(["bash", "-c", cmd], cwd=folder, capture_output=True, text=True)
        assert "Verification: OK" in p.stdout, (cmd, p.stdout, p.stderr)

    # The bundle manifest says when it was asked for and came, as the PC's own export would.
    row = a.timestamps.row("manifest", m.id)
    entry = json.loads((folder / "manifest.json").read_bytes())["timestamps"][0]
    assert (entry["token"], entry["gen_time"], entry["requested_at"], entry["added_at"]) == (
        member, row.gen_time, row.requested_at, row.added_at)  # fmt: skip
    # The report shows the trusted time next to the PC's.
    text = subprocess.run(["pdftotext", "-layout", str(folder / "incident/report.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    text = unicodedata.normalize("NFKC", text)
    offset = dt.datetime.fromisoformat(json.loads(
        (folder / f"recordings/{m.id}.json").read_bytes())["ended_at"]).tzinfo  # fmt: skip
    gen = dt.datetime.fromisoformat(row.gen_time).astimezone(offset)
    assert "信頼できる時刻(RFC 3161)" in text and gen.strftime("%Y-%m-%d %H:%M:%S") in text

    # `audit verify --central` checks and counts it; a second sync sends it no more.
    assert "timestamp" not in a.sync.sync().sent
    v = _cli(officer, "audit", "verify", "--central")
    assert v.returncode == 0, v.stdout + v.stderr
    assert json.loads(v.stdout)["timestamps"] == 1


def test_a_capture_token_flipped_by_one_byte_in_the_central_bundle_fails_verify_naming_it(
    central, tsa_one, tmp_path
):
    from kasuhara_recorder.bundle.verify import verify_bundle

    _a, m, _officer, out = _exported_from_the_centre(central, tmp_path, tsa_one, officer_tsa=False)
    member = f"timestamps/recordings/{m.id}.json.tsr"
    with zipfile.ZipFile(out) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    assert "timestamps/manifest.json.tsr" not in entries and "timestamps/tsa-chain.pem" in entries
    assert verify_bundle(out).ok  # the chain kept centrally is enough to check it
    raw = bytearray(entries[member])
    raw[-10] ^= 0x01  # inside the TSA's signature
    entries[member] = bytes(raw)
    flipped = tmp_path / "flipped.zip"
    with zipfile.ZipFile(flipped, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    report = verify_bundle(flipped)
    assert not report.ok
    failed = {f.check for f in report.failures if f.file == member}
    assert "timestamp-signature" in failed, report.failures
    r = subprocess.run([sys.executable, "-m", "kasuhara_recorder", "--json", "verify",
                        str(flipped)], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert r.returncode == 1 and member in r.stdout

    # verify.html, as a recipient opens it: the capture token's time shown, the flip named.
    from tests.bundle.chromium import Chromium

    page = tmp_path / "verify.html"
    page.write_bytes(entries["verify.html"])
    browser = Chromium()
    try:
        browser.open(page)
        browser.pick("#zip", [out])
        result = browser.wait_result()
        assert result["ok"], result
        assert f"recordings/{m.id}.json" in {t["file"] for t in result["timestamps"]}
        browser.open(page)
        browser.pick("#zip", [flipped])
        failed = {(f["file"], f["check"]) for f in browser.wait_result()["failures"]}
        assert (member, "timestamp-signature") in failed
    finally:
        browser.close()


def test_a_token_that_came_late_reaches_the_centre_at_the_next_sync(central, tsa_one, tmp_path):
    a = central.workstation(tmp_path, "counter-a")
    _use_tsa(a, tsa_one)
    tsa_one.down()
    m = routine_recording(a, tmp_path)
    report = a.sync.sync()  # the recording goes; its token has not come
    assert report.ok and report.sent.get("recording") == 1 and "timestamp" not in report.sent
    assert _central_tokens(central) == {}
    assert a.timestamps.row("manifest", m.id).state == "queued"

    tsa_one.up()
    r = _cli(a, "timestamp", "retry")
    assert r.returncode == 0, r.stdout + r.stderr
    assert a.timestamps.row("manifest", m.id).state == "added"
    assert a.sync.status().waiting >= 1  # the late token waits to be sent
    report = a.sync.sync()
    assert report.ok and report.sent.get("timestamp") == 1, report
    token = a.vault.manifest_timestamp(m.id).read_bytes()
    assert _central_tokens(central) == {m.id: hashlib.sha256(token).hexdigest()}
    assert a.sync.status().waiting == 0
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    got = central.verify(officer)
    assert got.ok and got.timestamps == 1, got.text.en


def _call(url: str, *args: object) -> str:
    """add_capture_timestamp called directly, as the app's login (no app code in between)."""
    with psycopg.connect(url) as c:
        row = c.execute(
            "SELECT kasuhara.add_capture_timestamp(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", args
        ).fetchone()
        assert row is not None
        return str(row[0])


def test_the_server_takes_a_token_only_over_the_manifest_it_holds(central, tsa_one, tmp_path):
    a = central.workstation(tmp_path, "counter-a")
    m = routine_recording(a, tmp_path)  # no TSA on this PC: nothing sent by the sync
    assert a.sync.sync().ok
    fp = a.identity.key.fingerprint
    manifest_sha = hashlib.sha256(a.vault.manifest(m.id).manifest.read_bytes()).hexdigest()
    genuine = tsa_one.keys.reply(build_request(manifest_sha).der)
    other = tsa_one.keys.reply(build_request("ab" * 32).der)  # a real token, for other data
    rest = ("2026-12-01T01:00:00+00:00", "Test TSA", "", "t0", "t1", 0)
    url = a.settings.central_url

    def refused(code: str, *args: object) -> None:
        with pytest.raises(psycopg.DatabaseError) as e:
            _call(url, *args)
        assert e.value.sqlstate == code, e.value

    refused("KH062", m.id, fp, genuine, "ab" * 32, *rest)  # a forged data_sha256
    refused("KH063", m.id, fp, other, manifest_sha, *rest)  # the token stamps other data
    refused("KH061", "no-such-recording", fp, genuine, manifest_sha, *rest)
    b = central.workstation(tmp_path, "counter-b")
    with pytest.raises(psycopg.DatabaseError) as e:  # another PC's login, for A's recording
        _call(b.settings.central_url, m.id, fp, genuine, manifest_sha, *rest)
    assert e.value.sqlstate == "KH060"
    assert _central_tokens(central) == {}
    assert _call(url, m.id, fp, genuine, manifest_sha, *rest) == "added"
    assert _call(url, m.id, fp, genuine, manifest_sha, *rest) == "already"
    refused("KH064", m.id, fp, tsa_one.keys.reply(build_request(manifest_sha).der), manifest_sha,
            *rest)  # fmt: skip
    with pytest.raises(psycopg.DatabaseError) as e:  # append-only, like the rest
        with psycopg.connect(url) as c:
            c.execute("DELETE FROM kasuhara.capture_timestamps")
    assert e.value.sqlstate in ("42501", "KH100")
    assert list(_central_tokens(central)) == [m.id]


def test_a_token_not_over_its_manifest_is_refused_said_and_recorded_once(
    central, tsa_one, tmp_path
):
    a = central.workstation(tmp_path, "counter-a")
    _use_tsa(a, tsa_one)
    m = routine_recording(a, tmp_path)
    # A fault not caused otherwise: the vault's token file swapped for a genuine token of the
    # same TSA over other data (the check at arrival would have refused such a reply).
    a.vault.manifest_timestamp(m.id).write_bytes(tsa_one.keys.reply(build_request("cd" * 32).der))
    report = a.sync.sync()
    assert report.sent.get("recording") == 1  # the recording itself goes
    problems = [p for p in report.problems if p.kind == "timestamp_refused"]
    assert len(problems) == 1 and m.id in problems[0].detail.ja
    assert "タイムスタンプ" in problems[0].detail.ja
    assert _central_tokens(central) == {}
    kinds = central.sql("SELECT kind FROM kasuhara.sync_refusals")
    assert kinds == "timestamp"
    assert "timestamp_refused" not in {p.kind for p in a.sync.sync().problems}  # said once
    assert central.sql("SELECT count(*) FROM kasuhara.sync_refusals") == "1"
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    got = central.verify(officer)
    assert not got.ok and any(m.id in p.detail.en for p in got.problems if p.kind == "refused")


def test_a_token_changed_in_the_database_stops_the_export_and_is_named_by_the_central_check(
    central, tsa_one, tmp_path
):
    from kasuhara_recorder.bundle.errors import ExportRefused

    _a, m, inc = _recorded_and_synced(central, tmp_path, tsa_one)
    # A database administrator's power (outside the app's): the trigger dropped, a byte changed.
    central.sql(
        "ALTER TABLE kasuhara.capture_timestamps DISABLE TRIGGER capture_timestamps_append_only;"
        "UPDATE kasuhara.capture_timestamps SET token = overlay(token placing "
        "decode(lpad(to_hex(get_byte(token, length(token) - 10) # 1), 2, '0'), 'hex') "
        "from length(token) - 9 for 1);"
        "ALTER TABLE kasuhara.capture_timestamps ENABLE TRIGGER capture_timestamps_append_only"
    )
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    out = tmp_path / "refused.zip"
    with pytest.raises(ExportRefused) as e:
        officer.export.export(inc.id, central.org, out, exported_at=exported_at())
    assert f"timestamps/recordings/{m.id}.json.tsr" in e.value.message("ja")
    assert not out.exists()
    assert not (officer.paths.root / "central-cache" / inc.id).exists()
    got = central.verify(officer)
    assert not got.ok
    assert [p.kind for p in got.problems] == ["timestamp"] and m.id in got.problems[0].detail.en


def test_the_centres_bundle_carries_the_token_as_the_recording_pcs_own_export_does(
    central, tsa_one, tmp_path
):
    import getpass

    from kasuhara_recorder.config import RoleGrant

    a, m, inc = _recorded_and_synced(central, tmp_path, tsa_one)
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    _use_tsa(officer, tsa_one)
    out = tmp_path / "from-centre.zip"
    when = exported_at()
    officer.export.export(inc.id, central.org, out, exported_at=when)
    local = tmp_path / "local.zip"
    # an evidence officer signed in at counter-a exports there (a counter worker may not)
    a.save_settings(a.settings.with_changes(roles=(RoleGrant(getpass.getuser(), "officer"),)))
    a.export.export(inc.id, central.org, local, exported_at=when)
    with zipfile.ZipFile(out) as z1, zipfile.ZipFile(local) as z2:
        for name in (f"timestamps/recordings/{m.id}.json.tsr", "timestamps/tsa-chain.pem",
                     f"recordings/{m.id}.json"):  # fmt: skip
            assert z1.read(name) == z2.read(name), name
        got, want = (json.loads(z.read("manifest.json"))["timestamps"] for z in (z1, z2))
    assert got == want and got[0]["gen_time"]
