"""Smoke test of the frozen app: runs ONLY the frozen binary, never the venv's code.

    python3 packaging/smoke_test.py dist/kasuhara-recorder [--no-record] [--data-dir DIR]

Standard library only, so any python3 runs it (the Windows CI's too). Steps, each printed:
``--version``; ``setup`` with an organisation identity from ``keys init-org`` and a second
recipient from Debian's ``age-keygen``; ``import`` of a WAV, decrypted with ``age -d`` and
compared byte for byte; ``record --seconds 3`` from a PulseAudio null sink's monitor playing a
tone (a PulseAudio server of its own when none answers), not silent and about 3 s, PortAudio
loaded from the frozen folder; ``export`` of the incident and ``verify`` (exit 0); the main
window offscreen until it is ready to record (``KASUHARA_SMOKE_READY=1`` prints READY).
``--no-record`` (a machine without audio input, the Windows hosted runner) skips the
recording and says so; without ``age`` the decryption check is skipped and said too.
Exit 0 when every step that ran passed.
"""

from __future__ import annotations

import argparse
import array
import json
import math
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

WINDOWS = sys.platform == "win32"
RATE = 48000


class SmokeFailure(Exception):
    pass


def step(name: str) -> None:
    print(f"== {name}", flush=True)


def run(binary: Path, *args: str, env: dict | None = None, timeout: float = 120,
        expect: int = 0) -> subprocess.CompletedProcess:  # fmt: skip
    proc = subprocess.run(
        [str(binary), *args], capture_output=True, text=True, encoding="utf-8", errors="replace",
        env=env, timeout=timeout, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    if proc.returncode != expect:
        raise SmokeFailure(
            f"{binary.name} {' '.join(args)}: exit {proc.returncode} (expected {expect})\n"
            f"stdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-4000:]}"
        )
    return proc


def json_of(proc: subprocess.CompletedProcess) -> dict:
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SmokeFailure(f"no JSON on stdout: {proc.stdout!r}")
    return json.loads(lines[-1])


def tone_wav(path: Path, seconds: float, freq: float = 440.0) -> Path:
    w = 2 * math.pi * freq / RATE
    samples = array.array("h", (int(9000 * math.sin(w * i)) for i in range(int(RATE * seconds))))
    if sys.byteorder != "little":
        samples.byteswap()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())
    return path


def rms_s16le(data: bytes) -> float:
    samples = array.array("h")
    samples.frombytes(data[: len(data) // 2 * 2])
    if sys.byteorder != "little":
        samples.byteswap()
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples))


class Pulse:
    """The PulseAudio the recording step plays into: the running one (the test suite's), or a
    private server started here and stopped at the end."""

    def __init__(self, env: dict, tmp: Path) -> None:
        self.env, self.started, self.module = env, False, None
        if self._pactl("info").returncode != 0:
            runtime = tmp / "pulse-runtime"
            runtime.mkdir(mode=0o700)
            self.env["XDG_RUNTIME_DIR"] = str(runtime)
            self.env.pop("PULSE_SERVER", None)
            subprocess.run(
                ["pulseaudio", "-D", "--exit-idle-time=-1", "--disallow-exit", "-n",
                 "--load=module-native-protocol-unix", "--daemonize=yes", "--use-pid-file=yes"],
                env=self.env, capture_output=True, timeout=30, check=False,
            )  # fmt: skip
            self.started = True
            deadline = time.monotonic() + 10
            while self._pactl("info").returncode != 0:
                if time.monotonic() > deadline:
                    raise SmokeFailure("PulseAudio did not come up within 10 s")
                time.sleep(0.1)
        self.sink = f"kasuhara_smoke_{secrets.token_hex(4)}"
        self.module = self._pactl(
            "load-module", "module-null-sink", f"sink_name={self.sink}", f"rate={RATE}",
            "channels=1", "format=s16le",
        ).stdout.strip()  # fmt: skip
        self._pactl("set-default-sink", self.sink)
        self._pactl("set-default-source", f"{self.sink}.monitor")

    def _pactl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=15
        )

    def play(self, wav: Path) -> subprocess.Popen:
        return subprocess.Popen(
            ["paplay", f"--device={self.sink}", str(wav)], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def close(self) -> None:
        if self.module:
            self._pactl("unload-module", self.module)
        if self.started:
            subprocess.run(["pulseaudio", "--kill"], env=self.env, capture_output=True, timeout=15)


def age_recipient(keygen: str, key: Path) -> str:
    """A plain age identity from Debian's age-keygen; its public key becomes one more
    recipient, so the smoke test can open what the app sealed with ``age -d -i``."""
    subprocess.run([keygen, "-o", str(key)], check=True, capture_output=True, timeout=30)
    out = subprocess.run([keygen, "-y", str(key)], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def mapped_libraries(pid: int, name: str) -> set[str]:
    try:
        with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as f:
            return {line.split()[-1] for line in f if name in line and "/" in line}
    except OSError:
        return set()


def record_step(
    binary: Path, folder: Path, env: dict, tmp: Path, age: str | None, incident: str
) -> str:
    step("record 3 s from a PulseAudio null sink playing a tone")
    for tool in ("pulseaudio", "pactl", "paplay"):
        if not shutil.which(tool):
            raise SmokeFailure(f"{tool} not installed (or run with --no-record)")
    pulse = Pulse(dict(env), tmp)
    player = None
    try:
        player = pulse.play(tone_wav(tmp / "tone-long.wav", 30, freq=660))
        proc = subprocess.Popen(
            [str(binary), "record", "--seconds", "3", "--incident", incident, "--json"],
            env=pulse.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        portaudio: set[str] = set()
        while proc.poll() is None and not portaudio:  # which libportaudio the app loaded
            portaudio = mapped_libraries(proc.pid, "libportaudio")
            time.sleep(0.05)
        out, err = proc.communicate(timeout=60)
    finally:
        if player is not None:
            player.kill()
            player.wait()
        pulse.close()
    if proc.returncode != 0:
        raise SmokeFailure(f"record: exit {proc.returncode}\n{out}\n{err[-4000:]}")
    result = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    if sys.platform.startswith("linux"):
        inside = str(folder.resolve())
        if not portaudio or not all(os.path.realpath(p).startswith(inside) for p in portaudio):
            raise SmokeFailure(f"PortAudio not loaded from the frozen folder: {portaudio}")
        print(f"   PortAudio from the frozen folder: {sorted(portaudio)[0]}")
    seconds = result["duration_ms"] / 1000
    if not 2.8 <= seconds <= 3.5:
        raise SmokeFailure(f"recording lasts {seconds:.2f} s, not about 3 s")
    if age:
        pcm = subprocess.run(
            [age, "-d", "-i", str(tmp / "age-key.txt"), result["sealed_path"]],
            capture_output=True, check=True, timeout=60,
        ).stdout  # fmt: skip
        level = rms_s16le(pcm)
        if level < 300:  # the tone is ~6400 RMS; silence is 0
            raise SmokeFailure(f"recording is silent (RMS {level:.0f})")
        print(f"   {seconds:.2f} s, RMS {level:.0f} (decrypted by age)")
    else:
        print(f"   {seconds:.2f} s (no age: loudness not checked)")
    return result["id"]


def gui_step(binary: Path, data: Path, env: dict) -> None:
    step(f"main window offscreen until ready to record ({binary.name})")
    gui_env = {**env, "QT_QPA_PLATFORM": "offscreen", "KASUHARA_SMOKE_READY": "1"}
    t = time.monotonic()
    proc = run(binary, "--data-dir", str(data), env=gui_env, timeout=120)
    if "READY" not in proc.stdout:
        raise SmokeFailure(f"the window never became ready: {proc.stdout!r} {proc.stderr[-2000:]}")
    print(f"   ready in {time.monotonic() - t:.2f} s")


def check_log(folder: Path, data: Path) -> None:
    """What the app wrote about its own resources: Qt's translations and the bundled fonts."""
    log = (data / "logs" / "kasuhara.log").read_text(encoding="utf-8", errors="replace")
    if "qtbase_ja translations not found" in log:
        raise SmokeFailure("Qt's own Japanese translations (qtbase_ja) are not in the frozen app")
    if not any(folder.glob("*/resources/fonts")):  # a Windows build given no fonts
        print("   note: this build carries no fonts; PDFs use the PC's own")
    elif "registered bundled fonts" not in log or "Noto Sans CJK JP" not in log:
        raise SmokeFailure("the report's fonts were not registered from the frozen folder")


def smoke(folder: Path, data: Path, no_record: bool) -> None:
    exe = ".exe" if WINDOWS else ""
    binary = folder / f"kasuhara-recorder{exe}"
    gui_only = folder / f"KasuharaRecorder{exe}"
    for b in (binary, gui_only):
        if not b.is_file():
            raise SmokeFailure(f"{b} missing")
    env = {**os.environ, "KASUHARA_DATA_DIR": str(data), "LANG": "C.UTF-8"}
    env.pop("KASUHARA_SMOKE_READY", None)
    age, keygen = shutil.which("age"), shutil.which("age-keygen")
    with tempfile.TemporaryDirectory(prefix="kasuhara-smoke-") as t:
        tmp = Path(t)

        step("--version")
        out = run(binary, "--version", env=env).stdout.strip()
        if not re.fullmatch(r"kasuhara-recorder \d+\.\d+\S*", out):
            raise SmokeFailure(f"unexpected --version: {out!r}")
        print(f"   {out}")

        step("setup: organisation identity (keys init-org) + an age-keygen recipient")
        passphrase = tmp / "passphrase.txt"
        passphrase.write_text(f"smoke {secrets.token_hex(12)} ceremony\n", encoding="utf-8")
        run(binary, "keys", "init-org", "--out", str(tmp / "org"), "--passphrase-file",
            str(passphrase), env=env)  # fmt: skip
        recipients = ["--org-recipient", str(tmp / "org" / "org-recipient.txt")]
        if keygen and age:
            recipients += ["--org-recipient", age_recipient(keygen, tmp / "age-key.txt")]
        else:
            age = None
            print("   age/age-keygen not installed: the age -d checks are skipped")
        run(binary, "setup", *recipients, "--workstation-name", "smoke-test",
            "--keep-input-open", "no", env=env)  # fmt: skip

        step("import a WAV and seal it")
        incident = json_of(run(binary, "incident", "new", "--json", env=env))["id"]
        wav = tone_wav(tmp / "tone.wav", 1.0)
        imported = json_of(run(binary, "import", str(wav), "--incident", incident, "--json",
                               env=env))  # fmt: skip
        sealed = Path(imported.get("sealed_path") or imported["imported"][0]["sealed_path"])
        if age:
            plain = subprocess.run(
                [age, "-d", "-i", str(tmp / "age-key.txt"), str(sealed)],
                capture_output=True, check=True, timeout=60,
            ).stdout  # fmt: skip
            if plain != wav.read_bytes():
                raise SmokeFailure("age -d of the sealed import differs from the WAV")
            print(f"   age -d gives the WAV back, {len(plain)} bytes")

        if no_record:
            step("record: skipped (--no-record: no audio input on this machine)")
        else:
            rec = record_step(binary, folder, env, tmp, age, incident)
            print(f"   recording {rec}")

        step("export the incident's bundle and verify it")
        bundle = tmp / "bundle.zip"
        run(binary, "export", incident, "--identity", str(tmp / "org" / "org-identity.age"),
            "--passphrase-file", str(passphrase), "--out", str(bundle), env=env,
            timeout=300)  # fmt: skip
        verdict = json_of(run(binary, "verify", str(bundle), "--json", env=env, timeout=300))
        if verdict.get("ok") is not True:
            raise SmokeFailure(f"verify failed: {verdict}")
        print(f"   verify: ok ({bundle.stat().st_size} bytes)")

        gui_step(binary, data, env)
        if not WINDOWS:  # console=False on Windows: no stdout to print READY on
            gui_step(gui_only, data, env)
        check_log(folder, data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the frozen folder (dist/kasuhara-recorder)")
    parser.add_argument("--no-record", action="store_true", help="skip the 3 s recording")
    parser.add_argument("--data-dir", type=Path, help="data folder to use and keep")
    args = parser.parse_args()
    keep = args.data_dir is not None
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="kasuhara-smoke-data-")) / "data"
    try:
        smoke(args.folder.resolve(), data, args.no_record)
    except (SmokeFailure, subprocess.SubprocessError, OSError, KeyError, ValueError) as e:
        print(f"SMOKE TEST FAILED: {e}", file=sys.stderr)
        return 1
    finally:
        if not keep:
            shutil.rmtree(data.parent, ignore_errors=True)
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
