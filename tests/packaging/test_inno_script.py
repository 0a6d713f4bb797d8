"""The Windows installer's script and CI workflow, checked as far as Linux can.

ISCC (the Inno Setup compiler) runs on Windows only (or under Wine, which this machine does not
have), so the script is not compiled here: .github/workflows/windows.yml compiles, installs and
uninstalls it on a hosted Windows runner. What is checked here: the .iss parses into sections
and keys; the keys a per-machine install needs are there; nothing deletes a data folder; every
parameter the silent install reads reaches a `machine-settings set` flag that the real argparse
parser accepts; the command line the [Code] section builds, rendered with sample values
(Japanese, spaces, a trailing backslash) and split by Windows' rules, parses back to those
values with that parser — and, run through the real CLI, writes them into machine.json; the
workflow parses as YAML and runs what the issue asks for; the README documents every parameter.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pyrage

from kasuhara_recorder import cli
from kasuhara_recorder.machine_settings import ENV_MACHINE_CONFIG

ROOT = Path(__file__).resolve().parents[2]
ISS = ROOT / "packaging" / "windows" / "kasuhara-recorder.iss"
README = ROOT / "packaging" / "windows" / "README.md"
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"

# The silent-install parameters and the machine-settings flag each becomes.
PARAMETERS = {
    "ORGRECIPIENT": "--org-recipient",
    "CENTRAL": "--central",
    "DEPARTMENT": "--department",
    "TSAURL": "--tsa-url",
    "TSACA": "--tsa-ca",
}


# --- reading the script -------------------------------------------------------------------------
def script_text() -> str:
    raw = ISS.read_bytes()
    # a BOM: ISCC then reads the script as UTF-8 (the Japanese shortcut name and messages)
    assert raw.startswith(b"\xef\xbb\xbf"), "the .iss must be UTF-8 with a BOM"
    return raw.decode("utf-8-sig")


def sections(text: str) -> dict[str, list[str]]:
    """Section name → its lines (comments and blank lines dropped; [Code] kept as it is)."""
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        stripped = line.strip()
        header = re.fullmatch(r"\[([A-Za-z]+)\]", stripped)
        if header:
            current = header.group(1)
            assert current not in out, f"section [{current}] twice"
            out[current] = []
        elif current == "Code":
            out[current].append(line)
        elif stripped and not stripped.startswith(";") and not stripped.startswith("#"):
            assert current is not None, f"a line outside any section: {line!r}"
            out[current].append(stripped)
    return out


def setup_keys(lines: list[str]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition("=")
        assert sep, f"[Setup] line without '=': {line!r}"
        assert key.strip() not in keys, f"[Setup] {key} twice"
        keys[key.strip()] = value.strip()
    return keys


def entry(line: str) -> dict[str, str]:
    """`Name: "x"; Filename: "{app}\\y"; Flags: a b` → {Name: x, Filename: {app}\\y, Flags: a b}
    (Inno's quoting: a doubled quote inside a quoted value is one quote)."""
    params: dict[str, str] = {}
    for m in re.finditer(r'\s*([A-Za-z]+):\s*("(?:[^"]|"")*"|[^;]*)\s*(?:;|$)', line):
        value = m.group(2).strip()
        if value.startswith('"'):
            value = value[1:-1].replace('""', '"')
        params[m.group(1)] = value
    assert params, f"not a section entry: {line!r}"
    return params


def code() -> str:
    return "\n".join(sections(script_text())["Code"])


def pascal_function(name: str) -> str:
    m = re.search(rf"^(?:function|procedure) {name}\b.*?^end;", code(), flags=re.S | re.M | re.I)
    assert m, f"[Code] has no {name}"
    return m.group(0)


# --- the Windows command line -------------------------------------------------------------------
def cmd_arg(value: str) -> str:
    """What the script's CmdArg does (checked below to say so): quotes around the value, the
    backslashes before the closing quote doubled."""
    tail = len(value) - len(value.rstrip("\\"))
    return '"' + value + "\\" * tail + '"'


def split_windows(command: str) -> list[str]:
    """A command line split as CommandLineToArgvW and the MSVC runtime (hence CPython on
    Windows) split it: 2n backslashes + quote → n backslashes and a quote that delimits,
    2n+1 → n and a literal quote, other backslashes literal."""
    args, i, n = [], 0, len(command)
    while True:
        while i < n and command[i] in " \t":
            i += 1
        if i >= n:
            return args
        arg, quoted = [], False
        while i < n and (quoted or command[i] not in " \t"):
            c = command[i]
            if c == "\\":
                j = i
                while j < n and command[j] == "\\":
                    j += 1
                if j < n and command[j] == '"':
                    arg.append("\\" * ((j - i) // 2))
                    if (j - i) % 2:
                        arg.append('"')
                        j += 1
                else:
                    arg.append("\\" * (j - i))
                i = j
            elif c == '"':
                if quoted and i + 1 < n and command[i + 1] == '"':
                    arg.append('"')
                    i += 2
                else:
                    quoted = not quoted
                    i += 1
            else:
                arg.append(c)
                i += 1
        args.append("".join(arg))


def variable_of_parameter() -> dict[str, str]:
    """{PARAMETER: the [Code] variable ApplyMachineSettings reads it into}."""
    body = pascal_function("ApplyMachineSettings")
    return {p: v for v, p in re.findall(r"(\w+) := SetupParam\('([A-Z]+)'\);", body)}


def render(values: dict[str, object]) -> str:
    """MachineSettingsArgs, interpreted line by line for ``values`` (variable → value; the
    recipients a list). The function is written in one shape, which this insists on."""
    body = pascal_function("MachineSettingsArgs")
    start = re.search(r"Result := '([^']*)';", body)
    assert start, "MachineSettingsArgs starts with Result := '…';"
    out = start.group(1)
    appended = re.findall(r"Result := Result \+ ' (--[a-z-]+) ' \+ CmdArg\((\w+)(\[I\])?\);", body)
    assert len(appended) == body.count("Result := Result +"), "every addition is a flag + CmdArg"
    for flag, var, indexed in appended:
        value = values[var]
        if indexed:  # for I := 0 to GetArrayLength(Recipients) - 1 do
            assert isinstance(value, list)
            for v in value:
                out += f" {flag} {cmd_arg(v)}"
        elif value:  # if Var <> '' then
            out += f" {flag} {cmd_arg(str(value))}"
    return out


def machine_settings_set_parser():
    import argparse

    def sub(parser, name):
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return action.choices[name]

    return sub(sub(cli.build_parser(), "machine-settings"), "set")


# --- the tests ----------------------------------------------------------------------------------
def test_the_script_parses_and_is_a_per_machine_install():
    s = sections(script_text())
    assert {"Setup", "Languages", "Files", "Icons", "Code"} <= set(s)
    keys = setup_keys(s["Setup"])
    assert keys["PrivilegesRequired"] == "admin"
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", keys["AppId"])
    assert keys["DefaultDirName"] == r"{autopf}\Kasuhara Recorder"
    assert keys["ArchitecturesInstallIn64BitMode"] in ("x64compatible", "x64")
    assert keys["UninstallDisplayIcon"] == r"{app}\KasuharaRecorder.exe"
    assert keys["AppVersion"] == "{#AppVersion}"
    assert keys["OutputBaseFilename"] == "KasuharaRecorder-{#AppVersion}-setup"
    text = script_text()
    # the version: /DAppVersion=… from the build, else the exe's version resource
    assert re.search(
        r"#ifndef AppVersion\s+(;.*\s+)?#define AppVersion GetVersionNumbersString\(", text
    )
    languages = {e["Name"]: e["MessagesFile"] for e in map(entry, s["Languages"])}
    assert languages == {"ja": r"compiler:Languages\Japanese.isl", "en": "compiler:Default.isl"}


def test_the_start_menu_shortcut_and_the_optional_desktop_icon():
    s = sections(script_text())
    icons = [entry(line) for line in s["Icons"]]
    start = next(e for e in icons if e["Name"].startswith("{autoprograms}"))
    assert start["Name"] == r"{autoprograms}\カスハラ録音"
    assert start["Filename"] == r"{app}\KasuharaRecorder.exe" and "Tasks" not in start
    desktop = next(e for e in icons if e["Name"].startswith("{autodesktop}"))
    assert desktop["Tasks"] == "desktopicon"
    task = next(entry(line) for line in s["Tasks"] if entry(line)["Name"] == "desktopicon")
    assert "unchecked" in task["Flags"]  # optional, off unless chosen
    files = [entry(line) for line in s["Files"]]
    assert files[-1]["Source"].endswith(r"\kasuhara-recorder.exe")  # the CLI copied last …
    assert files[-1]["AfterInstall"] == "ApplyMachineSettings"  # … then it writes the settings


def test_nothing_deletes_a_data_folder_nor_machine_json():
    text = script_text()
    s = sections(text)
    assert "UninstallDelete" not in s and "InstallDelete" not in s
    outside_code = [line for name, lines in s.items() if name != "Code" for line in lines]
    for folder in ("{localappdata}", "{userappdata}", "{commonappdata}"):
        users = [line for line in outside_code if folder in line]
        # the one mention: the machine.json folder, made and never uninstalled
        assert all(line.startswith('Name: "{commonappdata}\\Kasuhara Recorder"') for line in users)
    dirs = [entry(line) for line in s["Dirs"]]
    program_data = next(e for e in dirs if e["Name"] == r"{commonappdata}\Kasuhara Recorder")
    assert "uninsneveruninstall" in program_data["Flags"]
    for call in ("DelTree", "DeleteFile", "RemoveDir"):
        assert call not in code()


def test_every_parameter_reaches_a_flag_the_real_parser_accepts():
    read = set(re.findall(r"\bSetupParam\('([A-Z]+)'\)", code()))
    assert read == set(PARAMETERS), "the parameters the script reads"
    variables = variable_of_parameter()
    assert set(variables) == set(PARAMETERS)
    body = pascal_function("MachineSettingsArgs")
    flag_of = {
        var: flag for flag, var in re.findall(r"' (--[a-z-]+) ' \+ CmdArg\((\w+)(?:\[I\])?\)", body)
    }
    # ApplyMachineSettings hands its variables to MachineSettingsArgs in the declared order
    call = re.search(r"MachineSettingsArgs\(SplitRecipients\((\w+)\), ([\w, ]+)\)",
                     pascal_function("ApplyMachineSettings"))  # fmt: skip
    header = re.search(
        r"MachineSettingsArgs\(const (\w+): TArrayOfString; const ([\w, ]+): String\)", body
    )
    assert call and header
    passed = [call.group(1), *call.group(2).split(", ")]
    declared = [header.group(1), *header.group(2).split(", ")]
    declared_of = dict(zip(passed, declared, strict=True))
    for parameter, flag in PARAMETERS.items():
        assert flag_of[declared_of[variables[parameter]]] == flag, parameter
    accepted = {o for a in machine_settings_set_parser()._actions for o in a.option_strings}
    assert set(PARAMETERS.values()) <= accepted
    assert set(PARAMETERS.values()) == {o for o in accepted if o not in (
        "-h", "--help", "--data-dir", "--json", "--lang")}  # fmt: skip


def test_the_script_quotes_and_refuses_as_its_python_reading_says():
    quote = pascal_function("CmdArg")
    assert "Value[I] = '\\'" in quote and "Result := '\"' + Value + Tail + '\"';" in quote
    problem = pascal_function("ValueProblem")
    assert "#34" in problem and "Ord(Value[I]) < 32" in problem  # quotes, control characters
    assert "Pos(';', Rest)" in pascal_function("SplitRecipients")
    checked = pascal_function("SettingsProblem")
    for parameter in PARAMETERS:
        assert f"'{parameter}: '" in checked  # each named when refused
    apply = pascal_function("ApplyMachineSettings")
    assert "ExecAndLogOutput(" in apply and "ResultCode <> 0" in apply
    assert apply.count("RaiseException(") == 2  # not run, or failed: the install fails
    assert "Result := Problem = '';" in pascal_function("InitializeSetup")


def test_the_command_line_it_builds_parses_back_to_what_it_was_given():
    recipients = [str(pyrage.x25519.Identity.generate().to_public()) for _ in range(2)]
    variables = variable_of_parameter()
    given = {
        "ORGRECIPIENT": recipients,
        "CENTRAL": "postgresql://counter01@db.city.lg.jp:5432/kasuhara",
        "DEPARTMENT": "市民課 住民係",
        "TSAURL": "https://tsa.example.jp/tsa",
        "TSACA": "C:\\Program Files\\City certs\\",  # a space, a trailing backslash
    }
    declared = _declared_names()
    line = render({declared[variables[p]]: v for p, v in given.items()})
    argv = split_windows(line)
    assert argv[:4] == ["--lang", "en", "machine-settings", "set"]
    args = cli.build_parser().parse_args(argv)
    assert args.org_recipient == recipients
    assert (args.central, args.department) == (given["CENTRAL"], given["DEPARTMENT"])
    assert (args.tsa_url, args.tsa_ca) == (given["TSAURL"], given["TSACA"])
    # a value not given is no flag at all
    line = render({declared[variables[p]]: ([recipients[0]] if p == "ORGRECIPIENT" else "")
                   for p in given})  # fmt: skip
    assert split_windows(line) == ["--lang", "en", "machine-settings", "set",
                                   "--org-recipient", recipients[0]]  # fmt: skip


def test_what_it_builds_writes_machine_json_through_the_real_cli(
    tmp_path, monkeypatch, tsa_keys, data_dir
):
    machine = tmp_path / "ProgramData" / "Kasuhara Recorder" / "machine.json"
    monkeypatch.setenv(ENV_MACHINE_CONFIG, str(machine))
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    variables, declared = variable_of_parameter(), _declared_names()
    given = {
        "ORGRECIPIENT": [recipient],
        "CENTRAL": "postgresql://counter01@db/kasuhara",
        "DEPARTMENT": "福祉課",
        "TSAURL": "http://127.0.0.1:9/",
        "TSACA": str(tsa_keys.ca),
    }
    argv = split_windows(render({declared[variables[p]]: v for p, v in given.items()}))
    assert cli.main(argv) == 0
    written = json.loads(machine.read_text(encoding="utf-8"))
    assert written["org_recipients"] == [recipient] and written["department"] == "福祉課"
    assert written["central"] == given["CENTRAL"] and written["tsa_url"] == given["TSAURL"]


def _declared_names() -> dict[str, str]:
    """ApplyMachineSettings' variable → MachineSettingsArgs' parameter of the same place."""
    call = re.search(r"MachineSettingsArgs\(SplitRecipients\((\w+)\), ([\w, ]+)\)",
                     pascal_function("ApplyMachineSettings"))  # fmt: skip
    header = re.search(r"MachineSettingsArgs\(const (\w+): TArrayOfString; const ([\w, ]+): "
                       r"String\)", pascal_function("MachineSettingsArgs"))  # fmt: skip
    assert call and header
    return dict(zip([call.group(1), *call.group(2).split(", ")],
                    [header.group(1), *header.group(2).split(", ")], strict=True))  # fmt: skip


# --- the workflow -------------------------------------------------------------------------------
def load_workflow() -> dict:
    """PyYAML when this Python has it; else the system Python's PyYAML (Debian's
    python3-yaml); else the test fails: a workflow that does not parse is not checked."""
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        system = shutil.which("python3", path="/usr/bin")
        assert system, "no PyYAML and no system Python to parse the workflow"
        out = subprocess.run(
            [system, "-c", "import json, sys, yaml; "
             "print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding='utf-8')), default=str))",
             str(WORKFLOW)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_the_workflow_parses_and_builds_installs_and_uninstalls():
    wf = load_workflow()
    job = wf["jobs"]["installer"]
    assert job["runs-on"] == "windows-latest"
    steps = job["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/checkout@") for u in uses)
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert str(python["with"]["python-version"]) == "3.11"
    runs = "\n".join(s.get("run", "") for s in steps)
    order = [
        'pip install ".[package]"',
        "python scripts/build_translations.py",
        "pyinstaller --noconfirm packaging/kasuhara-recorder.spec",
        "python packaging/smoke_test.py dist/kasuhara-recorder --no-record",
        "choco install innosetup -y",
        "/DAppVersion=",
        "/VERYSILENT",
        "machine-settings show --json",
        "unins000.exe",
    ]
    at = [runs.find(x) for x in order]
    assert -1 not in at, dict(zip(order, at, strict=True))
    assert at == sorted(at), "the steps run in this order"
    for parameter in ("ORGRECIPIENT", "CENTRAL", "DEPARTMENT"):
        assert f"/{parameter}=" in runs
    assert "/SUPPRESSMSGBOXES" in runs and "pyrage.x25519.Identity.generate()" in runs
    assert "machine.json was deleted" in runs and "the data folder was deleted" in runs
    artefact = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert "KasuharaRecorder-*-setup.exe" in artefact["with"]["path"]


def test_the_readme_documents_every_parameter_and_the_exit_codes():
    text = README.read_text(encoding="utf-8")
    for parameter in PARAMETERS:
        assert f"/{parameter}=" in text
    for needed in ("signtool", "/VERYSILENT", "machine.json", "%ProgramData%", "%LOCALAPPDATA%",
                   "iscc", "pyinstaller", "build_translations.py", "exit code"):  # fmt: skip
        assert needed.lower() in text.lower(), needed
