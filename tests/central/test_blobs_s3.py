"""The S3 blob backend against a real SeaweedFS server (tests/support/seaweed.py): signed
requests, Object Lock enforced by the server, the server killed in the middle of an upload."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tracemalloc
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kasuhara_recorder.central.blobs import CHUNK, BlobStore
from kasuhara_recorder.central.blobs_s3 import PART_SIZE, S3Blobs, blob_key
from kasuhara_recorder.central.errors import (
    BlobMismatch,
    BlobMissing,
    CentralAccessDenied,
    CentralCredentialsMissing,
    CentralObjectLockMissing,
    CentralRequestFailed,
    CentralUnreachable,
)
from tests.support import seaweed
from tests.support.seaweed import PROFILE, SeaweedServer

MiB = 1 << 20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    """One server for the module (a cold start takes seconds); no test here stops it."""
    with seaweed.running(tmp_path_factory.mktemp("seaweed")) as s:
        yield s


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[SeaweedServer]:
    """A server for one test that stops and restarts it; gone before the leak check."""
    with seaweed.running(tmp_path / "seaweed") as s:
        yield s


def _aws_env(monkeypatch: pytest.MonkeyPatch, credentials: Path) -> None:
    """boto3's standard chain, pointed at one shared credentials file and nothing else."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(credentials.with_name("no-aws-config")))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask a cloud for keys


def _blobs(server: SeaweedServer, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> S3Blobs:
    _aws_env(monkeypatch, server.credentials_file)
    store = S3Blobs(server.endpoint, f"kasuhara-{uuid.uuid4().hex[:12]}", profile=PROFILE, **kw)
    store.ensure_bucket()
    return store


@pytest.fixture
def blobs(server: SeaweedServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Blobs]:
    store = _blobs(server, monkeypatch)  # a bucket of its own per test
    yield store
    store.close()


@pytest.fixture
def s3(server: SeaweedServer) -> Iterator[Any]:
    """The test's own plain client (not the code under test), to look at the bucket."""
    client = server.client()
    yield client
    client.close()


def _blob(size: int) -> tuple[str, bytes]:
    data = os.urandom(size)
    return hashlib.sha256(data).hexdigest(), data


def _versions(s3: Any, store: S3Blobs, sha: str) -> list[dict[str, Any]]:
    answer = s3.list_object_versions(Bucket=store.bucket, Prefix=blob_key(sha))
    return [v for v in answer.get("Versions", []) if v["Key"] == blob_key(sha)]


def _uploads(s3: Any, store: S3Blobs, sha: str) -> list[dict[str, Any]]:
    answer = s3.list_multipart_uploads(Bucket=store.bucket, Prefix=blob_key(sha))
    return list(answer.get("Uploads", []))


class CountingReader(io.RawIOBase):
    """A file-like source (``readinto``) that counts what was read from it."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._inner.readinto(buffer)
        self.bytes_read += count
        return count


class ReadOnly:
    """A source with nothing but ``read`` (a socket's or a decryptor's stream)."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def read(self, n: int = -1) -> bytes:
        return self._inner.read(n)


# -- round trips -------------------------------------------------------------------------------


def test_a_multipart_blob_comes_back_identical_and_is_confirmed(blobs: S3Blobs, s3: Any):
    sha, data = _blob(20 * MiB + 12345)  # three parts of 8 MiB, the last one short
    assert isinstance(blobs, BlobStore)
    blobs.put(sha, len(data), ReadOnly(data))  # type: ignore[arg-type]

    chunks = list(blobs.open(sha))
    assert b"".join(chunks) == data
    assert all(len(c) <= CHUNK for c in chunks)
    assert blobs.confirm(sha, len(data))
    assert not blobs.confirm(sha, len(data) - 1)  # the right name, the wrong size
    head = s3.head_object(Bucket=blobs.bucket, Key=blob_key(sha))
    assert head["ObjectLockMode"] == "COMPLIANCE"
    until = head["ObjectLockRetainUntilDate"]
    assert until > dt.datetime.now(dt.UTC) + dt.timedelta(days=5 * 365 - 1)
    assert not _uploads(s3, blobs, sha)


@pytest.mark.parametrize("size", [0, 1000, PART_SIZE])
def test_a_blob_of_at_most_one_part_is_one_locked_request(blobs: S3Blobs, s3: Any, size: int):
    sha, data = _blob(size)
    blobs.put(sha, size, io.BytesIO(data))
    assert b"".join(blobs.open(sha)) == data
    assert blobs.confirm(sha, size)
    head = s3.head_object(Bucket=blobs.bucket, Key=blob_key(sha))
    assert head["ObjectLockMode"] == "COMPLIANCE"


def test_a_missing_blob_is_not_confirmed_and_cannot_be_opened(blobs: S3Blobs):
    sha, _ = _blob(10)
    assert not blobs.confirm(sha, 10)
    with pytest.raises(BlobMissing):
        next(blobs.open(sha))


def test_retention_is_the_configured_number_of_days(
    server: SeaweedServer, monkeypatch: pytest.MonkeyPatch, s3: Any
):
    store = _blobs(server, monkeypatch, retain_days=3)
    sha, data = _blob(100)
    store.put(sha, len(data), io.BytesIO(data))
    until = s3.head_object(Bucket=store.bucket, Key=blob_key(sha))["ObjectLockRetainUntilDate"]
    store.close()
    now = dt.datetime.now(dt.UTC)
    assert now + dt.timedelta(days=3) - dt.timedelta(minutes=10) < until
    assert until < now + dt.timedelta(days=3, minutes=10)


def test_a_second_put_uploads_nothing_and_leaves_one_version(blobs: S3Blobs, s3: Any):
    sha, data = _blob(9 * MiB)
    blobs.put(sha, len(data), io.BytesIO(data))
    first = _versions(s3, blobs, sha)

    again = CountingReader(data)
    blobs.put(sha, len(data), again)  # type: ignore[arg-type]
    assert again.bytes_read == 0  # not a byte read, so none sent
    assert _versions(s3, blobs, sha) == first and len(first) == 1


# -- refused blobs ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1000, 17 * MiB], ids=["one-request", "multipart"])
def test_bytes_that_do_not_match_the_name_leave_nothing(blobs: S3Blobs, s3: Any, size: int):
    sha, data = _blob(size)
    tampered = bytearray(data)
    tampered[-1] ^= 1
    with pytest.raises(BlobMismatch) as e:
        blobs.put(sha, size, io.BytesIO(bytes(tampered)))
    assert sha in e.value.message("ja") and "一致しません" in e.value.message("ja")
    assert not _versions(s3, blobs, sha)
    assert not _uploads(s3, blobs, sha)
    assert not blobs.confirm(sha, size)


def test_a_source_shorter_or_longer_than_the_size_is_refused(blobs: S3Blobs, s3: Any):
    sha, data = _blob(PART_SIZE + 100)
    with pytest.raises(BlobMismatch):
        blobs.put(sha, len(data), io.BytesIO(data[:-1]))
    with pytest.raises(BlobMismatch):
        blobs.put(sha, len(data) - 1, io.BytesIO(data))
    assert not _versions(s3, blobs, sha) and not _uploads(s3, blobs, sha)


# -- Object Lock -------------------------------------------------------------------------------


def test_a_locked_blob_cannot_be_deleted_nor_replaced(blobs: S3Blobs, s3: Any):
    sha, data = _blob(6 * MiB)
    blobs.put(sha, len(data), io.BytesIO(data))
    (version,) = _versions(s3, blobs, sha)

    # The control: the same user deletes an unlocked version in the same bucket.
    plain = s3.put_object(Bucket=blobs.bucket, Key="control", Body=b"unlocked")
    s3.delete_object(Bucket=blobs.bucket, Key="control", VersionId=plain["VersionId"])

    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=blobs.bucket, Key=blob_key(sha), VersionId=version["VersionId"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError):
        s3.delete_object(
            Bucket=blobs.bucket,
            Key=blob_key(sha),
            VersionId=version["VersionId"],
            BypassGovernanceRetention=True,
        )
    with pytest.raises(ClientError):  # nor can its lock be shortened
        s3.put_object_retention(
            Bucket=blobs.bucket,
            Key=blob_key(sha),
            VersionId=version["VersionId"],
            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": dt.datetime.now(dt.UTC)},
        )

    # An overwrite, and a delete marker on top of it: the original is still what counts.
    s3.put_object(Bucket=blobs.bucket, Key=blob_key(sha), Body=b"not the evidence")
    s3.delete_object(Bucket=blobs.bucket, Key=blob_key(sha))
    original = s3.get_object(
        Bucket=blobs.bucket, Key=blob_key(sha), VersionId=version["VersionId"]
    )["Body"].read()
    assert original == data
    assert blobs.confirm(sha, len(data))
    assert b"".join(blobs.open(sha)) == data


def test_a_bucket_without_object_lock_is_refused(
    server: SeaweedServer, monkeypatch: pytest.MonkeyPatch, s3: Any
):
    _aws_env(monkeypatch, server.credentials_file)
    name = f"plain-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    store = S3Blobs(server.endpoint, name, profile=PROFILE)
    with pytest.raises(CentralObjectLockMissing) as e:
        store.ensure_bucket()
    store.close()
    assert name in e.value.message("ja") and "オブジェクトロック" in e.value.message("ja")
    assert "Object Lock" in e.value.message("en")


def test_ensure_bucket_creates_a_locked_versioned_bucket_once(blobs: S3Blobs, s3: Any):
    lock = s3.get_object_lock_configuration(Bucket=blobs.bucket)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    assert s3.get_bucket_versioning(Bucket=blobs.bucket)["Status"] == "Enabled"
    blobs.ensure_bucket()  # a second `central init` finds it as it is


# -- memory ------------------------------------------------------------------------------------


def test_a_large_blob_is_streamed_not_held(blobs: S3Blobs, tmp_path: Path):
    size = 64 * MiB
    path, hasher = tmp_path / "big", hashlib.sha256()
    with path.open("wb") as f:
        for _ in range(size // MiB):
            chunk = os.urandom(MiB)
            hasher.update(chunk)
            f.write(chunk)
    sha = hasher.hexdigest()

    tracemalloc.start()
    try:
        with path.open("rb") as f:
            blobs.put(sha, size, f)
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        assert blobs.confirm(sha, size)
        again = hashlib.sha256()
        for chunk in blobs.open(sha):
            again.update(chunk)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert again.hexdigest() == sha
    assert put_peak < 32 * MiB, f"put held {put_peak / MiB:.1f} MiB"
    assert read_peak < 16 * MiB, f"confirm/open held {read_peak / MiB:.1f} MiB"


# -- faults ------------------------------------------------------------------------------------


class StopsServerAfter(io.RawIOBase):
    """A source that kills the server once ``after`` bytes were read from it (from inside the
    put, between two parts)."""

    def __init__(self, data: bytes, after: int, server: SeaweedServer) -> None:
        self._inner = io.BytesIO(data)
        self._after = after
        self._server = server
        self.stopped = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._inner.tell() >= self._after and not self.stopped:
            self._server.stop()
            self.stopped = True
        return self._inner.readinto(buffer)


def test_an_upload_cut_by_the_server_stopping_is_not_accepted_then_completes(
    own_server: SeaweedServer, monkeypatch: pytest.MonkeyPatch
):
    store = _blobs(own_server, monkeypatch, connect_timeout=2, read_timeout=10)
    sha, data = _blob(20 * MiB)
    source = StopsServerAfter(data, 2 * PART_SIZE, own_server)  # two parts sent, then gone

    with pytest.raises(CentralUnreachable) as e:
        store.put(sha, len(data), source)  # type: ignore[arg-type]
    assert source.stopped and not own_server.running
    assert own_server.endpoint in e.value.message("ja")
    assert "接続できません" in e.value.message("ja") or "切れました" in e.value.message("ja")
    with pytest.raises(CentralUnreachable):
        store.confirm(sha, len(data))  # still down: unknown, not "missing"

    own_server.start()  # the same data, the same ports
    s3 = own_server.client()
    try:
        assert not store.confirm(sha, len(data))  # no half object
        assert _uploads(s3, store, sha)  # the parts sent before the stop are still there

        store.put(sha, len(data), io.BytesIO(data))
        assert store.confirm(sha, len(data))
        assert len(_versions(s3, store, sha)) == 1
        assert not _uploads(s3, store, sha)  # the cut upload was aborted by the next put
    finally:
        s3.close()
        store.close()


def test_a_wrong_secret_is_a_clear_error(
    server: SeaweedServer, blobs: S3Blobs, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    wrong = server.write_credentials(tmp_path / "wrong-credentials", secret_key="not-the-secret")
    _aws_env(monkeypatch, wrong)
    store = S3Blobs(server.endpoint, blobs.bucket, profile=PROFILE)
    sha, data = _blob(100)
    with pytest.raises(CentralAccessDenied) as e:
        store.put(sha, len(data), io.BytesIO(data))
    with pytest.raises(CentralAccessDenied):
        store.ensure_bucket()
    store.close()
    assert "シークレットキー" in e.value.message("ja") or "拒否" in e.value.message("ja")
    assert "SignatureDoesNotMatch" in e.value.message("en") or "403" in e.value.message("en")
    assert not blobs.confirm(sha, len(data))


def test_an_unreachable_store_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    _aws_env(monkeypatch, tmp_path / "none")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "KTNOBODY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "nothing")
    port = seaweed._free_ports(1)[0]  # nothing listens there
    store = S3Blobs(f"http://127.0.0.1:{port}", "kasuhara", connect_timeout=1)
    with pytest.raises(CentralUnreachable) as e:
        store.confirm("0" * 64, 1)
    store.close()
    said = e.value.message("ja")
    assert f"127.0.0.1:{port}" in said and "接続できません" in said


def test_no_credentials_is_a_clear_error(
    server: SeaweedServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    _aws_env(monkeypatch, tmp_path / "none")
    with pytest.raises(CentralCredentialsMissing):
        S3Blobs(server.endpoint, "kasuhara", profile="no-such-profile")
    store = S3Blobs(server.endpoint, "kasuhara")  # no profile, no keys anywhere
    with pytest.raises(CentralCredentialsMissing) as e:
        store.confirm("0" * 64, 1)
    store.close()
    assert "AWS_ACCESS_KEY_ID" in e.value.message("ja")


def test_a_request_the_server_refuses_names_it(
    server: SeaweedServer, monkeypatch: pytest.MonkeyPatch
):
    _aws_env(monkeypatch, server.credentials_file)
    store = S3Blobs(server.endpoint, "ab", profile=PROFILE)  # too short a bucket name for S3
    with pytest.raises(CentralRequestFailed) as e:
        store.ensure_bucket()
    store.close()
    assert "CreateBucket" in e.value.message("ja") and "InvalidBucketName" in e.value.message("en")
