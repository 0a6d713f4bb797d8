"""The frozen app and its .deb, as IT installs them: built once by packaging/build.py (what
`make package` runs), then only the frozen binary runs (packaging/smoke_test.py, with the
system's python3, not this venv), from dist/ and from a .deb installed into a throw-away root.

Nothing is installed into this machine's root: `dpkg --root` works on a private folder with a
dpkg database of its own. That database holds no packages, so the package's Depends (libc6,
libgl1, … — on this machine, outside that root) cannot be met there: `--force-depends` only
for that reason; the frozen binary then runs from the root's /opt with the system's libraries.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from kasuhara_recorder import __version__

ROOT = Path(__file__).resolve().parents[2]
SMOKE = ROOT / "packaging" / "smoke_test.py"

pytestmark = [pytest.mark.slow, pytest.mark.pulse, pytest.mark.timeout(1800)]


@dataclass(frozen=True)
class Package:
    folder: Path
    deb: Path
    build_seconds: float


@pytest.fixture(scope="session")
def package() -> Package:
    """`make package`'s script, once for the session (~2-3 min on an idle 2-core machine)."""
    for tool in ("dpkg-deb", "dpkg", "ldd", "python3"):
        assert shutil.which(tool), f"{tool} missing (scripts/setup-system.sh installs it)"
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    t = time.monotonic()
    subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py")], cwd=ROOT, check=True, timeout=1700
    )
    return Package(
        folder=ROOT / "dist" / "kasuhara-recorder",
        deb=ROOT / "dist" / f"kasuhara-recorder_{__version__}_{arch}.deb",
        build_seconds=time.monotonic() - t,
    )


def smoke(folder: Path, data: Path) -> subprocess.CompletedProcess:
    # The test session's PulseAudio (XDG_RUNTIME_DIR) is inherited: the smoke test plays into a
    # null sink of it; run alone, it starts its own.
    proc = subprocess.run(
        ["python3", str(SMOKE), str(folder), "--data-dir", str(data)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, f"smoke test failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_the_frozen_folder_records_seals_exports_verifies_and_opens_its_window(
    package: Package, tmp_path: Path, pulse_server
) -> None:
    proc = smoke(package.folder, tmp_path / "data")
    out = proc.stdout
    assert f"kasuhara-recorder {__version__}" in out
    assert "age -d gives the WAV back" in out
    assert "PortAudio from the frozen folder" in out  # the app's copy, not the system's
    assert "verify: ok" in out
    assert out.count("ready in") == 2  # the CLI's default GUI and KasuharaRecorder
    assert "smoke test passed" in out
    print(f"build {package.build_seconds:.0f} s")


def test_the_frozen_window_opens_on_an_x_screen(package: Package, tmp_path: Path) -> None:
    """The smoke test's window is offscreen; an office desktop is X11 (or Wayland): the xcb
    plugin and the libraries it needs must be in the folder or named in Depends."""
    data = tmp_path / "data"
    setup = subprocess.run(
        [str(package.folder / "kasuhara-recorder"), "--data-dir", str(data), "setup",
         "--org-recipient", "age1ue606udwq9gycrw9x0jdrhgka25ja4gx0n3v56x20kt9rv2ra3nsgh6v7c"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "KASUHARA_SMOKE_READY": "1"}
    shown = subprocess.run(
        ["xvfb-run", "-a", str(package.folder / "KasuharaRecorder"), "--data-dir", str(data)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert shown.returncode == 0 and "READY" in shown.stdout, shown.stderr[-3000:]


def test_the_frozen_report_pdf_has_its_fonts_on_a_pc_without_them(
    package: Package, tmp_path: Path
) -> None:
    """A Windows PC has neither Noto Sans CJK JP nor DejaVu Sans: here fontconfig is given a
    configuration with no font folder at all, so only the app's own resources/fonts remain."""
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf"), "LANG": "C.UTF-8"}
    assert not subprocess.run(["fc-list"], capture_output=True, text=True, env=env).stdout
    app = str(package.folder / "kasuhara-recorder")

    def run(*args: str) -> str:
        proc = subprocess.run(
            [app, "--data-dir", str(tmp_path / "data"), *args],
            capture_output=True, text=True, env=env, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    phrase = tmp_path / "passphrase"
    phrase.write_text("fonts test 7f3a9c2e41b8 ceremony\n")
    run("keys", "init-org", "--out", str(tmp_path / "org"), "--passphrase-file", str(phrase))
    run("setup", "--org-recipient", str(tmp_path / "org" / "org-recipient.txt"))
    incident = json.loads(run("incident", "new", "--json"))["id"]
    bundle = tmp_path / "bundle.zip"
    run("export", incident, "--identity", str(tmp_path / "org" / "org-identity.age"),
        "--passphrase-file", str(phrase), "--out", str(bundle))  # fmt: skip
    with zipfile.ZipFile(bundle) as z:
        (tmp_path / "report.pdf").write_bytes(z.read("incident/report.pdf"))
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "report.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "NotoSansCJKjp-Regular" in fonts and "DejaVuSans" in fonts, fonts


def _dpkg_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    admin = root / "var" / "lib" / "dpkg"
    for sub in ("info", "updates", "triggers", "alternatives"):
        (admin / sub).mkdir(parents=True)
    (admin / "status").touch()
    (admin / "available").touch()
    return root


def _dpkg(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["dpkg", f"--root={root}", *args], capture_output=True, text=True, timeout=600
    )


def test_the_deb_installs_into_a_root_runs_there_and_removing_it_keeps_the_data(
    package: Package, tmp_path: Path, pulse_server
) -> None:
    root = _dpkg_root(tmp_path)
    installed = _dpkg(root, "--force-depends", "-i", str(package.deb))
    assert installed.returncode == 0, installed.stderr
    app = root / "opt" / "kasuhara-recorder"
    assert (app / "kasuhara-recorder").is_file() and (app / "KasuharaRecorder").is_file()
    assert os.readlink(root / "usr" / "bin" / "kasuhara-recorder") == (
        "/opt/kasuhara-recorder/kasuhara-recorder"
    )
    # a clerk's data folder inside the same root, where a removal could reach it
    data = root / "home" / "clerk" / ".local" / "share" / "kasuhara-recorder"
    smoke(app, data)
    before = sorted(p.relative_to(data) for p in data.rglob("*"))
    assert any(p.suffix == ".age" for p in before), "the smoke test sealed nothing"

    removed = _dpkg(root, "-r", "kasuhara-recorder")
    assert removed.returncode == 0, removed.stderr
    assert not app.exists()
    assert not (root / "usr" / "bin" / "kasuhara-recorder").exists()
    assert sorted(p.relative_to(data) for p in data.rglob("*")) == before  # every file kept
    status = _dpkg(root, "-s", "kasuhara-recorder")
    assert "install ok installed" not in status.stdout


def test_the_debs_fields_desktop_entry_and_man_page(package: Package, tmp_path: Path) -> None:
    fields = subprocess.run(
        ["dpkg-deb", "-f", str(package.deb)], capture_output=True, text=True, check=True
    ).stdout
    control = dict(
        line.split(": ", 1) for line in fields.splitlines() if ": " in line and line[0] != " "
    )
    assert control["Package"] == "kasuhara-recorder"
    assert control["Version"] == __version__
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True)
    assert control["Architecture"] == arch.stdout.strip()
    depends = [d.split()[0] for d in control["Depends"].split(", ")]
    assert "libc6" in depends
    for name in depends:  # each a real Debian package, present where the app ran above
        status = subprocess.run(["dpkg", "-s", name], capture_output=True, text=True)
        assert "install ok installed" in status.stdout, name
    info = subprocess.run(["dpkg-deb", "-I", str(package.deb)], capture_output=True, text=True)
    for script in ("preinst", "postinst", "prerm", "postrm"):
        assert script not in info.stdout  # nothing runs at install or removal
    listing = subprocess.run(["dpkg-deb", "-c", str(package.deb)], capture_output=True, text=True)
    assert all(" root/root " in line for line in listing.stdout.splitlines())

    out = tmp_path / "x"
    subprocess.run(["dpkg-deb", "-x", str(package.deb), str(out)], check=True)
    desktop = out / "usr" / "share" / "applications" / "kasuhara-recorder.desktop"
    valid = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
    assert valid.returncode == 0 and not valid.stdout.strip(), valid.stdout
    entry = desktop.read_text(encoding="utf-8")
    assert "Name[ja]=カスハラ録音" in entry and "Name=Kasuhara Recorder" in entry
    assert "Exec=/opt/kasuhara-recorder/KasuharaRecorder" in entry
    assert (out / "usr/share/icons/hicolor/scalable/apps/kasuhara-recorder.svg").is_file()

    page = gzip.decompress((out / "usr/share/man/man1/kasuhara-recorder.1.gz").read_bytes())
    rendered = subprocess.run(
        ["man", "-l", "-"], input=page, capture_output=True, env={**os.environ, "MANWIDTH": "80"}
    )
    text = rendered.stdout.decode("utf-8", errors="replace")
    assert rendered.returncode == 0
    for command in ("setup", "record", "import", "export", "verify", "keys init-org"):
        assert command in text  # every subcommand's --help is in the page
    assert "--org-recipient" in text
