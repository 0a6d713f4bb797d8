"""Which store a data folder runs on. Today the embedded one (SQLite in the data folder); the
central store (``setup --central URL``, next issue) is chosen here too, so ``app/`` asks only
for "the store" and never names a backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kasuhara_recorder.config import DataPaths

if TYPE_CHECKING:
    from kasuhara_recorder.store.interface import StoreBackend


def open_store(paths: DataPaths) -> StoreBackend:
    """The store of this data folder, opened on first use."""
    from kasuhara_recorder.store.embedded import EmbeddedStore

    return EmbeddedStore(paths)
