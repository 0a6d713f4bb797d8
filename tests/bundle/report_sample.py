"""A report with made-up data (no real person), for the PDF tests and for looking at the layout."""

from __future__ import annotations

from kasuhara_recorder.bundle.report_model import (
    ReportCategory,
    ReportCustodyRow,
    ReportData,
    ReportFile,
    ReportRecording,
    ReportResponse,
    ReportTag,
)

H1 = "3f" * 32
H2 = "a7" * 32


def sample_report(n_custody: int = 12) -> ReportData:
    tags = tuple(
        ReportTag(
            f"00:{m:02d}:{s:02d}.0",
            f"2026-11-20 10:{m:02d}:{s:02d}",
            "conduct.mental",
            "精神的な攻撃（脅迫、中傷、名誉毀損、侮辱、暴言）",
            "3(2)ア",
            note="「税金泥棒」と繰り返し発言" if m == 3 else "",
            who="窓口 太郎",
        )
        for m, s in ((1, 5), (3, 40), (12, 2), (47, 59))
    )
    return ReportData(
        title="カスタマーハラスメント事案報告書",
        bundle_id="b7e1c2d4-0000-4000-8000-000000000001",
        incident_id="INC-2026-0042",
        exported_at="2026-11-25 14:03:00 +09:00",
        exported_by="証拠 管理子（総務課）",
        recipient="警察",
        policy_name="坂出市職員カスタマーハラスメント対策基本方針（2025-06-20）",
        facts=(
            ("発生日時", "2026-11-20 10:00 +09:00"),
            ("場所", "窓口（本庁舎1階 市民課）"),
            ("所属", "市民課"),
            ("相手方", "男性、50代くらい"),
            ("要求の内容", "手数料の返金と担当職員の謝罪"),
            ("要求の妥当性", "提供する行政サービスに瑕疵・過失が認められない（3(1)）"),
            ("経過", "来庁直後から大声で返金を要求。\n説明後も同じ要求を繰り返し、1時間を超えた。"),
            ("けが等", "なし"),
            ("最初から録音", "はい"),
        ),
        categories=(
            ReportCategory(
                "validity.no_fault", "提供する行政サービスに瑕疵・過失が認められない場合", "3(1)"
            ),
            ReportCategory(
                "conduct.mental", "精神的な攻撃（脅迫、中傷、名誉毀損、侮辱、暴言）", "3(2)ア"
            ),
            ReportCategory("demand.apology", "謝罪の要求", "3(2)イ"),
        ),
        staff=(("窓口 太郎", "主担当"), ("市民 花子", "同席")),
        responses=(
            ReportResponse("対応の終了を告げた", "4", "2026-11-20 11:05 +09:00", "窓口 太郎"),
            ReportResponse("警察への通報", "4(4)", "2026-11-20 11:12 +09:00", "市民 花子", "110番"),
        ),
        recordings=(
            ReportRecording(
                id="rec-20261120-0001",
                file="recordings/rec-20261120-0001.wav",
                started_at="2026-11-20 10:00:00 +09:00",
                ended_at="2026-11-20 11:15:30 +09:00",
                duration="1:15:30",
                audio_format="48000 Hz、モノラル、16ビット PCM",
                pcm_sha256=H1,
                workstation="shimin-counter-01",
                tags=tags,
                over_limit=True,
            ),
        ),
        custody=tuple(
            ReportCustodyRow(
                i,
                f"2026-11-20 10:{i:02d}:00",
                "窓口 太郎",
                "shimin-counter-01",
                "recording.start" if i == 1 else "tag.add",
                "rec-20261120-0001",
            )
            for i in range(1, n_custody + 1)
        ),
        files=(
            ReportFile("recordings/rec-20261120-0001.wav", 435_456_044, H1),
            ReportFile("incident/incident.json", 2_345, H2),
        ),
        over_limit=True,
        limit_minutes=60,
    )
