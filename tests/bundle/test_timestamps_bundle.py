"""RFC 3161 tokens in the bundle, with a real TSA (`openssl ts -reply` on loopback): the capture
manifest's and the bundle manifest's tokens and the TSA chain are members listed in SHA256SUMS;
`verify` passes them and `openssl ts -verify` works on the extracted files, as README.txt says;
a token altered by one byte, a token for other data, a chain from another CA and a genTime after
the export are each a failure naming the file."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest

from kasuhara_recorder.bundle.verify import verify_bundle
from tests.bundle.conftest import PASSPHRASE, kr, make_workstation
from tests.bundle.test_import_roundtrip import readme_commands
from tests.support.tsa import LoopbackTsa, openssl_verify


@pytest.fixture(scope="module")
def stamped(tmp_path_factory, tsa_keys):
    server = LoopbackTsa(tsa_keys, "tsa+ca").start()
    try:
        ws = make_workstation(
            tmp_path_factory.mktemp("ws-tsa"),
            setup_extra=("--tsa-url", server.url, "--tsa-ca", str(tsa_keys.ca)),
        )
        out = tmp_path_factory.mktemp("bundle-tsa") / "bundle.zip"
        ws.export(out, "--recipient", "police")
        yield ws, out, server
    finally:
        server.down()


def _entries(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as z:
        return {n: z.read(n) for n in z.namelist()}


def _rezip(entries: dict[str, bytes], out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out


def test_the_tokens_and_chain_are_members_and_verify(stamped, tmp_path):
    ws, bundle, _ = stamped
    capture_token = f"timestamps/recordings/{ws.recording_id}.json.tsr"
    names = set(_entries(bundle))
    assert {capture_token, "timestamps/manifest.json.tsr", "timestamps/tsa-chain.pem"} <= names
    r = kr(ws.data, "--json", "verify", str(bundle), check=False)
    assert r.returncode == 0, r.stdout
    out = json.loads(r.stdout)
    assert out["ok"]
    assert {t["file"] for t in out["timestamps"]} == {
        f"recordings/{ws.recording_id}.json",
        "manifest.json",
    }
    folder = tmp_path / "x"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(folder)
    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True,
                          text=True)  # fmt: skip
    assert sums.returncode == 0, sums.stdout
    assert capture_token in sums.stdout and "timestamps/manifest.json.tsr" in sums.stdout
    chain = folder / "timestamps" / "tsa-chain.pem"
    for data, token in (
        (f"recordings/{ws.recording_id}.json", capture_token),
        ("manifest.json", "timestamps/manifest.json.tsr"),
    ):
        out = openssl_verify(folder / data, folder / token, chain)
        assert "Verification: OK" in out, (token, out)
    # the -attime form README.txt gives for after the TSA certificate expired
    out = openssl_verify(folder / "manifest.json", folder / "timestamps/manifest.json.tsr", chain,
                         attime=int(dt.datetime.now().timestamp()))  # fmt: skip
    assert "Verification: OK" in out, out
    manifest = json.loads((folder / "manifest.json").read_bytes())
    entry = manifest["timestamps"][0]
    assert entry["token"] == capture_token and entry["gen_time"] and entry["added_at"]
    readme = (folder / "README.txt").read_text("utf-8")
    assert "-attime" in readme
    hand = [c for c, _x in readme_commands(readme, "en") if c.startswith("openssl ts -verify")]
    assert hand == [c for c, _x in readme_commands(readme, "ja") if c.startswith("openssl ts")]
    assert len(hand) == 2 and capture_token in hand[0]
    for cmd in hand:  # run as README.txt gives them
        r = subprocess.run(["bash", "-c", cmd], cwd=folder, capture_output=True, text=True)
        assert "Verification: OK" in r.stdout, (cmd, r.stdout, r.stderr)


def _failed(report) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in report.failures:
        out.setdefault(f.file, set()).add(f.check)
    return out


def test_a_token_altered_by_one_byte_is_named(stamped, tmp_path):
    ws, bundle, _ = stamped
    name = f"timestamps/recordings/{ws.recording_id}.json.tsr"
    entries = _entries(bundle)
    raw = bytearray(entries[name])
    raw[-10] ^= 0x01  # inside the TSA's signature
    report = verify_bundle(_rezip(dict(entries, **{name: bytes(raw)}), tmp_path / "t.zip"))
    assert "timestamp-signature" in _failed(report)[name]


def test_a_token_for_other_data_is_named(stamped, tmp_path):
    ws, bundle, _ = stamped
    name = f"timestamps/recordings/{ws.recording_id}.json.tsr"
    entries = _entries(bundle)
    other = entries["timestamps/manifest.json.tsr"]  # a genuine token, over manifest.json
    report = verify_bundle(_rezip(dict(entries, **{name: other}), tmp_path / "o.zip"))
    assert "timestamp-imprint" in _failed(report)[name]


def test_a_chain_from_another_ca_is_named(stamped, other_tsa_keys, tmp_path):
    ws, bundle, _ = stamped
    entries = _entries(bundle)
    chain = other_tsa_keys.folder.joinpath("chain.pem").read_bytes()
    report = verify_bundle(
        _rezip(dict(entries, **{"timestamps/tsa-chain.pem": chain}), tmp_path / "c.zip")
    )
    failed = _failed(report)
    assert "timestamp-chain" in failed[f"timestamps/recordings/{ws.recording_id}.json.tsr"]
    assert "timestamp-chain" in failed["timestamps/manifest.json.tsr"]


def test_a_gen_time_after_the_export_is_named(stamped, tmp_path):
    """An export dated before its recording's token (a PC clock set back)."""
    from kasuhara_recorder.app.service import AppService

    ws, _, _ = stamped
    app = AppService(ws.data)
    try:
        identity = app.export.unlock(ws.identity, PASSPHRASE)
        out = tmp_path / "early.zip"
        app.export.export(
            ws.incident_id,
            identity,
            out,
            exported_at=dt.datetime.now().astimezone() - dt.timedelta(days=1),
        )
    finally:
        app.close()
    report = verify_bundle(out)
    name = f"timestamps/recordings/{ws.recording_id}.json.tsr"
    assert _failed(report) == {name: {"timestamp-time"}}


def test_the_report_shows_each_recordings_trusted_time_next_to_the_pcs(stamped, tmp_path):
    ws, bundle, _ = stamped
    with zipfile.ZipFile(bundle) as z:
        (tmp_path / "report.pdf").write_bytes(z.read("incident/report.pdf"))
        manifest = json.loads(z.read("manifest.json"))
        capture = json.loads(z.read(f"recordings/{ws.recording_id}.json"))
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    text = unicodedata.normalize("NFKC", text)  # the PDF's CJK radicals (⾳) as the characters
    assert "信頼できる時刻(RFC 3161)" in text and "端末の時計(停止" in text
    offset = dt.datetime.fromisoformat(capture["ended_at"]).tzinfo
    gen = dt.datetime.fromisoformat(manifest["timestamps"][0]["gen_time"]).astimezone(offset)
    assert gen.strftime("%Y-%m-%d %H:%M:%S") in text
    assert "Test TSA" in text
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(tmp_path / "report.pdf"),
                    str(tmp_path / "page")], check=True)  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    from tests.bundle.chromium import Chromium

    b = Chromium()
    yield b
    b.close()


def test_verify_html_shows_each_tokens_time_and_checks_its_imprint(stamped, browser, tmp_path):
    ws, bundle, _ = stamped
    entries = _entries(bundle)
    page = tmp_path / "verify.html"
    page.write_bytes(entries["verify.html"])
    browser.open(page)
    browser.pick("#zip", [bundle])
    result = browser.wait_result()
    assert result["ok"], result
    manifest = json.loads(entries["manifest.json"])
    capture = f"recordings/{ws.recording_id}.json"
    shown = {t["file"]: t["genTime"] for t in result["timestamps"]}
    assert set(shown) == {capture, "manifest.json"}
    want = dt.datetime.fromisoformat(manifest["timestamps"][0]["gen_time"])
    assert dt.datetime.fromisoformat(shown[capture].replace("Z", "+00:00")) == want
    text = browser.evaluate("document.querySelector('#times').textContent")
    assert capture in text and shown[capture] in text

    name = f"timestamps/{capture}.tsr"
    swapped = dict(entries, **{name: entries["timestamps/manifest.json.tsr"]})
    browser.open(page)
    browser.pick("#zip", [_rezip(swapped, tmp_path / "swapped.zip")])
    failed = {(f["file"], f["check"]) for f in browser.wait_result()["failures"]}
    assert (name, "timestamp-imprint") in failed

    raw = bytearray(entries[name])
    raw[-10] ^= 0x01  # a byte of the TSA's signature
    browser.open(page)
    browser.pick("#zip", [_rezip(dict(entries, **{name: bytes(raw)}), tmp_path / "flip.zip")])
    failed = {(f["file"], f["check"]) for f in browser.wait_result()["failures"]}
    assert (name, "timestamp-signature") in failed


def test_a_pc_clock_far_off_is_a_warning_in_the_report(tmp_path):
    from dataclasses import replace

    from kasuhara_recorder.bundle.report_model import ReportTrustedTime
    from kasuhara_recorder.bundle.report_pdf import render_report_pdf
    from tests.bundle.report_sample import sample_report

    r = sample_report()
    trusted = ReportTrustedTime(
        gen_time="2026-11-20 11:00:31 +09:00", tsa="Test TSA",
        token="timestamps/recordings/rec-20261120-0001.json.tsr",
        pc_time="2026-11-20 11:15:30.000 +09:00", skew="PC の時計は約 899 秒進んでいました",
        clock_warning=True,
    )  # fmt: skip
    r = replace(r, recordings=(replace(r.recordings[0], trusted=trusted),))
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render_report_pdf(r, dt.datetime(2026, 11, 25, 14, 3).astimezone()))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    text = unicodedata.normalize("NFKC", text)
    assert "警告" in text and "899 秒進んで" in text
    assert "2026-11-20 11:00:31 +09:00" in text and "2026-11-20 11:15:30.000 +09:00" in text
