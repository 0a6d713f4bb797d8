"""Every message of the package names the same ``{fields}`` in Japanese and English, and an
error's template names only fields its class declares (as Electrum's tests/test_i18n.py checks
translations): a field missing from one language fails here, not as a hole in a message."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import kasuhara_recorder
from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.text import Text, field_names

PKG = Path(kasuhara_recorder.__file__).parent
UI = "kasuhara_recorder.ui"  # widgets: Qt's tr(), no error classes


def _text_literals() -> list[tuple[str, str, str]]:
    """(where, ja, en) of every ``Text("…", "…")`` written in the package's source."""
    found = []
    for f in sorted(PKG.rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Text"
                and len(node.args) == 2
            ):
                try:
                    ja, en = (ast.literal_eval(a) for a in node.args)
                except ValueError:  # not a literal (a computed value): nothing to compare
                    continue
                found.append((f"{f.relative_to(PKG)}:{node.lineno}", ja, en))
    return found


def _error_classes() -> list[type[KasuharaError]]:
    for mod in pkgutil.walk_packages([str(PKG)], "kasuhara_recorder."):
        if mod.name != "kasuhara_recorder.__main__" and not mod.name.startswith(UI):
            importlib.import_module(mod.name)
    seen, todo = [], [KasuharaError]
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(seen, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def mismatches(texts: list[tuple[str, str, str]]) -> list[str]:
    return [
        f"{where}: ja {sorted(field_names(ja))} / en {sorted(field_names(en))}"
        for where, ja, en in texts
        if field_names(ja) != field_names(en)
    ]


def undeclared(cls: type[KasuharaError]) -> list[str]:
    """The template fields ``cls`` does not declare; filled with its declared fields only, the
    template must format in both languages (a missing one raises KeyError, never swallowed)."""
    declared = {"detail", *cls.fields, *cls.defaults}
    names = cls.template.fields() - declared
    if not names:
        cls.template.format(**dict.fromkeys(declared, "x"))
    return sorted(names)


def test_the_scan_finds_the_messages():
    assert len(_text_literals()) > 100
    assert len(_error_classes()) > 60
    assert all(isinstance(cls.template, Text) for cls in _error_classes())


def test_no_error_keeps_a_message_of_its_own_per_language():
    """A ``ja``/``en`` pair beside the template would be a second, unchecked message."""
    paired = [c.__qualname__ for c in _error_classes() if {"ja", "en"} & set(vars(c))]
    assert paired == []


def test_every_text_names_the_same_fields_in_both_languages():
    assert mismatches(_text_literals()) == []


def test_every_error_declares_the_fields_of_its_message():
    wrong = {
        cls.__qualname__: undeclared(cls) or mismatches([("", cls.template.ja, cls.template.en)])
        for cls in _error_classes()
    }
    assert {name: problem for name, problem in wrong.items() if problem} == {}


def test_a_field_in_one_language_only_is_caught():
    one_sided = Text("録音 {detail} の {reason}", "recording {detail}")
    assert mismatches([("here", one_sided.ja, one_sided.en)]) != []

    class Holey(KasuharaError):
        template = Text("録音 {detail} の {reason}", "recording {detail}: {reason}")

    try:
        assert undeclared(Holey) == ["reason"]
        with pytest.raises(KeyError):
            Holey("r1")  # a message with a hole is an error, not a quiet fallback
    finally:
        del Holey
