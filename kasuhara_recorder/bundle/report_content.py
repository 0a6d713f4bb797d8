"""Turns an incident, its recording manifests and its custody entries into ReportData (Japanese).

All wording for the report lives here; times are shown in the offset they were recorded with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kasuhara_recorder.bundle.report_model import (
    ReportCategory,
    ReportCustodyRow,
    ReportData,
    ReportFile,
    ReportRecording,
    ReportResponse,
    ReportTag,
    ReportTrustedTime,
)
from kasuhara_recorder.evidence.manifest import RecordingManifest, TagEntry
from kasuhara_recorder.policy.profile import PolicyProfile
from kasuhara_recorder.store.incident_codes import LOCATIONS, STATUSES
from kasuhara_recorder.store.incident_model import Attachment
from kasuhara_recorder.text import Text

if TYPE_CHECKING:
    from kasuhara_recorder.bundle.export import ExportInputs

EVENT_JA = {
    "recording.start": "録音開始",
    "recording.stop": "録音終了・封印",
    "recording.import": "録音の取り込み",
    "recording.recovered": "録音の復旧",
    "recording.tag": "タグ付け",
    "recording.notice": "録音の告知",
    "incident.create": "事案票の作成",
    "incident.update": "事案票の編集",
    "incident.submit": "事案票の提出",
    "incident.status": "状態の変更",
    "incident.legal_hold": "訴訟ホールド",
    "incident.recording_attach": "録音の関連付け",
    "incident.attachment_add": "添付資料の追加",
    "bundle.export": "証拠バンドルの作成",
    "timestamp.added": "タイムスタンプ（RFC 3161）の取得",
    "timestamp.refused": "タイムスタンプ（RFC 3161）の拒否",
    "timestamp.clock_warning": "端末の時計のずれ（警告）",
    "bundle.partial_removed": "中断した書き出しの残りを削除",
    "key.unlock": "組織の鍵の解錠",
    "key.unlock_failed": "組織の鍵の解錠の失敗",
    "workstation.recipient_added": "封印先（受取人）の追加",
    "workstation.recipient_retired": "封印先（受取人）の停止",
}
CHANNEL_JA = {"counter": "窓口", "phone": "電話", "import": "取り込み"}


def _parse(ts: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(ts)
    except (TypeError, ValueError):
        return None


def show_time(ts: str) -> str:
    """'2026-11-20 10:00:00 +09:00' from ISO 8601; unparseable text as it is."""
    t = _parse(ts)
    if t is None:
        return ts or "—"
    off = t.strftime("%z")
    off = f" {off[:3]}:{off[3:]}" if off else ""
    return t.strftime("%Y-%m-%d %H:%M:%S") + off


def show_offset(ms: int) -> str:
    s, ms = divmod(ms, 1000)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms // 100}"


def show_duration(ms: int) -> str:
    s = ms // 1000
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def show_time_ms(ts: str) -> str:
    """A recording's start or end to the millisecond, as its manifest has it, so the report's
    start plus its length is its end: '2026-11-20 10:00:00.712 +09:00'."""
    t = _parse(ts)
    if t is None:
        return ts or "—"
    off = t.strftime("%z")
    off = f" {off[:3]}:{off[3:]}" if off else ""
    return t.strftime("%Y-%m-%d %H:%M:%S") + f".{t.microsecond // 1000:03d}" + off


def show_length_ms(ms: int) -> str:
    """'0:00:14.600': the screens' 0:00:14, with the milliseconds the start and end carry."""
    return f"{show_duration(ms)}.{ms % 1000:03d}"


def notice_line(m: RecordingManifest, started_at: str = "") -> str:
    """The recording notice (録音告知) of one recording as the report says it: played, spoken
    or none, where in the recording and the words; "" for a manifest without a notice."""
    n = m.notice
    if n is None:
        return ""
    if n.kind == "none":
        if m.channel == "phone":
            return "告知音声の再生なし（この録音では録音告知の再生は記録されていません）"
        return "告知の記録なし（告知しましたの操作は記録されていません）"
    at = show_offset(n.offset_ms or 0)
    start = _parse(started_at or m.started_at)
    wall = ""
    if start is not None:
        wall = (start + dt.timedelta(milliseconds=n.offset_ms or 0)).strftime("%H:%M:%S")
        wall = f"、{wall}"
    if n.kind == "played":
        return (
            f"告知音声を再生（録音の {at}{wall} から {show_length_ms(n.duration_ms or 0)}）"
            f"「{n.text}」 WAV SHA-256 {n.wav_sha256}"
        )
    who = f"、{n.who}" if n.who else ""
    return f"職員が口頭で告知（録音の {at}{wall}{who}）「{n.text}」"


def _attachment(a: Attachment) -> str:
    """A later SNS post or letter says so: it was not handed in with the form."""
    if not a.after_submit:
        return a.name
    return f"{a.name}（提出後に追加: {show_time(a.added_at)}、{a.added_by}）"


def _category(profile: PolicyProfile, code: str) -> tuple[str, str]:
    try:
        c = profile.category(code)
        return c.label.ja, c.section
    except KeyError:
        return code, "—"


def _tags(
    profile: PolicyProfile, m: RecordingManifest, extra: Sequence[TagEntry]
) -> tuple[ReportTag, ...]:
    start = _parse(m.started_at)
    out = []
    for t in sorted((*m.tags, *extra), key=lambda t: t.offset_ms):
        label, section = _category(profile, t.code)
        wall = (
            (start + dt.timedelta(milliseconds=t.offset_ms)).strftime("%Y-%m-%d %H:%M:%S")
            if start
            else "—"
        )
        out.append(ReportTag(show_offset(t.offset_ms), wall, t.code, label, section, t.note, t.who))
    return tuple(out)


def _trusted_time(inputs: ExportInputs, m: RecordingManifest) -> ReportTrustedTime | None:
    """The capture manifest's RFC 3161 genTime, shown in the manifest's own offset, beside
    the PC's clock when it signed the manifest (at stop)."""
    t = inputs.timestamps.recordings.get(m.id)
    gen = _parse(t.gen_time) if t is not None else None
    if t is None or gen is None:
        return None
    end = _parse(m.ended_at)
    shown = gen.astimezone(end.tzinfo) if end is not None and end.tzinfo else gen
    skew = -t.clock_skew_s  # the PC's clock minus the TSA's
    if abs(skew) < 2:
        said = ""
    else:
        said = f"PC の時計は約 {abs(skew)} 秒{'進んで' if skew > 0 else '遅れて'}いました"
    from kasuhara_recorder.bundle.timestamps import token_member

    return ReportTrustedTime(
        gen_time=show_time(shown.isoformat()),
        tsa=t.tsa,
        token=token_member(f"recordings/{m.id}.json"),
        pc_time=show_time_ms(m.ended_at),
        skew=said,
        clock_warning=t.clock_warning,
    )


def build_report(
    inputs: ExportInputs,
    manifests: Sequence[RecordingManifest],
    *,
    files: tuple[ReportFile, ...],
    bundle_id: str,
    custody: list[dict[str, Any]],
    recipient: str,
) -> ReportData:
    inc = inputs.incident
    d = inc.draft
    profile = inputs.profile
    limit_ms = profile.rules.limit_seconds * 1000
    loc = LOCATIONS.get(d.location, Text.same(d.location or "—")).ja
    if d.location_detail:
        loc += f"（{d.location_detail}）"
    validity = "、".join(
        f"{_category(profile, v)[0]}（{_category(profile, v)[1]}）" for v in d.validity
    )
    party = "、".join(x for x in (d.other_party.name, d.other_party.description) if x) or "—"
    facts = (
        ("状態", f"{STATUSES.get(inc.status, Text.same(inc.status)).ja}（{inc.status}）"),
        ("発生日時", show_time(d.occurred_at)),
        (
            "対応時間",
            show_duration((d.duration_seconds or 0) * 1000) if d.duration_seconds else "—",
        ),
        ("場所", loc + ("" if d.at_office else "（庁舎外）")),
        ("所属", d.department or "—"),
        ("相手方", party),
        ("要求の内容", d.demand or "—"),
        ("要求の妥当性", validity or "—"),
        ("妥当性の補足", d.validity_note or "—"),
        ("経過", d.narrative or "—"),
        ("けが等", d.injuries or "—"),
        ("最初から録音", "はい" if d.recorded_from_start else "いいえ"),
        ("訴訟ホールド", "あり" if inc.legal_hold else "なし"),
        ("作成", f"{show_time(inc.created_at)}　{inc.created_by}"),
        ("添付資料", "、".join(_attachment(a) for a in inc.attachments) or "なし"),
    )
    categories = []
    for code in d.categories:
        label, section = _category(profile, code)
        categories.append(ReportCategory(code, label, section))
    responses = []
    for r in d.responses:
        try:
            resp = profile.response(r.code)
            label, section = resp.label.ja, resp.section
        except KeyError:
            label, section = r.code, "—"
        responses.append(ReportResponse(label, section, show_time(r.at), r.by, r.note))
    recordings = []
    for m, rec in zip(manifests, inputs.recordings, strict=True):
        audio = f"recordings/{m.id}.wav" if m.sample_format == "s16le" else "recordings/"
        if m.sample_format != "s16le":
            audio = next((f.path for f in files if f.path.startswith(f"recordings/{m.id}.")
                          and not f.path.endswith((".json", ".sig"))), audio)  # fmt: skip
        ch = "モノラル" if m.channels == 1 else f"{m.channels}ch"
        fmt = (
            f"{m.samplerate} Hz、{ch}、16ビット PCM"
            if m.sample_format == "s16le"
            else f"原本のまま（{m.import_info.original_name if m.import_info else ''}）"
        )
        recordings.append(
            ReportRecording(
                id=m.id,
                file=audio,
                started_at=show_time_ms(m.started_at),
                ended_at=show_time_ms(m.ended_at),
                duration=show_length_ms(m.duration_ms),
                pre_event=show_length_ms(m.pre_event_ms) if m.pre_event_ms else "",
                notice=notice_line(m),
                audio_format=fmt,
                pcm_sha256=m.pcm_sha256,
                workstation=f"{m.workstation.name}（{CHANNEL_JA.get(m.channel, m.channel)}）",
                tags=_tags(profile, m, rec.later_tags),
                recovered=m.status == "recovered",
                over_limit=m.over_limit or m.duration_ms > limit_ms,
                trusted=_trusted_time(inputs, m),
            )
        )
    custody_rows = tuple(
        ReportCustodyRow(
            int(c["seq"]),
            show_time(c["time"]),
            c["actor"] if c["type"] == "entry" else "（他の事案）",
            c["workstation"][:16],
            EVENT_JA.get(c["event"], c["event"]) if c["type"] == "entry" else "（連結確認用）",
            c["subject"] if c["type"] == "entry" else "—",
        )
        for c in custody
    )
    over = any(r.over_limit for r in recordings) or (d.duration_seconds or 0) * 1000 > limit_ms
    staff_warning = ""
    if d.location == "meeting_room" and len(d.staff) < profile.rules.min_staff_meeting:
        staff_warning = (
            f"面談の対応職員が {len(d.staff)} 名です（方針 §4(2) は原則として複数の職員で対応）。"
        )
    return ReportData(
        title="カスタマーハラスメント事案報告書",
        bundle_id=bundle_id,
        incident_id=inc.id,
        exported_at=show_time(inputs.exported_at.isoformat()),
        exported_by=f"{inputs.actor}（{inputs.exporter_name}）",
        recipient=recipient,
        policy_name=f"{profile.name.ja}（{profile.issued}）",
        facts=facts,
        categories=tuple(categories),
        staff=tuple((s.name, s.role) for s in d.staff),
        responses=tuple(responses),
        recordings=tuple(recordings),
        custody=custody_rows,
        files=files,
        over_limit=over,
        limit_minutes=profile.rules.interaction_limit_minutes,
        staff_warning=staff_warning,
    )
