"""`stats [--from DATE] [--to DATE] [--department D] [--csv FILE] [--xlsx FILE]` (the policy
review's statistics) and `incident export-list (--csv FILE | --xlsx FILE) [--with-personal]`
(the incident list without audio), over ``app.statistics`` and ``app.incident_list``."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from kasuhara_recorder import cli
from kasuhara_recorder.config import resolve_data_dir
from kasuhara_recorder.text import Text

if TYPE_CHECKING:
    from kasuhara_recorder.app.statistics import Period, Statistics


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _period(args: argparse.Namespace) -> Period:
    from kasuhara_recorder.app.statistics import Period

    start, end = args.date_from, args.date_to
    if start and end and end < start:
        raise cli.BadInput(
            Text("--to（{end}）が --from（{start}）より前です", "--to ({end}) is before --from "
                 "({start})").format(start=start.isoformat(), end=end.isoformat()),
        )  # fmt: skip
    return Period(start, end, tuple(args.department or ()))


def _stats_json(s: Statistics) -> dict[str, object]:
    def counts(items):
        return [{"key": c.key, "label": c.label.ja, "count": c.count} for c in items]

    return {
        "ok": True, "source": s.source, "total": s.total,
        "from": s.period.start.isoformat() if s.period.start else None,
        "to": s.period.end.isoformat() if s.period.end else None,
        "departments": list(s.departments),
        "by_category": counts(s.by_category), "by_month": counts(s.by_month),
        "by_department": counts(s.by_department), "by_channel": counts(s.by_channel),
        "responses": counts(s.responses),
        "over_limit": {"count": s.over_limit.count, "of": s.over_limit.of,
                       "limit_minutes": s.limit_minutes},
        "meetings_understaffed": {"count": s.meetings_understaffed.count,
                                  "of": s.meetings_understaffed.of,
                                  "min_staff": s.min_staff_meeting},
        "referral": {"incidents": s.referral.incidents, "median_days": s.referral.median_days,
                     "max_days": s.referral.max_days},
    }  # fmt: skip


def cmd_stats(args: argparse.Namespace, console: cli.Console) -> int:
    from kasuhara_recorder.app.service import AppService
    from kasuhara_recorder.bundle.spreadsheet import text_table, write_csv, write_xlsx

    period = _period(args)
    app = AppService(resolve_data_dir(getattr(args, "data_dir", None)))
    try:
        s = app.statistics.compute(period)
    finally:
        app.close()
    tables = s.tables()
    lang = console.lang
    for path, write in ((args.csv, write_csv), (args.xlsx, write_xlsx)):
        if path:
            write(Path(path), tables, lang)
    span = f"{s.period.start or '…'} – {s.period.end or '…'}"
    where = "、".join(s.departments) if s.departments else ""
    source = Text("中央保管庫（全端末）", "central store (every PC)") if s.source == "central" \
        else Text("この端末", "this PC")  # fmt: skip
    console.say(
        f"統計 {span}  {where or '全所属'}  出典: {source.ja}",
        f"statistics {span}  {where or 'every department'}  from: {source.en}",
    )
    for t in tables:
        block = text_table(t, lang)
        console.say("\n" + block, "\n" + block)
    for path in (args.csv, args.xlsx):
        if path:
            console.say(f"\n書き出しました: {path}", f"\nwritten: {path}")
    out = _stats_json(s)
    out["files"] = [str(p) for p in (args.csv, args.xlsx) if p]
    console.result(out)
    return 0


def cmd_export_list(args: argparse.Namespace, console: cli.Console) -> int:
    from kasuhara_recorder.app.service import AppService

    if bool(args.csv) == bool(args.xlsx):
        raise cli.BadInput(Text("--csv か --xlsx のどちらか一方を指定してください",
                                "give --csv FILE or --xlsx FILE (one of them)"))  # fmt: skip
    period = _period(args)
    path = Path(args.csv or args.xlsx)
    app = AppService(resolve_data_dir(getattr(args, "data_dir", None)))
    try:
        done = app.incident_list.export(path, period, args.with_personal, console.lang)
    finally:
        app.close()
    if done.with_personal:
        console.say(
            f"事案 {done.rows} 件を個人情報を含めて書き出しました: {path}"
            "（監査記録に記録しました）",
            f"wrote {done.rows} incidents with personal data to {path} (entered in the audit "
            "trail)",
        )
    else:
        console.say(
            f"事案 {done.rows} 件を書き出しました（個人情報なし）: {path}",
            f"wrote {done.rows} incidents without personal data to {path}",
        )
    console.result({"ok": True, "file": str(path), "rows": done.rows, "format": done.format,
                    "with_personal": done.with_personal})  # fmt: skip
    return 0


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", type=_date, metavar="DATE",
                   help="first day (YYYY-MM-DD) the incident occurred on")  # fmt: skip
    p.add_argument("--to", dest="date_to", type=_date, metavar="DATE",
                   help="last day (YYYY-MM-DD), included")  # fmt: skip
    p.add_argument("--department", action="append", metavar="D",
                   help="only this department (repeat for several)")  # fmt: skip


def add_export_list(action) -> None:
    """`incident export-list`, added to the incident command's actions (commands/incidents.py)."""
    p = action(
        "export-list", cmd_export_list,
        "the incident list without audio, as CSV (UTF-8 with BOM) or .xlsx; personal data "
        "only with --with-personal (an officer; audited)",
    )  # fmt: skip
    _filters(p)
    p.add_argument("--csv", metavar="FILE", help="write a CSV Excel opens (UTF-8 with BOM)")
    p.add_argument("--xlsx", metavar="FILE", help="write an Excel workbook")
    p.add_argument(
        "--with-personal", action="store_true",
        help="include names and free text (an officer only; entered in the audit trail)",
    )  # fmt: skip


def register(add) -> None:
    p = add("stats", cmd_stats, "statistics for the policy review (§5): categories, months, "
            "departments, channels, §4(1)/§4(2), responses, time to referral")  # fmt: skip
    _filters(p)
    p.add_argument("--csv", metavar="FILE", help="also write the tables as CSV (UTF-8 with BOM)")
    p.add_argument("--xlsx", metavar="FILE", help="also write the tables as an Excel workbook")


cli.REGISTRARS.append(register)
