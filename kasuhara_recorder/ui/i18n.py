"""Translators: our own .qm (Japanese is the source language, so only English needs one), Qt's
own ``qtbase_*`` so standard dialogs speak the same language, and a pseudo-localiser that
lengthens every string to catch layouts that cut text off (used by the screenshot run).

The one place widgets learn the language from: ``current_language()``, what the last
``Translators.install`` set (with Qt's default locale), and ``localized(text)`` for a message
the core produced (a ``Text``). No widget is handed the language.
"""

from __future__ import annotations

import logging
import os
import re
from typing import cast

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from kasuhara_recorder.resources import resource
from kasuhara_recorder.text import Text

log = logging.getLogger("kasuhara.ui.i18n")

LANGUAGES = ("ja", "en")
PSEUDO_ENV = "KASUHARA_PSEUDO_L10N"
_PLACEHOLDER = re.compile(r"%\d+|\{[a-z_]*\}")


def current_language() -> str:
    """The language the widgets speak: Qt's default locale, which ``Translators.install`` sets
    together with the translators (and tests/support/leaks.py holds every test to restore)."""
    return "en" if QLocale().language() == QLocale.Language.English else "ja"


def localized(text: Text) -> str:
    """A message from the core (an error's, an event's, a check's ``.text``) in that language."""
    return text.pick(current_language())


def pseudo(text: str) -> str:
    """About 40% longer, placeholders kept intact, so a test of the layout stays meaningful."""
    if not text:
        return text
    pad = "~" * max(2, len(text) * 2 // 5)
    return f"[{text} {pad}]"


class PseudoTranslator(QTranslator):
    """Lengthens whatever ``base`` (or the source) gives."""

    def __init__(self, base: QTranslator | None, parent=None) -> None:
        super().__init__(parent)
        self.base = base

    def isEmpty(self) -> bool:
        return False

    def translate(self, context, source, disambiguation=None, n=-1):
        text = None
        if self.base is not None:
            text = self.base.translate(context, source, disambiguation, n)
        return pseudo(text or source)


class Translators:
    """Holds the installed translators so they can be swapped when the language changes."""

    def __init__(self) -> None:
        self.installed: list[QTranslator] = []
        self.lang = "ja"

    def install(self, lang: str, pseudo_l10n: bool | None = None) -> str:
        app = cast(QCoreApplication, QCoreApplication.instance())  # made before any language
        for t in self.installed:
            app.removeTranslator(t)
        self.installed.clear()
        lang = lang if lang in LANGUAGES else "ja"
        if pseudo_l10n is None:
            pseudo_l10n = os.environ.get(PSEUDO_ENV) == "1"
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qt = QTranslator(app)
        if qt.load(f"qtbase_{lang}", qt_dir):
            self.installed.append(qt)
        else:
            log.info("Qt's own qtbase_%s translations not found in %s", lang, qt_dir)
        if lang == "ja":  # what qtbase_ja lacks (the file dialog's labels)
            extra = QTranslator(app)
            if extra.load("qt_extra_ja", str(resource("i18n"))):
                self.installed.append(extra)
            else:
                log.warning("no qt_extra_ja.qm; run `make translations`")
        ours: QTranslator | None = None
        if lang != "ja":
            ours = QTranslator(app)
            if not ours.load(f"kasuhara_{lang}", str(resource("i18n"))):
                log.warning("no kasuhara_%s.qm; run `make translations`", lang)
                ours = None
        if pseudo_l10n:
            ours = PseudoTranslator(ours, app)
        if ours is not None:
            self.installed.append(ours)
        for t in self.installed:
            app.installTranslator(t)
        QLocale.setDefault(
            QLocale(QLocale.Language.Japanese if lang == "ja" else QLocale.Language.English)
        )
        self.lang = lang
        return lang
