"""A Google service account's JSON key, as downloaded from the Google Cloud console: read and
checked once, where it is entered (the admin, the settings) and where it is used (Vertex AI)."""

import functools
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

REQUIRED_FIELDS = ("client_email", "private_key", "token_uri", "project_id")


class InvalidServiceAccountKey(ValueError):
    """The text is not a usable service-account key; the message says why, in French."""


@dataclass(frozen=True)
class ServiceAccount:
    client_email: str
    private_key: str
    private_key_id: str
    token_uri: str
    project_id: str


# Loading a private key checks it (about 50 ms of CPU on a busy machine): once per key, not
# at every question.
@functools.lru_cache(maxsize=16)
def parse_service_account(text: str) -> ServiceAccount:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise InvalidServiceAccountKey("La clé du compte de service n'est pas du JSON.") from error
    if not isinstance(data, dict) or data.get("type") != "service_account":
        raise InvalidServiceAccountKey(
            "Ce JSON n'est pas une clé de compte de service Google "
            "(« type »: « service_account » attendu)."
        )
    missing = [name for name in REQUIRED_FIELDS if not _is_text(data.get(name))]
    if missing:
        raise InvalidServiceAccountKey(
            "Il manque à la clé du compte de service : " + ", ".join(missing) + "."
        )
    try:
        private_key = load_pem_private_key(data["private_key"].encode(), password=None)
    except (ValueError, TypeError) as error:
        raise InvalidServiceAccountKey(
            "La clé privée du compte de service est illisible."
        ) from error
    if not isinstance(private_key, RSAPrivateKey):
        raise InvalidServiceAccountKey("La clé privée du compte de service n'est pas RSA.")
    token_uri = urlsplit(data["token_uri"])
    if token_uri.scheme not in ("http", "https") or not token_uri.hostname:
        raise InvalidServiceAccountKey("L'adresse « token_uri » de la clé est invalide.")
    return ServiceAccount(
        client_email=data["client_email"],
        private_key=data["private_key"],
        private_key_id=str(data.get("private_key_id") or ""),
        token_uri=data["token_uri"],
        project_id=data["project_id"],
    )


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
