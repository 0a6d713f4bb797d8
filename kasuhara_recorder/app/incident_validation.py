"""Checks an incident draft against the policy profile; field-level messages as ``Text``.

Errors block submission; warnings point at what the policy expects (§4(2): meetings at the
office with several staff) but a person may still submit, because reality does not always
follow the policy and the record must say what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.incident_model import LOCATIONS, IncidentDraft
from kasuhara_recorder.text import Text

ERROR, WARNING = "error", "warning"


class IssueKind(Enum):
    """What is wrong, for code that acts on a kind of problem (never the message's words)."""

    MISSING = "missing"  # a value the record needs is empty
    INVALID = "invalid"  # a value that cannot be right (format, future, negative)
    UNKNOWN_CODE = "unknown_code"  # a code the policy profile does not have
    POLICY = "policy"  # what the policy expects, not followed (a warning)


MISSING, INVALID, UNKNOWN_CODE = IssueKind.MISSING, IssueKind.INVALID, IssueKind.UNKNOWN_CODE


@dataclass(frozen=True)
class Issue:
    field: str  # the draft field (or "responses[2].at") the message is about
    severity: str
    kind: IssueKind
    text: Text

    def message(self, lang: str = "ja") -> str:
        return self.text.pick(lang)


def parse_time(value: str) -> datetime | None:
    """ISO 8601 with an offset; a time without one is refused, so records are unambiguous."""
    try:
        t = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return t if t.tzinfo is not None else None


class _Issues(list[Issue]):
    """The problems found so far, by section."""

    def err(self, f: str, kind: IssueKind, text: Text) -> None:
        self.append(Issue(f, ERROR, kind, text))

    def warn(self, f: str, text: Text) -> None:
        self.append(Issue(f, WARNING, IssueKind.POLICY, text))


def validate(
    draft: IncidentDraft, profile: PolicyProfile, now: datetime | None = None
) -> list[Issue]:
    """Every problem of a draft, section by section in the form's order."""
    now = now or datetime.now().astimezone()
    out = _Issues()
    occurred = _when(draft, profile, now, out)
    _where(draft, out)
    _staff(draft, profile, out)
    _categories(draft, profile, out)
    _narrative(draft, out)
    _responses(draft, profile, now, occurred, out)
    return list(out)


def _when(
    draft: IncidentDraft, profile: PolicyProfile, now: datetime, out: _Issues
) -> datetime | None:
    occurred = parse_time(draft.occurred_at) if draft.occurred_at else None
    if not draft.occurred_at:
        out.err(
            "occurred_at", MISSING, Text("発生日時を入力してください。", "Enter when it happened.")
        )
    elif occurred is None:
        out.err("occurred_at", INVALID, Text(
            "発生日時の形式が正しくありません。",
            "The time of the incident is not a valid date and time.",
        ))  # fmt: skip
    elif occurred > now + timedelta(minutes=5):
        out.err("occurred_at", INVALID, Text(
            "発生日時が未来になっています。", "The time of the incident is in the future."
        ))  # fmt: skip
    if draft.duration_seconds is not None and draft.duration_seconds < 0:
        out.err(
            "duration_seconds", INVALID, Text("対応時間が負の値です。", "The duration is negative.")
        )
    elif draft.duration_seconds and draft.duration_seconds > profile.rules.limit_seconds:
        out.warn("duration_seconds", Text(
            "対応時間が方針の目安（{limit}分）を超えています（方針 4(1)）。",
            "The interaction exceeded the policy limit of {limit} minutes (§4(1)).",
        ).format(limit=profile.rules.interaction_limit_minutes))  # fmt: skip
    return occurred


def _where(draft: IncidentDraft, out: _Issues) -> None:
    if draft.location not in LOCATIONS:
        out.err("location", MISSING, Text(
            "場所（窓口・電話・面談室など）を選んでください。",
            "Choose where it happened (counter, phone, meeting room…).",
        ))  # fmt: skip
    if not draft.department.strip():
        out.err(
            "department",
            MISSING,
            Text("所属（課・係）を入力してください。", "Enter the department."),
        )


def _staff(draft: IncidentDraft, profile: PolicyProfile, out: _Issues) -> None:
    named = [s for s in draft.staff if s.name.strip()]
    if not named:
        out.err("staff", MISSING, Text(
            "対応した職員を1人以上入力してください。",
            "Enter at least one staff member who was present.",
        ))  # fmt: skip
    if draft.location == "meeting_room":
        minimum = profile.rules.min_staff_meeting
        if len(named) < minimum:
            out.warn("staff", Text(
                "面談は原則として{minimum}人以上の職員で対応します（方針 4(2)）。"
                "対応人数: {present}人。",
                "Meetings are to be held with at least {minimum} staff (§4(2)); "
                "present: {present}.",
            ).format(minimum=minimum, present=len(named)))  # fmt: skip
        if profile.rules.meeting_at_office and not draft.at_office:
            out.warn("at_office", Text(
                "面談は原則として庁舎等で行います（方針 4(2)）。"
                "庁舎外で行った理由を経過欄に記入してください。",
                "Meetings are to be held at the office (§4(2)); "
                "say in the narrative why this one was not.",
            ))  # fmt: skip


def _categories(draft: IncidentDraft, profile: PolicyProfile, out: _Issues) -> None:
    validity_codes = {c.code for c in profile.categories_in("validity")}
    live_codes = {c.code for c in profile.live_tag_categories()}
    for code in draft.validity:
        if code not in validity_codes:
            out.err("validity", UNKNOWN_CODE, Text(
                "要求の妥当性の区分 {code} はこのポリシーにありません。",
                "Unknown validity code {code}.",
            ).format(code=code))  # fmt: skip
    for code in draft.categories:
        if code not in live_codes:
            out.err("categories", UNKNOWN_CODE, Text(
                "言動の区分 {code} はこのポリシーにありません。",
                "Unknown conduct/demand code {code}.",
            ).format(code=code))  # fmt: skip
    if not draft.categories and not draft.validity:
        out.warn("categories", Text(
            "該当する言動・要求（方針 3）が一つも選ばれていません。",
            "No conduct or demand of §3 is selected.",
        ))  # fmt: skip
    if (
        any(c.startswith("demand.") for c in draft.categories)
        and not draft.validity
        and not draft.validity_note.strip()
    ):
        out.warn("validity", Text(
            "方針 3(2)イ の要求は、要求内容の妥当性（3(1)）に照らして判断します。"
            "妥当性を記入してください。",
            "Demands under §3(2)イ are judged against the demand's validity (§3(1)); "
            "please assess it.",
        ))  # fmt: skip


def _narrative(draft: IncidentDraft, out: _Issues) -> None:
    if not draft.narrative.strip():
        out.err("narrative", MISSING, Text(
            "経過（何があったか）を入力してください。", "Describe the course of events."
        ))  # fmt: skip


def _responses(
    draft: IncidentDraft,
    profile: PolicyProfile,
    now: datetime,
    occurred: datetime | None,
    out: _Issues,
) -> None:
    response_codes = {r.code: r for r in profile.responses}
    for i, r in enumerate(draft.responses):
        f = f"responses[{i}]"
        resp = response_codes.get(r.code)
        if resp is None:
            out.err(f, UNKNOWN_CODE, Text(
                "対応 {code} はこのポリシーにありません。", "Unknown response code {code}."
            ).format(code=r.code))  # fmt: skip
            continue
        label = resp.label
        if r.at:
            t = parse_time(r.at)
            if t is None:
                out.err(f + ".at", INVALID, Text(
                    "「{label}」の日時の形式が正しくありません。",
                    "The time of “{label}” is not valid.",
                ).format(label=label))  # fmt: skip
            elif t > now + timedelta(minutes=5):
                out.err(f + ".at", INVALID, Text(
                    "「{label}」の日時が未来になっています。",
                    "The time of “{label}” is in the future.",
                ).format(label=label))  # fmt: skip
            elif occurred is not None and t < occurred - timedelta(days=1):
                out.warn(f + ".at", Text(
                    "「{label}」の日時が発生日時より前です。",
                    "“{label}” is dated before the incident.",
                ).format(label=label))  # fmt: skip
        elif resp.stamps_time:
            out.err(f + ".at", MISSING, Text(
                "「{label}」の日時を入力してください。", "Enter when “{label}” happened."
            ).format(label=label))  # fmt: skip
        if not r.by.strip():
            out.err(f + ".by", MISSING, Text(
                "「{label}」を行った人を入力してください。", "Enter who did “{label}”."
            ).format(label=label))  # fmt: skip


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == ERROR]
