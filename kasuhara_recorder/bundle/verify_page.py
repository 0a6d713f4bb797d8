"""The offline verification page shipped inside every bundle (``resources/verify/verify.html``).

Its Content-Security-Policy allows exactly one inline script, named by its SHA-256, and no
network at all. Editing the script changes its hash: run
``python -m kasuhara_recorder.bundle.verify_page --fix`` to write the new hash into the page.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from pathlib import Path

from kasuhara_recorder.resources import resource

_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)
_CSP_HASH = re.compile(rb"script-src 'sha256-([^']*)'")


def page_path() -> Path:
    return resource("verify", "verify.html")


def script_hash(html: bytes) -> str:
    scripts = _SCRIPT.findall(html)
    if len(scripts) != 1:
        raise ValueError("verify.html must hold exactly one inline script")
    return base64.b64encode(hashlib.sha256(scripts[0]).digest()).decode("ascii")


def page_bytes() -> bytes:
    """The page as shipped; refuses a page whose CSP would block its own script."""
    html = page_path().read_bytes()
    m = _CSP_HASH.search(html)
    if not m or m.group(1).decode() != script_hash(html):
        raise RuntimeError("verify.html: CSP script hash is stale; run verify_page --fix")
    return html


def _fix() -> None:
    path = page_path()
    html = path.read_bytes()
    new = _CSP_HASH.sub(f"script-src 'sha256-{script_hash(html)}'".encode(), html, count=1)
    path.write_bytes(new)


if __name__ == "__main__":
    if sys.argv[1:] == ["--fix"]:
        _fix()
