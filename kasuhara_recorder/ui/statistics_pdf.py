"""The statistics view printed: an A4 PDF (QPdfWriter) with the period, the two charts as
drawn and every table, in the view's language. The text is text (searchable, copyable), set
in the report's fonts (bundle/report_pdf.py: DejaVu Sans for Latin and digits, Noto Sans CJK JP
for Japanese), and QTextDocument breaks the pages."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF, Qt, QUrl
from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from kasuhara_recorder.bundle.report_pdf import FONT_FAMILIES
from kasuhara_recorder.bundle.spreadsheet import Table, cell_text


def _e(s: object) -> str:
    return html.escape(str(s), quote=True)


def _table_html(t: Table, lang: str, new_page: bool = False) -> str:
    head = "".join(f"<th>{_e(h.pick(lang))}</th>" for h in t.headers)
    rows = []
    for row in t.rows:
        cells = []
        for c in row:
            align = ' align="right"' if isinstance(c, int | float) else ""
            cells.append(f"<td{align}>{_e(cell_text(c, lang))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    h2 = '<h2 style="page-break-before: always">' if new_page else "<h2>"
    return (
        f"{h2}{_e(t.title.pick(lang))}</h2>"
        '<table border="1" cellspacing="0" cellpadding="3" width="100%">'
        f"<tr>{head}</tr>{''.join(rows)}</table>"
    )


def write_statistics_pdf(
    path: Path, title: str, subtitle: str, charts: list[QImage], tables: tuple[Table, ...],
    lang: str,
) -> None:  # fmt: skip
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator("Kasuhara Recorder")
    writer.setResolution(150)
    writer.setPageLayout(QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
        QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter,
    ))  # fmt: skip
    doc = QTextDocument()
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(9.5)
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(
        "h1 { font-size: 16pt; } h2 { font-size: 12pt; margin-top: 12px; }"
        "th { background-color: #e8ecf2; font-weight: bold; }"
    )
    text_width = 640  # px of the document's (screen) resolution: A4 less the margins
    parts = [f"<h1>{_e(title)}</h1><p>{_e(subtitle)}</p>"]
    # the charts side by side, each its share of the text width (the first the wider)
    shares = [0.58, 0.42] if len(charts) == 2 else [1.0 / max(1, len(charts))] * len(charts)
    cells = []
    for n, (image, share) in enumerate(zip(charts, shares, strict=True)):
        width = int(text_width * share) - 6
        scaled = image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"chart:{n}"), scaled)
        cells.append(f'<td valign="top"><img src="chart:{n}"></td>')
    parts.append(f'<table cellspacing="0" cellpadding="2"><tr>{"".join(cells)}</tr></table>')
    # a new page before the category, month and response tables: no row is split between pages
    # (Qt breaks a row's cells apart where Latin and Japanese lines differ in height)
    parts += [_table_html(t, lang, new_page=n in (1, 2, 5)) for n, t in enumerate(tables)]
    doc.setHtml("".join(parts))
    # laid out on a page of the text area's proportions; print_ scales it to the PDF's page
    doc.setPageSize(QSizeF(text_width, text_width * 267 / 180))
    doc.print_(writer)
