"""The incident list without audio, for HR or the 安全衛生委員会: a CSV (UTF-8 with a BOM) or a
workbook (.xlsx), one row per incident of a period.

Personal data is left out unless asked for (``with_personal``, an officer only, and entered in
the audit chain with who exported it and how many rows). Left out: the other party's name and
description, the staff's names, the free text (demand, validity note, narrative, injuries, the
response notes and who took them), the place's detail (it may be an address) and who created
the form. Kept: codes and their labels, dates, counts, the department and the flags of §4(1)
and §4(2) — what a committee counts without knowing who.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kasuhara_recorder.app.statistics import Period
from kasuhara_recorder.bundle.spreadsheet import Cell, Table, write_csv, write_xlsx
from kasuhara_recorder.errors import UsageError
from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.incident_codes import LOCATIONS, STATUSES
from kasuhara_recorder.text import Text

if TYPE_CHECKING:
    from kasuhara_recorder.app.roles import Roles
    from kasuhara_recorder.store.incident_model import Incident
    from kasuhara_recorder.store.interface import AuditStore, IncidentStore
    from kasuhara_recorder.store.statistics import StatisticsQueries

FORMATS = ("csv", "xlsx")


class UnknownListFormat(UsageError):
    template = Text(
        "{path}: 書き出せる形式は .csv と .xlsx です。",
        "{path}: the list can be written as .csv or .xlsx",
    )
    fields = ("path",)


@dataclass(frozen=True)
class ListExport:
    path: Path
    rows: int
    with_personal: bool
    format: str


COLUMNS: tuple[Text, ...] = (
    Text("事案ID", "incident ID"), Text("状態", "status"), Text("発生日時", "occurred at"),
    Text("所要時間（分）", "duration (min)"), Text("§4(1) 時間超過", "over §4(1) limit"),
    Text("場所", "channel"), Text("庁舎内", "at the office"), Text("所属", "department"),
    Text("対応職員数", "staff"), Text("§4(2) 面談の職員不足", "meeting understaffed (§4(2))"),
    Text("§3(1) 要求の妥当性", "§3(1) validity"), Text("§3(2) 分類", "§3(2) categories"),
    Text("§4 対応", "§4 responses"), Text("開始から録音", "recorded from the start"),
    Text("録音数", "recordings"), Text("添付数", "attachments"),
    Text("訴訟保全", "legal hold"), Text("提出日時", "submitted at"), Text("端末", "workstation"),
)  # fmt: skip
PERSONAL_COLUMNS: tuple[Text, ...] = (
    Text("相手方の氏名", "other party's name"), Text("相手方の特徴", "other party's description"),
    Text("対応職員", "staff names"), Text("場所の詳細", "place detail"),
    Text("要求の内容", "demand"), Text("妥当性の補足", "validity note"),
    Text("経過", "narrative"), Text("負傷等", "injuries"),
    Text("対応の記録（担当・メモ）", "responses (who, note)"), Text("作成者", "created by"),
)  # fmt: skip


def local_datetime(value: str) -> dt.datetime | None:
    """An ISO 8601 time as the office's wall-clock time (Excel has no time zones)."""
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=None, microsecond=0)
    except ValueError:
        return None


class IncidentListExport:
    def __init__(
        self,
        profile: PolicyProfile,
        roles: Roles,
        local: Callable[[], StatisticsQueries],
        incidents: Callable[[], IncidentStore],
        central: Callable[[], list[tuple[Incident, str]] | None],
        workstation_name: Callable[[], str],
        audit: Callable[[], AuditStore],
        actor: Callable[[], str],
    ) -> None:
        self._profile = profile
        self._roles = roles
        self._local = local
        self._incidents = incidents
        self._central = central
        self._workstation_name = workstation_name
        self._audit = audit
        self._actor = actor

    def export(
        self, path: Path, period: Period, with_personal: bool = False, lang: str = "ja"
    ) -> ListExport:
        path = Path(path)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise UnknownListFormat(str(path))
        self._roles.require("incident.export_personal" if with_personal else "incident.export_list")
        table = self.table(period, with_personal)
        # entered before the file is written: no personal data leaves without its entry
        if with_personal:
            self._audit().append(
                self._actor(), "incident.export_list", f"export:{path.name}",
                {"rows": len(table.rows), "with_personal": True, "format": fmt,
                 "period": [period.start.isoformat() if period.start else "",
                            period.end.isoformat() if period.end else ""],
                 "departments": list(period.departments),
                 "personal_fields": [c.en for c in PERSONAL_COLUMNS]},
            )  # fmt: skip
        (write_csv if fmt == "csv" else write_xlsx)(path, [table], lang)
        return ListExport(path, len(table.rows), with_personal, fmt)

    def incidents(self, period: Period) -> list[tuple[Incident, str]]:
        """The incidents of the period the person may see, in the order they occurred."""
        role = self._roles.require("incident.export_list")
        for d in period.departments:
            self._roles.require("incident.export_list", department=d)
        departments = period.departments
        if not departments and role.configured and role.code == "supervisor":
            departments = role.departments
            if not departments:
                self._roles.require("incident.export_list", department="")
        since, until = period.bounds()
        central = self._central()
        if central is not None:
            out = [
                (inc, pc) for inc, pc in central
                if inc.status != "draft" and (not since or inc.draft.occurred_at >= since)
                and (not until or inc.draft.occurred_at < until)
                and (not departments or inc.draft.department in departments)
            ]  # fmt: skip
            return sorted(out, key=lambda x: (x[0].draft.occurred_at, x[0].created_at, x[0].id))
        repo = self._incidents()
        pc = self._workstation_name()
        found = (repo.get(i) for i in self._local().incident_ids(since, until, departments))
        return [(inc, pc) for inc in found if inc is not None]

    def table(self, period: Period, with_personal: bool) -> Table:
        rows = tuple(self.row(inc, pc, with_personal) for inc, pc in self.incidents(period))
        headers = COLUMNS + (PERSONAL_COLUMNS if with_personal else ())
        return Table(Text("事案一覧", "Incidents"), headers, rows)

    def _labels(self, codes: tuple[str, ...], kind: str) -> Text:
        p = self._profile
        out = []
        for code in codes:
            try:
                out.append(p.category(code).label if kind == "c" else p.response(code).label)
            except KeyError:
                out.append(Text.same(code))
        return Text.join("、", out)

    def row(self, inc: Incident, pc: str, with_personal: bool) -> tuple[Cell, ...]:
        d = inc.draft
        rules = self._profile.rules
        minutes = None if d.duration_seconds is None else round(d.duration_seconds / 60, 1)
        over = None if d.duration_seconds is None else d.duration_seconds > rules.limit_seconds
        meeting = d.location == "meeting_room"
        cells: tuple[Cell, ...] = (
            inc.id, STATUSES.get(inc.status, Text.same(inc.status)),
            local_datetime(d.occurred_at), minutes, over,
            LOCATIONS.get(d.location, Text.same(d.location)), d.at_office, d.department,
            len(d.staff), (len(d.staff) < rules.min_staff_meeting) if meeting else None,
            self._labels(d.validity, "c"), self._labels(d.categories, "c"),
            self._labels(tuple(dict.fromkeys(r.code for r in d.responses)), "r"),
            d.recorded_from_start, len(inc.recordings), len(inc.attachments), inc.legal_hold,
            local_datetime(inc.submitted_at), pc,
        )  # fmt: skip
        if not with_personal:
            return cells
        responses = "；".join(
            " ".join(x for x in (r.code.split(".")[-1], r.by, r.note) if x) for r in d.responses
        )
        return cells + (
            d.other_party.name, d.other_party.description,
            "、".join(s.name for s in d.staff), d.location_detail, d.demand, d.validity_note,
            d.narrative, d.injuries, responses, inc.created_by,
        )  # fmt: skip


__all__ = ["COLUMNS", "PERSONAL_COLUMNS", "IncidentListExport", "ListExport"]
