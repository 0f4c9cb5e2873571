"""Start-up actions shared by the management commands: first administrator, storage."""

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import transaction


@dataclass(frozen=True)
class SuperuserOutcome:
    username: str
    created: bool
    generated_password: str | None = None


@transaction.atomic
def ensure_superuser(*, username: str, email: str = "", password: str = "") -> SuperuserOutcome:
    """Create the administrator unless it exists; never with a built-in default password.

    Without a password one is generated: the caller shows it once, it is not stored
    anywhere else. An existing account is left untouched.
    """
    users = get_user_model().objects
    if users.filter(username=username).exists():
        return SuperuserOutcome(username=username, created=False)
    generated = None if password else secrets.token_urlsafe(12)
    users.create_superuser(username=username, email=email, password=password or generated)
    return SuperuserOutcome(username=username, created=True, generated_password=generated)


def ensure_storage_ready() -> str:
    """Create the S3 bucket (or the local media folder) if it is missing; say which."""
    bucket = getattr(default_storage, "bucket", None)
    if bucket is None:
        Path(default_storage.location).mkdir(parents=True, exist_ok=True)
        return f"local folder {default_storage.location}"
    client = bucket.meta.client
    existing = {entry["Name"] for entry in client.list_buckets().get("Buckets", [])}
    if bucket.name not in existing:
        client.create_bucket(Bucket=bucket.name)
    return f"S3 bucket {bucket.name}"
