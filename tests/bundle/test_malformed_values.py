"""Valid JSON with values of the wrong kind, and single-bit flips in every small file of a real
bundle: verify reports the file and the check (exit 1) or refuses the archive (exit 2), never an
uncaught exception (the CLI's "unexpected error", exit 1 with nothing named)."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import pytest

from kasuhara_recorder.bundle.errors import HostileArchive
from kasuhara_recorder.bundle.sha256sums import parse_sha256sums
from kasuhara_recorder.bundle.verify import _Verifier, verify_bundle
from kasuhara_recorder.bundle.zip_reader import SafeZipReader
from tests.bundle.conftest import kr


def _entries(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as z:
        return {n: z.read(n) for n in z.namelist()}


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def _verify(data: bytes):
    """The report, or the HostileArchive raised; any other exception fails the test."""
    try:
        with SafeZipReader(data) as z:
            return _Verifier(z, None).run("b.zip")
    except HostileArchive as e:
        return e


def _json_with(raw: bytes, key: str, value_text: str) -> bytes:
    """``raw`` (one JSON object) with ``key`` set to the literal JSON text ``value_text``."""
    obj = json.loads(raw)
    obj[key] = "\0placeholder\0"
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace('"\\u0000placeholder\\u0000"', value_text).encode()


WRONG = ["null", "5", "-1", "1.5", "1e400", '"x"', "[1]", "[null]", "true", "{}", str(2**64)]


@pytest.mark.parametrize("key", ["files", "recordings", "signing_key", "keys", "custody"])
@pytest.mark.parametrize("value", WRONG)
def test_manifest_field_of_the_wrong_kind_is_reported(good_bundle, key, value):
    entries = _entries(good_bundle)
    bad = dict(entries, **{"manifest.json": _json_with(entries["manifest.json"], key, value)})
    report = _verify(_zip(bad))
    assert not isinstance(report, HostileArchive), report
    failed = {(f.file, f.check) for f in report.failures}
    assert ("manifest.json.sig", "manifest-signature") in failed
    assert ("manifest.json", "sha256sums") in failed


@pytest.mark.parametrize("value", ['"x"', "[]", "{}", "null", "5"])
def test_manifest_that_is_not_a_full_object_still_fails_its_signature(good_bundle, value):
    entries = _entries(good_bundle)
    report = _verify(_zip(dict(entries, **{"manifest.json": value.encode()})))
    failed = {(f.file, f.check) for f in report.failures}
    assert ("manifest.json.sig", "manifest-signature") in failed


@pytest.mark.parametrize(
    "key", ["seq", "time", "actor", "workstation", "event", "subject", "data_sha256", "prev_hash"]
)
@pytest.mark.parametrize("value", ["1e400", "1.5", "18446744073709551616", '"7"', "true"])
def test_custody_value_outside_canonical_json_is_named(good_bundle, key, value):
    entries = _entries(good_bundle)
    lines = entries["custody/audit.jsonl"].split(b"\n")
    lines[1] = _json_with(lines[1], key, value)
    report = _verify(_zip(dict(entries, **{"custody/audit.jsonl": b"\n".join(lines)})))
    assert not isinstance(report, HostileArchive), report
    assert "custody/audit.jsonl" in {f.file for f in report.failures}


def test_cli_names_the_file_for_a_float_seq_instead_of_an_unexpected_error(
    workstation, good_bundle, tmp_path
):
    entries = _entries(good_bundle)
    lines = entries["custody/audit.jsonl"].split(b"\n")
    lines[0] = _json_with(lines[0], "seq", "1e400")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_zip(dict(entries, **{"custody/audit.jsonl": b"\n".join(lines)})))
    r = kr(workstation.data, "--json", "--lang", "en", "verify", str(bad), check=False)
    assert r.returncode == 1 and "unexpected error" not in r.stderr, r.stderr
    out = json.loads(r.stdout)
    assert out["failed_files"] == ["custody/audit.jsonl"]
    assert "custody-format" in {f["check"] for f in out["failures"]}


def _small_members(entries: dict[str, bytes]) -> list[str]:
    return [n for n in entries if n.endswith((".json", ".sig", ".pem", ".jsonl", "SHA256SUMS"))]


def test_a_bit_flipped_in_any_byte_of_a_small_file_is_named(good_bundle):
    """Every byte of every signed, hashed or parsed text file, one bit each (the bit rotates
    with the position so every bit is hit across the file)."""
    entries = _entries(good_bundle)
    misses = []
    for name in _small_members(entries):
        data = entries[name]
        for i in range(len(data)):
            b = bytearray(data)
            b[i] ^= 1 << (i % 8)
            report = _verify(_zip(dict(entries, **{name: bytes(b)})))
            if isinstance(report, HostileArchive):
                continue  # refused as a whole (exit 2) is a clean answer too
            if report.ok and name == "SHA256SUMS":
                # Upper-case hex is the same digest (sha256sum -c reads it alike).
                if parse_sha256sums(bytes(b)) == parse_sha256sums(data):
                    continue
            if report.ok or name not in {f.file for f in report.failures}:
                misses.append((name, i))
    assert misses == []


def test_every_bit_of_a_public_key_flipped_is_named(good_bundle):
    """The DER inside keys/*.pem, bit by bit: a changed algorithm OID must not escape as
    cryptography's UnsupportedAlgorithm."""
    entries = _entries(good_bundle)
    for name in [n for n in entries if n.startswith("keys/")]:
        pem = entries[name].decode()
        der = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))
        for i in range(len(der)):
            for bit in range(8):
                b = bytearray(der)
                b[i] ^= 1 << bit
                text = base64.b64encode(bytes(b)).decode()
                flipped = f"-----BEGIN PUBLIC KEY-----\n{text}\n-----END PUBLIC KEY-----\n"
                report = _verify(_zip(dict(entries, **{name: flipped.encode()})))
                assert not isinstance(report, HostileArchive)
                assert name in {f.file for f in report.failures}, (i, bit)


def test_verify_bundle_of_a_path_still_works(good_bundle):
    assert verify_bundle(good_bundle).ok


def test_a_capture_manifest_listed_many_times_is_checked_once(good_bundle, monkeypatch):
    """A hostile manifest.json naming one large capture manifest for 2,000 recordings took
    ~3 ms per entry (160,000 entries of a 32 MiB file: hours); each is checked once, and the
    repetition is named once. Counted, not timed: the real parser runs, a spy counts it."""
    from kasuhara_recorder.bundle import verify
    from kasuhara_recorder.evidence.manifest import RecordingManifest

    parsed: list[str] = []
    real = RecordingManifest.from_bytes

    def counting(raw, name=""):
        parsed.append(name)
        return real(raw, name)

    monkeypatch.setattr(verify.RecordingManifest, "from_bytes", counting)
    entries = _entries(good_bundle)
    m = json.loads(entries["manifest.json"])
    cap = m["recordings"][0]["manifest"]
    m["recordings"] = m["recordings"] * 2000
    bad = dict(entries, **{"manifest.json": json.dumps(m).encode()})
    bad[cap] = entries[cap] + b" " * (1 << 20)
    report = _verify(_zip(bad))
    assert parsed == [cap]  # once, not 2,000 times
    repeats = [f for f in report.failures if "repeat a capture manifest" in f.detail]
    assert [(f.file, f.check) for f in repeats] == [("manifest.json", "readable")]
    assert "1999 recordings" in repeats[0].detail


def test_a_lone_surrogate_in_the_manifest_is_printed_as_an_escape(
    workstation, good_bundle, tmp_path
):
    # JSON allows "\ud800"; UTF-8 cannot encode it, and verify --json died printing it.
    import os
    import subprocess
    import sys

    entries = _entries(good_bundle)
    raw = entries["manifest.json"].replace(
        b'"files":[', b'"files":[{"path":"\\ud800evil","size":1,"sha256":"00"},', 1
    )
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_zip(dict(entries, **{"manifest.json": raw})))
    for mode in (["--json"], ["--lang", "en"]):
        r = subprocess.run(
            [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(workstation.data),
             *mode, "verify", str(bad)],
            capture_output=True, text=True,
            env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
        )  # fmt: skip
        assert r.returncode == 1, r.stderr
        assert "\\ud800evil" in r.stdout
