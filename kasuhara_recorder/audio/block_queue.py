"""The hand-off between the audio callback and the writer thread, without a lock.

A deque's append and popleft are atomic under the GIL. The producer alone updates ``bytes_in``
and the consumer alone ``bytes_out``, so the fill level is read without locking, and the
callback never waits: when the queue is full the block is dropped and counted.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable, Iterator


class BlockQueue:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._dq: collections.deque[bytes] = collections.deque()
        self.bytes_in = 0  # producer only
        self.bytes_out = 0  # consumer only
        self.dropped_bytes = 0  # producer only

    @property
    def queued_bytes(self) -> int:
        return self.bytes_in - self.bytes_out

    def offer(self, block: bytes) -> bool:
        """Real-time producer: never waits; a block that does not fit is dropped and counted."""
        if self.bytes_in - self.bytes_out + len(block) > self.max_bytes:
            self.dropped_bytes += len(block)
            return False
        self._dq.append(block)
        self.bytes_in += len(block)
        return True

    def put(self, block: bytes, cancelled: Callable[[], bool], poll_s: float = 0.002) -> bool:
        """Non-real-time producer (a file): waits for room instead of dropping."""
        # an empty queue takes any block, so one block larger than max_bytes cannot deadlock
        while 0 < self.queued_bytes and self.queued_bytes + len(block) > self.max_bytes:
            if cancelled():
                return False
            time.sleep(poll_s)
        self._dq.append(block)
        self.bytes_in += len(block)
        return True

    def drain(self) -> Iterator[bytes]:
        dq = self._dq
        while dq:
            block = dq.popleft()
            self.bytes_out += len(block)
            yield block
