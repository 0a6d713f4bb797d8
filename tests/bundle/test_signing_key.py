"""The fingerprint verify shows is the recipient's only anchor: it must be the fingerprint of the
key that verified manifest.json.sig, never the value manifest.json claims."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kasuhara_recorder.bundle.sha256sums import format_sha256sums
from kasuhara_recorder.bundle.verify import verify_bundle
from kasuhara_recorder.evidence.canonical_json import canonical_json
from kasuhara_recorder.evidence.workstation_key import fingerprint_of
from tests.bundle.conftest import kr


def _resigned(
    bundle: Path, out: Path, *, claim_genuine: bool, incident_id: str | None = None
) -> tuple[str, str]:
    """The bundle with its narrative rewritten and re-signed by a new key, every hash redone,
    as a forger would. Returns (genuine fingerprint, forger's fingerprint)."""
    with zipfile.ZipFile(bundle) as z:
        e = {n: z.read(n) for n in z.namelist()}
    m = json.loads(e["manifest.json"])
    genuine = m["signing_key"]["fingerprint"]
    key = Ed25519PrivateKey.generate()
    forger = fingerprint_of(key.public_key())
    e["keys/forger.pem"] = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    inc = json.loads(e["incident/incident.json"])
    inc["narrative"] = "職員が先に怒鳴った。"
    e["incident/incident.json"] = canonical_json(inc)
    if incident_id is not None:
        m["incident_id"] = incident_id
    m["signing_key"] = {
        "file": "keys/forger.pem",
        "fingerprint": genuine if claim_genuine else forger,
    }
    files = {f["path"]: f for f in m["files"]}
    for p in ("keys/forger.pem", "incident/incident.json"):
        files[p] = {"path": p, "size": len(e[p]), "sha256": hashlib.sha256(e[p]).hexdigest()}
    m["files"] = sorted(files.values(), key=lambda f: f["path"])
    e["manifest.json"] = canonical_json(m)
    e["manifest.json.sig"] = key.sign(e["manifest.json"])
    unlisted = ("SHA256SUMS", "SHA256SUMS.sig")
    e["SHA256SUMS"] = format_sha256sums(
        sorted((p, hashlib.sha256(d).hexdigest()) for p, d in e.items() if p not in unlisted)
    )
    e["SHA256SUMS.sig"] = key.sign(e["SHA256SUMS"])  # the forger signs SHA256SUMS too
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in e.items():
            z.writestr(name, data)
    out.write_bytes(buf.getvalue())
    return genuine, forger


def test_resigned_bundle_claiming_the_genuine_fingerprint_fails(workstation, good_bundle, tmp_path):
    bad = tmp_path / "forged.zip"
    genuine, forger = _resigned(good_bundle, bad, claim_genuine=True)
    report = verify_bundle(bad)
    assert not report.ok
    assert ("manifest.json.sig", "manifest-signature") in {
        (f.file, f.check) for f in report.failures
    }
    assert report.signing_fingerprint != genuine
    r = kr(workstation.data, "--lang", "en", "verify", str(bad), check=False)
    assert r.returncode == 1, r.stdout
    assert genuine not in r.stdout.replace(forger, "")
    assert "manifest.json.sig" in r.stdout


def test_resigned_bundle_shows_the_forgers_fingerprint(good_bundle, tmp_path):
    # Honest about its key, the forgery verifies: only the fingerprint shows it (and the
    # recipient compares it with the one the sender gave by phone or letter).
    bad = tmp_path / "forged.zip"
    genuine, forger = _resigned(good_bundle, bad, claim_genuine=False)
    report = verify_bundle(bad)
    assert report.signing_fingerprint == forger != genuine


def test_genuine_bundle_shows_the_fingerprint_of_the_verifying_key(good_bundle):
    report = verify_bundle(good_bundle)
    with zipfile.ZipFile(good_bundle) as z:
        m = json.loads(z.read("manifest.json"))
        pem = z.read(m["signing_key"]["file"])
    key = serialization.load_pem_public_key(pem)
    assert report.ok and report.signing_fingerprint == fingerprint_of(key)


ESC = "\x1b[2J\x1b[H\x1b[32mbundle intact\x1b[8m"


def test_control_characters_from_the_bundle_are_shown_escaped(workstation, good_bundle, tmp_path):
    """Names and ids come from the bundle: printed raw, escape sequences would let it clear the
    terminal, print a green "intact" and hide the rest, or fake the fingerprint line."""
    with zipfile.ZipFile(good_bundle) as z:
        e = {n: z.read(n) for n in z.namelist()}
    e["SHA256SUMS"] += b"0" * 64 + ("  " + ESC + "\u202egpj.exe\n").encode()
    bad = tmp_path / "esc.zip"
    with zipfile.ZipFile(bad, "w") as z:
        for name, data in e.items():
            z.writestr(name, data)
    r = kr(workstation.data, "--lang", "en", "verify", str(bad), check=False)
    assert r.returncode == 1
    assert "\x1b" not in r.stdout and "\u202e" not in r.stdout, r.stdout
    assert "\\x1b[2J" in r.stdout and "\\u202e" in r.stdout  # shown, as escapes
    assert json.loads(kr(workstation.data, "--json", "verify", str(bad), check=False).stdout)[
        "failed_files"
    ][0].startswith("\x1b")  # scripts get the exact name

    fake = "inc-1\n  signing key fingerprint: " + "0" * 64 + ESC
    forged = tmp_path / "forged.zip"
    _resigned(good_bundle, forged, claim_genuine=False, incident_id=fake)
    r = kr(workstation.data, "--lang", "en", "verify", str(forged), check=False)
    assert r.returncode == 0  # honest about its key: only the fingerprint tells
    assert "\x1b" not in r.stdout
    lines = r.stdout.splitlines()
    assert len([ln for ln in lines if ln.startswith("  signing key fingerprint:")]) == 1, lines
