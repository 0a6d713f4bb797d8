"""Run the command line as on Windows, as far as Python's own API goes:
``python -m tests.support.posix_hidden --data-dir D record …``.

Before anything of the app is imported, the POSIX-only pieces the app might reach for are
removed: the ``fcntl`` module (flock, pipe sizes) and ``os.pread``/``preadv``/``pwrite``/
``fdatasync``/``fchmod``/``O_TMPFILE``/``O_DIRECTORY``. Windows' Python has none of them, so
a call outside the platform seam's portable branches fails here as it would there. (``os.uname``
stays: numpy calls it on Linux only, its Windows build never does; the static check in
tests/test_platform_seam.py keeps it out of the app.)
(Windows' own ``msvcrt`` is absent on Linux too, so the seam's in-process lock runs.)"""

from __future__ import annotations

import os
import sys

HIDDEN_MODULES = ("fcntl",)
HIDDEN_OS = (
    "pread", "preadv", "pwrite", "pwritev", "fdatasync", "fchmod",
    "O_TMPFILE", "O_DIRECTORY",
)  # fmt: skip


def hide() -> None:
    for name in HIDDEN_MODULES:
        sys.modules[name] = None  # type: ignore[assignment]  # import now raises ImportError
    for name in HIDDEN_OS:
        if hasattr(os, name):
            delattr(os, name)


def still_hidden() -> list[str]:
    """What came back while the command ran (nothing should)."""
    back = [m for m in HIDDEN_MODULES if sys.modules.get(m) is not None]
    return back + [f"os.{n}" for n in HIDDEN_OS if hasattr(os, n)]


def main() -> int:
    hide()
    from kasuhara_recorder.cli import main as cli_main

    code = cli_main(sys.argv[1:])
    back = still_hidden()
    if back:
        print(f"posix_hidden: came back while running: {back}", file=sys.stderr)
        return 99
    return code


if __name__ == "__main__":
    raise SystemExit(main())
