"""The shipped translations: complete, and never with placeholders that differ from the source
(a translation that drops %1 would hide the number or name a person needs to see)."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "resources" / "i18n"
PLACEHOLDER = re.compile(r"%\d+|\{[A-Za-z_][A-Za-z0-9_]*\}")
TS_FILES = sorted(I18N.glob("*.ts"))


def messages(ts: Path):
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.find("name").text
        for m in ctx.iter("message"):
            tr = m.find("translation")
            yield name, m.find("source").text or "", tr.text or "", tr.get("type", "")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_english_translation_ships():
    # ours in English (Japanese is the source), and what Qt's own qtbase_ja lacks
    assert [p.name for p in TS_FILES] == ["kasuhara_en.ts", "qt_extra_ja.ts"]


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_translations_keep_the_placeholders_of_their_source(ts):
    bad = [
        f"{ctx}: {src!r} -> {tr!r}"
        for ctx, src, tr, _ in messages(ts)
        if tr and placeholders(src) != placeholders(tr)
    ]
    assert bad == []


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_every_string_is_translated(ts):
    missing = [f"{ctx}: {src!r}" for ctx, src, tr, kind in messages(ts) if not tr or kind]
    assert missing == []


def test_placeholder_check_catches_a_dropped_placeholder():
    assert placeholders("職員: %1") != placeholders("Staff:")
    assert placeholders("{n} 件") != placeholders("{count} items")


def test_ts_is_up_to_date_with_the_source(tmp_path):
    """Every self.tr() string in ui/ is in the .ts (run scripts/extract_translations.py)."""
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "kasuhara_recorder" / "ui").rglob("*.py"))
    subprocess.run(
        [str(lupdate), "-silent", "-locations", "none", *sources, "-ts", str(fresh)], check=True
    )
    have = {(c, s) for c, s, _, _ in messages(I18N / "kasuhara_en.ts")}
    need = {(c, s) for c, s, _, _ in messages(fresh)}
    assert sorted(need - have) == []


def test_every_translated_text_is_a_literal_lupdate_can_see():
    """`translate(ctx, text)` inside a helper is never extracted: its strings stayed Japanese in
    the English UI (the incident form's response rows, once)."""
    import ast

    hidden = []
    for f in sorted((ROOT / "kasuhara_recorder" / "ui").rglob("*.py")):
        if f.name == "i18n.py":  # the translator itself passes texts through
            continue
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            i = {"tr": 0, "translate": 1}.get(node.func.attr)
            if i is None:
                continue
            arg = node.args[i] if len(node.args) > i else None
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                hidden.append(f"{f.name}:{node.lineno}: {ast.unparse(node)[:70]}")
    assert hidden == []
