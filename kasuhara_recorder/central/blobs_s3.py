"""Central blobs in S3-compatible object storage, each object locked against deletion.

A blob is the object ``blobs/<sha256>`` of a bucket created with versioning and Object Lock;
every object is written in COMPLIANCE mode until ``retain_days`` from its upload, so no one
(the administrator included) can delete or shorten it before then, and an overwrite only adds
a version beside it. A blob larger than one part is sent as a multipart upload, one part
(``PART_SIZE``) in memory at a time and hashed as it goes; the upload is completed only when the
hash is the blob's name, else aborted, so the bucket never shows a half or wrong object.

Reads take the key's versions oldest first: the first complete put of a name is the one its
hash was checked for, and a later version (an overwrite by someone holding write credentials)
can neither hide nor replace it.

Credentials come from boto3's standard chain (the environment, the shared credentials file, a
profile named here), never from the app's settings. Every failure leaves as a typed error from
``central/errors.py``: the server not reachable (``CentralUnreachable``), the credentials
missing or refused, the bucket without Object Lock, any other refusal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, BinaryIO, cast

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
)

from kasuhara_recorder.central.blobs import CHUNK
from kasuhara_recorder.central.errors import (
    BlobMismatch,
    BlobMissing,
    CentralAccessDenied,
    CentralCredentialsMissing,
    CentralObjectLockMissing,
    CentralRequestFailed,
    CentralUnreachable,
)
from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.text import Text

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef, ObjectVersionTypeDef

PART_SIZE = 8 << 20  # S3's parts are at least 5 MiB (all but the last)
DEFAULT_RETAIN_DAYS = 365 * 5
PREFIX = "blobs/"

_SHA256 = re.compile(r"[0-9a-f]{64}")
_MISSING = {"NoSuchKey", "NoSuchVersion", "404", "NotFound"}
_NO_BUCKET = {"NoSuchBucket", "404", "NotFound"}
_NO_LOCK = {"ObjectLockConfigurationNotFoundError", "ObjectLockConfigurationNotFound"}
# The server refused who we are (or what we may do): the same words whatever the operation.
_DENIED = {
    "InvalidAccessKeyId": "アクセスキーが登録されていません",
    "SignatureDoesNotMatch": "シークレットキーが一致しません",
    "AccessDenied": "権限がありません",
    "InvalidToken": "セッショントークンが無効です",
    "ExpiredToken": "セッショントークンの期限が切れています",
    "403": "拒否されました",
}


def blob_key(sha256: str) -> str:
    return PREFIX + sha256


class S3Blobs:
    """The ``BlobStore`` of an S3-compatible server (AWS S3, SeaweedFS, MinIO, …)."""

    def __init__(
        self,
        endpoint_url: str,
        bucket: str,
        *,
        region: str = "us-east-1",
        profile: str | None = None,
        retain_days: int = DEFAULT_RETAIN_DAYS,
        part_size: int = PART_SIZE,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        client: S3Client | None = None,
    ) -> None:
        if retain_days < 1:
            raise ValueError(f"retain_days must be at least 1, not {retain_days}")
        if part_size < 5 << 20:
            raise ValueError(f"S3 parts are at least 5 MiB, not {part_size} bytes")
        self.endpoint_url = endpoint_url
        self.bucket = bucket
        self.region = region
        self.retain_days = retain_days
        self.part_size = part_size
        if client is None:
            config = Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},  # a server on an address has no bucket DNS
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"mode": "standard", "max_attempts": 3},
            )
            with self._errors("credentials"):
                session = boto3.Session(profile_name=profile, region_name=region)
                client = session.client("s3", endpoint_url=endpoint_url, config=config)
        self._s3 = client

    # -- the bucket ---------------------------------------------------------------------------

    def ensure_bucket(self) -> None:
        """Create the bucket with Object Lock (hence versioning) when it is missing; refuse an
        existing one without them (CentralObjectLockMissing): it cannot be turned into one."""
        with self._errors("HeadBucket"):
            try:
                self._s3.head_bucket(Bucket=self.bucket)
            except ClientError as e:
                if _code(e) not in _NO_BUCKET:
                    raise
                self._create_bucket()
        self.check_bucket()

    def _create_bucket(self) -> None:
        with self._errors("CreateBucket"):
            if self.region == "us-east-1":  # S3 refuses a LocationConstraint naming its default
                self._s3.create_bucket(Bucket=self.bucket, ObjectLockEnabledForBucket=True)
            else:
                self._s3.create_bucket(
                    Bucket=self.bucket,
                    ObjectLockEnabledForBucket=True,
                    CreateBucketConfiguration={"LocationConstraint": self.region},  # type: ignore[typeddict-item]
                )

    def check_bucket(self) -> None:
        """CentralObjectLockMissing unless the bucket has Object Lock and versioning on."""
        with self._errors("GetObjectLockConfiguration"):
            try:
                lock = self._s3.get_object_lock_configuration(Bucket=self.bucket)
                enabled = lock.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled")
            except ClientError as e:
                if _code(e) not in _NO_LOCK:
                    raise
                enabled = None
            versioning = self._s3.get_bucket_versioning(Bucket=self.bucket).get("Status")
        if enabled != "Enabled":
            raise CentralObjectLockMissing(
                self.endpoint_url,
                self.bucket,
                Text("オブジェクトロックの設定がありません", "no Object Lock configuration"),
            )
        if versioning != "Enabled":
            raise CentralObjectLockMissing(
                self.endpoint_url,
                self.bucket,
                Text("バージョニングが有効ではありません", f"versioning is {versioning!r}"),
            )

    # -- BlobStore ----------------------------------------------------------------------------

    def put(self, sha256: str, size: int, source: BinaryIO) -> None:
        _check_name(sha256)
        if self.confirm(sha256, size):
            return
        key = blob_key(sha256)
        self._abort_unfinished(key)
        if size <= self.part_size:
            self._put_whole(sha256, size, source)
        else:
            self._put_parts(sha256, size, source)

    def confirm(self, sha256: str, size: int) -> bool:
        _check_name(sha256)
        for version in self._versions(sha256):
            if version.get("Size") == size and self._hashes_to(sha256, size, version):
                return True
        return False

    def open(self, sha256: str) -> Iterator[bytes]:
        _check_name(sha256)
        versions = self._versions(sha256)
        if not versions:
            raise BlobMissing(sha256)
        # The oldest: the first put of this name, whose hash was checked before it completed.
        hasher = hashlib.sha256()
        for chunk in self._read(sha256, versions[0]):
            hasher.update(chunk)
            yield chunk
        if hasher.hexdigest() != sha256:
            raise BlobMismatch(sha256, Text.same(f"read back as {hasher.hexdigest()}"))

    def close(self) -> None:
        self._s3.close()

    # -- writing ------------------------------------------------------------------------------

    def _lock(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + dt.timedelta(days=self.retain_days)

    def _put_whole(self, sha256: str, size: int, source: BinaryIO) -> None:
        """One request for a blob of at most one part: checked before a byte is sent."""
        data = _read_part(sha256, source, size, size)
        _check_end(sha256, size, source, hashlib.sha256(data))
        with self._errors("PutObject"):
            self._s3.put_object(
                Bucket=self.bucket,
                Key=blob_key(sha256),
                Body=data,
                ObjectLockMode="COMPLIANCE",
                ObjectLockRetainUntilDate=self._lock(),
            )

    def _put_parts(self, sha256: str, size: int, source: BinaryIO) -> None:
        key = blob_key(sha256)
        with self._errors("CreateMultipartUpload"):
            upload_id = self._s3.create_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                ObjectLockMode="COMPLIANCE",
                ObjectLockRetainUntilDate=self._lock(),
            )["UploadId"]
        try:
            with self._errors("UploadPart"):
                parts = self._send_parts(sha256, size, source, key, upload_id)
            with self._errors("CompleteMultipartUpload"):
                self._s3.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                )
        except BaseException:
            # Nothing of a refused or interrupted upload stays (if the server is still there;
            # else the next put aborts it).
            self._abort_quietly(key, upload_id)
            raise

    def _send_parts(
        self, sha256: str, size: int, source: BinaryIO, key: str, upload_id: str
    ) -> list[CompletedPartTypeDef]:
        hasher = hashlib.sha256()
        parts: list[CompletedPartTypeDef] = []
        sent = 0
        while sent < size:
            data = _read_part(sha256, source, min(self.part_size, size - sent), size, sent)
            hasher.update(data)
            number = len(parts) + 1
            answer = self._s3.upload_part(
                Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data
            )
            parts.append({"ETag": answer["ETag"], "PartNumber": number})
            sent += len(data)
            del data  # the part's bytes go before the next part is read
        _check_end(sha256, size, source, hasher)
        return parts

    def _abort_unfinished(self, key: str) -> None:
        """Abort what an interrupted put of this blob left on the server (its parts)."""
        with self._errors("ListMultipartUploads"):
            listing = self._s3.list_multipart_uploads(Bucket=self.bucket, Prefix=key)
            for upload in listing.get("Uploads", []):
                if upload.get("Key") == key and "UploadId" in upload:
                    self._s3.abort_multipart_upload(
                        Bucket=self.bucket, Key=key, UploadId=upload["UploadId"]
                    )

    def _abort_quietly(self, key: str, upload_id: str) -> None:
        try:
            self._s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except (BotoCoreError, ClientError):
            pass  # the error being raised says why; the next put aborts what stays

    # -- reading ------------------------------------------------------------------------------

    def _versions(self, sha256: str) -> list[ObjectVersionTypeDef]:
        """The key's versions (not its delete markers), oldest first."""
        key = blob_key(sha256)
        found: list[ObjectVersionTypeDef] = []
        with self._errors("ListObjectVersions"):
            paginator = self._s3.get_paginator("list_object_versions")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=key):
                found += [v for v in page.get("Versions", []) if v.get("Key") == key]
        # S3 lists a key's versions newest first; LastModified (in seconds) only breaks the
        # order of a server that does not.
        found.reverse()
        return sorted(found, key=lambda v: v["LastModified"])

    def _hashes_to(self, sha256: str, size: int, version: ObjectVersionTypeDef) -> bool:
        hasher = hashlib.sha256()
        length = 0
        for chunk in self._read(sha256, version):
            hasher.update(chunk)
            length += len(chunk)
        return length == size and hasher.hexdigest() == sha256

    def _read(self, sha256: str, version: ObjectVersionTypeDef) -> Iterator[bytes]:
        with self._errors("GetObject"):
            try:
                answer = self._s3.get_object(
                    Bucket=self.bucket, Key=blob_key(sha256), VersionId=version["VersionId"]
                )
            except ClientError as e:
                if _code(e) in _MISSING:
                    raise BlobMissing(sha256) from e
                raise
            body = answer["Body"]
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

    # -- errors -------------------------------------------------------------------------------

    @contextmanager
    def _errors(self, operation: str) -> Iterator[None]:
        """botocore's exceptions leave as the central store's typed errors."""
        try:
            yield
        except ClientError as e:
            raise self._refused(operation, e) from e
        except (
            NoCredentialsError,
            PartialCredentialsError,
            CredentialRetrievalError,
            ProfileNotFound,
        ) as e:
            raise CentralCredentialsMissing(
                self.endpoint_url, Text("認証情報が設定されていません", str(e))
            ) from e
        except BotoCoreError as e:  # connection refused or reset, timeouts, a cut-off answer
            raise CentralUnreachable(self.endpoint_url, _unreachable(e)) from e

    def _refused(self, operation: str, e: ClientError) -> KasuharaError:
        code = _code(e)
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        answer = f"{code} {e.response.get('Error', {}).get('Message', '')}".strip()
        said = f"{operation}: {answer}"
        if code in _DENIED or status == 403:
            return CentralAccessDenied(self.endpoint_url, Text(_DENIED.get(code, "拒否"), said))
        if status >= 500:
            return CentralUnreachable(
                self.endpoint_url, Text(f"サーバーのエラー（{status}）", said)
            )
        return CentralRequestFailed(self.endpoint_url, operation, Text.same(answer))


def _code(e: ClientError) -> str:
    return str(e.response.get("Error", {}).get("Code", ""))


def _unreachable(e: BotoCoreError) -> Text:
    name = type(e).__name__
    if "Timeout" in name:
        ja = "応答がありません"
    elif "Connect" in name and "Closed" not in name:
        ja = "接続できません"
    else:
        ja = "通信が途中で切れました"
    return Text(ja, f"{name}: {e}")


def _check_name(sha256: str) -> None:
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"a blob's name is its SHA-256 in lowercase hex, not {sha256!r}")


def _read_part(sha256: str, source: BinaryIO, n: int, size: int, offset: int = 0) -> bytes:
    """Exactly ``n`` bytes of ``source`` read into one buffer, or BlobMismatch if it ends
    before. The buffer is a bytearray, which botocore sends as it is (a ``bytes`` made of the
    pieces would be a second copy of the part; the stubs say only ``bytes``, hence the cast)."""
    part = bytearray(n)
    readinto = getattr(source, "readinto", None)
    got = 0
    with memoryview(part) as view:
        while got < n:
            want = view[got : got + min(CHUNK, n - got)]
            if readinto is not None:
                count = readinto(want) or 0
            else:
                piece = source.read(len(want))
                count = len(piece)
                want[:count] = piece
            if not count:
                raise BlobMismatch(
                    sha256,
                    Text(
                        f"{size} バイトのはずが {offset + got} バイトで終わりました",
                        f"the source ended after {offset + got} of {size} bytes",
                    ),
                )
            got += count
    return cast(bytes, part)


def _check_end(sha256: str, size: int, source: BinaryIO, hasher: hashlib._Hash) -> None:
    if source.read(1):
        raise BlobMismatch(
            sha256,
            Text(f"{size} バイトより長いファイルです", f"the source is longer than {size} bytes"),
        )
    if hasher.hexdigest() != sha256:
        raise BlobMismatch(
            sha256,
            Text(
                f"内容のハッシュ値は {hasher.hexdigest()} です",
                f"the bytes hash to {hasher.hexdigest()}",
            ),
        )
