"""The text of a document, cut into sections that remember their page or heading.

`extract` is the entry point: it recognises the format from the content, runs that
format's extractor and cleans the text the same way for every format.
"""

import dataclasses
import logging

from documents.exceptions import DocumentRejected
from documents.extraction.base import Extracted, Section
from documents.extraction.detection import PDF, detect_mime_type
from documents.extraction.normalize import normalize_text
from documents.extraction.registry import SUPPORTED_MIME_TYPES, extractor_for

__all__ = ["SUPPORTED_MIME_TYPES", "Extracted", "Section", "detect_mime_type", "extract"]

logger = logging.getLogger(__name__)

_MAX_ERROR_DETAIL = 200


def extract(data: bytes, *, filename: str, mime_type: str | None = None) -> Extracted:
    """The cleaned, non-empty sections of the file `data`, detecting its type unless given.

    Raises DocumentRejected, with a reason in French, for an empty, unsupported, corrupt or
    password-protected file and for a file without text. Any other error while parsing the
    file becomes a DocumentRejected too, so that one bad file never stops a batch.
    """
    if not data:
        raise DocumentRejected("Le fichier est vide.")
    try:
        mime_type = mime_type or detect_mime_type(data, filename)
        extracted = extractor_for(mime_type, data).extract(data, filename=filename)
    except DocumentRejected:
        raise
    except RecursionError as error:  # the parsing libraries walk their trees recursively
        raise DocumentRejected(
            "Structure du fichier trop profondément imbriquée pour être lue (des milliers "
            "d'éléments les uns dans les autres) : il est peut-être corrompu ou malveillant."
        ) from error
    except Exception as error:
        logger.warning("Extracting %s as %s failed.", filename, mime_type, exc_info=True)
        detail = f"{type(error).__name__} : {error}"[:_MAX_ERROR_DETAIL]
        raise DocumentRejected(
            f"Lecture du fichier impossible ({detail}) : il est peut-être corrompu."
        ) from error
    sections = _cleaned(extracted)
    if not sections:
        raise DocumentRejected(
            "Aucun texte exploitable dans ce fichier : il ne contient que des espaces, "
            "des images ou de la mise en forme."
        )
    return dataclasses.replace(extracted, sections=sections)


def _cleaned(extracted: Extracted) -> list[Section]:
    dehyphenate = extracted.mime_type == PDF
    sections = (
        Section(
            text=normalize_text(section.text, dehyphenate=dehyphenate),
            page=section.page,
            heading=normalize_text(section.heading),
        )
        for section in extracted.sections
    )
    return [section for section in sections if section.text]
