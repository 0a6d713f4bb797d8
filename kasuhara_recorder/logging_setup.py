"""One log file per data folder, in English, for IT and the evidence officer."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path


def configure_logging(data_dir: Path) -> Path | None:
    root = logging.getLogger("kasuhara")
    if root.handlers:
        for h in root.handlers:
            if isinstance(h, logging.FileHandler):
                return Path(h.baseFilename)
        return None
    root.setLevel(logging.INFO)
    log_dir = data_dir / "logs"
    try:
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_dir / "kasuhara.log", maxBytes=5_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        # No log file (a read-only or misplaced data folder): only tracebacks of unexpected
        # errors reach stderr; the typed error itself is already printed for the person.
        handler = logging.StreamHandler()
        handler.setLevel(logging.ERROR)
        handler.addFilter(lambda record: record.exc_info is not None)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return Path(handler.baseFilename) if isinstance(handler, logging.FileHandler) else None
