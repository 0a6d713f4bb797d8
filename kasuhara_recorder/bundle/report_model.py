"""What the report PDF shows, as typed data: the exporter fills it, the renderer only lays it out.

Every value is already text for people (labels, times in local time with offset); the renderer
makes no decisions about evidence.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportCategory:
    code: str
    label: str
    section: str  # where in the policy it comes from, e.g. "3(2)ア"


@dataclass(frozen=True)
class ReportTag:
    offset: str  # "00:12:34.5"
    wall_clock: str  # "2026-11-25 10:12:34"
    code: str
    label: str
    section: str
    note: str = ""
    who: str = ""


@dataclass(frozen=True)
class ReportRecording:
    id: str
    file: str  # path in the bundle
    started_at: str
    ended_at: str
    duration: str
    audio_format: str  # "48000 Hz, mono, 16-bit PCM"
    pcm_sha256: str
    workstation: str
    tags: tuple[ReportTag, ...] = ()
    recovered: bool = False
    over_limit: bool = False
    pre_event: str = ""  # the audio from before 録音開始 that begins it, '0:00:10.000'; or ""
    trusted: ReportTrustedTime | None = None  # its capture manifest's RFC 3161 time-stamp
    notice: str = ""  # the recording notice (録音告知), one line; "" when the manifest has none


@dataclass(frozen=True)
class ReportTrustedTime:
    """A recording's trusted time beside the PC's: the capture manifest's RFC 3161 genTime."""

    gen_time: str  # shown, e.g. 2026年11月20日 10:05:03
    tsa: str
    token: str  # path in the bundle
    pc_time: str  # the PC's clock when the manifest was signed (the recording's end)
    skew: str  # "PC の時計は 3 秒進んでいました" or ""
    clock_warning: bool = False


@dataclass(frozen=True)
class ReportResponse:
    label: str
    section: str
    at: str
    by: str
    note: str = ""


@dataclass(frozen=True)
class ReportCustodyRow:
    seq: int
    time: str
    actor: str
    workstation: str
    event: str
    subject: str


@dataclass(frozen=True)
class ReportFile:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ReportData:
    title: str
    bundle_id: str
    incident_id: str
    exported_at: str
    exported_by: str
    recipient: str
    policy_name: str
    facts: tuple[tuple[str, str], ...]  # (label, value): incident facts and form fields
    categories: tuple[ReportCategory, ...]
    staff: tuple[tuple[str, str], ...]  # (name, role)
    responses: tuple[ReportResponse, ...]
    recordings: tuple[ReportRecording, ...]
    custody: tuple[ReportCustodyRow, ...]
    files: tuple[ReportFile, ...]
    over_limit: bool = False
    limit_minutes: int = 60
    staff_warning: str = ""  # e.g. fewer staff than the policy asks for a meeting
