"""The report PDF: Japanese text and hashes that pdftotext can find, fonts embedded, A4, stable."""

from __future__ import annotations

import datetime as dt
import subprocess

from kasuhara_recorder.bundle.report_pdf import render_report_pdf
from tests.bundle.report_sample import H1, H2, sample_report

JST = dt.timezone(dt.timedelta(hours=9))
WHEN = dt.datetime(2026, 11, 25, 14, 3, tzinfo=JST)


def _pdf(tmp_path, report=None):
    path = tmp_path / "report.pdf"
    path.write_bytes(render_report_pdf(report or sample_report(), WHEN))
    return path


def test_pdftotext_finds_the_incident_in_japanese_and_every_hash(tmp_path):
    path = _pdf(tmp_path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    # pdftotext gives compatibility ideographs for a few kanji (⽬ for 目): normalise first.
    import unicodedata

    text = unicodedata.normalize("NFKC", text)
    for needle in (
        "カスタマーハラスメント事案報告書",
        "INC-2026-0042",
        "精神的な攻撃",
        "3(2)ア",
        "警察への通報",
        "60分",
        "カストディ",
        "「税金泥棒」",
        "00:47:59.0",
        "10:47:59",
    ):
        assert needle in text, needle
    for h in (H1, H2):
        assert h[:32] in text and h[32:] in text


def test_fonts_are_embedded_and_the_page_is_a4(tmp_path):
    path = _pdf(tmp_path)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in r for r in rows), fonts
    assert any("NotoSansCJK" in r for r in rows)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "(A4)" in info
    assert "Nov 25 05:03:00 2026 UTC" in info  # the export time, not the wall clock


def test_same_report_twice_gives_the_same_bytes():
    a = render_report_pdf(sample_report(), WHEN)
    b = render_report_pdf(sample_report(), WHEN)
    assert a == b
