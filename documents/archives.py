"""Reading uploaded ZIP archives safely, and the folder-path → title rule they share.

An archive is untrusted input: its central directory can claim anything. So the limits are
checked twice, on what the headers declare (cheap, before reading anything) and on the
bytes actually decompressed (zip bombs lie in their headers). Entry names are only ever
used as text — titles and report lines — and never as a path on disk: each entry is
copied to an anonymous temporary file.

Titles: the folders of an entry, then its file name without extension, joined by " — ",
with "_" read as a space: `RH/Congés/guide_2024.pdf` → « RH — Congés — guide 2024 ».
The archive's own name is not part of the title. The command applies the same rule to the
files of a folder, relative to that folder.
"""

import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from documents.exceptions import UploadRejected

ARCHIVE_SUFFIXES = (".zip",)
TITLE_SEPARATOR = " — "
TITLE_MAX_LENGTH = 300  # Document.title's max_length
READ_BLOCK_SIZE = 1024 * 1024

# Folders and files that operating systems and office suites leave behind, never documents.
IGNORED_NAMES = {"__macosx", "thumbs.db", "desktop.ini", "$recycle.bin"}
IGNORED_PREFIXES = (".", "~$")

_ENCRYPTED_FLAG = 0x1
_UTF8_NAME_FLAG = 0x800
_UNICODE_PATH_EXTRA_FIELD = 0x7075  # Info-ZIP: the UTF-8 name, for archivers without the flag
_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ArchiveEntry:
    """One file of an archive: either its content (`stream`) or why it is refused.

    `stream` is only readable until the iteration moves on to the next entry.
    """

    path: str
    title: str
    stream: IO[bytes] | None = None
    rejection: str = ""


def is_archive(filename: str) -> bool:
    """Archives are recognised by their extension: DOCX and ODT are ZIP files too."""
    return filename.lower().endswith(ARCHIVE_SUFFIXES)


def is_ignored(parts: Sequence[str]) -> bool:
    """Hidden files and folders, `__MACOSX/`, `Thumbs.db`, Office lock files (`~$…`)."""
    return any(part.lower() in IGNORED_NAMES or part.startswith(IGNORED_PREFIXES) for part in parts)


def title_from_path(path: str) -> str:
    """« RH — Congés — guide » for `RH/Congés/guide.pdf` (see the module docstring)."""
    parts = [part for part in path.replace("\\", "/").split("/") if part]
    if not parts:
        return ""
    parts[-1] = PurePosixPath(parts[-1]).stem
    words = [" ".join(part.replace("_", " ").split()) for part in parts]
    return TITLE_SEPARATOR.join(word for word in words if word)[:TITLE_MAX_LENGTH]


def expand_zip(
    stream: IO[bytes],
    *,
    max_entries: int,
    max_total_size: int,
    max_entry_size: int | None = None,
) -> Iterator[ArchiveEntry]:
    """The files of a ZIP archive, in archive order, each read within the limits.

    Raises UploadRejected at once when the stream is not a ZIP archive or when its headers
    declare more than `max_entries` entries or `max_total_size` bytes, and during the
    iteration when the decompressed bytes exceed `max_total_size` (the rest of the archive
    is then abandoned). A single bad entry — encrypted, unsafe name, too large, corrupt —
    is yielded with a `rejection` instead, and the others go on. Directories and system
    files are skipped silently. `max_entry_size` defaults to UPLOAD_MAX_FILE_SIZE.
    """
    if max_entry_size is None:
        max_entry_size = settings.UPLOAD_MAX_FILE_SIZE
    archive = _open_archive(stream)
    members = archive.infolist()
    if len(members) > max_entries:
        raise UploadRejected(
            _("L'archive contient %(count)s éléments : au plus %(most)s sont acceptés."),
            {"count": len(members), "most": max_entries},
        )
    if sum(member.file_size for member in members) > max_total_size:
        raise UploadRejected(
            _("Une fois décompressée, l'archive dépasserait %(size)s Mo."),
            {"size": _megabytes(max_total_size)},
        )
    return _entries(archive, members, max_total_size=max_total_size, max_entry_size=max_entry_size)


def _open_archive(stream: IO[bytes]) -> zipfile.ZipFile:
    try:
        stream.seek(0)
        return zipfile.ZipFile(stream)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        ValueError,
        OSError,
        EOFError,
    ):
        raise UploadRejected(_("Ce fichier n'est pas une archive ZIP lisible.")) from None


def _entries(
    archive: zipfile.ZipFile,
    members: list[zipfile.ZipInfo],
    *,
    max_total_size: int,
    max_entry_size: int,
) -> Iterator[ArchiveEntry]:
    budget = _Budget(max_total_size)
    with archive:
        for member in members:
            path = decoded_name(member)
            parts = [part for part in path.replace("\\", "/").split("/") if part not in ("", ".")]
            if member.is_dir() or not parts or (is_ignored(parts) and ".." not in parts):
                continue
            clean_path = "/".join(parts)
            title = title_from_path(clean_path)
            rejection = _rejection(member, path, parts, max_entry_size)
            if rejection:
                yield ArchiveEntry(clean_path, title, rejection=rejection)
                continue
            with tempfile.SpooledTemporaryFile(settings.FILE_UPLOAD_MAX_MEMORY_SIZE) as copy:
                rejection = _extract(archive, member, copy, budget, max_entry_size)
                if rejection:
                    yield ArchiveEntry(clean_path, title, rejection=rejection)
                    continue
                copy.seek(0)
                yield ArchiveEntry(clean_path, title, stream=copy)


class _Budget:
    """The decompressed bytes an archive may still produce."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.left = total


def _extract(
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    target: IO[bytes],
    budget: _Budget,
    max_entry_size: int,
) -> str:
    """Decompress `member` into `target`; return why it is refused, or an empty string.

    Counts the real bytes, not the declared ones: past the archive's budget the whole
    archive is refused (UploadRejected), past `max_entry_size` only this entry.
    """
    limit = min(max_entry_size, budget.left)
    try:
        copied = _copy_at_most(archive, member, target, limit)
    except NotImplementedError:
        return str(_("Le fichier utilise une méthode de compression non prise en charge."))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return str(_("Le fichier est corrompu dans l'archive."))
    budget.left -= min(copied, limit)
    if copied <= limit:
        return ""
    if limit < max_entry_size:
        raise UploadRejected(
            _("Une fois décompressée, l'archive dépasse %(size)s Mo : lecture interrompue."),
            {"size": _megabytes(budget.total)},
        )
    return _too_large(max_entry_size)


def _rejection(member: zipfile.ZipInfo, path: str, parts: list[str], max_entry_size: int) -> str:
    """Why this entry is refused before reading it, or an empty string."""
    name = parts[-1]
    if path.startswith(("/", "\\")) or _DRIVE_LETTER.match(path) or ".." in parts:
        return str(_("Chemin dangereux (absolu ou remontant avec « .. »), ignoré."))
    if member.flag_bits & _ENCRYPTED_FLAG:
        return str(
            _(
                "Le fichier est protégé par un mot de passe : retirez la protection puis "
                "déposez-le à nouveau."
            )
        )
    if is_archive(name):
        return str(_("Le fichier est une archive dans l'archive : décompressez-la d'abord."))
    if member.file_size > max_entry_size:
        return _too_large(max_entry_size)
    return ""


def _copy_at_most(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: IO[bytes], limit: int
) -> int:
    """Decompress `member` into `target`, stopping past `limit`; return the bytes read.

    More than `limit` means the entry is larger than allowed, whatever its header said.
    """
    copied = 0
    with archive.open(member) as source:
        while block := source.read(min(READ_BLOCK_SIZE, limit + 1 - copied)):
            target.write(block)
            copied += len(block)
            if copied > limit:
                break
    return copied


def decoded_name(member: zipfile.ZipInfo) -> str:
    """The entry's name as its author typed it.

    Without the UTF-8 flag, zipfile decodes names as cp437. Archivers that wrote UTF-8
    anyway (macOS, Linux) are recognised by the bytes decoding as UTF-8, or by Info-ZIP's
    Unicode path field; the rest were written by Windows in the OEM code page, cp850 in
    French (« Congés.pdf »), which cp437 misreads for several accented capitals.
    """
    if member.flag_bits & _UTF8_NAME_FLAG:
        return member.orig_filename
    raw = member.orig_filename.encode("cp437")
    unicode_path = _unicode_path_field(member.extra, raw)
    if unicode_path:
        return unicode_path
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp850")


def _unicode_path_field(extra: bytes, raw_name: bytes) -> str:
    """The name in an Info-ZIP Unicode Path extra field, if it matches the raw name."""
    offset = 0
    while offset + 4 <= len(extra):
        field_id, size = struct.unpack_from("<HH", extra, offset)
        data = extra[offset + 4 : offset + 4 + size]
        offset += 4 + size
        if field_id != _UNICODE_PATH_EXTRA_FIELD or len(data) < 5 or data[0] != 1:
            continue
        # The field is stale when another tool renamed the entry without updating it.
        if struct.unpack_from("<I", data, 1)[0] != zlib.crc32(raw_name):
            continue
        try:
            return data[5:].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return ""


def _too_large(limit: int) -> str:
    return _("Le fichier dépasse la taille maximale de %(limit)s Mo.") % {
        "limit": _megabytes(limit)
    }


def _megabytes(size: int) -> str:
    megabytes = size / settings.MEGABYTE
    return f"{megabytes:.0f}" if megabytes >= 10 or megabytes.is_integer() else f"{megabytes:.2f}"
