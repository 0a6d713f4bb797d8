"""Collects bench figures with their baselines and targets, and prints them as ratios."""

from __future__ import annotations

import resource
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline_name: str | None = None
    baseline: float | None = None
    target_ratio: float | None = None  # value/baseline must be ≤ this
    target_abs: float | None = None  # value must be ≤ this (same unit)

    @property
    def ratio(self) -> float | None:
        if self.baseline:
            return self.value / self.baseline
        return None

    @property
    def met(self) -> bool:
        ok = True
        if self.target_ratio is not None and self.ratio is not None:
            ok &= self.ratio <= self.target_ratio
        if self.target_abs is not None:
            ok &= self.value <= self.target_abs
        return ok

    def line(self) -> str:
        s = f"{self.name:<48} {self.value:10.3f} {self.unit}"
        if self.baseline is not None:
            s += f"   vs {self.baseline_name} {self.baseline:.3f} {self.unit}"
            s += f"  ratio {self.ratio:.2f}×"
        targets = []
        if self.target_ratio is not None:
            targets.append(f"≤{self.target_ratio}×")
        if self.target_abs is not None:
            targets.append(f"≤{self.target_abs} {self.unit}")
        if targets:
            s += f"   target {' and '.join(targets)} {'OK' if self.met else 'MISSED'}"
        return s


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)

    def add(self, fig: Figure) -> Figure:
        self.figures.append(fig)
        print(fig.line(), flush=True)
        return fig

    def print_summary(self) -> None:
        print("\n== summary ==")
        for f in self.figures:
            print(f.line())

    def all_met(self) -> bool:
        return all(f.met for f in self.figures)


def wall(fn: Callable[[], object], repeat: int = 1) -> float:
    """Best wall time of ``repeat`` runs, seconds."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def run_cmd_timed(cmd: list[str], **kw) -> tuple[float, float]:
    """Wall and CPU (user+sys of the child) seconds of one external command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, **kw)
    w = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return w, cpu


class PeakRss:
    """Peak resident memory of one child, from /proc/<pid>/status VmHWM, polled until it exits.

    Not getrusage/wait4: Linux carries the parent's high-water RSS into a child at fork and
    keeps it across exec, so a child of a big bench process would report the parent's peak.
    VmHWM belongs to the child's own address space."""

    def __init__(self, pid: int, interval_s: float = 0.02) -> None:
        import threading

        self.pid, self.interval, self.peak_kib = pid, interval_s, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        self.peak_kib = max(self.peak_kib, int(line.split()[1]))
                        return
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass

    def _poll(self) -> None:
        while not self._stop.is_set():
            self._read()
            self._stop.wait(self.interval)

    def stop(self) -> float:
        """Stop polling (call once the child has exited or just before reaping it); MiB."""
        self._stop.set()
        self._thread.join()
        return self.peak_kib / 1024


def own_peak_rss_mib() -> float:
    """This process's own VmHWM (see PeakRss for why not ru_maxrss)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0
