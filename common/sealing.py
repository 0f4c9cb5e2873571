"""Text only its owner may read again: sealed (encrypted and authenticated) at rest.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with a key derived from
SECRET_KEY for this purpose alone. Keys derived from SECRET_KEY_FALLBACKS still open what
was sealed before a rotation; once a former key is dropped, what it sealed can no longer be
opened and `unseal` gives None — the caller falls back to what everyone else reads.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PURPOSE = b"cassandre.sealing"


def seal(text: str) -> str:
    """`text` encrypted under the current key, as ASCII."""
    return _keys().encrypt(text.encode()).decode("ascii")


def unseal(sealed: str) -> str | None:
    """The text `seal` gave `sealed` for, or None when no key at hand opens it."""
    try:
        return _keys().decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        return None


def _keys() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([_fernet(secret) for secret in secrets])


def _fernet(secret: str) -> Fernet:
    key = hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))
