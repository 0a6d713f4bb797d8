"""Compile Qt Linguist .ts files in resources/i18n into .qm (only when the .ts is newer)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

I18N = Path(__file__).resolve().parent.parent / "resources" / "i18n"


def main() -> int:
    lrelease = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent))
    for ts in sorted(I18N.glob("*.ts")):
        qm = ts.with_suffix(".qm")
        if qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
            continue
        if not lrelease:
            print("pyside6-lrelease not found in the venv", file=sys.stderr)
            return 1
        subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
