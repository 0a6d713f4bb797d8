"""Who may do what: 窓口・電話の職員, 所属長, 証拠管理担当 (docs/DESIGN.md, users).

The actor is the signed-in OS user; IT lists supervisors and officers in the settings it
distributes (``Settings.roles``), and a central store adds the role of the PC's database login.
The menus ask ``Role.may`` to show only what the role may do, and every service that does a
restricted thing calls ``Roles.require`` first, so the CLI and a direct call are refused too.

A PC where IT listed no role at all has no role set-up (an evaluation, a one-PC office): every
user may do everything, and what needs the private key still needs the organisation passphrase.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kasuhara_recorder.config import Settings
from kasuhara_recorder.errors import UsageError
from kasuhara_recorder.text import Text

ROLE_LABELS: dict[str, Text] = {
    "counter": Text("窓口・電話の職員", "counter and phone staff"),
    "supervisor": Text("所属長", "supervisor"),
    "officer": Text("証拠管理担当", "evidence officer"),
}

# What each action is, for people (the refusal names it).
ACTIONS: dict[str, Text] = {
    "record": Text("録音", "recording"),
    "incident.edit": Text("事案記録票の作成・提出", "writing and submitting an incident form"),
    "incident.review": Text("所属の事案の確認", "reviewing the department's incidents"),
    "incident.respond": Text("対応の記録", "recording the responses taken"),
    "incident.status": Text("事案の状態の変更", "moving an incident's status on"),
    "incident.legal_hold": Text("訴訟等のための保全（リーガルホールド）", "setting legal hold"),
    "audit.view": Text("監査記録の閲覧", "viewing the audit trail"),
    "identity.unlock": Text("組織の鍵の解錠", "unlocking the organisation identity"),
    "recording.listen": Text("録音の再生", "listening to a recording"),
    "export": Text("証拠バンドルの書き出し", "exporting an evidence bundle"),
    "retention": Text("保存期間による削除", "running retention"),
    "statistics": Text("統計の閲覧", "viewing the statistics"),
    "incident.export_list": Text("事案一覧の書き出し（音声なし）", "exporting the incident list"),
    "incident.export_personal": Text(
        "個人情報を含む事案一覧の書き出し", "exporting the incident list with personal data"
    ),
    "settings.organisation": Text(
        "組織の設定（保存期間・タイムスタンプ局・団体名）の変更",
        "changing the organisation's settings (retention, time-stamping, name)",
    ),
    "settings.roles": Text(
        "役割（所属長・証拠管理担当）の設定", "setting who is supervisor or officer"
    ),
}

_COUNTER = frozenset({"record", "incident.edit"})
_SUPERVISOR = _COUNTER | {
    "incident.review", "incident.respond", "incident.status", "incident.legal_hold", "audit.view",
    "statistics", "incident.export_list",
}  # fmt: skip
_OFFICER = frozenset(ACTIONS)
_MAY: dict[str, frozenset[str]] = {
    "counter": _COUNTER,
    "supervisor": frozenset(_SUPERVISOR),
    "officer": _OFFICER,
}
_RANK = {"counter": 0, "supervisor": 1, "officer": 2}


class RoleRefused(UsageError):
    template = Text(
        "{user} さん（{role}）には「{action}」の権限がありません。必要な場合は IT 担当者に役割の"
        "設定を依頼してください。",
        "{user} ({role}) may not do this: {action}; ask IT to set up the role if it is needed",
    )
    fields = ("user", "role", "action")


class DepartmentRefused(UsageError):
    template = Text(
        "{user} さんは {department} の事案を扱えません（担当: {departments}）。",
        "{user} may not handle incidents of {department} (reviews: {departments})",
    )
    fields = ("user", "department", "departments")


@dataclass(frozen=True)
class Role:
    """The role of the person at the PC now."""

    user: str
    code: str  # counter | supervisor | officer
    departments: tuple[str, ...] = ()  # a supervisor's; empty for an officer (all)
    configured: bool = True  # False: no role set-up on this PC (everything allowed)

    @property
    def label(self) -> Text:
        if not self.configured:
            return Text("役割未設定", "no roles set up")
        return ROLE_LABELS[self.code]

    def may(self, action: str) -> bool:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        return not self.configured or action in _MAY[self.code]

    def sees_department(self, department: str) -> bool:
        """A supervisor handles their departments' incidents only; an officer, any."""
        if not self.configured or self.code == "officer":
            return True
        if self.code == "supervisor":
            return department in self.departments
        return False


class Roles:
    """The current role, from the settings and (when a central store is joined) its login role.

    ``central_role`` gives the central login's role and a supervisor's departments as the last
    join or sync saw them (None: never seen); the higher of the two roles counts. A PC whose
    login role is known has a role set-up, even with no role in its settings."""

    def __init__(
        self,
        settings: Callable[[], Settings],
        user: Callable[[], str],
        central_role: Callable[[], tuple[str, tuple[str, ...]] | None] | None = None,
    ) -> None:
        self._settings = settings
        self._user = user
        self._central_role = central_role

    def current(self) -> Role:
        s = self._settings()
        user = self._user()
        central = self._central_role() if self._central_role and s.central_url else None
        if not s.roles and central is None:
            return Role(user=user, code="officer", configured=False)
        grant = next((g for g in s.roles if g.user == user), None)
        code = grant.role if grant else "counter"
        departments: tuple[str, ...] = grant.departments if grant else ()
        if central is not None and _RANK.get(central[0], -1) > _RANK[code]:
            code, departments = central[0], central[1]
        if code == "supervisor" and not departments:
            departments = (s.department,) if s.department else ()
        if code != "supervisor":
            departments = ()
        return Role(user=user, code=code, departments=departments)

    def require(self, action: str, department: str | None = None) -> Role:
        """The current role if it may do ``action`` (on an incident of ``department``), else
        ``RoleRefused`` / ``DepartmentRefused``."""
        role = self.current()
        if not role.may(action):
            raise RoleRefused(role.user, role=role.label, action=ACTIONS[action])
        if department is not None and not role.sees_department(department):
            raise DepartmentRefused(
                role.user, department=department or "（所属なし）",
                departments="、".join(role.departments) or "なし",
            )  # fmt: skip
        return role
