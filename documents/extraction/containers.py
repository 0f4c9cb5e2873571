"""Office documents and OpenDocument files are ZIP archives of XML: checked before parsing.

python-docx, openpyxl and odfpy decompress whole entries into memory, so a file of a few
hundred kilobytes can inflate to gigabytes (a zip bomb). Their XML parsers each treat
DOCTYPE declarations their own way (lxml without entity resolution for python-docx,
defusedxml for odfpy and for openpyxl's worksheets); neither format ever needs one, so a
DOCTYPE is refused before any parser sees it, whatever that parser would have made of it.

The limits are measured on the bytes actually decompressed: the sizes in a ZIP's headers are
the word of whoever made the file.
"""

import io
import re
import zipfile
import zlib

from django.conf import settings

from documents.exceptions import DocumentRejected

READ_BLOCK_SIZE = 1024 * 1024
# A small entry may compress very well (a part made of blanks): the ratio counts past this.
RATIO_GRACE_SIZE = 1024 * 1024
# Word, Excel and LibreOffice only store or deflate; bzip2 and LZMA can inflate a single
# read by hundreds of megabytes, so they are refused rather than read.
_USUAL_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# "<!DOCTYPE" or "<!ENTITY" in the encodings an XML parser accepts without a declaration.
_DECLARATION = re.compile(
    b"|".join(
        re.escape(keyword.encode(encoding))
        for keyword in ("<!DOCTYPE", "<!ENTITY")
        for encoding in ("ascii", "utf-16-le", "utf-16-be")
    ),
    re.IGNORECASE,
)
_OVERLAP = len("<!DOCTYPE".encode("utf-16-le"))
_ENTRY_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, OSError)


def check_container(data: bytes) -> None:
    """DocumentRejected, saying why, when the ZIP container `data` is hostile.

    Hostile: more entries than OFFICE_MAX_ENTRIES, more than OFFICE_MAX_UNCOMPRESSED_SIZE
    bytes once decompressed, an entry inflating more than OFFICE_MAX_COMPRESSION_RATIO
    times, an unusual compression method, or a DOCTYPE/ENTITY declaration. A container or
    an entry that cannot be read is left to the format's library, which reports it corrupt.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return
    with archive:
        members = archive.infolist()
        if len(members) > settings.OFFICE_MAX_ENTRIES:
            raise DocumentRejected(
                f"Document refusé : son conteneur ZIP compte {len(members)} éléments, au plus "
                f"{settings.OFFICE_MAX_ENTRIES} sont acceptés."
            )
        budget = settings.OFFICE_MAX_UNCOMPRESSED_SIZE
        for member in members:
            budget -= _inspect(archive, member, budget)


def _inspect(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int) -> int:
    """Decompress `member` by blocks, checking each; return the bytes it inflated to."""
    name = member.filename[:100]
    if member.compress_type not in _USUAL_METHODS:
        raise DocumentRejected(
            f"Document refusé : « {name} » est compressé d'une manière que Word, Excel et "
            "LibreOffice n'emploient pas (possible bombe de décompression)."
        )
    inflated, tail = 0, b""
    max_ratio = settings.OFFICE_MAX_COMPRESSION_RATIO
    try:
        with archive.open(member) as entry:
            while block := entry.read(READ_BLOCK_SIZE):
                inflated += len(block)
                if inflated > budget:
                    raise _too_large()
                if inflated > max(RATIO_GRACE_SIZE, max_ratio * member.compress_size):
                    raise DocumentRejected(
                        f"Document refusé : « {name} » se décompresse plus de {max_ratio} fois "
                        "plus gros que dans le fichier : c'est une bombe de décompression."
                    )
                if _DECLARATION.search(tail + block):
                    raise DocumentRejected(
                        "Document refusé par sécurité : il contient une déclaration XML "
                        f"DOCTYPE ou ENTITY (dans « {name} »), que Word, Excel et LibreOffice "
                        "n'écrivent jamais."
                    )
                tail = block[-_OVERLAP:]
    except _ENTRY_ERRORS:  # corrupt or encrypted: the library says so in its own words
        pass
    return inflated


def _too_large() -> DocumentRejected:
    limit = settings.OFFICE_MAX_UNCOMPRESSED_SIZE // settings.MEGABYTE
    return DocumentRejected(
        f"Document refusé : une fois décompressé, il dépasserait {limit} Mo "
        "(possible bombe de décompression)."
    )
