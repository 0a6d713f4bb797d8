"""Waiting for a condition, never for a time: a busy machine makes every fixed sleep wrong."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> object:
    """Poll ``condition`` until it returns something true, and return that; fail with ``what``
    after ``timeout`` seconds. ``timeout`` only bounds a failing test: a passing one never
    waits longer than its condition needs."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.01)
