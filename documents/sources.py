"""Where synchronised files come from: a folder of this machine, or an S3 bucket.

A source lists its files — each with its path relative to the source, its size and when it
last changed — and opens them one at a time as seekable binary streams. Hidden files and
folders and what operating systems leave behind (`documents.archives.is_ignored`) are left
out, as `index_documents` leaves them out of the folders it uploads; so are a bucket's
"folders" (empty keys ending with "/").

Each source has a `root`, which begins the `source_path` of the documents that came from
it: the folder's absolute path, or `s3://bucket/prefix`.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from documents.archives import is_ignored

S3_SCHEME = "s3://"


class SourceUnavailable(Exception):
    """The source, or one of its files, could not be read."""


@dataclass(frozen=True)
class SourceFile:
    path: str
    """Relative to the source, with "/" between folders: « RH/Congés/guide.pdf »."""
    size: int
    modified: datetime


class Source(Protocol):
    root: str

    def list_files(self) -> list[SourceFile]: ...

    def open(self, file: SourceFile) -> AbstractContextManager[IO[bytes]]: ...


def walk_folder(folder: Path) -> Iterator[tuple[Path, str]]:
    """Each file under `folder`, with its path relative to it, in a stable order, hidden
    files and folders left out."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(name for name in dirnames if not is_ignored([name]))
        for filename in sorted(filenames):
            if is_ignored([filename]):
                continue
            path = Path(dirpath, filename)
            yield path, path.relative_to(folder).as_posix()


class FolderSource:
    """A folder of the machine running the synchronisation (a mounted share, say)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.root = self.folder.as_posix()

    def list_files(self) -> list[SourceFile]:
        if not self.folder.is_dir():
            raise SourceUnavailable(f"No such folder: {self.folder}")
        files = []
        try:
            for path, name in walk_folder(self.folder):
                stat = path.stat()
                modified = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
                files.append(SourceFile(name, stat.st_size, modified))
        except OSError as error:
            raise SourceUnavailable(f"Could not list {self.folder}: {error}") from error
        return files

    @contextmanager
    def open(self, file: SourceFile) -> Iterator[IO[bytes]]:
        try:
            stream = (self.folder / file.path).open("rb")
        except OSError as error:
            raise SourceUnavailable(f"Could not read {file.path}: {error}") from error
        with stream:
            yield stream


@dataclass(frozen=True)
class S3Access:
    """Where a bucket is served and the keys to read it. Unset values are left to boto3,
    which then looks for the usual AWS variables and files."""

    endpoint_url: str = ""
    access_key: str = ""
    secret_key: str = ""
    region: str = ""

    @classmethod
    def from_settings(cls, **overrides: str | None) -> "S3Access":
        """The storage's own (MINIO_URL, MINIO_ACCESS_KEY_ID, …), unless overridden."""
        defaults = {
            "endpoint_url": settings.MINIO_URL,
            "access_key": settings.MINIO_ACCESS_KEY_ID,
            "secret_key": settings.MINIO_SECRET_ACCESS_KEY,
            "region": settings.MINIO_REGION,
        }
        return cls(**{name: overrides.get(name) or value for name, value in defaults.items()})


class BucketSource:
    """The objects of an S3 bucket under a prefix: `s3://bucket/prefix`."""

    def __init__(self, url: str, access: S3Access) -> None:
        self.bucket, _, prefix = url.removeprefix(S3_SCHEME).partition("/")
        if not self.bucket:
            raise SourceUnavailable(f"No bucket in {url!r}: write s3://bucket/prefix.")
        self.prefix = prefix.strip("/")
        self.root = f"{S3_SCHEME}{self.bucket}/{self.prefix}".rstrip("/")
        self.client = boto3.client(
            "s3",
            endpoint_url=access.endpoint_url or None,
            aws_access_key_id=access.access_key or None,
            aws_secret_access_key=access.secret_key or None,
            region_name=access.region or None,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def list_files(self) -> list[SourceFile]:
        listed = self.prefix + "/" if self.prefix else ""
        files = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=listed
            )
            for page in pages:
                for item in page.get("Contents", []):
                    name = item["Key"].removeprefix(listed)
                    if name and not name.endswith("/") and not is_ignored(name.split("/")):
                        files.append(SourceFile(name, item["Size"], item["LastModified"]))
        except (BotoCoreError, ClientError) as error:
            raise SourceUnavailable(f"Could not list {self.root}: {error}") from error
        return sorted(files, key=lambda file: file.path)

    @contextmanager
    def open(self, file: SourceFile) -> Iterator[IO[bytes]]:
        """The object copied into a temporary file: checks and storage need to seek."""
        key = f"{self.prefix}/{file.path}" if self.prefix else file.path
        with tempfile.SpooledTemporaryFile(settings.FILE_UPLOAD_MAX_MEMORY_SIZE) as copy:
            try:
                body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
                with body:
                    shutil.copyfileobj(body, copy)
            except (BotoCoreError, ClientError) as error:
                raise SourceUnavailable(f"Could not read {file.path}: {error}") from error
            copy.seek(0)
            yield copy


def open_source(source: str, *, access: S3Access | None = None) -> Source:
    """The source named by `source`: `s3://bucket/prefix`, or else a folder's path."""
    if source.startswith(S3_SCHEME):
        return BucketSource(source, access or S3Access.from_settings())
    return FolderSource(Path(source))
