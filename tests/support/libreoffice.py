"""LibreOffice headless (Debian's libreoffice-calc-nogui), as a second reader of what the app
writes for Excel: ``convert`` runs ``soffice --headless --convert-to`` with its own profile
folder (two runs never share one) and returns the file it wrote."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

# Comma, double quote, UTF-8 (76), from line 1: what a person picks in Calc's import dialog.
CSV_UTF8 = "Text - txt - csv (StarCalc):44,34,76,1"


def convert(src: Path, to: str, outdir: Path, infilter: str | None = None) -> list[Path]:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing: scripts/setup-system.sh installs it"
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".lo-profile"
    cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless"]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", to, "--outdir", str(outdir), str(src)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    made = sorted(p for p in outdir.iterdir() if p.is_file())
    assert made, r.stdout + r.stderr
    return made
