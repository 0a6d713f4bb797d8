"""Reading a live recording's checkpoint journal from a test, while its writer may still run."""

from __future__ import annotations

import json
from pathlib import Path


def journal_pcm_bytes(sealed: Path) -> int:
    """Plaintext bytes covered by the newest checkpoint; 0 before the first one. A line still
    being written (torn) is skipped, as recovery would."""
    try:
        lines = Path(str(sealed) + ".journal").read_bytes().splitlines()
    except FileNotFoundError:
        return 0
    best = 0
    for line in lines:
        try:
            best = max(best, json.loads(line)["pcm_bytes"])
        except (ValueError, KeyError):
            pass
    return best
