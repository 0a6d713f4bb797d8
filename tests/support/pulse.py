"""A private PulseAudio server with null sinks, so tests record real audio on machines with no
sound card. sounddevice reaches it through ALSA's pulse plugin (devices ``pulse``/``default``).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest


class PulseUnavailable(RuntimeError):
    pass


def _pactl(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, check=check, timeout=15)


@dataclass
class PulseServer:
    runtime_dir: Path
    started_here: bool

    @classmethod
    def start(cls, env: pytest.MonkeyPatch | None = None) -> PulseServer:
        """Start it and point this process (PortAudio's ALSA pulse plugin, pactl, paplay) at
        it through ``env``, which undoes that when the session ends (the bench, a process of
        its own, passes none)."""
        env = env if env is not None else pytest.MonkeyPatch()
        for tool in ("pulseaudio", "pactl", "paplay"):
            if not shutil.which(tool):
                raise PulseUnavailable(f"{tool} not installed (make test installs pulseaudio)")
        runtime = Path(tempfile.mkdtemp(prefix="kasuhara-pulse-"))
        runtime.chmod(0o700)
        env.setenv("XDG_RUNTIME_DIR", str(runtime))
        env.delenv("PULSE_SERVER", raising=False)
        subprocess.run(
            [
                "pulseaudio", "-D", "--exit-idle-time=-1", "--disallow-exit", "-n",
                "--load=module-native-protocol-unix", "--daemonize=yes", "--use-pid-file=yes",
                "--log-target=stderr",
            ],
            capture_output=True, timeout=30, check=False,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if _pactl("info", check=False).returncode == 0:
                return cls(runtime_dir=runtime, started_here=True)
            time.sleep(0.1)
        raise PulseUnavailable("pulseaudio did not come up within 10 s")

    def stop(self) -> None:
        if self.started_here:
            subprocess.run(["pulseaudio", "--kill"], capture_output=True, timeout=15, check=False)
            shutil.rmtree(self.runtime_dir, ignore_errors=True)

    def new_sink(self, rate: int = 48000, channels: int = 1) -> NullSink:
        name = f"kasuhara_test_{uuid.uuid4().hex[:8]}"
        module = _pactl(
            "load-module", "module-null-sink", f"sink_name={name}", f"rate={rate}",
            f"channels={channels}", "format=s16le",
        ).stdout.strip()  # fmt: skip
        _pactl("set-default-sink", name)
        _pactl("set-default-source", f"{name}.monitor")
        return NullSink(name=name, module=module, rate=rate, channels=channels)


@dataclass
class NullSink:
    """A null sink whose monitor is the default source: what is played in, a recorder hears."""

    name: str
    module: str
    rate: int
    channels: int

    def play(self, wav: Path) -> subprocess.Popen:
        return subprocess.Popen(
            ["paplay", f"--device={self.name}", str(wav)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip

    def play_and_wait(self, wav: Path, timeout: float = 120) -> None:
        proc = self.play(wav)
        _, err = proc.communicate(timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"paplay failed: {err.decode(errors='replace')}")

    def remove(self) -> None:
        _pactl("unload-module", self.module, check=False)
