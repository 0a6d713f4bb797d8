"""Typed errors shared by every layer.

Each error class declares its message once, a ``Text`` template (Japanese for people, English
for the log) and the names of its fields; the base class stores the fields, as attributes too,
so the CLI and the GUI show the same words without knowing the cause. A field that reads
differently per language is itself a ``Text``. ``exit_code`` follows the CLI contract:
1 = evidence/verification problem, 2 = bad usage or bad input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from kasuhara_recorder.text import Text


class KasuharaError(Exception):
    """Base of every error the app reports to a person.

    ``fields`` names the arguments in positional order (keywords work too); ``defaults``
    gives optional ones a value (by keyword only when not in ``fields``). ``detail`` is always
    there (default ``""``).
    """

    # What a command had done before it failed, for its --json object (set where known).
    json_fields: dict[str, object]
    detail: Any  # always there: a str, or a Text where it reads differently per language

    exit_code: int = 2  # a class's; an instance may set its own (DataFolderError.from_os_error)
    template: ClassVar[Text] = Text("エラーが発生しました: {detail}", "error: {detail}")
    fields: ClassVar[tuple[str, ...]] = ("detail",)
    defaults: ClassVar[Mapping[str, object]] = {}

    def __init__(self, *args: object, **kwargs: object) -> None:
        names = type(self).fields
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes the fields {names}, got {args!r}")
        values: dict[str, object] = {"detail": "", **type(self).defaults}
        values.update(zip(names, args, strict=False))
        unknown = set(kwargs) - set(names) - set(values)
        missing = [n for n in names if n not in values and n not in kwargs]
        if unknown or missing:
            raise TypeError(f"{type(self).__name__}: unknown {unknown or ''} missing {missing}")
        values.update(kwargs)
        self.values = values
        for name, value in values.items():
            setattr(self, name, value)
        super().__init__(self.message("en"))

    @property
    def text(self) -> Text:
        """The message in both languages, its fields filled in."""
        return type(self).template.format(**self.values)

    def message(self, lang: str = "ja") -> str:
        return self.text.pick(lang)


class UsageError(KasuharaError):
    template = Text("入力が正しくありません: {detail}", "bad input: {detail}")


class ProfileError(KasuharaError):
    """A policy profile that cannot be used; names the file, the place and the problem."""

    template = Text(
        "ポリシー設定ファイル {path} の {where} に誤りがあります: {problem}",
        "policy profile {path}, {where}: {problem}",
    )
    fields = ("path", "where", "problem")


class NotSetUp(KasuharaError):
    template = Text(
        "この端末はまだ設定されていません（{detail}）。"
        "情報システム担当者に `kasuhara-recorder setup` の実行を依頼してください。",
        "this workstation is not set up ({detail}); run `kasuhara-recorder setup`",
    )


class EvidenceError(KasuharaError):
    """Something is wrong with evidence itself: never ignored, exit 1."""

    exit_code = 1
    template = Text("証拠データに問題があります: {detail}", "evidence problem: {detail}")


def failure_list(failed: Iterable[tuple[object, KasuharaError]]) -> Text:
    """One indented line per item that failed (``  id: message``), for an error that lists them."""
    return Text.join("\n", [Text.same(f"  {item}: ") + e.text for item, e in failed])
