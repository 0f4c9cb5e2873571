"""The checks every uploaded file passes, whatever it becomes: a new document or a new
version of one."""

import hashlib
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from documents.exceptions import UploadRejected
from documents.filetypes import check_upload_type

READ_BLOCK_SIZE = 1024 * 1024
STORAGE_DOWN = _(
    "Le fichier n'a pas été enregistré : le stockage des fichiers est momentanément "
    "indisponible. Déposez-le à nouveau dans un instant ; si cela dure, prévenez l'équipe "
    "informatique."
)


class FileTooLarge(UploadRejected):
    status = 413


def content_hash(stream: IO[bytes]) -> tuple[str, int]:
    """SHA-256 and size of a binary stream, read by blocks, rewound afterwards."""
    digest, size = hashlib.sha256(), 0
    stream.seek(0)
    while block := stream.read(READ_BLOCK_SIZE):
        digest.update(block)
        size += len(block)
    stream.seek(0)
    return digest.hexdigest(), size


def file_name(path: str) -> str:
    """The name of the file at `path` (a relative path, a Windows one, or a bare name)."""
    return PurePath(path.replace("\\", "/")).name


def check_upload(stream: IO[bytes], name: str) -> tuple[str, int]:
    """The SHA-256 and size of an uploaded file, once it passed the checks every upload
    passes: not empty, not too large, of a type that can be read and named for its type
    (`documents.filetypes`). Raises UploadRejected."""
    digest, size = content_hash(stream)
    check_size(size, name)
    check_upload_type(stream, name)
    return digest, size


def check_size(size: int, name: str) -> None:
    """Refuse an empty or too large file, before reading it when its size is known."""
    if size == 0:
        raise UploadRejected(_("Le fichier est vide."))
    if size > settings.UPLOAD_MAX_FILE_SIZE:
        limit = settings.UPLOAD_MAX_FILE_SIZE // settings.MEGABYTE
        raise FileTooLarge(
            _("Le fichier dépasse la taille maximale de %(limit)s Mo."), {"limit": limit}
        )
