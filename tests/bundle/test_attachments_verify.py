"""What verify holds in memory: only the files it parses (manifests, signatures, keys, custody),
never an attachment, and never more than a fixed total however many such files a ZIP holds."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.bundle.errors import HostileArchive
from kasuhara_recorder.bundle.verify import _Verifier
from kasuhara_recorder.bundle.zip_reader import SafeZipReader, ZipLimits
from tests.bundle.conftest import make_workstation

SMALL = ZipLimits(max_json_bytes=1 << 20, max_kept_bytes=4 << 20)


def _verify(source, limits: ZipLimits):
    with SafeZipReader(source, limits) as z:
        return _Verifier(z, None).run("b.zip")


@pytest.fixture(scope="module")
def bundle_with_json_attachment(tmp_path_factory) -> Path:
    """A real export whose incident holds a 2 MiB .json and a .pem attachment (a chat log
    export, a certificate: staff attach what they were sent)."""
    root = tmp_path_factory.mktemp("att")
    ws = make_workstation(root / "ws", seconds=1.5)
    chat = root / "chat-export.json"
    chat.write_bytes(b'{"m":[' + b",".join(b'"%07d"' % i for i in range(230_000)) + b"]}")
    cert = root / "sender.pem"
    cert.write_bytes(b"-----BEGIN CERTIFICATE-----\nnot a key\n-----END CERTIFICATE-----\n")
    app = AppService(ws.data)
    try:
        app.incidents.add_file_attachment(ws.incident_id, chat)
        app.incidents.add_file_attachment(ws.incident_id, cert)
    finally:
        app.close()
    out = root / "bundle.zip"
    ws.export(out)
    return out


def test_a_json_attachment_above_the_json_limit_verifies(bundle_with_json_attachment):
    # The limit stands in for the real 32 MiB (attachments may be up to 200 MiB): an
    # attachment is hashed like a recording, never parsed, so its size and name do not matter.
    report = _verify(bundle_with_json_attachment, SMALL)
    assert report.ok, report.failures
    assert any(n.endswith("chat-export.json") for n in report.file_names)


def test_a_pem_attachment_is_not_taken_for_a_key(bundle_with_json_attachment):
    report = _verify(bundle_with_json_attachment, ZipLimits())
    assert report.ok, report.failures


def _with_extra(bundle: Path, extra: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n in src.namelist():
            z.writestr(n, src.read(n))
        for n, data in extra.items():
            z.writestr(n, data)
    return buf.getvalue()


def test_many_parsed_files_are_refused_before_they_fill_memory(good_bundle):
    # Each under the per-file limit, together over the total: refused from the ZIP directory
    # alone, before a byte is read (the real limits allow 128 MiB; a 100:1 archive of 1.3 MB
    # would otherwise hold it).
    extra = {f"keys/extra-{i}.pem": bytes([65 + i]) * (900 << 10) for i in range(6)}
    with pytest.raises(HostileArchive) as e:
        _verify(_with_extra(good_bundle, extra), SMALL)
    assert "4194304" in e.value.message("en")


def test_parsed_files_under_the_total_are_checked_as_usual(good_bundle):
    extra = {"keys/extra.pem": b"x" * (900 << 10)}
    report = _verify(_with_extra(good_bundle, extra), SMALL)
    failed = {(f.file, f.check) for f in report.failures}
    assert ("keys/extra.pem", "listed") in failed and ("keys/extra.pem", "readable") in failed
