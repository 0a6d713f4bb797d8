"""Tables for people who work in Excel: CSV (UTF-8 with a BOM, so Excel reads the Japanese
right) and ``.xlsx`` (openpyxl: header row bold and frozen, column widths, dates as dates).

A ``Table`` is a title, its column headers (``Text``: the language is chosen when written) and
rows of plain cells (a ``Text`` cell too). Several tables go into one CSV one after another
(title line, header, rows, a blank line) and into one workbook as a sheet each. Both are built
in memory and written atomically, private to the user (an export may hold personal data)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kasuhara_recorder.atomic_file import write_atomic
from kasuhara_recorder.text import Text

Cell = Text | str | int | float | bool | dt.datetime | dt.date | None  # Text: picked when written


@dataclass(frozen=True)
class Table:
    title: Text
    headers: tuple[Text, ...]
    rows: tuple[tuple[Cell, ...], ...]
    sheet: Text | None = None  # the sheet's name (≤ 31 characters); the title if None


def cell_text(value: Cell, lang: str) -> str:
    """A cell as text (CSV, the terminal): dates as Excel reads them, shares as percent."""
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.pick(lang)
    if isinstance(value, bool):
        return ("はい" if value else "") if lang == "ja" else ("yes" if value else "")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def csv_bytes(tables: Sequence[Table], lang: str) -> bytes:
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    for n, t in enumerate(tables):
        if len(tables) > 1:
            if n:
                w.writerow([])
            w.writerow([t.title.pick(lang)])
        w.writerow([h.pick(lang) for h in t.headers])
        for row in t.rows:
            w.writerow([cell_text(c, lang) for c in row])
    return out.getvalue().encode("utf-8-sig")


def write_csv(path: Path, tables: Sequence[Table], lang: str) -> None:
    write_atomic(Path(path), csv_bytes(tables, lang))


def _width(s: str) -> int:
    """Display width: a full-width (Japanese) character counts two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


_BAD_SHEET = str.maketrans({c: "・" for c in "[]:*?/\\"})


def xlsx_bytes(tables: Sequence[Table], lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for t in tables:
        name = (t.sheet or t.title).pick(lang).translate(_BAD_SHEET)[:31] or "Sheet"
        while name in used:
            name = name[:28] + f"_{len(used)}"
        used.add(name)
        ws = wb.create_sheet(name)
        ws.append([h.pick(lang) for h in t.headers])
        for c in ws[1]:
            c.font = Font(bold=True)
        ws.freeze_panes = "A2"
        widths = [_width(h.pick(lang)) for h in t.headers]
        for row in t.rows:
            ws.append([c.pick(lang) if isinstance(c, Text) else c for c in row])
            for i, value in enumerate(row[: len(widths)]):
                widths[i] = max(widths[i], min(60, _width(cell_text(value, lang))))
        for col in ws.iter_cols(min_row=2):
            for c in col:
                if isinstance(c.value, dt.datetime):
                    c.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(c.value, dt.date):
                    c.number_format = "yyyy-mm-dd"
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = max(8, w + 2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_xlsx(path: Path, tables: Sequence[Table], lang: str) -> None:
    write_atomic(Path(path), xlsx_bytes(tables, lang))


def text_table(t: Table, lang: str) -> str:
    """The table for a terminal: columns padded by display width, numbers to the right."""
    head = [h.pick(lang) for h in t.headers]
    body = [[cell_text(c, lang) for c in row] for row in t.rows]
    widths = [max([_width(r[i]) for r in [head, *body] if i < len(r)]) for i in range(len(head))]
    numeric = [
        bool(t.rows) and all(isinstance(r[i], int | float) or r[i] is None for r in t.rows)
        for i in range(len(head))
    ]

    def line(cells: list[str]) -> str:
        parts = []
        for i, c in enumerate(cells):
            pad = " " * (widths[i] - _width(c))
            parts.append(pad + c if numeric[i] else c + pad)
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([t.title.pick(lang), line(head), rule, *(line(r) for r in body)])


__all__ = ["Cell", "Table", "cell_text", "csv_bytes", "text_table", "write_csv", "write_xlsx",
           "xlsx_bytes"]  # fmt: skip
