"""The core layers stay free of Qt widgets (DESIGN: arrows point down only)."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "kasuhara_recorder"
CORE = ("policy", "evidence", "audio", "store", "bundle", "app", "commands")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_layers_do_not_import_qt_widgets_or_the_ui():
    offenders = []
    for layer in CORE:
        for f in (PKG / layer).rglob("*.py"):
            for name in _imports(f):
                if name.startswith("PySide6.QtWidgets") or name.startswith("kasuhara_recorder.ui"):
                    offenders.append(f"{f.relative_to(PKG)}: {name}")
                if layer != "bundle" and name.startswith("PySide6"):
                    offenders.append(f"{f.relative_to(PKG)}: {name}")
    assert offenders == []


def test_every_launch_builds_the_parser_without_the_heavy_stacks():
    # `kasuhara-recorder` with no subcommand (the desktop app) and `--help` both import the CLI
    # first: the crypto, audio, export and Qt stacks belong to the commands that use them.
    import subprocess
    import sys

    code = (
        "import sys, kasuhara_recorder.cli\n"
        "heavy = ('numpy', 'pyrage', 'cryptography', 'sounddevice', 'PySide6', 'sqlite3',\n"
        "         'kasuhara_recorder.bundle.export', 'kasuhara_recorder.store.incident_model')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
