"""What the document viewer shows: the extracted text of a document, a cited passage in it.

The viewer never renders a document's own markup: an HTML or Markdown file is shown as
the text its extractor read, escaped by the template like any other text. PDFs are the
exception the browser handles itself, in its PDF viewer (`documents.views.open_document`).

A passage is cited by its vector-store point id (`ai.retrieval.Result.id`). That id
derives from the document, the indexing generation and the passage's position
(`documents.indexing.passage_key`), so the position is found by recomputing the ids of the
document's current generation, and the passage's text is read from the `DocumentText`
kept by that indexing run.

Above the text, the page says whether the document is in force today (`standing`), and
which document repealed it, when the reader may open that one, or that it is archived.
"""

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from ai.passages import point_id
from common.storage import STORAGE_ERRORS
from documents import indexing
from documents.chunking import split_sections
from documents.exceptions import DocumentRejected
from documents.extraction import extract
from documents.extraction.detection import PDF
from documents.models import Document, DocumentText
from documents.selectors import readable_categories
from documents.validity import Validity

logger = logging.getLogger(__name__)

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class TextWithPassage:
    """A document's text cut around the cited passage, ready to be escaped and shown.

    `found` is False when the passage could not be located in the text: `passage` is then
    shown on its own, above the whole text (held in `before`).
    """

    before: str
    passage: str = ""
    after: str = ""
    found: bool = False


@dataclass(frozen=True)
class Standing:
    """Where a document stands today, for the banner above it."""

    validity: Validity
    repealed: bool
    repealed_by: Document | None = None
    """The document that repealed it, when the reader may open it."""
    archived: bool = False


def standing(document: Document, user: AbstractBaseUser | AnonymousUser) -> Standing:
    repealing = document.repealed_by
    readable = repealing is not None and (
        readable_categories(user).filter(pk=repealing.category_id).exists()
    )
    return Standing(
        validity=document.validity_on(timezone.localdate()),
        repealed=repealing is not None,
        repealed_by=repealing if readable else None,
        archived=document.archived_at is not None,
    )


def is_pdf(document: Document) -> bool:
    """Uploads are checked against their extension (`documents.filetypes`): before indexing
    has detected the type, a « .pdf » name is as good as the content."""
    if document.mime_type:
        return document.mime_type == PDF
    return document.original_filename.lower().endswith(".pdf")


def document_text(document: Document, *, extract_again: bool = True) -> DocumentText | None:
    """The text kept by the document's last indexing, or extracted again when it has none.

    Documents indexed before their text was kept get it here, once (unless `extract_again`
    is False: a scanned PDF would go through OCR): it is stored when the chunking still
    gives the passages in the vector store (same generation), so passage ids keep
    resolving. None when the file cannot be read or holds no text.
    """
    kept = DocumentText.objects.filter(document=document).first()
    if kept is not None and kept.generation == document.index_generation:
        return kept
    if not extract_again:
        return None
    try:
        with document.file.open("rb") as stored:
            data = stored.read()
        extracted = extract(data, filename=document.original_filename or document.file.name)
    except (DocumentRejected, *STORAGE_ERRORS) as error:
        logger.warning("No text to show for document %s: %s", document.pk, error)
        return kept
    chunks = split_sections(
        extracted.sections, size=settings.SPLIT_CHUNK_SIZE, overlap=settings.SPLIT_CHUNK_OVERLAP
    )
    text = DocumentText(
        document=document,
        text=indexing.extracted_text(extracted.sections),
        passages=[chunk.text for chunk in chunks],
        generation=document.index_generation,
    )
    if document.index_generation and document.index_generation == indexing.generation_of(document):
        text.save()
    else:
        text.passages = []
    return text


def passage_text(document: Document, text: DocumentText, chunk_id: str) -> str:
    """The text of the passage whose point id is `chunk_id`; empty if not one of `document`'s."""
    if not chunk_id or not text.generation:
        return ""
    for position, passage in enumerate(text.passages):
        if point_id(indexing.passage_key(document.pk, text.generation, position)) == chunk_id:
            return passage
    return ""


def text_with_passage(text: str, passage: str) -> TextWithPassage:
    """`text` cut around `passage`, found whatever the whitespace between its words.

    A passage that begins with a heading line written in by the chunking (short sections
    merged) is looked for without it too.
    """
    if not passage.strip():
        return TextWithPassage(before=text)
    lines = passage.strip().split("\n", 1)
    candidates = [passage] + ([lines[1]] if len(lines) > 1 else [])
    for candidate in candidates:
        match = _loose_pattern(candidate).search(text)
        if match:
            return TextWithPassage(
                before=text[: match.start()],
                passage=match.group(),
                after=text[match.end() :],
                found=True,
            )
    return TextWithPassage(before=text, passage=passage.strip())


def _loose_pattern(passage: str) -> re.Pattern[str]:
    words = _WHITESPACE.split(passage.strip())
    return re.compile(r"\s+".join(re.escape(word) for word in words))
