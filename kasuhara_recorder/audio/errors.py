"""Typed errors of the recording engine, each with a message for staff (ja) and the log (en)."""

from __future__ import annotations

from kasuhara_recorder.errors import KasuharaError


class AudioError(KasuharaError):
    ja = "録音装置のエラー: {detail}"
    en = "audio error: {detail}"


class PortAudioMissing(AudioError):
    ja = (
        "音声入力ライブラリ（PortAudio）が見つかりません。"
        "情報システム担当者に libportaudio2 のインストールを依頼してください。（{detail}）"
    )
    en = "PortAudio library not found (install libportaudio2): {detail}"


class NoInputDevice(AudioError):
    ja = "マイクなどの録音装置が見つかりません。接続を確認してください。（{detail}）"
    en = "no audio input device found: {detail}"


class DeviceUnavailable(AudioError):
    ja = "録音装置「{detail}」を使えません。{reason_ja}接続と設定を確認してください。"
    en = "input device {detail!r} is not available: {reason}"

    def __init__(self, detail: str, reason: str = "", reason_ja: str = "") -> None:
        # The English reason (often PortAudio's own words) goes to the log; the worker reads
        # a Japanese one, or none.
        super().__init__(detail, reason=reason, reason_ja=f"{reason_ja}。" if reason_ja else "")
        self.reason = reason


class InputFileError(AudioError):
    ja = "音声ファイル {detail} を読めません: {reason}"
    en = "cannot read audio file {detail}: {reason}"

    def __init__(self, detail: str, reason: str = "") -> None:
        super().__init__(detail, reason=reason)


class DeviceLost(AudioError):
    # The reason in each language: an English detail inside the Japanese sentence
    # (「the input stream ended」) told the worker nothing.
    ja = (
        "録音中に録音装置が使えなくなりました（{reason_ja}）。"
        "それまでの録音は封印して保存しました。接続を確認してください。"
    )
    en = "the input device was lost while recording ({detail}); what was captured is sealed"

    def __init__(self, detail: str, reason_ja: str = "装置が応答しなくなりました") -> None:
        super().__init__(detail, reason_ja=reason_ja)
