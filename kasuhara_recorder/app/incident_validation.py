"""Checks an incident draft against the policy profile; field-level messages in ja and en.

Errors block submission; warnings point at what the policy expects (§4(2): meetings at the
office with several staff) but a person may still submit, because reality does not always
follow the policy and the record must say what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.incident_model import LOCATIONS, IncidentDraft

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Issue:
    field: str  # the draft field (or "responses[2].at") the message is about
    severity: str
    ja: str
    en: str

    def message(self, lang: str = "ja") -> str:
        return self.ja if lang == "ja" else self.en


def parse_time(value: str) -> datetime | None:
    """ISO 8601 with an offset; a time without one is refused, so records are unambiguous."""
    try:
        t = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return t if t.tzinfo is not None else None


# A flat list of independent field checks; it is split by form section when its messages become
# Text (issue 12, another branch rewrites this file), so it is exempt from C901 until then.
def validate(  # noqa: C901
    draft: IncidentDraft, profile: PolicyProfile, now: datetime | None = None
) -> list[Issue]:
    now = now or datetime.now().astimezone()
    issues: list[Issue] = []

    def err(f: str, ja: str, en: str) -> None:
        issues.append(Issue(f, ERROR, ja, en))

    def warn(f: str, ja: str, en: str) -> None:
        issues.append(Issue(f, WARNING, ja, en))

    occurred = parse_time(draft.occurred_at) if draft.occurred_at else None
    if not draft.occurred_at:
        err("occurred_at", "発生日時を入力してください。", "Enter when it happened.")
    elif occurred is None:
        err(
            "occurred_at",
            "発生日時の形式が正しくありません。",
            "The time of the incident is not a valid date and time.",
        )
    elif occurred > now + timedelta(minutes=5):
        err(
            "occurred_at",
            "発生日時が未来になっています。",
            "The time of the incident is in the future.",
        )
    if draft.duration_seconds is not None and draft.duration_seconds < 0:
        err("duration_seconds", "対応時間が負の値です。", "The duration is negative.")
    elif draft.duration_seconds and draft.duration_seconds > profile.rules.limit_seconds:
        limit_min = profile.rules.interaction_limit_minutes
        warn(
            "duration_seconds",
            f"対応時間が方針の目安（{limit_min}分）を超えています（方針 4(1)）。",
            f"The interaction exceeded the policy limit of {limit_min} minutes (§4(1)).",
        )

    if draft.location not in LOCATIONS:
        err(
            "location",
            "場所（窓口・電話・面談室など）を選んでください。",
            "Choose where it happened (counter, phone, meeting room…).",
        )
    if not draft.department.strip():
        err("department", "所属（課・係）を入力してください。", "Enter the department.")

    named = [s for s in draft.staff if s.name.strip()]
    if not named:
        err(
            "staff",
            "対応した職員を1人以上入力してください。",
            "Enter at least one staff member who was present.",
        )
    if draft.location == "meeting_room":
        minimum = profile.rules.min_staff_meeting
        if len(named) < minimum:
            warn(
                "staff",
                f"面談は原則として{minimum}人以上の職員で対応します（方針 4(2)）。"
                f"対応人数: {len(named)}人。",
                f"Meetings are to be held with at least {minimum} staff (§4(2)); "
                f"present: {len(named)}.",
            )
        if profile.rules.meeting_at_office and not draft.at_office:
            warn(
                "at_office",
                "面談は原則として庁舎等で行います（方針 4(2)）。"
                "庁舎外で行った理由を経過欄に記入してください。",
                "Meetings are to be held at the office (§4(2)); "
                "say in the narrative why this one was not.",
            )

    validity_codes = {c.code for c in profile.categories_in("validity")}
    live_codes = {c.code for c in profile.live_tag_categories()}
    for code in draft.validity:
        if code not in validity_codes:
            err(
                "validity",
                f"要求の妥当性の区分 {code} はこのポリシーにありません。",
                f"Unknown validity code {code}.",
            )
    for code in draft.categories:
        if code not in live_codes:
            err(
                "categories",
                f"言動の区分 {code} はこのポリシーにありません。",
                f"Unknown conduct/demand code {code}.",
            )
    if not draft.categories and not draft.validity:
        warn(
            "categories",
            "該当する言動・要求（方針 3）が一つも選ばれていません。",
            "No conduct or demand of §3 is selected.",
        )
    if (
        any(c.startswith("demand.") for c in draft.categories)
        and not draft.validity
        and not draft.validity_note.strip()
    ):
        warn(
            "validity",
            "方針 3(2)イ の要求は、要求内容の妥当性（3(1)）に照らして判断します。"
            "妥当性を記入してください。",
            "Demands under §3(2)イ are judged against the demand's validity (§3(1)); "
            "please assess it.",
        )

    if not draft.narrative.strip():
        err(
            "narrative",
            "経過（何があったか）を入力してください。",
            "Describe the course of events.",
        )

    response_codes = {r.code: r for r in profile.responses}
    for i, r in enumerate(draft.responses):
        f = f"responses[{i}]"
        resp = response_codes.get(r.code)
        if resp is None:
            err(
                f, f"対応 {r.code} はこのポリシーにありません。", f"Unknown response code {r.code}."
            )
            continue
        label_ja, label_en = resp.label_ja, resp.label_en
        if r.at:
            t = parse_time(r.at)
            if t is None:
                err(
                    f + ".at",
                    f"「{label_ja}」の日時の形式が正しくありません。",
                    f"The time of “{label_en}” is not valid.",
                )
            elif t > now + timedelta(minutes=5):
                err(
                    f + ".at",
                    f"「{label_ja}」の日時が未来になっています。",
                    f"The time of “{label_en}” is in the future.",
                )
            elif occurred is not None and t < occurred - timedelta(days=1):
                warn(
                    f + ".at",
                    f"「{label_ja}」の日時が発生日時より前です。",
                    f"“{label_en}” is dated before the incident.",
                )
        elif resp.stamps_time:
            err(
                f + ".at",
                f"「{label_ja}」の日時を入力してください。",
                f"Enter when “{label_en}” happened.",
            )
        if not r.by.strip():
            err(
                f + ".by",
                f"「{label_ja}」を行った人を入力してください。",
                f"Enter who did “{label_en}”.",
            )
    return issues


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == ERROR]
