"""Captured and imported recordings (WAV, FLAC, MP3, an M4A whose header is not read, and a mix
in one incident) round-trip: export → `verify` exit 0, verify.html green in Chromium, and every
command README.txt gives run literally in the unzipped bundle gives what README.txt says.

Tampering after the fact (a byte flipped and SHA256SUMS made again, as someone without the key
would): openssl refuses SHA256SUMS.sig, so README.txt's two-command check fails, and so do the
CLI and the page."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from kasuhara_recorder.bundle.handover import grouped
from kasuhara_recorder.bundle.verify_page import page_bytes
from tests.bundle.chromium import CHROMIUM, Chromium
from tests.bundle.conftest import INCIDENT, Workstation, kr, make_workstation

KINDS = ("captured", "wav", "flac", "mp3", "mix")


@pytest.fixture(scope="module", autouse=True)
def _chromium_installed():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: make test installs chromium (scripts/setup-system.sh)")


def _signal(seconds: float, rate: int, freq: float) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.4 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _originals(folder: Path) -> dict[str, Path]:
    """An IC recorder's WAV (44.1 kHz stereo, with a LIST chunk as recorders write), a phone
    logger's FLAC, an MP3, and an M4A whose header the app cannot read (kept byte for byte)."""
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / "IC_0001.WAV"
    sf.write(wav, np.stack([_signal(1.2, 44100, 500)] * 2, axis=1), 44100, subtype="PCM_16")
    raw = wav.read_bytes()  # a LIST/INFO chunk before the data, as recorders write
    info = b"INFOISFT\x0a\x00\x00\x00IC-REC 1.0"
    at = raw.index(b"data")
    raw = raw[:at] + b"LIST" + len(info).to_bytes(4, "little") + info + raw[at:]
    wav.write_bytes(raw[:4] + (len(raw) - 8).to_bytes(4, "little") + raw[8:])
    flac = folder / "call-0815.flac"
    sf.write(flac, _signal(1.0, 16000, 700), 16000, format="FLAC")
    mp3 = folder / "voicemail.mp3"
    sf.write(mp3, _signal(1.0, 16000, 900), 16000, format="MP3", subtype="MPEG_LAYER_III")
    m4a = folder / "smartphone.m4a"
    m4a.write_bytes(b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isommp42" + bytes(range(256)) * 8)
    return {"wav": wav, "flac": flac, "mp3": mp3, "m4a": m4a}


@dataclass
class Exported:
    kind: str
    bundle: Path
    folder: Path
    sources: dict[str, str]  # recording id -> "capture" / "import"


def _new_incident(ws: Workstation) -> str:
    f = ws.root / "incident.json"
    f.write_text(json.dumps(INCIDENT, ensure_ascii=False))
    return json.loads(kr(ws.data, "--json", "incident", "new", "--json-file", str(f)).stdout)["id"]


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, Exported]:
    root = tmp_path_factory.mktemp("imports")
    ws = make_workstation(root / "ws", seconds=1.5)  # its incident holds one captured recording
    originals = _originals(root / "originals")
    incidents = {"captured": ws.incident_id}
    for kind in ("wav", "flac", "mp3"):
        incidents[kind] = inc = _new_incident(ws)
        kr(ws.data, "import", "--incident", inc, str(originals[kind]))
    incidents["mix"] = mix = _new_incident(ws)
    kr(ws.data, "record", "--input-file", str(root / "ws" / "tone.wav"), "--unpaced",
       "--incident", mix)  # fmt: skip
    kr(ws.data, "import", "--incident", mix, *(str(originals[k]) for k in originals))
    out = {}
    for kind, inc in incidents.items():
        bundle = root / f"{kind}.zip"
        r = kr(ws.data, "--json", "export", inc, "--identity", str(ws.identity),
               "--passphrase-file", str(ws.passphrase_file), "--out", str(bundle))  # fmt: skip
        exported = json.loads(r.stdout)
        folder = root / f"{kind}-unzipped"
        with zipfile.ZipFile(bundle) as z:
            z.extractall(folder)
        manifest = json.loads((folder / "manifest.json").read_text())
        assert exported["bundle_sha256"] == _sha256(bundle)
        out[kind] = Exported(
            kind, bundle, folder, {r["id"]: r["source"] for r in manifest["recordings"]}
        )
    out["_ws"] = ws  # type: ignore[assignment]
    return out


def _sha256(path: Path) -> str:
    return subprocess.run(["sha256sum", str(path)], capture_output=True, text=True,
                          check=True).stdout.split()[0]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    b = Chromium()
    yield b
    b.close()


def test_each_incident_holds_what_was_recorded_and_imported(exports):
    counts = {k: sorted(exports[k].sources.values()) for k in KINDS}
    assert counts == {
        "captured": ["capture"],
        "wav": ["import"],
        "flac": ["import"],
        "mp3": ["import"],
        "mix": ["capture", "import", "import", "import", "import"],
    }


@pytest.mark.parametrize("kind", KINDS)
def test_cli_verify_accepts_the_untouched_bundle(exports, kind):
    e = exports[kind]
    ws: Workstation = exports["_ws"]
    r = kr(ws.data, "--json", "verify", str(e.bundle), check=False)
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["ok"], out["failures"]
    assert out["bundle_sha256"] == _sha256(e.bundle)
    assert out["bundle_sha256_grouped"] == grouped(out["bundle_sha256"])
    plain = kr(ws.data, "--lang", "ja", "verify", str(e.bundle))
    assert grouped(out["signing_fingerprint"], lines=True).split("\n")[0] in plain.stdout
    assert grouped(out["bundle_sha256"], lines=True).split("\n")[1] in plain.stdout


def test_imported_originals_are_in_the_bundle_byte_for_byte(exports, tmp_path):
    e = exports["mix"]
    originals = _originals(tmp_path / "again")  # the same bytes, made the same way
    manifest = json.loads((e.folder / "manifest.json").read_text())
    by_name = {}
    for rec in manifest["recordings"]:
        cap = json.loads((e.folder / rec["manifest"]).read_text())
        if rec["source"] == "import":
            assert "original" in rec and "wav" not in rec, rec
            assert cap["sample_format"] == "original"
            by_name[cap["import"]["original_name"]] = (e.folder / rec["original"]).read_bytes()
        else:
            assert "wav" in rec and cap["sample_format"] == "s16le"
    for kind, p in originals.items():
        if kind != "wav":  # the recorder WAV's bytes are compared below
            assert by_name[p.name] == p.read_bytes(), p.name
    imported_wav = by_name["IC_0001.WAV"]
    assert b"LIST" in imported_wav[:200]  # its own header, not rewritten to 44 bytes
    suffixes = sorted(Path(r.get("original", r.get("wav"))).suffix for r in manifest["recordings"])
    assert suffixes == [".flac", ".m4a", ".mp3", ".wav", ".wav"]


@pytest.mark.parametrize("kind", KINDS)
def test_verify_html_is_green_for_the_zip_and_the_folder(browser, exports, kind, tmp_path):
    e = exports[kind]
    page = tmp_path / "verify.html"
    page.write_bytes(page_bytes())
    browser.open(page)
    browser.pick("#zip", [e.bundle])
    result = browser.wait_result()
    assert result["ok"], result
    assert result["bundleSha256"] == _sha256(e.bundle)
    shown = browser.evaluate("document.querySelector('#bundlesha').textContent")
    assert shown == grouped(result["bundleSha256"])
    browser.open(e.folder / "verify.html")  # the copy inside the bundle, opened from the folder
    browser.pick("#folder", [e.folder])
    assert browser.wait_result()["ok"]


def readme_commands(readme: str, section: str) -> list[tuple[str, str]]:
    """(command, expected) for every ``$ `` line of a section of README.txt."""
    ja, en = readme.split("【English】")
    text = en if section == "en" else ja.split("【日本語】")[1]
    lines = text.replace("\r\n", "\n").split("\n")
    out = []
    for i, line in enumerate(lines):
        m = re.match(r"^\s+\$ (.+)$", line)
        if m:
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            out.append((m.group(1), nxt.removeprefix("→").strip()))
    return out


def run_readme(folder: Path) -> list[tuple[str, str, subprocess.CompletedProcess]]:
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    commands = readme_commands(readme, "en")
    ja = readme_commands(readme, "ja")
    assert [c for c, _x in commands] == [c for c, _x in ja]  # the same commands in both
    assert [x for _c, x in commands if len(x) == 64] == [x for _c, x in ja if len(x) == 64]
    return [
        (cmd, expect, subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=folder,
                                     capture_output=True, text=True, timeout=60))
        for cmd, expect in commands
    ]  # fmt: skip


def meets(expect: str, run: subprocess.CompletedProcess) -> bool:
    if run.returncode != 0:
        return False
    if re.fullmatch(r"[0-9a-f]{64}", expect):
        return run.stdout.split()[-1] == expect  # "SHA2-256(stdin)= <hex>"
    if expect == "Signature Verified Successfully":
        return expect in run.stdout
    if expect.startswith("every line"):
        return all(ln.endswith(": OK") for ln in run.stdout.splitlines()) and run.stdout
    raise AssertionError(f"README.txt expects something the test does not know: {expect!r}")


@pytest.mark.parametrize("kind", KINDS)
def test_every_command_in_readme_gives_what_readme_says(exports, kind):
    e = exports[kind]
    runs = run_readme(e.folder)
    failed = [(cmd, expect, r.stdout, r.stderr) for cmd, expect, r in runs if not meets(expect, r)]
    assert failed == []
    cmds = [cmd for cmd, _x, _r in runs]
    manifest = json.loads((e.folder / "manifest.json").read_text())
    # the chain: the fingerprint, SHA256SUMS.sig, sha256sum -c; then one check per recording
    fp_cmd = next(c for c in cmds if c.startswith("openssl pkey -pubin"))
    assert manifest["signing_key"]["file"] in fp_cmd
    assert dict((c, x) for c, x, _r in runs)[fp_cmd] == manifest["signing_key"]["fingerprint"]
    assert any("-in SHA256SUMS -sigfile SHA256SUMS.sig" in c for c in cmds)
    assert "sha256sum -c SHA256SUMS" in cmds
    for rec in manifest["recordings"]:
        if rec["source"] == "capture":
            assert f"tail -c +45 {rec['wav']} | openssl dgst -sha256" in cmds
        else:
            assert f"openssl dgst -sha256 {rec['original']}" in cmds
            assert not any(c.startswith("tail") and rec["original"] in c for c in cmds)
        assert any(f"-in {rec['manifest']} -sigfile {rec['signature']}" in c for c in cmds)


def _rezip(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                z.write(p, p.relative_to(folder).as_posix())
    return out


def _tamper(src: Path, dest: Path, audio: str) -> Path:
    """Copy of the unzipped bundle with one byte of ``audio`` flipped and SHA256SUMS made
    again with sha256sum, as someone without the signing key would."""
    subprocess.run(["cp", "-a", str(src), str(dest)], check=True)
    f = dest / audio
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0x01
    f.write_bytes(bytes(data))
    names = [ln.split("  ", 1)[1] for ln in (dest / "SHA256SUMS").read_text().splitlines()]
    sums = subprocess.run(["sha256sum", *names], cwd=dest, capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    (dest / "SHA256SUMS").write_text(sums)
    assert subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=dest,
                          capture_output=True).returncode == 0  # fmt: skip
    return dest


@pytest.mark.parametrize("source", ["capture", "import"])
def test_a_flipped_byte_with_sha256sums_made_again_fails_every_check(
    browser, exports, tmp_path, source
):
    e = exports["mix"]
    ws: Workstation = exports["_ws"]
    manifest = json.loads((e.folder / "manifest.json").read_text())
    rec = next(r for r in manifest["recordings"] if r["source"] == source)
    audio = rec.get("wav", rec.get("original"))
    folder = _tamper(e.folder, tmp_path / "tampered", audio)
    # openssl refuses SHA256SUMS.sig: README's two-command check fails
    runs = {cmd: (expect, r) for cmd, expect, r in run_readme(folder)}
    sig_cmd = next(c for c in runs if "-sigfile SHA256SUMS.sig" in c)
    expect, r = runs[sig_cmd]
    assert r.returncode != 0 and "Signature Verified Successfully" not in r.stdout
    assert meets(*runs["sha256sum -c SHA256SUMS"])  # the regenerated sums alone say OK
    check = next(c for c in runs if audio in c and "dgst" in c)
    assert not meets(*runs[check])  # and the per-recording hash no longer matches
    # the CLI
    bad = _rezip(folder, tmp_path / "tampered.zip")
    v = kr(ws.data, "--json", "verify", str(bad), check=False)
    out = json.loads(v.stdout)
    assert v.returncode == 1
    failed = {(f["file"], f["check"]) for f in out["failures"]}
    assert ("SHA256SUMS.sig", "sums-signature") in failed
    assert (audio, "pcm-sha256" if source == "capture" else "original-sha256") in failed
    # the page
    page = tmp_path / "verify.html"
    page.write_bytes(page_bytes())
    browser.open(page)
    browser.pick("#zip", [bad])
    result = browser.wait_result()
    assert result["state"] == "bad"
    page_failed = {(f["file"], f["check"]) for f in result["failures"]}
    assert ("SHA256SUMS.sig", "sums-signature") in page_failed
    assert audio in {f for f, _c in page_failed}
