"""Typed errors shared by every layer.

Each error carries a Japanese message for people and an English one for the log, so the CLI and
the GUI show the same words without knowing the cause. ``exit_code`` follows the CLI contract:
1 = evidence/verification problem, 2 = bad usage or bad input.
"""

from __future__ import annotations


class KasuharaError(Exception):
    """Base of every error the app reports to a person."""

    exit_code = 2
    ja = "エラーが発生しました: {detail}"
    en = "error: {detail}"
    # What a command had done before it failed, for its --json object (set where known).
    json_fields: dict[str, object]

    def __init__(self, detail: str = "", **fields: object) -> None:
        self.detail = detail
        self.fields = {"detail": detail, **fields}
        super().__init__(self.message("en"))

    def message(self, lang: str = "ja") -> str:
        template = self.ja if lang == "ja" else self.en
        try:
            return template.format(**self.fields)
        except (KeyError, IndexError):  # a template bug must never hide the error itself
            return f"{template} ({self.fields})"


class UsageError(KasuharaError):
    ja = "入力が正しくありません: {detail}"
    en = "bad input: {detail}"


class ProfileError(KasuharaError):
    """A policy profile that cannot be used; names the file, the place and the problem."""

    ja = "ポリシー設定ファイル {path} の {where} に誤りがあります: {problem}"
    en = "policy profile {path}, {where}: {problem}"

    def __init__(self, path: str, where: str, problem: str) -> None:
        super().__init__(problem, path=path, where=where, problem=problem)
        self.path, self.where, self.problem = path, where, problem


class NotSetUp(KasuharaError):
    ja = (
        "この端末はまだ設定されていません（{detail}）。"
        "情報システム担当者に `kasuhara-recorder setup` の実行を依頼してください。"
    )
    en = "this workstation is not set up ({detail}); run `kasuhara-recorder setup`"


class EvidenceError(KasuharaError):
    """Something is wrong with evidence itself: never ignored, exit 1."""

    exit_code = 1
    ja = "証拠データに問題があります: {detail}"
    en = "evidence problem: {detail}"
