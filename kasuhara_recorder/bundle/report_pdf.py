"""The Japanese report PDF, rendered with QtGui only (QTextDocument on a QPdfWriter, A4).

Fonts are embedded by Qt (subsets of Noto Sans CJK JP from fonts-noto-cjk and DejaVu from
fonts-dejavu-core). No table row is split across pages: the document is laid out on A4 pages
first, every row whose top and bottom fall on different pages is moved to the next page (its
table is continued there, header repeated), and it is laid out again until none is split; then
each page is painted with its number (``n / N``). For a
byte-identical export the PDF must not carry the wall clock: the document id is derived from
the bundle id, the XMP metadata is ours, and the creation date Qt writes is replaced by the
export time (same length, so the cross-reference offsets stay right).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import threading
import uuid
from typing import TYPE_CHECKING

from kasuhara_recorder.bundle.report_model import ReportData, ReportRecording

if TYPE_CHECKING:  # QtGui is imported where the PDF is made, not with this module
    from PySide6.QtGui import QFont, QPdfWriter, QTextDocument

# Latin letters and digits from DejaVu Sans, Japanese from Noto Sans CJK JP: Qt writes no
# ToUnicode entries for Noto CJK's digits, so with Noto alone pdftotext (and a reader's search,
# copy and paste) would lose every number, hashes and dates included.
FONT_FAMILIES = ["DejaVu Sans", "Noto Sans CJK JP"]
_QT_LOCK = threading.Lock()
_BUNDLE_NS = uuid.UUID("5b0c4a3e-8f7e-4c53-9d8a-6f1e2c3b4a59")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _ensure_gui_app() -> None:
    """Fonts need a QGuiApplication; a CLI run gets an offscreen one."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["kasuhara-recorder-report"])
        _ensure_gui_app.app = app  # type: ignore[attr-defined]  # keep it alive
    from kasuhara_recorder.bundle import bundled_fonts

    bundled_fonts.register()  # FONT_FAMILIES from the frozen app's folder where it has them


class _Tables:
    """Writes the report's tables, each split before the rows listed in ``breaks`` (logical
    table number → row numbers), the continuation on a new page with the header again; and
    remembers which logical table and row each Qt table starts with, to measure them."""

    def __init__(self, breaks: dict[int, set[int]] | None = None) -> None:
        self.breaks = breaks or {}
        self.pieces: list[tuple[int, int]] = []  # (logical table, its first row) per Qt table
        self.count = 0

    def __call__(
        self, headers: list[str], rows: list[list[str]], widths: list[int] | None = None
    ) -> str:
        n = self.count
        self.count += 1
        head = "".join(
            f"<th{f' width={widths[i]}%' if widths else ''}>{_e(h)}</th>"
            for i, h in enumerate(headers)
        )
        cuts = sorted(b for b in self.breaks.get(n, ()) if 0 < b < len(rows))
        out = []
        for start, end in zip([0, *cuts], [*cuts, len(rows)], strict=True):
            self.pieces.append((n, start))
            body = "".join(
                "<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows[start:end]
            )
            brk = ' style="page-break-before: always"' if start else ""
            out.append(
                f'<table class="grid" width="100%" cellspacing="0" cellpadding="3" border="1"'
                f"{brk}><thead><tr>{head}</tr></thead>{body}</table>"
            )
        return "".join(out)


def _trusted_rows(rec: ReportRecording) -> list[list[str]]:
    """The recording's trusted time (RFC 3161) next to the PC's clock at stop."""
    t = rec.trusted
    if t is None:
        return [["信頼できる時刻", "（タイムスタンプなし）"]]
    skew = _e(t.skew)
    if t.clock_warning:
        skew = f'<span class="alert">警告: {skew}（設定した許容範囲を超えています）</span>'
    return [
        ["端末の時計（停止・署名時）", _e(t.pc_time)],
        [
            "信頼できる時刻（RFC 3161）",
            f"{_e(t.gen_time)}　{_e(t.tsa)}<br>"
            f'<span class="mono">{_e(t.token)}</span>' + (f"<br>{skew}" if skew else ""),
        ],
    ]


def _notice_rows(rec: ReportRecording) -> list[list[str]]:
    """The recording's notice (録音告知) row, when its manifest has one."""
    return [["録音の告知", _e(rec.notice)]] if rec.notice else []


def _hash(h: str) -> str:
    # Break a 64-digit hash into two lines of 32 so it wraps inside narrow cells.
    return f'<span class="mono">{_e(h[:32])}<br>{_e(h[32:])}</span>'


def report_html(r: ReportData, tables: _Tables | None = None) -> str:
    _table = tables if tables is not None else _Tables()
    parts: list[str] = []
    add = parts.append
    add(f"<h1>{_e(r.title)}</h1>")
    add(
        _table(
            ["項目", "内容"],
            [
                ["事案番号", _e(r.incident_id)],
                ["バンドルID", f'<span class="mono">{_e(r.bundle_id)}</span>'],
                ["作成日時", _e(r.exported_at)],
                ["作成者", _e(r.exported_by)],
                ["提出先の種別", _e(r.recipient)],
                ["準拠する方針", _e(r.policy_name)],
            ],
            [25, 75],
        )
    )
    if r.over_limit:
        add(
            f'<p class="alert">⚠ 面談・通話が{r.limit_minutes}分（方針 §4(1) の原則）を'
            "超えています。</p>"
        )
    if r.staff_warning:
        add(f'<p class="alert">⚠ {_e(r.staff_warning)}</p>')

    add("<h2>1. 事案の概要</h2>")
    add(
        _table(
            ["項目", "内容"], [[_e(k), _e(v).replace("\n", "<br>")] for k, v in r.facts], [25, 75]
        )
    )

    add("<h2>2. 該当する行為の類型</h2>")
    if r.categories:
        rows = [
            [_e(c.section), _e(c.label), f'<span class="mono">{_e(c.code)}</span>']
            for c in r.categories
        ]
        add(_table(["方針の該当箇所", "類型", "コード"], rows, [15, 60, 25]))
    else:
        add("<p>（記録なし）</p>")

    add("<h2>3. 対応した職員</h2>")
    if r.staff:
        add(_table(["氏名", "役割"], [[_e(n), _e(role)] for n, role in r.staff], [50, 50]))
    else:
        add("<p>（記録なし）</p>")

    add("<h2>4. 対応の経過</h2>")
    if r.responses:
        rows = [[_e(x.at), _e(x.label), _e(x.section), _e(x.by), _e(x.note)] for x in r.responses]
        add(_table(["日時", "対応", "方針", "担当", "備考"], rows, [20, 25, 10, 15, 30]))
    else:
        add("<p>（記録なし）</p>")

    add("<h2>5. 録音とタグの時系列</h2>")
    if not r.recordings:
        add("<p>（録音なし）</p>")
    for rec in r.recordings:
        flags = []
        if rec.recovered:
            flags.append("異常終了から復旧した録音")
        if rec.over_limit:
            flags.append(f"{r.limit_minutes}分超過")
        flag_text = f'　<span class="alert">（{"・".join(flags)}）</span>' if flags else ""
        add(f"<h3>録音 {_e(rec.id)}{flag_text}</h3>")
        add(
            _table(
                ["項目", "内容"],
                [
                    ["ファイル", f'<span class="mono">{_e(rec.file)}</span>'],
                    ["開始 / 終了", f"{_e(rec.started_at)} ～ {_e(rec.ended_at)}"],
                    ["長さ", _e(rec.duration)],
                    *(
                        [
                            [
                                "事前録音",
                                f"録音開始操作の前 {_e(rec.pre_event)} を含む"
                                "（待機中にメモリ内だけで保持していた音声。録音開始操作は"
                                f"録音の {_e(rec.pre_event)} の時点）",
                            ]
                        ]
                        if rec.pre_event
                        else []
                    ),
                    *_notice_rows(rec),
                    ["形式", _e(rec.audio_format)],
                    ["録音端末", _e(rec.workstation)],
                    ["音声データの SHA-256（録音時）", _hash(rec.pcm_sha256)],
                    *_trusted_rows(rec),
                ],
                [30, 70],
            )
        )
        if rec.tags:
            rows = [
                [
                    _e(t.offset),
                    _e(t.wall_clock),
                    f"{_e(t.label)}<br><small>{_e(t.section)} {_e(t.code)}</small>",
                    _e(t.who),
                    _e(t.note),
                ]
                for t in rec.tags
            ]
            add(
                _table(
                    ["経過時間", "時刻", "タグ（類型）", "記録者", "メモ"],
                    rows,
                    [13, 20, 37, 12, 18],
                )
            )
        else:
            add("<p>（タグなし）</p>")

    add("<h2>6. 証拠の管理記録（チェーン・オブ・カストディ）</h2>")
    if r.custody:
        rows = [
            [str(c.seq), _e(c.time), _e(c.event), _e(c.actor), _e(c.workstation), _e(c.subject)]
            for c in r.custody
        ]
        add(
            _table(
                ["番号", "日時", "操作", "操作者", "端末", "対象"], rows, [7, 20, 18, 15, 15, 25]
            )
        )
    else:
        add("<p>（記録なし）</p>")

    add("<h2>7. ファイルと SHA-256</h2>")
    add(
        "<p>この報告書自身（incident/report.pdf）と manifest.json、SHA256SUMS のハッシュ値は、"
        "バンドル内の SHA256SUMS と manifest.json に記載されています。</p>"
    )
    rows = [
        [f'<span class="mono">{_e(f.path)}</span>', f"{f.size:,}", _hash(f.sha256)] for f in r.files
    ]
    add(_table(["ファイル", "バイト数", "SHA-256"], rows, [40, 15, 45]))
    add(
        '<p class="small">確認方法は同梱の README.txt を参照してください。'
        "SHA256SUMS は sha256sum / shasum / certutil で、manifest.json.sig は OpenSSL で、"
        "verify.html はブラウザーで確認できます。</p>"
    )
    style = (
        "<style>"
        "body { font-size: 9.5pt; }"
        "h1 { font-size: 17pt; margin-bottom: 8px; }"
        "h2 { font-size: 12.5pt; margin-top: 16px; margin-bottom: 4px; }"
        "h3 { font-size: 10.5pt; margin-top: 10px; margin-bottom: 3px; }"
        "table.grid { border-color: #777; border-style: solid; }"
        "th { background-color: #e8ecf2; font-weight: bold; text-align: left; }"
        ".mono { font-family: 'DejaVu Sans Mono', monospace; font-size: 7.5pt; }"
        ".alert { color: #b00000; font-weight: bold; }"
        ".small { font-size: 8pt; color: #444; }"
        "small { font-size: 7.5pt; color: #444; }"
        "</style>"
    )
    return f"<html><head>{style}</head><body>{''.join(parts)}</body></html>"


_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


def _fix_creation_date(pdf: bytes, when: dt.datetime) -> bytes:
    """Qt stamps the wall clock as UTC ("D:…Z"); write the export time there instead."""
    stamp = when.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S").encode()

    def repl(m: re.Match[bytes]) -> bytes:
        tz = m.group(3)
        if tz not in (b"", b"Z"):  # an offset form: blank it to keep the length, say UTC
            tz = b"Z" + b" " * (len(tz) - 1)
        return b"/" + m.group(1) + b" (D:" + stamp + tz + b")"

    return _DATES.sub(repl, pdf)


def render_report_pdf(report: ReportData, created_at: dt.datetime) -> bytes:
    """A4 PDF bytes of the report; the same data and time always give the same bytes."""
    _ensure_gui_app()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QUuid
    from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter

    with _QT_LOCK:  # one report at a time: Qt's font engine caches are shared
        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QPdfWriter(buf)
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),  # QTextDocument.print_ adds its own 2 cm margins
                QPageLayout.Unit.Millimeter,
            )
        )
        writer.setResolution(300)
        writer.setTitle(report.title)
        writer.setCreator("Kasuhara Recorder")
        writer.setAuthor(report.exported_by)
        writer.setDocumentId(QUuid(str(uuid.uuid5(_BUNDLE_NS, report.bundle_id))))
        writer.setDocumentXmpMetadata(QByteArray(_xmp(report).encode("utf-8")))
        font = QFont()
        font.setFamilies(FONT_FAMILIES)
        font.setPointSizeF(9.5)
        doc, _tables = _paginate(report, writer, font)
        _paint(doc, writer, font)
        del writer
        buf.close()
        return _fix_creation_date(bytes(data.data()), created_at)


MARGIN_CM = 2.0
FOOTER_CM = 1.0  # below the text: the page number


def _layout(
    report: ReportData, writer: QPdfWriter, font: QFont, breaks: dict[int, set[int]]
) -> tuple[QTextDocument, _Tables]:
    """The report laid out on the writer's pages (device pixels), and its tables' pieces."""
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QTextDocument, QTextFrameFormat

    tables = _Tables(breaks)
    html = report_html(report, tables)
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setHtml(html)
    doc.documentLayout().setPaintDevice(writer)  # after the HTML: its sizes are for this device
    # Frame margins are in 96-dpi units; the layout scales them to the device (as print_ does).
    margin = MARGIN_CM / 2.54 * 96
    fmt: QTextFrameFormat = doc.rootFrame().frameFormat()
    fmt.setLeftMargin(margin)
    fmt.setRightMargin(margin)
    fmt.setTopMargin(margin)
    fmt.setBottomMargin(margin + FOOTER_CM / 2.54 * 96)
    doc.rootFrame().setFrameFormat(fmt)
    doc.setPageSize(QSizeF(writer.width(), writer.height()))
    return doc, tables


def _split_rows(doc: QTextDocument, tables: _Tables) -> list[tuple[int, int]]:
    """(logical table, row) of every body row whose top and bottom are on different pages."""
    from PySide6.QtGui import QTextTable

    height = doc.pageSize().height()
    layout = doc.documentLayout()
    qt_tables = [f for f in doc.rootFrame().childFrames() if isinstance(f, QTextTable)]
    split = []
    for (logical, first), table in zip(tables.pieces, qt_tables, strict=True):
        for row in range(1, table.rows()):  # row 0 is the header
            top, bottom = float("inf"), float("-inf")
            for col in range(table.columns()):
                cell = table.cellAt(row, col)
                for cursor in (cell.firstCursorPosition(), cell.lastCursorPosition()):
                    rect = layout.blockBoundingRect(cursor.block())
                    top, bottom = min(top, rect.top()), max(bottom, rect.bottom())
            if int(top // height) != int((bottom - 1) // height):
                split.append((logical, first + row - 1))
    return split


def _paginate(report: ReportData, writer: QPdfWriter, font: QFont) -> tuple[QTextDocument, _Tables]:
    """Lay out, moving the first split row to the next page, until no row is split."""
    breaks: dict[int, set[int]] = {}
    for _ in range(500):  # each pass fixes one row; a report is far below this
        doc, tables = _layout(report, writer, font, breaks)
        split = [(t, r) for t, r in _split_rows(doc, tables) if r not in breaks.get(t, ())]
        split = [(t, r) for t, r in split if r > 0]  # a table's first row: its heading moves
        if not split:  # (a row taller than a page stays split: nothing can be done there)
            return doc, tables
        logical, row = split[0]
        breaks.setdefault(logical, set()).add(row)
    return doc, tables


def _paint(doc: QTextDocument, writer: QPdfWriter, font: QFont) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter

    width, height = doc.pageSize().width(), doc.pageSize().height()
    pages = doc.pageCount()
    dpi = writer.resolution()
    margin = MARGIN_CM / 2.54 * dpi
    painter = QPainter(writer)
    try:
        painter.setFont(font)
        for page in range(pages):
            if page:
                writer.newPage()
            painter.save()
            painter.translate(0, -page * height)
            ctx = QAbstractTextDocumentLayout.PaintContext()
            ctx.clip = QRectF(0, page * height, width, height)
            painter.setClipRect(ctx.clip)
            doc.documentLayout().draw(painter, ctx)
            painter.restore()
            footer = QRectF(margin, height - margin, width - 2 * margin, margin / 2)
            painter.drawText(footer, Qt.AlignmentFlag.AlignCenter, f"{page + 1} / {pages}")
    finally:
        painter.end()


def _xmp(report: ReportData) -> str:
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{_e(report.title)}</rdf:li>'
        "</rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )
