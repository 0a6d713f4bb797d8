"""The guides stay true: every ``kasuhara-recorder`` command line they show is one the real
parser accepts, every file and anchor they link exists, the counter staff's guide fits one
printed page, and the evidence officer's main flow runs as written.

Command lines come from the code blocks of ``docs/guides/*.md`` (a line ending in `` \\`` or
`` ^`` goes on) and from inline code that starts with ``kasuhara-recorder``; the program may
be ``kasuhara-recorder``, ``kasuhara-recorder.exe`` or a quoted Windows path to it, after an
optional ``sudo``. The guides' placeholders are replaced by the sample values of
``PLACEHOLDERS`` (a token equal to one of them); a lone ``…`` means "and so on" and is dropped.
Any other ``…`` left in a command line fails the test, so a new placeholder gets documented
here.

``machine-settings`` is the installer's interface (issue 17), landing in parallel with the
guides: its lines, and the link to ``packaging/windows/README.md``, are checked once the
parser has that subcommand.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
import unicodedata
import zipfile
from hashlib import sha256
from pathlib import Path

import pyrage
import pytest
import soundfile as sf

from kasuhara_recorder.cli import build_parser
from tests.support.signals import tone, write_wav
from tests.support.terminal import Terminal

REPO = Path(__file__).resolve().parents[1]
GUIDES = sorted((REPO / "docs" / "guides").glob("*.md"))
LINKING_DOCS = [*GUIDES, REPO / "README.md", REPO / "docs" / "ARCHITECTURE.md",
                REPO / "docs" / "THREAT_MODEL.md"]  # fmt: skip
PROGRAMS = ("kasuhara-recorder", "kasuhara-recorder.exe")
SAMPLE_RECIPIENT = str(pyrage.x25519.Identity.generate().to_public())  # made at test time
PLACEHOLDERS = {
    "ID": "20261201-00d922",  # an incident id as `incident new` prints it
    "RECORDING_ID": "rec-20261201-212101-a51739",
    "FILE": "sample-file.txt",
    "URL": "https://tsa.example.jp/tsa",
    "NAME": "市民課",
    "age1…": SAMPLE_RECIPIENT,
}
# Lands with the installer (issue 17), checked once `machine-settings` is registered.
WITH_MACHINE_SETTINGS = {"packaging/windows/README.md"}
COUNTER_PAGE_LINES = 60  # one printed A4 page
COUNTER_PAGE_COLUMNS = 100  # a full-width character counts two


def _subcommands() -> set[str]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


HAS_MACHINE_SETTINGS = "machine-settings" in _subcommands()


def _fences(text: str) -> list[tuple[str, list[str]]]:
    """The fenced code blocks of a Markdown text: (language, lines)."""
    blocks: list[tuple[str, list[str]]] = []
    lines: list[str] | None = None
    lang = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("```"):
            if lines is None:
                lang, lines = stripped[3:].strip(), []
            else:
                blocks.append((lang, lines))
                lines = None
        elif lines is not None:
            lines.append(stripped)
    return blocks


def _without_fences(text: str) -> str:
    return re.sub(r"^\s*```.*?^\s*```", "", text, flags=re.S | re.M)


def _joined(lines: list[str]) -> list[str]:
    """Lines continued by a trailing backslash (sh) or caret (bat) joined into one."""
    out: list[str] = []
    carry = ""
    for line in lines:
        if line.endswith((" \\", " ^")):
            carry += line[:-1].strip() + " "
            continue
        out.append(carry + line)
        carry = ""
    if carry:
        out.append(carry.strip())
    return out


def _argv(line: str) -> list[str] | None:
    """The arguments after the program, or None when the line does not run the app."""
    try:
        tokens = shlex.split(line, comments=True)
    except ValueError:
        return None
    if tokens[:1] == ["sudo"]:
        tokens = tokens[1:]
    if not tokens or re.split(r"[\\/]", tokens[0])[-1] not in PROGRAMS:
        return None
    return tokens[1:]


def command_lines(path: Path) -> list[tuple[str, list[str]]]:
    """(the line as written, its arguments with the placeholders filled in)."""
    text = path.read_text(encoding="utf-8")
    candidates: list[str] = []
    for _lang, lines in _fences(text):
        candidates += _joined(lines)
    candidates += re.findall(r"`(kasuhara-recorder[^`]*)`", _without_fences(text))
    found = []
    for line in candidates:
        argv = _argv(line)
        if argv is None:
            continue
        filled = [PLACEHOLDERS.get(a, a) for a in argv if a != "…"]
        found.append((line, filled))
    return found


ALL_COMMANDS = [
    pytest.param(argv, id=f"{path.name}: {line}")
    for path in GUIDES
    for line, argv in command_lines(path)
]


def test_the_guides_show_the_commands_people_type():
    per_guide = {p.name: len(command_lines(p)) for p in GUIDES}
    assert per_guide["evidence-officer.md"] >= 15, per_guide
    assert per_guide["it-admin.md"] >= 20, per_guide
    assert per_guide["recipient.md"] >= 1, per_guide


@pytest.mark.parametrize("argv", ALL_COMMANDS)
def test_every_command_line_of_the_guides_is_accepted_by_the_parser(argv):
    if argv and argv[0] == "machine-settings" and not HAS_MACHINE_SETTINGS:
        pytest.skip("machine-settings lands with the installer (issue 17)")
    left = [a for a in argv if "…" in a]
    assert not left, f"a placeholder the test does not know: {left} (add it to PLACEHOLDERS)"
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            build_parser().parse_args(argv)
    except SystemExit as e:  # --version exits 0; a bad line exits 2 with argparse's reason
        assert e.code == 0, f"kasuhara-recorder {' '.join(argv)}\n{err.getvalue()}"


def _anchors(path: Path) -> set[str]:
    """Explicit <a id="…"> anchors, and GitHub's slugs of the headings."""
    text = path.read_text(encoding="utf-8")
    ids = set(re.findall(r'<a id="([^"]+)"', text))
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*$", _without_fences(text), flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        ids.add(slug)
    return ids


@pytest.mark.parametrize("doc", LINKING_DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_file_and_anchor_a_document_links_exists(doc):
    text = _without_fences(doc.read_text(encoding="utf-8"))
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    for link in links:
        if re.match(r"[a-z]+:", link):
            continue  # http(s), mailto: not checked offline
        target, _, anchor = link.partition("#")
        file = (doc.parent / target).resolve() if target else doc
        where = str(file.relative_to(REPO)) if file.is_relative_to(REPO) else str(file)
        if where in WITH_MACHINE_SETTINGS and not HAS_MACHINE_SETTINGS:
            continue
        assert file.exists(), f"{doc.name} links {link}: no {where}"
        if anchor:
            assert anchor in _anchors(file), f"{doc.name} links {link}: no such anchor"


def test_the_threat_model_points_to_code_and_tests_that_exist():
    text = (REPO / "docs" / "THREAT_MODEL.md").read_text(encoding="utf-8")
    refs = re.findall(r"`((?:kasuhara_recorder|tests)/[\w/.-]+\.py)(?:::(\w+))?`", text)
    assert len(refs) >= 20
    for file, name in refs:
        path = REPO / file
        assert path.exists(), file
        if name:
            assert re.search(rf"^\s*(?:async )?def {name}\b", path.read_text(), flags=re.M), (
                f"{file} has no {name}"
            )


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_the_counter_staff_guide_fits_one_printed_page():
    lines = (REPO / "docs" / "guides" / "counter-staff.md").read_text(encoding="utf-8")
    lines = lines.splitlines()
    assert len(lines) <= COUNTER_PAGE_LINES
    wide = [x for x in lines if _columns(x) > COUNTER_PAGE_COLUMNS]
    assert not wide, wide
    text = "\n".join(lines)
    for key in ("F9", "F8", "Ctrl+1", "録音開始", "停止して保存", "告知しました"):
        assert key in text, key


# -- the officer's main flow, with the guides' own command lines ------------------------------

PASS_A = "ゆずの木 rainy 自転車 lantern"  # made up at test time, typed on a terminal
PASS_RESTORED = "新しい 金庫の 鍵 violet"


def _guide_line(guide: str, *words: str) -> list[str]:
    """The first command line of ``guide`` that has all ``words`` (unfilled placeholders)."""
    text_lines = [line for line, _ in command_lines(REPO / "docs" / "guides" / guide)]
    for line in text_lines:
        argv = _argv(line)
        if argv is not None and all(w in argv for w in words):
            return argv
    raise AssertionError(f"{guide} has no command line with {words}")


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "KASUHARA_DATA_DIR": str(data_dir), "LANG": "C.UTF-8"}


def _run(cwd: Path, argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", *argv], cwd=cwd, env=_env(cwd / "data"),
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip


@pytest.fixture
def terminal():
    made: list[Terminal] = []

    def spawn(cwd: Path, argv: list[str]) -> Terminal:
        t = Terminal.spawn([sys.executable, "-m", "kasuhara_recorder", *argv],
                           _env(cwd / "data"), cwd=str(cwd))  # fmt: skip
        made.append(t)
        return t

    yield spawn
    for t in made:
        t.close()


def _new_passphrase(t: Terminal, passphrase: str) -> None:
    at = t.expect("新しいパスフレーズ: ")
    t.type(passphrase)
    t.expect("もう一度入力してください: ", start=at)
    t.type(passphrase)


def _hex(text: str) -> str:
    return re.sub(r"[^0-9a-f]", "", text)


def test_the_officer_flow_runs_as_the_guides_write_it(tmp_path, terminal):
    """it-admin.md's key ceremony and set-up, then evidence-officer.md: a new incident, two
    old recordings imported, an export with the passphrase typed on the terminal, the bundle
    verified; and the lost-passphrase path: the paper key restored opens the same recordings."""
    # 鍵の儀式: officer A's key (the passphrase asked on the terminal), the paper key
    t = terminal(tmp_path, _guide_line("it-admin.md", "init-org", "./org-a"))
    _new_passphrase(t, PASS_A)
    assert t.wait() == 0, t.text
    t = terminal(tmp_path, _guide_line("it-admin.md", "init-org", "./org-b"))
    _new_passphrase(t, "officer b の 別の 長い 合言葉")
    assert t.wait() == 0, t.text
    r = _run(tmp_path, _guide_line("it-admin.md", "keys", "backup"))
    assert r.returncode == 0, r.stderr
    paper = (tmp_path / "safe" / "backup-paper-key.html").read_text(encoding="utf-8")

    # the workstation, set up with all three recipients; its fingerprint for the asset register
    r = _run(tmp_path, _guide_line("it-admin.md", "setup", "--workstation-name"))
    assert r.returncode == 0, r.stderr
    fingerprint = re.search(r"\b[0-9a-f]{64}\b", r.stdout).group(0)
    r = _run(tmp_path, _guide_line("it-admin.md", "keys", "recipients"))
    assert r.stdout.count("age1") == 3, r.stdout

    # evidence-officer.md §10: an incident, and two recordings made before the app
    r = _run(tmp_path, _guide_line("evidence-officer.md", "incident", "new"))
    assert r.returncode == 0, r.stderr
    incident = re.search(r"\d{8}-[0-9a-f]{6}", r.stdout).group(0)
    write_wav(tmp_path / "rec001.wav", tone(440, 1.5, rate=16000), rate=16000)
    sf.write(tmp_path / "rec002.mp3", tone(660, 1.5, rate=16000), 16000, format="MP3")
    imported = _guide_line("evidence-officer.md", "import")
    r = _run(tmp_path, [incident if a == "ID" else a for a in imported])
    assert r.returncode == 0, r.stderr
    r = _run(tmp_path, ["incident", "recordings", incident])
    assert r.stdout.count("取込") == 2, r.stdout

    # §5: the export, the passphrase typed where it is asked
    export = _guide_line("evidence-officer.md", "export", "--identity")
    t = terminal(tmp_path, [incident if a == "ID" else a for a in export])
    t.expect("パスフレーズ: ")
    t.type(PASS_A)
    assert t.wait() == 0, t.text
    assert fingerprint in _hex(t.text)  # the value to read out by phone
    bundle = tmp_path / "bundle.zip"
    bundle_sha = sha256(bundle.read_bytes()).hexdigest()
    assert bundle_sha in _hex(t.text)
    with zipfile.ZipFile(bundle) as z:  # the MP3 as it was imported, byte for byte
        members = {sha256(z.read(n)).hexdigest() for n in z.namelist()}
    assert sha256((tmp_path / "rec002.mp3").read_bytes()).hexdigest() in members

    # §6: verify shows the same two values
    r = _run(tmp_path, _guide_line("evidence-officer.md", "verify", "bundle.zip"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert fingerprint in _hex(r.stdout) and bundle_sha in _hex(r.stdout)
    r = _run(tmp_path, _guide_line("evidence-officer.md", "retention", "--dry-run"))
    assert r.returncode == 0 and "何も削除していません" in r.stdout, r.stdout + r.stderr
    r = _run(tmp_path, _guide_line("evidence-officer.md", "audit", "verify"))
    assert r.returncode == 0, r.stdout + r.stderr

    # it-admin.md §6.6: the paper key, typed into a file, protected with a new passphrase
    (tmp_path / "backup-key.txt").write_text(
        re.search(r"AGE-SECRET-KEY-1[0-9A-Z]+", paper).group(0) + "\n"
    )
    t = terminal(tmp_path, _guide_line("it-admin.md", "restore-backup"))
    _new_passphrase(t, PASS_RESTORED)
    assert t.wait() == 0, t.text
    (tmp_path / "pass.txt").write_text(PASS_RESTORED + "\n")
    again = [a for a in export if a not in ("--out", "bundle.zip")]
    again = [incident if a == "ID" else a for a in again]
    again = [a.replace("org-a/", "org-restored/") for a in again]
    r = _run(tmp_path, [*again, "--passphrase-file", "pass.txt", "--out", "restored.zip"])
    assert r.returncode == 0, r.stdout + r.stderr
    r = _run(tmp_path, ["verify", "restored.zip"])
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_installer_takes_the_parameters_the_it_guide_documents():
    """The silent-install parameters of it-admin.md are the Inno Setup script's (checked once
    packaging/windows/ holds the script; it lands in parallel, issue 17)."""
    text = (REPO / "docs" / "guides" / "it-admin.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"(?<=[\s`])/([A-Z]{4,})(?=[=\s`])", text))
    assert {"VERYSILENT", "SUPPRESSMSGBOXES", "ORGRECIPIENT", "CENTRAL", "DEPARTMENT",
            "TSAURL", "TSACA"} <= documented, documented  # fmt: skip
    scripts = sorted((REPO / "packaging" / "windows").glob("*.iss"))
    if not scripts:
        pytest.skip("the Inno Setup script lands with the installer (issue 17)")
    script = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in scripts).upper()
    own = documented - {"VERYSILENT", "SUPPRESSMSGBOXES"}  # Inno Setup's own switches
    missing = sorted(p for p in own if not re.search(rf"\b{p}\b", script))  # {param:X}, /X…
    assert not missing, f"the installer script does not read {missing}"
