from __future__ import annotations

import subprocess
import sys

from kasuhara_recorder import __version__


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", *args],
        capture_output=True, text=True, timeout=60, **kw,
    )  # fmt: skip


def test_version_and_help(data_dir):
    v = run("--version")
    assert v.returncode == 0 and __version__ in v.stdout
    h = run("--help")
    assert h.returncode == 0
    assert "gui" in h.stdout and "--data-dir" in h.stdout


def test_unknown_subcommand_is_usage_error(data_dir):
    r = run("no-such-command")
    assert r.returncode == 2
