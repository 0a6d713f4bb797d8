"""Extract the GUI's strings into resources/i18n/*.ts with pyside6-lupdate (run after changing
any self.tr() text, then translate the new entries in Qt Linguist or by hand, then
`make translations` builds the .qm). Japanese is the source language; only English ships."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "resources" / "i18n"
TARGETS = {"en": I18N / "kasuhara_en.ts"}


def main() -> int:
    lupdate = shutil.which("pyside6-lupdate", path=str(Path(sys.executable).parent))
    if not lupdate:
        print("pyside6-lupdate not found in the venv", file=sys.stderr)
        return 1
    sources = sorted(str(p) for p in (ROOT / "kasuhara_recorder" / "ui").rglob("*.py"))
    for lang, ts in TARGETS.items():
        subprocess.run(
            [lupdate, "-silent", "-no-obsolete", "-locations", "none",
             "-source-language", "ja_JP", "-target-language", lang, *sources, "-ts", str(ts)],
            check=True,
        )  # fmt: skip
        print(f"updated {ts.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
