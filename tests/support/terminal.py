"""A command run on a pseudo-terminal, answered as a person would: wait for a prompt, type.

Python's ``pty`` (POSIX): the child gets the pty as its controlling terminal, so ``getpass``
prompts there and turns echo off, exactly as for an officer at a console. Every wait is for a
condition (text seen, the child gone) with a generous bound, never for a time.
"""

from __future__ import annotations

import os
import select
import time
from dataclasses import dataclass, field


@dataclass
class Terminal:
    pid: int
    fd: int
    seen: bytearray = field(default_factory=bytearray)
    returncode: int | None = None

    @classmethod
    def spawn(cls, argv: list[str], env: dict[str, str], cwd: str | None = None) -> Terminal:
        import pty

        pid, fd = pty.fork()
        if pid == 0:  # child
            try:
                if cwd:
                    os.chdir(cwd)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        return cls(pid, fd)

    @property
    def text(self) -> str:
        return self.seen.decode("utf-8", "replace")

    def _read(self, wait: float) -> bool:
        r, _, _ = select.select([self.fd], [], [], wait)
        if not r:
            return True
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            return False
        if not chunk:
            return False
        self.seen += chunk
        return True

    def expect(self, text: str, timeout: float = 60, start: int = 0) -> int:
        """Wait until ``text`` appears after byte ``start``; returns where it ends."""
        want = text.encode()
        deadline = time.monotonic() + timeout
        while (at := self.seen.find(want, start)) < 0:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} on the terminal; it shows:\n{self.text}")
            if not self._read(0.2):
                if (at := self.seen.find(want, start)) >= 0:
                    break
                raise AssertionError(f"the command ended before {text!r}:\n{self.text}")
        return at + len(want)

    def type(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\r")

    def wait(self, timeout: float = 120) -> int:
        """Read until the child ends; its exit code."""
        deadline = time.monotonic() + timeout
        while self._read(0.2):
            if time.monotonic() > deadline:
                os.kill(self.pid, 9)
                break
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def close(self) -> None:
        """Make sure the child is gone (a failed test must not leave it behind)."""
        if self.returncode is None:
            try:
                os.kill(self.pid, 9)
            except ProcessLookupError:
                pass
            self.wait(10)
