"""`export --out` naming an existing bundle: refused (exit 2, the file byte-identical, before the
organisation identity is even unlocked) unless `--overwrite` is given; then replaced."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from tests.bundle.conftest import kr, make_workstation


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return make_workstation(tmp_path_factory.mktemp("ws"), seconds=1.5)


@pytest.fixture
def earlier(tmp_path) -> Path:
    """An earlier bundle at the destination (any ZIP: the bytes must survive a refusal)."""
    out = tmp_path / "usb" / "bundle.zip"
    out.parent.mkdir()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("README.txt", "an earlier bundle, handed over last week")
    return out


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def events(ws) -> list[str]:
    r = kr(ws.data, "--json", "audit", "verify")
    assert json.loads(r.stdout)["ok"]
    from kasuhara_recorder.app.service import AppService

    app = AppService(ws.data)
    try:
        return [e.event for e in app.audit.entries()]
    finally:
        app.close()


@pytest.mark.parametrize(
    ("lang", "words"),
    [("ja", ("すでにあります", "何も変更していません", "--overwrite")),
     ("en", ("already exists", "nothing was changed", "--overwrite"))],
)  # fmt: skip
def test_an_existing_bundle_is_kept_without_overwrite(ws, earlier, lang, words):
    before, chain = digest(earlier), events(ws)
    r = ws.export(earlier, "--lang", lang, check=False)
    assert r.returncode == 2, r.stderr
    obj = json.loads(r.stdout)
    assert obj["ok"] is False and obj["error"] == "BundleExists"
    for w in words:
        assert w in obj["message"] and w in r.stderr, r.stderr
    assert str(earlier) in r.stderr
    assert digest(earlier) == before
    assert sorted(p.name for p in earlier.parent.iterdir()) == ["bundle.zip"]  # no partial
    assert events(ws) == chain  # refused before the key was unlocked: nothing to enter
    log = (ws.data / "logs" / "kasuhara.log").read_text(encoding="utf-8")
    assert f"{earlier} already exists" in log  # English in the log, whatever the language


def test_overwrite_replaces_it_with_the_new_bundle(ws, earlier):
    before = digest(earlier)
    r = ws.export(earlier, "--overwrite")
    assert json.loads(r.stdout)["ok"]
    assert digest(earlier) != before
    assert json.loads(kr(ws.data, "--json", "verify", str(earlier)).stdout)["ok"]
    assert sorted(p.name for p in earlier.parent.iterdir()) == ["bundle.zip"]
    from kasuhara_recorder.app.service import AppService

    app = AppService(ws.data)
    try:
        last = app.audit.entries()[-1]
    finally:
        app.close()
    assert last.event == "bundle.export" and last.data["replaced"] is True


def test_overwrite_still_refuses_a_file_that_is_not_a_zip(ws, tmp_path):
    doc = tmp_path / "minutes.docx"
    doc.write_bytes(b"not a zip: a document given by mistake")
    r = ws.export(doc, "--overwrite", check=False)
    assert r.returncode == 2 and "not a ZIP" in r.stderr
    assert doc.read_bytes() == b"not a zip: a document given by mistake"


def test_overwrite_without_an_existing_file_just_writes(ws, tmp_path):
    out = tmp_path / "new.zip"
    assert json.loads(ws.export(out, "--overwrite").stdout)["ok"]
    assert json.loads(kr(ws.data, "--json", "verify", str(out)).stdout)["ok"]
