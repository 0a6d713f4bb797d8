"""A real RFC 3161 time-stamping authority for the tests: a CA and a TSA certificate
(extendedKeyUsage timeStamping, critical) made with `openssl` at test time, and `openssl ts
-reply` behind a small `http.server` on loopback, in a thread the fixture stops.

Two variants, as TSAs answer: the reply carries the TSA certificate only (``certs="tsa"``), or
the TSA certificate and its CA (``certs="tsa+ca"``: OpenSSL 3.0 writes that SET unsorted).
"""

from __future__ import annotations

import datetime as dt
import http.server
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

_CONF = """[tsa]
default_tsa = tsa_config
[tsa_config]
dir = {dir}
serial = {dir}/serial
signer_cert = {dir}/tsa.pem
{certs}
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.2
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> bytes:
    return subprocess.run(
        ["openssl", *args], cwd=cwd, check=True, capture_output=True, env=env
    ).stdout


@dataclass
class TsaKeys:
    """A CA and a TSA certificate it issued, as files."""

    folder: Path
    name: str = "Test TSA"

    @property
    def ca(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def cert(self) -> Path:
        return self.folder / "tsa.pem"

    @classmethod
    def make(cls, folder: Path, name: str = "Test TSA") -> TsaKeys:
        folder.mkdir(parents=True, exist_ok=True)
        _run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-subj", f"/CN={name} Root",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)  # fmt: skip
        _run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
             "-subj", f"/CN={name}", cwd=folder)  # fmt: skip
        (folder / "ext.cnf").write_text(
            "extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\n"
            "basicConstraints=CA:FALSE\n"
        )
        _run("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "tsa.pem", "-days", "3650", "-extfile", "ext.cnf",
             cwd=folder)  # fmt: skip
        (folder / "serial").write_text("01\n")
        (folder / "chain.pem").write_bytes(
            (folder / "tsa.pem").read_bytes() + (folder / "ca.pem").read_bytes()
        )
        return cls(folder, name)

    def config(self, certs: str) -> Path:
        extra = f"certs = {self.folder}/chain.pem" if certs == "tsa+ca" else ""
        conf = self.folder / f"tsa-{certs}.cnf"
        conf.write_text(_CONF.format(dir=self.folder, certs=extra))
        return conf

    def reply(self, query: bytes, certs: str = "tsa") -> bytes:
        """`openssl ts -reply` for a TimeStampReq (the TSA itself)."""
        q = self.folder / "q.tsq"
        q.write_bytes(query)
        out = self.folder / "r.tsr"
        _run("ts", "-reply", "-config", str(self.config(certs)), "-queryfile", str(q),
             "-out", str(out), cwd=self.folder)  # fmt: skip
        return out.read_bytes()


@dataclass
class LoopbackTsa:
    """`openssl ts -reply` over HTTP on 127.0.0.1. ``down()`` makes it refuse connections."""

    keys: TsaKeys
    certs: str
    server: http.server.ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None
    requests: list[bytes] = field(default_factory=list)
    port: int = 0
    answer_for: bytes | None = None  # answer every request as if for this TimeStampReq

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/tsa"

    def start(self) -> LoopbackTsa:
        tsa = self
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                ok = self.headers.get("Content-Type") == "application/timestamp-query"
                with lock:
                    tsa.requests.append(body)
                    reply = tsa.keys.reply(tsa.answer_for or body, tsa.certs) if ok else b""
                self.send_response(200 if ok else 415)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="test-tsa")
        self.thread.start()
        return self

    def down(self) -> None:
        """Stop answering: the port refuses connections, as a TSA with no route would fail."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            assert self.thread is not None
            self.thread.join(10)
            self.server = None

    def up(self) -> None:
        if self.server is None:
            self.start()


def openssl_verify(data: Path, token: Path, ca_file: Path, *, attime: int | None = None) -> str:
    """`openssl ts -verify -data FILE -in TOKEN -CAfile CA`, as a recipient runs it."""
    args = ["ts", "-verify", "-data", str(data), "-in", str(token), "-CAfile", str(ca_file)]
    if attime is not None:
        args += ["-attime", str(attime)]
    p = subprocess.run(["openssl", *args], capture_output=True, text=True)
    return (p.stdout + p.stderr).strip()


@pytest.fixture(scope="session")
def tsa_keys(tmp_path_factory: pytest.TempPathFactory) -> TsaKeys:
    return TsaKeys.make(tmp_path_factory.mktemp("tsa"))


@pytest.fixture(scope="session")
def other_tsa_keys(tmp_path_factory: pytest.TempPathFactory) -> TsaKeys:
    """A TSA under another CA: its tokens must not chain to ``tsa_keys``' CA."""
    return TsaKeys.make(tmp_path_factory.mktemp("other-tsa"), "Other TSA")


@pytest.fixture(params=["tsa", "tsa+ca"])
def tsa(request: pytest.FixtureRequest, tsa_keys: TsaKeys) -> Iterator[LoopbackTsa]:
    """The loopback TSA, once answering with its certificate only, once with its CA too."""
    server = LoopbackTsa(tsa_keys, request.param).start()
    try:
        yield server
    finally:
        server.down()


@pytest.fixture
def tsa_one(tsa_keys: TsaKeys) -> Iterator[LoopbackTsa]:
    server = LoopbackTsa(tsa_keys, "tsa").start()
    try:
        yield server
    finally:
        server.down()


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
