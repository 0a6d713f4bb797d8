"""Small display formats shared by the panels (times and durations as people read them)."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """0:05:07 style; hours always shown, because the policy limit is one hour."""
    s = max(0, int(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def offset(ms: int) -> str:
    s = max(0, int(ms)) // 1000
    return f"{s // 60:02d}:{s % 60:02d}" if s < 3600 else clock(s)
