"""Pure parts of the engine: the §4(1) timer with an injected clock, the level meter, the queue."""

from __future__ import annotations

import numpy as np

from kasuhara_recorder.audio.block_queue import BlockQueue
from kasuhara_recorder.audio.levels import FLOOR_DBFS, LevelMeter
from kasuhara_recorder.audio.policy_timer import Phase, PolicyTimer
from kasuhara_recorder.policy import load_profile


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_timer_warns_at_warning_minutes_and_alerts_at_the_limit_once_each():
    rules = load_profile().rules  # 50 and 60 minutes in the bundled Sakaide profile
    clock = Clock()
    timer = PolicyTimer(rules, clock)
    timer.start()
    assert timer.poll() == [] and timer.state().phase is Phase.OK
    clock.t += rules.warning_seconds - 1
    assert timer.poll() == []
    clock.t += 1
    assert timer.poll() == [Phase.WARNING]
    assert timer.poll() == []
    assert timer.state().remaining_s == rules.limit_seconds - rules.warning_seconds
    clock.t += rules.limit_seconds
    assert timer.poll() == [Phase.OVER_LIMIT]
    assert timer.limit_passed and timer.state().over_limit and timer.state().remaining_s < 0


def test_timer_reports_both_events_after_a_long_gap():
    rules = load_profile().rules
    clock = Clock()
    timer = PolicyTimer(rules, clock)
    timer.start()
    clock.t += rules.limit_seconds + 5
    assert timer.poll() == [Phase.WARNING, Phase.OVER_LIMIT]


def test_level_meter_reports_full_scale_and_quiet_signals_in_dbfs():
    meter = LevelMeter(48000)
    t = np.arange(2400) / 48000
    loud = (32767 * np.sin(2 * np.pi * 1000 * t)).astype("<i2")
    meter.feed(loud.tobytes(), 1)
    assert abs(meter.latest.peak_dbfs) < 0.1
    assert abs(meter.latest.rms_dbfs - (-3.01)) < 0.1  # a sine's RMS is peak/√2
    meter.feed((loud // 100).tobytes(), 1)
    assert abs(meter.latest.rms_dbfs - (-43.0)) < 0.2
    meter.feed(np.zeros(2400, "<i2").tobytes(), 1)
    assert meter.latest.peak_dbfs == FLOOR_DBFS


def test_full_queue_drops_and_counts_instead_of_blocking_the_callback():
    q = BlockQueue(max_bytes=10)
    assert q.offer(b"x" * 6) and not q.offer(b"y" * 6)
    assert q.dropped_bytes == 6
    assert list(q.drain()) == [b"x" * 6]
    assert q.offer(b"y" * 6) and q.queued_bytes == 6
