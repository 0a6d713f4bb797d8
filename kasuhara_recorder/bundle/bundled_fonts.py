"""The fonts the frozen app carries (``resources/fonts``, copied in by ``make package``).

The report PDF, the poster and the statistics PDF ask Qt for their families by name
(``report_pdf.FONT_FAMILIES``); a Windows PC has neither Noto Sans CJK JP nor DejaVu Sans, so
the frozen app registers its own copies. A checkout has no such folder and uses the system's.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kasuhara_recorder.resources import resources_dir

log = logging.getLogger("kasuhara.bundle.fonts")

FONT_SUFFIXES = (".ttf", ".ttc", ".otf")
_DONE = "kasuhara_bundled_fonts"  # a property of the application: fonts belong to it


def register(folder: Path | None = None) -> list[str]:
    """Register every font file of ``folder`` (default: resources/fonts) with the running
    QGuiApplication, once per application; returns the families added."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QFontDatabase

    folder = folder if folder is not None else resources_dir() / "fonts"
    app = QCoreApplication.instance()
    if app is None or not folder.is_dir() or app.property(_DONE):
        return []
    families: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in FONT_SUFFIXES:
            continue
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("bundled font %s could not be loaded", path.name)
            continue
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    app.setProperty(_DONE, True)
    log.info("registered bundled fonts: %s", ", ".join(sorted(set(families))))
    return families
