"""Where the files under ``resources/`` are, in a checkout, an install and a frozen app."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    here = Path(__file__).resolve().parent
    for candidate in (here / "resources", here.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("resources/ folder not found next to the kasuhara_recorder package")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
