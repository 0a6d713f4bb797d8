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


# A row's first and last words: on the same page when the row is whole.
NOTE = "N{0:02d}始 メモの内容はとても長くて三行くらいに折り返される文章です N{0:02d}終"
LABEL = (
    "C{0:02d}始 継続的な・執拗な言動（長時間の電話、繰り返しの来庁、同じ要求の反復）、"
    "職員個人への攻撃、要求 C{0:02d}終"
)


def _many_categories(n: int = 40, tags: int = 60):
    """Many rows of two or three lines: categories, and the tag timeline with long notes."""
    import dataclasses

    from kasuhara_recorder.bundle.report_model import ReportCategory, ReportTag

    base = sample_report()
    cats = tuple(
        ReportCategory(f"conduct.case{i:02d}", LABEL.format(i), "3(2)ア")
        for i in range(n)
    )  # fmt: skip
    timeline = tuple(
        ReportTag(
            f"00:{i:02d}:00.0", f"2026-11-20 10:{i:02d}:00", "conduct.mental",
            "精神的な攻撃（脅迫、中傷、名誉毀損、侮辱、暴言）", "3(2)ア", note=NOTE.format(i),
            who="窓口 太郎",
        )
        for i in range(tags)
    )  # fmt: skip
    rec = dataclasses.replace(base.recordings[0], tags=timeline)
    return dataclasses.replace(base, categories=cats, recordings=(rec,))


def _pages(path) -> list[str]:
    import unicodedata

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    n = int(info.split("Pages:")[1].split()[0])
    # pdftotext gives a few look-alikes that NFKC keeps: the radical ⻑ for 長, ‧ for ・
    look_alike = str.maketrans({"\u2ed1": "長", "\u2027": "・"})
    return [
        "".join(
            unicodedata.normalize(
                "NFKC",
                subprocess.run(
                    ["pdftotext", "-f", str(i), "-l", str(i), str(path), "-"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout,  # fmt: skip
            ).split()
        ).translate(look_alike)
        for i in range(1, n + 1)
    ]


def test_no_category_or_tag_row_is_split_across_a_page_break(tmp_path):
    """Issue 11: a row ran over the page end, half on each page (the tag timeline's rows of
    category and note, three lines high, split in 5 places of 60 before). Each row's text must
    be whole on one page; the table goes on with its header on the next page."""
    path = _pdf(tmp_path, _many_categories())
    pages = _pages(path)
    assert len(pages) >= 5
    for kind, n in (("C", 40), ("N", 60)):
        for i in range(n):
            first = [p for p, text in enumerate(pages) if f"{kind}{i:02d}始" in text]
            last = [p for p, text in enumerate(pages) if f"{kind}{i:02d}終" in text]
            assert len(first) == 1 and first == last, (kind, i, first, last)  # one page
    continued = [p for p, text in enumerate(pages) if "経過時間" in text and "メモ" in text]
    assert len(continued) >= 2  # the timeline went on over pages, header repeated
    assert all(f"{n + 1}/{len(pages)}" in text for n, text in enumerate(pages))  # page numbers


def test_the_layout_leaves_no_row_of_any_table_split():
    import dataclasses

    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QFont, QPdfWriter

    from kasuhara_recorder.bundle import report_pdf

    report = dataclasses.replace(_many_categories(25), custody=sample_report(150).custody)
    buf = QBuffer(QByteArray())
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buf)
    writer.setResolution(300)
    font = QFont()
    font.setFamilies(report_pdf.FONT_FAMILIES)
    font.setPointSizeF(9.5)
    plain, tables = report_pdf._layout(report, writer, font, {})
    assert report_pdf._split_rows(plain, tables) != []  # laid out as it comes, rows split
    doc, tables = report_pdf._paginate(report, writer, font)
    assert report_pdf._split_rows(doc, tables) == [] and doc.pageCount() > 5
    del writer
    buf.close()
