"""IT's machine-wide settings (machine.json), end to end through the real CLI: what
`machine-settings set` writes, `show` reads back and every user's `setup` takes; a user's set-up
that would drop IT's recipients is refused; a broken file is a clear Japanese error naming the
field, with nothing changed; bad values are refused before anything is written."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import types
from pathlib import Path

import pyrage
import pytest

from kasuhara_recorder import cli
from kasuhara_recorder.machine_settings import ENV_MACHINE_CONFIG, machine_settings_path
from kasuhara_recorder.platform_seam import machine_config_dir


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, "LANG": "ja_JP.UTF-8"},
    )  # fmt: skip


def recipient() -> str:
    return str(pyrage.x25519.Identity.generate().to_public())


@pytest.fixture
def machine_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ProgramData" / "Kasuhara Recorder" / "machine.json"
    monkeypatch.setenv(ENV_MACHINE_CONFIG, str(path))
    return path


def test_it_sets_the_pc_and_every_users_setup_takes_it(machine_file, data_dir, tsa_keys):
    it1, it2 = recipient(), recipient()
    r = run(
        "machine-settings", "set", "--org-recipient", it1, "--org-recipient", it2,
        "--department", "市民課 住民係", "--tsa-url", "http://127.0.0.1:9/tsa",
        "--tsa-ca", str(tsa_keys.ca),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "端末共通の設定を書き込みました" in r.stdout and "市民課 住民係" in r.stdout
    # every user of the PC reads it; only the administrator's installer writes it
    assert stat.S_IMODE(machine_file.stat().st_mode) == 0o644

    shown = run("machine-settings", "show", "--json")
    assert shown.returncode == 0, shown.stderr
    s = json.loads(shown.stdout)
    assert s["exists"] and s["path"] == str(machine_file)
    assert s["org_recipients"] == [it1, it2] and s["department"] == "市民課 住民係"
    assert (s["tsa_url"], s["tsa_ca"]) == ("http://127.0.0.1:9/tsa", str(tsa_keys.ca.resolve()))

    # a worker's set-up with nothing given: IT's recipients, department and TSA
    r = run("setup", "--json", "--workstation-name", "counter-03")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["recipients"] == [it1, it2] and out["tsa_url"] == "http://127.0.0.1:9/tsa"
    settings = json.loads((data_dir / "settings.json").read_text(encoding="utf-8"))
    assert settings["department"] == "市民課 住民係"
    assert settings["org_recipients"] == [it1, it2]


def test_a_users_setup_never_drops_its_recipients_silently(machine_file, data_dir):
    it, own = recipient(), recipient()
    assert cli.main(["machine-settings", "set", "--org-recipient", it]) == 0
    r = run("setup", "--org-recipient", own)
    assert r.returncode == 2
    assert "情報システム担当が端末共通の設定" in r.stderr and it in r.stderr
    assert str(machine_file) in r.stderr
    assert not (data_dir / "settings.json").exists()  # nothing changed

    # with both, or on purpose (--replace-recipients, as its help says), it is done
    r = run("setup", "--json", "--org-recipient", it, "--org-recipient", own)
    assert r.returncode == 0 and json.loads(r.stdout)["recipients"] == [it, own]
    assert "machine-settings" in run("setup", "--help").stdout  # said in the command's help
    r = run("setup", "--json", "--org-recipient", own, "--replace-recipients")
    assert r.returncode == 0 and json.loads(r.stdout)["recipients"] == [own]


def test_setup_again_with_its_recipients_keeps_the_pcs_own(machine_file, data_dir):
    it, backup = recipient(), recipient()
    cli.main(["machine-settings", "set", "--org-recipient", it])
    assert run("setup").returncode == 0
    assert run("keys", "add-recipient", backup).returncode == 0  # the officers' sealed backup
    r = run("setup", "--json")  # IT's list again: the backup key stays
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["recipients"] == [it, backup]


SECRET = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"{ not json", "JSON"),
        (b'["a list"]', "JSON"),
        (b'{"org_recipients": "age1abc"}', "org_recipients"),
        (json.dumps({"org_recipients": [SECRET]}).encode(), "org_recipients[0]"),
        (b'{"org_recipients": [], "central": "mysql://db/kasuhara"}', "central"),
        (b'{"org_recipients": [], "department": 7}', "department"),
        (b'{"org_recipients": [], "tsa_url": "ftp://tsa"}', "tsa_url"),
        (b'{"org_recipients": [], "recipients": []}', "recipients"),
    ],
)
def test_a_broken_machine_file_is_a_clear_error_and_nothing_changes(
    machine_file, data_dir, content, field
):
    machine_file.parent.mkdir(parents=True)
    machine_file.write_bytes(content)
    for args in (("machine-settings", "show"), ("setup",)):
        r = run(*args)
        assert r.returncode == 2, r.stderr
        assert f"端末共通の設定ファイル {machine_file} の {field} が正しくありません" in r.stderr
        assert "Traceback" not in r.stderr and SECRET not in r.stderr  # never echoed
    assert not (data_dir / "settings.json").exists()
    log = (data_dir / "logs").glob("*.log")
    assert SECRET not in "".join(p.read_text(encoding="utf-8") for p in log)


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--org-recipient", "age1notarealkey"], "受取人の公開鍵が正しくありません"),
        (["--org-recipient", SECRET], "秘密鍵"),
        (["--central", "postgresql://counter01:pw@db/kasuhara"], "パスワードを書かないで"),
        (["--central", "http://db/kasuhara"], "postgresql://"),
        (["--department", '市民課"; del'], "引用符"),
        (["--tsa-url", "https://tsa.example/"], "--tsa-ca"),
        (["--tsa-url", "ftp://tsa", "--tsa-ca", "x.pem"], "http://"),
    ],
)
def test_set_refuses_bad_values_and_keeps_the_file_it_had(
    machine_file, data_dir, capsys, flags, said
):
    it = recipient()
    assert cli.main(["machine-settings", "set", "--org-recipient", it]) == 0
    before = machine_file.read_bytes()
    capsys.readouterr()
    args = flags if flags[0] == "--org-recipient" else ["--org-recipient", it, *flags]
    assert cli.main(["--lang", "ja", "machine-settings", "set", *args]) == 2
    err = capsys.readouterr().err
    assert said in err
    assert machine_file.read_bytes() == before


def test_set_needs_a_recipient_and_show_says_when_there_is_no_file(machine_file, data_dir, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["machine-settings", "set", "--department", "市民課"])
    assert e.value.code == 2 and not machine_file.exists()
    assert cli.main(["--lang", "ja", "machine-settings", "show"]) == 0
    assert "端末共通の設定はありません" in capsys.readouterr().out


def test_the_folder_is_the_machines_own_unless_overridden(monkeypatch, tmp_path):
    from kasuhara_recorder import platform_seam

    assert machine_config_dir() == Path("/etc/kasuhara-recorder")
    # the Windows branch, chosen at call time: only the seam's view of the OS is changed
    # (os.name itself cannot be: pathlib would then refuse to make paths on this machine)
    windows = types.SimpleNamespace(name="nt", environ={"ProgramData": r"D:\ProgramData"})
    monkeypatch.setattr(platform_seam, "os", windows)
    assert str(machine_config_dir()) == "D:\\ProgramData/Kasuhara Recorder"
    windows.environ.clear()  # no ProgramData variable: the usual folder
    assert str(machine_config_dir()).startswith("C:\\ProgramData")
    monkeypatch.undo()
    monkeypatch.setenv(ENV_MACHINE_CONFIG, str(tmp_path / "m.json"))
    assert machine_settings_path() == tmp_path / "m.json"


def test_its_recipient_is_not_retired_by_a_user(machine_file, data_dir, capsys):
    it, backup = recipient(), recipient()
    cli.main(["machine-settings", "set", "--org-recipient", it])
    assert cli.main(["setup", "--org-recipient", it, "--org-recipient", backup]) == 0
    capsys.readouterr()
    assert cli.main(["--lang", "ja", "keys", "retire-recipient", it]) == 2
    assert "情報システム担当が端末共通の設定" in capsys.readouterr().err
    assert cli.main(["--json", "keys", "recipients"]) == 0
    assert json.loads(capsys.readouterr().out)["recipients"] == [it, backup]
    assert cli.main(["keys", "retire-recipient", backup]) == 0  # the PC's own: as before


def test_a_console_without_japanese_does_not_fail_the_command(machine_file, data_dir):
    """IT's deployment tool or an English Windows captures the output in cp1252: the command
    still succeeds, and its --json still reads back the Japanese department."""
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    it = recipient()
    set_ = [sys.executable, "-m", "kasuhara_recorder", "machine-settings", "set"]
    r = subprocess.run([*set_, "--org-recipient", it, "--department", "市民課"],
                       capture_output=True, timeout=120, env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    show = [sys.executable, "-m", "kasuhara_recorder", "machine-settings", "show", "--json"]
    r = subprocess.run(show, capture_output=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.decode("cp1252"))["department"] == "市民課"
