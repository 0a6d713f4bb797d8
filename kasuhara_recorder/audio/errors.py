"""Typed errors of the recording engine, each with a message for staff (ja) and the log (en)."""

from __future__ import annotations

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.text import Text


class AudioError(KasuharaError):
    template = Text(
        "録音装置のエラー: {detail}",
        "audio error: {detail}",
    )


class PortAudioMissing(AudioError):
    template = Text(
        "音声入力ライブラリ（PortAudio）が見つかりません。"
        "情報システム担当者に libportaudio2 のインストールを依頼してください。（{detail}）",
        "PortAudio library not found (install libportaudio2): {detail}",
    )


class NoInputDevice(AudioError):
    template = Text(
        "マイクなどの録音装置が見つかりません。接続を確認してください。（{detail}）",
        "no audio input device found: {detail}",
    )


class DeviceUnavailable(AudioError):
    template = Text(
        "録音装置「{detail}」を使えません。{reason}接続と設定を確認してください。",
        "input device {detail!r} is not available: {reason}",
    )

    fields = ("detail", "reason")

    def __init__(self, detail: str, reason: str = "", reason_ja: str = "") -> None:
        # The English reason (often PortAudio's own words) goes to the log; the worker reads
        # a Japanese one, or none.
        super().__init__(detail, Text(f"{reason_ja}。" if reason_ja else "", reason))


class InputFileError(AudioError):
    template = Text(
        "音声ファイル {detail} を読めません: {reason}",
        "cannot read audio file {detail}: {reason}",
    )

    fields = ("detail", "reason")
    defaults = {"reason": ""}


class DeviceLost(AudioError):
    # The reason in each language: an English detail inside the Japanese sentence
    # (「the input stream ended」) told the worker nothing.
    template = Text(
        "録音中に録音装置が使えなくなりました（{reason}）。"
        "それまでの録音は封印して保存しました。接続を確認してください。",
        "the input device was lost while recording ({reason}); what was captured is sealed",
    )

    fields = ("detail", "reason")

    def __init__(self, detail: str, reason_ja: str = "装置が応答しなくなりました") -> None:
        super().__init__(detail, Text(reason_ja, detail))


class OutputUnavailable(AudioError):
    template = Text(
        "再生装置「{detail}」を使えません（{reason}）。スピーカーやヘッドホンの接続と、"
        "再生装置の選択を確認してください。",
        "output device {detail!r} is not available: {reason}",
    )

    fields = ("detail", "reason")


class AnnouncementUnreadable(AudioError):
    template = Text(
        "録音告知の音声ファイル {detail} を読めません（{reason}）。告知は再生せずに録音します。"
        "端末設定で告知音声を確認してください。",
        "cannot read the announcement WAV {detail} ({reason}); recording without it",
    )

    fields = ("detail", "reason")
