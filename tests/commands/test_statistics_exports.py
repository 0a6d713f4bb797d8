"""`stats` and `incident export-list` as an office uses them: the CLI in its own process over
generated incidents; the CSV read by Python's csv (utf-8-sig) and by LibreOffice, the .xlsx by
openpyxl and by LibreOffice, the Japanese intact; personal data only when asked, and audited."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from collections import Counter

import openpyxl
import pytest

from kasuhara_recorder.config import RoleGrant
from tests.support import generated_incidents as gen_incidents
from tests.support.libreoffice import CSV_UTF8, convert


def kr(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--lang", "ja", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def ok(*args: str) -> subprocess.CompletedProcess:
    r = kr(*args)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


@pytest.fixture
def stored(service):
    gen = gen_incidents.generate(400, seed=7, profile=service.profile)
    gen_incidents.insert(service, gen)
    return service, [i for i in gen.incidents if i.status != "draft"]


def test_stats_prints_the_tables_and_writes_the_same_as_csv_and_xlsx(stored, tmp_path):
    _app, counted = stored
    spring = [i for i in counted if "2025-04-01" <= i.draft.occurred_at[:10] <= "2025-06-30"]
    phone = sum(1 for i in spring if i.draft.location == "phone")
    out_csv, out_xlsx = tmp_path / "統計.csv", tmp_path / "統計.xlsx"
    r = ok("stats", "--from", "2025-04-01", "--to", "2025-06-30", "--csv", str(out_csv),
           "--xlsx", str(out_xlsx))  # fmt: skip
    assert "§3 分類別" in r.stdout and "面談室・会議室" in r.stdout
    total_line = next(line for line in r.stdout.splitlines() if line.startswith("事案の件数"))
    assert total_line.split()[1] == str(len(spring))

    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    with out_csv.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["概要"] and rows[1][0] == "項目"
    assert ["事案の件数", str(len(spring)), "", ""] in rows
    assert ["電話", str(phone)] in rows
    assert ["2025-05", str(sum(1 for i in spring if i.draft.occurred_at[:7] == "2025-05"))] in rows

    wb = openpyxl.load_workbook(out_xlsx)
    assert wb.sheetnames == ["概要", "§3 分類別", "月別", "所属別", "窓口・電話等別", "§4 対応別"]
    ws = wb["窓口・電話等別"]
    assert ws["A1"].value == "場所" and ws["A1"].font.b and ws.freeze_panes == "A2"
    assert {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}["電話"] == phone

    # LibreOffice reads the CSV (told UTF-8, as in its import dialog: the BOM is no character)
    made = convert(out_csv, "xlsx", tmp_path / "lo-csv", infilter=CSV_UTF8)
    back = openpyxl.load_workbook(made[0]).active
    values = [list(r) for r in back.iter_rows(values_only=True)]
    assert values[0][0] == "概要"
    assert ["電話", phone] in [v[:2] for v in values]
    # … and converts the workbook, a sheet a file, the Japanese intact
    made = convert(out_xlsx, 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,'
                   "false,false,-1", tmp_path / "lo-xlsx")  # fmt: skip
    by_name = {p.name: p for p in made}
    channel = by_name[f"{out_xlsx.stem}-窓口・電話等別.csv"].read_text(encoding="utf-8")
    assert channel.splitlines()[0] == "場所,件数" and f"電話,{phone}" in channel


def _personal_values(inc) -> list[str]:
    d = inc.draft
    return [d.other_party.name, d.narrative, d.demand, d.staff[0].name if d.staff else "",
            inc.created_by]  # fmt: skip


def test_the_incident_list_leaves_personal_data_out_unless_an_officer_asks(stored, tmp_path):
    app, counted = stored
    out = tmp_path / "一覧.csv"
    r = ok("incident", "export-list", "--csv", str(out), "--department", "福祉課", "--json")
    mine = [i for i in counted if i.draft.department == "福祉課"]
    assert json.loads(r.stdout)["rows"] == len(mine)
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(mine) and {r["所属"] for r in rows} == {"福祉課"}
    assert "相手方の氏名" not in rows[0] and "経過" not in rows[0]
    text = out.read_text(encoding="utf-8-sig")
    for inc in mine:
        for value in _personal_values(inc):
            assert not value or value not in text
    first = min(mine, key=lambda i: i.draft.occurred_at)
    assert rows[0]["事案ID"] == first.id
    assert rows[0]["発生日時"] == first.draft.occurred_at[:16].replace("T", " ")
    assert Counter(r["場所"] for r in rows)["電話"] == sum(
        1 for i in mine if i.draft.location == "phone")  # fmt: skip
    assert not any(e.event == "incident.export_list" for e in app.audit.entries())

    # a supervisor may have the list of their department, never the personal data
    app.save_settings(app.settings.with_changes(roles=(
        RoleGrant(app.os_user, "supervisor", ("福祉課",)),)))  # fmt: skip
    ok("incident", "export-list", "--xlsx", str(tmp_path / "s.xlsx"))
    r = kr("incident", "export-list", "--xlsx", str(tmp_path / "p.xlsx"), "--with-personal")
    assert r.returncode == 2 and "個人情報を含む事案一覧の書き出し" in r.stderr
    assert not (tmp_path / "p.xlsx").exists()

    app.save_settings(app.settings.with_changes(roles=(RoleGrant(app.os_user, "officer"),)))
    xlsx = tmp_path / "一覧-個人情報.xlsx"
    ok("incident", "export-list", "--xlsx", str(xlsx), "--with-personal", "--from",
       "2025-01-01", "--to", "2025-12-31")  # fmt: skip
    ws = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["事案ID", "状態", "発生日時"] and "相手方の氏名" in header
    assert ws["A1"].font.b and ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width >= len(counted[0].id)
    body = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(body) == len(counted)
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    for inc in counted[:50]:
        row = by_id[inc.id]
        assert row["相手方の氏名"] == inc.draft.other_party.name
        assert row["経過"] == inc.draft.narrative
        when = dt.datetime.fromisoformat(inc.draft.occurred_at).replace(tzinfo=None)
        assert isinstance(row["発生日時"], dt.datetime) and row["発生日時"] == when
    entries = [e for e in app.audit.entries() if e.event == "incident.export_list"]
    assert len(entries) == 1
    data = json.loads(entries[0].data_json)
    assert entries[0].actor == app.actor and data["rows"] == len(counted)
    assert data["with_personal"] is True and "other party's name" in data["personal_fields"]
    assert kr("audit", "verify").returncode == 0

    # LibreOffice opens the workbook too, the Japanese intact
    made = convert(xlsx, "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path / "lo")
    text = made[0].read_text(encoding="utf-8")
    assert counted[0].draft.other_party.name in text and "事案ID" in text.splitlines()[0]


def test_export_list_needs_one_of_csv_or_xlsx(stored, tmp_path):
    r = kr("incident", "export-list")
    assert r.returncode == 2 and "--csv か --xlsx" in r.stderr
    r = kr("incident", "export-list", "--csv", str(tmp_path / "a.txt"))
    assert r.returncode == 2
