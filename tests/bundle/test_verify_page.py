"""verify.html in Debian's headless Chromium: green for a good bundle, names an altered file."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from kasuhara_recorder.bundle.verify_page import page_bytes
from tests.bundle import synthetic
from tests.bundle.chromium import CHROMIUM, Chromium


@pytest.fixture(scope="module", autouse=True)
def _chromium_installed():
    # Not a skip: make test installs Debian's chromium, and these tests are the page's only check.
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: make test installs chromium (scripts/setup-system.sh)")


@pytest.fixture(scope="module")
def browser():
    b = Chromium()
    yield b
    b.close()


@pytest.fixture
def bundle(tmp_path) -> Path:
    zpath = tmp_path / "bundle.zip"
    synthetic.build(zpath)
    return zpath


def _page(tmp_path: Path) -> Path:
    p = tmp_path / "verify.html"
    p.write_bytes(page_bytes())
    return p


def _unzip(zpath: Path, dest: Path) -> Path:
    with zipfile.ZipFile(zpath) as z:
        z.extractall(dest)
    return dest


def test_page_has_no_network_and_no_external_script():
    html = page_bytes().decode()
    assert "connect-src 'none'" in html and "default-src 'none'" in html
    assert "<script src" not in html and "http://" not in html and "https://" not in html


def test_good_zip_is_all_green(browser, bundle, tmp_path):
    browser.open(_page(tmp_path))
    browser.pick("#zip", [bundle])
    result = browser.wait_result()
    assert result["ok"], result
    assert result["files"] == 10  # with SHA256SUMS.sig
    banner = browser.evaluate("document.querySelector('#summary').textContent")
    assert "すべての確認に合格しました" in banner and "All checks passed" in banner


def test_good_folder_is_all_green(browser, bundle, tmp_path):
    folder = _unzip(bundle, tmp_path / "bundle")
    browser.open(_page(tmp_path))
    browser.pick("#folder", [folder])
    result = browser.wait_result()
    assert result["ok"], result


def test_flipped_audio_byte_in_folder_names_the_wav(browser, bundle, tmp_path):
    folder = _unzip(bundle, tmp_path / "bundle")
    wav = folder / "recordings" / "rec-1.wav"
    data = bytearray(wav.read_bytes())
    data[1000] ^= 0x01
    wav.write_bytes(bytes(data))
    browser.open(_page(tmp_path))
    browser.pick("#folder", [folder])
    result = browser.wait_result()
    assert not result["ok"]
    failed = {(f["file"], f["check"]) for f in result["failures"]}
    assert failed == {
        ("recordings/rec-1.wav", "sha256sums"),
        ("recordings/rec-1.wav", "manifest"),
        ("recordings/rec-1.wav", "pcm-sha256"),
    }
    banner = browser.evaluate("document.querySelector('#summary').textContent")
    assert "recordings/rec-1.wav" in banner and "改ざん" in banner


def test_edited_manifest_fails_its_signature_and_an_added_file_is_named(browser, bundle, tmp_path):
    folder = _unzip(bundle, tmp_path / "bundle")
    m = folder / "manifest.json"
    m.write_bytes(m.read_bytes().replace(b'"inc-1"', b'"inc-2"'))
    (folder / "incident" / "extra.txt").write_text("added later")
    browser.open(_page(tmp_path))
    browser.pick("#folder", [folder])
    result = browser.wait_result()
    failed = {(f["file"], f["check"]) for f in result["failures"]}
    assert ("manifest.json.sig", "manifest-signature") in failed
    assert ("manifest.json", "sha256sums") in failed
    assert ("incident/extra.txt", "listed") in failed


def test_incremental_hash_agrees_with_webcrypto_for_big_files(browser, bundle, tmp_path):
    browser.open(_page(tmp_path))
    browser.evaluate("window.forceIncremental = true")
    browser.pick("#zip", [bundle])
    assert browser.wait_result()["ok"]


def test_non_zip_gets_a_clear_message(browser, tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip at all" * 10)
    browser.open(_page(tmp_path))
    browser.pick("#zip", [bad])
    result = browser.wait_result()
    assert not result["ok"] and "not a ZIP" in result["error"]


def test_folder_input_copied_next_to_page_still_works(browser, bundle, tmp_path):
    # A recipient may open verify.html from inside the unzipped bundle itself.
    folder = _unzip(bundle, tmp_path / "b")
    shutil.copy(_page(tmp_path), folder / "verify-copy.html")
    browser.open(folder / "verify-copy.html")
    browser.pick("#folder", [folder])
    result = browser.wait_result()
    assert {f["file"] for f in result["failures"]} == {"verify-copy.html"}


def test_real_export_is_green_in_the_browser_and_an_altered_wav_is_named(
    browser, good_bundle, tmp_path
):
    page = tmp_path / "verify.html"
    with zipfile.ZipFile(good_bundle) as z:
        page.write_bytes(z.read("verify.html"))  # the copy shipped inside the bundle
    browser.open(page)
    browser.pick("#zip", [good_bundle])
    assert browser.wait_result()["ok"]
    folder = _unzip(good_bundle, tmp_path / "b")
    wav = next((folder / "recordings").glob("*.wav"))
    data = bytearray(wav.read_bytes())
    data[-10] ^= 0x01
    wav.write_bytes(bytes(data))
    browser.open(page)
    browser.pick("#folder", [folder])
    result = browser.wait_result()
    assert {f["file"] for f in result["failures"]} == {f"recordings/{wav.name}"}


def test_real_export_with_an_imported_recording_is_green(browser, tmp_path):
    # An imported original (FLAC, MP3…) is listed as "original", not "wav": the page used to
    # check a WAV that is not there and showed a genuine bundle as altered, naming no file.
    import subprocess

    from tests.bundle.conftest import kr, make_workstation

    ws = make_workstation(tmp_path / "ws", seconds=1.5)
    flac = tmp_path / "phone.flac"
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(flac), "synth", "1", "sine", "440"], check=True
    )
    kr(ws.data, "import", "--incident", ws.incident_id, str(flac))
    out = tmp_path / "bundle.zip"
    ws.export(out)
    browser.open(_page(tmp_path))
    browser.pick("#zip", [out])
    assert browser.wait_result()["ok"]
    folder = _unzip(out, tmp_path / "b")
    original = next((folder / "recordings").glob("*.flac"))
    data = bytearray(original.read_bytes())
    data[-10] ^= 0x01
    original.write_bytes(bytes(data))
    browser.open(_page(tmp_path))
    browser.pick("#folder", [folder])
    result = browser.wait_result()
    failed = {(f["file"], f["check"]) for f in result["failures"]}
    assert (f"recordings/{original.name}", "original-sha256") in failed, failed


def test_resigned_bundle_claiming_the_genuine_fingerprint_fails(browser, good_bundle, tmp_path):
    from tests.bundle.test_signing_key import _resigned

    forged = tmp_path / "forged.zip"
    _resigned(good_bundle, forged, claim_genuine=True)
    browser.open(_page(tmp_path))
    browser.pick("#zip", [forged])
    result = browser.wait_result()
    assert {(f["file"], f["check"]) for f in result["failures"]} == {
        ("manifest.json.sig", "manifest-signature")
    }


@pytest.mark.parametrize(
    "edit",
    [
        {"files": [None, 5, "x"]},
        {"recordings": 5},
        {"recordings": [None, "x", {"manifest": 7, "wav": [1]}]},
        {"signing_key": "keys/x.pem"},
        {"signing_key": None},
    ],
)
def test_manifest_values_of_the_wrong_kind_are_named_per_file(browser, bundle, tmp_path, edit):
    import json

    folder = _unzip(bundle, tmp_path / "bundle")
    m = folder / "manifest.json"
    m.write_text(json.dumps({**json.loads(m.read_text()), **edit}))
    browser.open(_page(tmp_path))
    browser.pick("#folder", [folder])
    result = browser.wait_result()
    assert "error" not in result, result  # checked file by file, not "cannot verify"
    failed = {(f["file"], f["check"]) for f in result["failures"]}
    assert ("manifest.json.sig", "manifest-signature") in failed
    assert all(isinstance(f["file"], str) and f["file"] for f in result["failures"]), result


@pytest.mark.parametrize("text", ["null", "0", '""', "[]"])
def test_a_manifest_that_is_not_an_object_still_fails_its_signature(
    browser, bundle, tmp_path, text
):
    folder = _unzip(bundle, tmp_path / "bundle")
    (folder / "manifest.json").write_text(text)
    browser.open(_page(tmp_path))
    browser.pick("#folder", [folder])
    result = browser.wait_result()
    failed = {(f["file"], f["check"]) for f in result["failures"]}
    assert ("manifest.json.sig", "manifest-signature") in failed, result


def test_a_directory_record_running_past_its_end_is_called_malformed(browser, bundle, tmp_path):
    # Not "Offset is outside the bounds of the DataView", which tells the recipient nothing.
    import struct

    data = bytearray(bundle.read_bytes())
    last = data.rfind(b"PK\x01\x02")
    struct.pack_into("<H", data, last + 28, 0xFFFF)  # file name length
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    browser.open(_page(tmp_path))
    browser.pick("#zip", [bad])
    result = browser.wait_result()
    assert not result["ok"] and "malformed ZIP" in result["error"], result


def test_a_capture_manifest_listed_many_times_is_named_once(browser, bundle, tmp_path):
    import json

    folder = _unzip(bundle, tmp_path / "bundle")
    m = folder / "manifest.json"
    obj = json.loads(m.read_text())
    m.write_text(json.dumps({**obj, "recordings": obj["recordings"] * 3000}))
    browser.open(_page(tmp_path))
    browser.pick("#folder", [folder])
    result = browser.wait_result(timeout=30)
    failed = [(f["file"], f["check"]) for f in result["failures"]]
    assert failed.count(("manifest.json", "readable")) == 1, failed
    assert failed.count(("recordings/rec-1.json", "capture-signature")) == 0
