"""Drives Debian's headless ``chromium`` over the DevTools protocol to run verify.html for real.

Files are handed to the page's file inputs with ``DOM.setFileInputFiles`` (a folder for the
``webkitdirectory`` input, the ZIP for the other), exactly as if a person had picked them.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


# Makes WebCrypto refuse Ed25519 before any page script runs, as a browser without it does
# (Chromium before 137, older Safari and Firefox): importKey/verify reject NotSupportedError.
NO_ED25519 = """
(() => {
  const subtle = crypto.subtle;
  const importKey = subtle.importKey.bind(subtle), verify = subtle.verify.bind(subtle);
  const generateKey = subtle.generateKey.bind(subtle);
  const isEd = a => String((a && a.name) || a || "").toLowerCase() === "ed25519";
  const refuse = () => Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError"));
  subtle.importKey = (format, key, alg, ...rest) =>
    isEd(alg) ? refuse() : importKey(format, key, alg, ...rest);
  subtle.verify = (alg, ...rest) => isEd(alg) ? refuse() : verify(alg, ...rest);
  subtle.generateKey = (alg, ...rest) => isEd(alg) ? refuse() : generateKey(alg, ...rest);
})();
"""

# And no SHA-512 digest either: the page's own verifier cannot run, so it must say that it
# cannot check signatures (never that the bundle was altered).
NO_SIGNATURES = (
    NO_ED25519
    + """
(() => {
  const subtle = crypto.subtle, digest = subtle.digest.bind(subtle);
  const is512 = a => String((a && a.name) || a || "").toUpperCase() === "SHA-512";
  const refuse = () => Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError"));
  subtle.digest = (alg, data) => is512(alg) ? refuse() : digest(alg, data);
})();
"""
)


class Chromium:
    def __init__(self, init_script: str | None = None) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="kasuhara-chromium-")
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                f"--user-data-dir={self._profile.name}",
                "--remote-debugging-port=0",  # Chromium picks a free port: no race
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its helpers in one group, ended with it (close)
        )
        self._ids = itertools.count(1)
        self.ws = websocket.create_connection(self._page_ws_url(), timeout=60)
        self.console: list[str] = []
        self.call("Page.enable")
        self.call("Runtime.enable")
        if init_script:  # runs in every document before its own scripts
            self.call("Page.addScriptToEvaluateOnNewDocument", source=init_script)

    def _page_ws_url(self) -> str:
        deadline = time.monotonic() + 30
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        while True:
            try:
                port = int(port_file.read_text().split()[0])
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as r:
                    targets = json.load(r)
                for t in targets:
                    if t.get("type") == "page":
                        return t["webSocketDebuggerUrl"]
            except (OSError, ValueError, IndexError):
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.1)

    def call(self, method: str, **params) -> dict:
        msg_id = next(self._ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == "Runtime.consoleAPICalled":
                self.console.append(" ".join(str(a.get("value")) for a in msg["params"]["args"]))
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def evaluate(self, expr: str):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"page error: {r['exceptionDetails']}")
        return r["result"].get("value")

    def open(self, path: Path) -> None:
        self.call("Page.navigate", url=path.resolve().as_uri())
        deadline = time.monotonic() + 30
        while self.evaluate("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise RuntimeError("page did not load")
            time.sleep(0.05)

    def pick(self, selector: str, files: list[Path]) -> None:
        root = self.call("DOM.getDocument")["root"]["nodeId"]
        node = self.call("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        self.call("DOM.setFileInputFiles", nodeId=node, files=[str(f.resolve()) for f in files])

    def wait_result(self, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate("document.body.dataset.state") == "done":
                return self.evaluate("window.verifyResult")
            time.sleep(0.1)
        raise TimeoutError("verify.html did not finish")

    def screenshot(self, out: Path) -> None:
        import base64

        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        out.write_bytes(base64.b64decode(data["data"]))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        # Chromium's helpers (crashpad, utility processes) can outlive the browser and still
        # write into the profile while it is removed ("Directory not empty: 'Default'", once
        # in a quiet clean-clone run): end the whole group, then remove it once they are gone.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while True:
            try:
                shutil.rmtree(self._profile.name)
                break
            except FileNotFoundError:
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)  # a killed helper's last write lands; then try again
        with contextlib.suppress(OSError):
            self._profile.cleanup()
