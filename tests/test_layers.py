"""The layers point down only (DESIGN): the import graph of the whole package follows the order
written in docs/ARCHITECTURE.md, app/ has no import cycle, and the core is free of Qt widgets."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "kasuhara_recorder"
ARCHITECTURE = PKG.parent / "docs" / "ARCHITECTURE.md"
CORE = ("policy", "evidence", "audio", "store", "bundle", "app", "commands")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _unit(path: Path, root: Path = PKG) -> str:
    """The package (``app``) or top-level module (``cli``) a file belongs to."""
    rel = path.relative_to(root)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _module(path: Path, root: Path = PKG) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(("kasuhara_recorder", *parts))


def _own_imports(path: Path, root: Path = PKG) -> set[str]:
    """Modules of this package that ``path`` imports, anywhere in it (lazy and type-only too),
    relative imports resolved."""
    out: set[str] = set()
    here = _module(path, root).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)  # `from pkg import module`
    return {n for n in out if n == "kasuhara_recorder" or n.startswith("kasuhara_recorder.")}


def import_order(text: str) -> list[tuple[set[str], bool]]:
    """The levels of the doc's import order, top first: (packages, may import one another)."""
    block = text.split("<!-- import order: read by tests/test_layers.py -->", 1)[1]
    block = block.split("<!-- end of import order -->", 1)[0]
    levels, line = [], ""
    for raw in [*block.splitlines(), "0. (end)"]:  # numbered lines, wrapped ones joined
        if re.match(r"\d+\. ", raw) and line:
            names = set(re.findall(r"`(\w+)`", line.split(" — ")[0]))
            levels.append((names, "one another" in line))
            line = ""
        line += " " + raw.strip() if raw.strip() else ""
    return levels


def layer_violations(
    order: list[tuple[set[str], bool]], files: list[Path], root: Path = PKG
) -> list[str]:
    level = {name: i for i, (names, _) in enumerate(order) for name in names}
    among = {i for i, (_, allowed) in enumerate(order) if allowed}
    out = []
    for f in files:
        unit = _unit(f, root)
        if unit == "__init__":
            continue
        if unit not in level:
            out.append(f"{unit} is not in the import order of docs/ARCHITECTURE.md")
            continue
        targets = {n.split(".")[1] for n in _own_imports(f, root) if n.count(".")}
        for target in sorted(targets - {unit}):
            if target not in level:
                continue  # a top-level module missing from the doc is reported as a unit
            mine, theirs = level[unit], level[target]
            if theirs < mine or (theirs == mine and mine not in among):
                out.append(f"{f.relative_to(root)} imports {target} (not below {unit})")
    return out


def test_the_import_graph_follows_the_layer_order_of_the_architecture_doc():
    order = import_order(ARCHITECTURE.read_text(encoding="utf-8"))
    assert len(order) >= 5 and {"app", "ui", "evidence", "store"} <= set().union(
        *(n for n, _ in order)
    )
    assert layer_violations(order, sorted(PKG.rglob("*.py"))) == []


def test_an_import_upwards_or_sideways_is_reported(tmp_path):
    order = import_order(ARCHITECTURE.read_text(encoding="utf-8"))
    root = tmp_path / "kasuhara_recorder"
    (root / "evidence").mkdir(parents=True)
    up = root / "evidence" / "up.py"
    up.write_text("def f():\n    from kasuhara_recorder.app.service import AppService\n")
    sideways = root / "evidence" / "sideways.py"
    sideways.write_text("from ..policy import load_profile\n")
    fine = root / "evidence" / "fine.py"
    fine.write_text("from kasuhara_recorder import errors\n")
    got = layer_violations(order, [up, sideways, fine], root)
    assert got == [
        "evidence/up.py imports app (not below evidence)",
        "evidence/sideways.py imports policy (not below evidence)",
    ]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first walk (each reported once, from where it closed)."""
    found, state, path = [], {}, []

    def walk(n: str) -> None:
        state[n] = "open"
        path.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == "open":
                found.append([*path[path.index(m) :], m])
            elif m not in state:
                walk(m)
        path.pop()
        state[n] = "done"

    for n in sorted(graph):
        if n not in state:
            walk(n)
    return found


def test_a_cycle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c", "a"]]


def test_app_has_no_import_cycle():
    files = sorted((PKG / "app").glob("*.py"))
    names = {_module(f) for f in files}
    graph = {_module(f): {m for m in _own_imports(f) if m in names} - {_module(f)} for f in files}
    assert _cycles(graph) == []


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
