"""Reading a live recording's checkpoint journal from a test, while its writer may still run."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.support.waiting import wait_until


def journal_pcm_bytes(sealed: Path) -> int:
    """Plaintext bytes covered by the newest checkpoint (a chunk's or a sealed tail's); 0
    before the first one. A line still being written (torn) is skipped, as recovery would."""
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


def journal_closed(sealed: Path) -> bool:
    """The writer's last journal line says the recording is closed (sealed, not cut)."""
    try:
        lines = Path(str(sealed) + ".journal").read_bytes().splitlines()
    except FileNotFoundError:
        return False
    for line in reversed(lines):
        try:
            return bool(json.loads(line)["closed"])
        except (ValueError, KeyError):
            continue
    return False


def wait_for_first_checkpoint(vault: Path, proc, timeout: float) -> Path:
    """The sealed file of a recording subprocess once some audio is attested (its first sealed
    tail or chunk checkpoint: audio is flowing); fails if the process dies or nothing is
    attested within ``timeout`` s."""
    return wait_for_checkpoint(vault, proc, 1, timeout)


def wait_for_checkpoint(vault: Path, proc, pcm_bytes: int, timeout: float) -> Path:
    """The sealed file of a recording subprocess once checkpoints cover ``pcm_bytes`` of audio;
    fails if the process dies first, or after ``timeout`` s."""

    def reached() -> Path | None:
        found = list(vault.glob("rec-*.age"))
        if found and journal_pcm_bytes(found[0]) >= pcm_bytes:
            return found[0]
        if proc.poll() is not None:
            raise AssertionError(f"recorder exited early: {proc.stderr.read().decode()}")
        return None

    return wait_until(reached, timeout, f"a checkpoint covering {pcm_bytes} bytes of audio")


def newest_attested(sealed: Path) -> tuple[int, str]:
    """(pcm_bytes, pcm_sha256) of the newest line that attests audio, a chunk checkpoint or a
    sealed tail: what recovery must give back, read the way a test may read it (plain JSON)."""
    best = (0, hashlib.sha256(b"").hexdigest())  # nothing attested: an empty recording
    for line in Path(str(sealed) + ".journal").read_bytes().splitlines():
        try:
            rec = json.loads(line)
            if rec.get("kind") in (None, "tail") and rec["pcm_bytes"] >= best[0]:
                best = (rec["pcm_bytes"], rec["pcm_sha256"])
        except (ValueError, KeyError):
            pass
    return best
