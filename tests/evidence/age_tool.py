"""Drive Debian's `age` for the tests. `age` reads an identity file's passphrase from the
terminal only, so it runs on a pseudo-terminal and the passphrase is typed into it."""

from __future__ import annotations

import os
import pty
import select
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AgeRun:
    returncode: int
    terminal: str  # everything age printed on the terminal (prompt, errors)


def age_decrypt(identity: Path, passphrase: str | None, sealed: Path, out: Path) -> AgeRun:
    """`age -d -i identity -o out sealed`, answering the passphrase prompt on a pty."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        try:
            os.execvp("age", ["age", "-d", "-i", str(identity), "-o", str(out), str(sealed)])
        finally:
            os._exit(127)
    seen = b""
    answered = passphrase is None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
        if not answered and b"passphrase" in seen.lower():
            os.write(fd, passphrase.encode() + b"\n")
            answered = True
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return AgeRun(os.waitstatus_to_exitcode(status), seen.decode("utf-8", "replace"))
