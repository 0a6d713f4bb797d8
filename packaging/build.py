"""`make package`: the frozen folder (PyInstaller) and, on Debian, the .deb around it.

    .venv/bin/python packaging/build.py [--skip-freeze]

1. the translations (.qm) the spec bundles, 2. ``dist/kasuhara-recorder/`` from
``packaging/kasuhara-recorder.spec``, 3. ``dist/kasuhara-recorder_<version>_<arch>.deb``:
the folder under /opt/kasuhara-recorder, /usr/bin/kasuhara-recorder, the .desktop entry and
icon, a man page made from the frozen binary's own ``--help``, and Depends on the Debian
packages that hold the system libraries the frozen folder still links to (found with ldd).
No maintainer scripts: installing and removing touch nothing but the package's own files, so
every data folder stays.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kasuhara_recorder import __version__  # noqa: E402

DIST = ROOT / "dist"
FOLDER = DIST / "kasuhara-recorder"
WORK = ROOT / "build"
PACKAGE = "kasuhara-recorder"
DEBIAN = Path(__file__).resolve().parent / "debian"

# Not found by ldd, needed all the same: ALSA's pulse plugin, which libasound loads by name to
# reach PulseAudio/PipeWire (the frozen app records through ALSA's "pulse"/"default" device).
RECOMMENDS = ["libasound2-plugins"]


def freeze() -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_translations.py")], check=True)
    subprocess.run(
        [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
            "--distpath", str(DIST), "--workpath", str(WORK / "pyinstaller"),
            str(ROOT / "packaging" / "kasuhara-recorder.spec"),
        ],
        check=True, cwd=ROOT,
    )  # fmt: skip


def _elf_files(folder: Path) -> list[Path]:
    out = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    out.append(path)
    return out


def system_libraries(folder: Path) -> tuple[set[str], set[str]]:
    """The libraries outside ``folder`` that its executables and libraries load, and the
    names ldd could not find at all (a Qt plugin for a platform this machine lacks)."""
    used: set[str] = set()
    missing: set[str] = set()
    inside = str(folder.resolve())
    for elf in _elf_files(folder):
        env = {**os.environ, "LD_LIBRARY_PATH": str(folder / "_internal")}
        proc = subprocess.run(["ldd", str(elf)], capture_output=True, text=True, env=env)
        for line in proc.stdout.splitlines():
            m = re.match(r"\s*(\S+) => (not found|(\S+))", line)
            if not m:
                continue
            if m.group(2) == "not found":
                missing.add(m.group(1))
            elif not os.path.realpath(m.group(3)).startswith(inside):
                used.add(m.group(3))
    return used, missing


def owning_packages(paths: set[str]) -> set[str]:
    """Debian packages that hold these files (merged /usr: dpkg may list either spelling)."""
    packages: set[str] = set()
    for path in sorted(paths):
        real = os.path.realpath(path)
        candidates = {path, real, re.sub(r"^/usr/lib/", "/lib/", real)}
        for candidate in candidates:
            proc = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if proc.returncode == 0:
                packages.add(proc.stdout.split(":")[0].split(",")[0].strip())
                break
        else:
            print(f"warning: no Debian package holds {path}", file=sys.stderr)
    return packages


def glibc_version() -> str:
    out = subprocess.run(["ldd", "--version"], capture_output=True, text=True).stdout
    m = re.search(r"(\d+\.\d+)\s*$", out.splitlines()[0])
    return m.group(1) if m else "2.31"


def man_page(binary: Path) -> bytes:
    """man1 page from the frozen binary's argparse --help, main and every subcommand."""
    from kasuhara_recorder.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    env = {**os.environ, "COLUMNS": "80", "QT_QPA_PLATFORM": "offscreen"}

    def help_of(*args: str) -> str:
        return subprocess.run(
            [str(binary), *args, "--help"], capture_output=True, text=True, env=env, check=True
        ).stdout

    def verbatim(text: str) -> str:
        # \e: a backslash; \-: the ASCII minus of an option, not a typographic hyphen
        lines = [
            line.replace("\\", "\\e").replace("-", "\\-") for line in text.rstrip().splitlines()
        ]
        lines = [("\\&" + line) if line.startswith((".", "'")) else line for line in lines]
        return ".nf\n" + "\n".join(lines) + "\n.fi\n"

    day = time.strftime("%Y-%m-%d", time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
                                                 or time.time()))  # fmt: skip
    parts = [
        f'.TH KASUHARA-RECORDER 1 "{day}" "kasuhara-recorder {__version__}" "User Commands"\n',
        ".SH NAME\nkasuhara-recorder \\- record, seal and document customer-harassment "
        "incidents (カスハラ録音)\n",
        ".SH SYNOPSIS\n.B kasuhara-recorder\n[\\fIOPTIONS\\fR] [\\fICOMMAND\\fR ...]\n",
        ".SH DESCRIPTION\nWith no command, starts the desktop app "
        "(also /opt/kasuhara-recorder/KasuharaRecorder).\n",
        verbatim(help_of()),
        ".SH COMMANDS\n",
    ]
    for name, child in sub.choices.items():
        parts.append(f".SS {name}\n")
        parts.append(verbatim(help_of(name)))
        for grand in child._actions:
            if isinstance(grand, argparse._SubParsersAction):
                for gname in grand.choices:
                    parts.append(f".SS {name} {gname}\n")
                    parts.append(verbatim(help_of(name, gname)))
    parts.append(
        ".SH FILES\n.TP\n/opt/kasuhara-recorder/\nthe frozen app\n.TP\n"
        "~/.local/share/kasuhara-recorder/\nthe default data folder (KASUHARA_DATA_DIR, "
        "--data-dir); removing the package leaves it\n"
    )
    return "".join(parts).encode("utf-8")


def build_deb(folder: Path, compression: str = "zstd") -> Path:
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    root = WORK / "deb"
    shutil.rmtree(root, ignore_errors=True)
    app = root / "opt" / PACKAGE
    shutil.copytree(folder, app, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    os.symlink(f"/opt/{PACKAGE}/kasuhara-recorder", root / "usr" / "bin" / "kasuhara-recorder")
    share = root / "usr" / "share"
    for rel, src in (
        ("applications/kasuhara-recorder.desktop", DEBIAN / "kasuhara-recorder.desktop"),
        ("icons/hicolor/scalable/apps/kasuhara-recorder.svg", DEBIAN / "kasuhara-recorder.svg"),
        ("doc/kasuhara-recorder/copyright", DEBIAN / "copyright"),
    ):
        (share / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, share / rel)
    man = share / "man" / "man1" / "kasuhara-recorder.1.gz"
    man.parent.mkdir(parents=True)
    man.write_bytes(gzip.compress(man_page(folder / "kasuhara-recorder"), 9, mtime=0))

    used, missing = system_libraries(folder)
    if missing:
        print(f"note: not found on this machine (optional plugins): {sorted(missing)}")
    depends = owning_packages(used)
    depends.discard("libc6")
    depends_field = ", ".join([f"libc6 (>= {glibc_version()})", *sorted(depends)])
    size_kib = sum(p.lstat().st_size for p in root.rglob("*") if not p.is_dir()) // 1024
    control = root / "DEBIAN" / "control"
    control.parent.mkdir()
    control.write_text(
        f"Package: {PACKAGE}\n"
        f"Version: {__version__}\n"
        f"Architecture: {arch}\n"
        "Maintainer: Kasuhara Recorder developers <kasuhara-recorder@example.invalid>\n"
        f"Installed-Size: {size_kib}\n"
        f"Depends: {depends_field}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\n"
        "Section: utils\n"
        "Priority: optional\n"
        "Description: カスハラ録音 — records, seals and documents customer-harassment incidents\n"
        " Kasuhara Recorder records a counter or phone conversation, seals it as it is\n"
        " captured (age encryption, SHA-256, signed manifests), tags it with the\n"
        " behaviour categories of the organisation's policy, and exports sealed evidence\n"
        " bundles that police or counsel verify without the app. The frozen app lives\n"
        " in /opt/kasuhara-recorder; removing the package keeps every data folder.\n",
        encoding="utf-8",
    )
    deb = DIST / f"{PACKAGE}_{__version__}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", f"-Z{compression}", "-z6", "--build", str(root),
         str(deb)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return deb


def folder_mib(path: Path) -> float:
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir()) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(prog="make package")
    parser.add_argument("--skip-freeze", action="store_true", help="reuse dist/kasuhara-recorder")
    parser.add_argument("--no-deb", action="store_true", help="the frozen folder only")
    # zstd: 11 s for the ~370 MiB folder here and dpkg >= 1.21.18 (Debian 12) installs it;
    # xz: ~20 % smaller, any dpkg, but ~5 min on one core.
    parser.add_argument("--compression", choices=("zstd", "xz", "gzip"), default="zstd")
    args = parser.parse_args()
    t0 = time.perf_counter()
    if not args.skip_freeze:
        freeze()
    t1 = time.perf_counter()
    print(f"frozen folder: {FOLDER} ({folder_mib(FOLDER):.0f} MiB) in {t1 - t0:.0f} s")
    if not args.no_deb and shutil.which("dpkg-deb"):
        deb = build_deb(FOLDER, args.compression)
        mib = deb.stat().st_size / 2**20
        print(f"Debian package: {deb} ({mib:.0f} MiB) in {time.perf_counter() - t1:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
