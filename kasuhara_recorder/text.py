"""One message in both languages the app speaks: ``Text(ja, en)``.

The core produces ``Text`` values (errors, policy labels, engine events, progress, verify
results); the person's language is chosen only where the message is shown (``pick``). Both
templates take the same ``{fields}``: ``tests/test_text_fields.py`` checks every template of
the package, so a field given for one language and not the other is a test failure, never a
message with a hole in it. Widget strings are not ``Text``: they go through Qt's ``tr()``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")


def field_names(template: str) -> frozenset[str]:
    """The top-level names of the ``{fields}`` a ``str.format`` template uses."""
    names = set()
    for _literal, name, _spec, _conversion in string.Formatter().parse(template):
        if name is not None:
            names.add(name.split(".", 1)[0].split("[", 1)[0])
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class Text:
    """A message in Japanese (shown by default) and English (the log, ``--lang en``)."""

    ja: str
    en: str

    def pick(self, lang: str) -> str:
        """The message in ``lang``; Japanese unless English is asked for."""
        return self.en if lang == "en" else self.ja

    def format(self, **fields: object) -> Text:
        """Both templates filled in; a ``Text`` field gives each language its own words."""
        return Text(
            self.ja.format(**_in(fields, "ja")),
            self.en.format(**_in(fields, "en")),
        )

    def fields(self) -> frozenset[str]:
        """The fields of the template; ``tests/test_text_fields.py`` holds both to the same."""
        return field_names(self.ja) | field_names(self.en)

    def __add__(self, other: Text) -> Text:
        return Text(self.ja + other.ja, self.en + other.en)

    @staticmethod
    def join(sep: Text | str, parts: list[Text]) -> Text:
        """``sep.join(parts)`` in each language."""
        s = sep if isinstance(sep, Text) else Text(sep, sep)
        return Text(s.ja.join(p.ja for p in parts), s.en.join(p.en for p in parts))

    @staticmethod
    def same(s: str) -> Text:
        """A value that reads the same in both languages (an id, a path, a number)."""
        return Text(s, s)


def _in(fields: Mapping[str, object], lang: str) -> dict[str, object]:
    return {k: v.pick(lang) if isinstance(v, Text) else v for k, v in fields.items()}
