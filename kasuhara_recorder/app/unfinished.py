"""A cheap look at the vault before ``RecordingService.recover()``: on a normal start nothing
needs recovering, and the app should not load the audio and crypto stack just to find that out.

Every recording that was stopped (or recovered) has ``<id>.manifest.json`` next to its
``<id>.age``; one without it was cut off by a crash, is being recorded by another process, or
was never finished. Only then is the full ``recover()`` worth running (it sorts those cases).
"""

from __future__ import annotations

import os
from pathlib import Path


def may_need_recovery(vault: Path) -> bool:
    try:
        names = set(os.listdir(vault))
    except (FileNotFoundError, NotADirectoryError):
        return False
    return any(
        n.endswith(".pending.json")
        or (n.endswith(".age") and f"{n.removesuffix('.age')}.manifest.json" not in names)
        for n in names
    )
