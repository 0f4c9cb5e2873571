"""Size L: a store of ~200,000 passages built from a smaller corpus ingested for real.

Rendering and ingesting 25,000 documents would take hours on 2 cores. So the large store is
built faster, still of real passages and vectors: the M corpus is uploaded and indexed once
through the API, then what was indexed is copied into further categories until the store
holds the passages wanted. A copy of a category is what its indexing would have written: per
indexed document, a new `Document` row (the same file, title, generation and counts) and its
`DocumentText` (the viewer's passages); per passage and per document summary, the same
vectors and payload under the id the indexing derives from the new document
(`documents.indexing.passage_key`), the new category and document in the payload.
Search and chat read nothing else. The near-duplicate signatures are not
copied (only indexing reads them), nor `similar_to` (a document of another category).

Qdrant Edge opens a store in one process only: copy while no server holds it.
"""

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice

from ai.passages import passage_store, point_id, summary_store
from ai.vectorstore import VectorPoint, VectorStore
from ai.vectorstore.base import SCROLL_PAGE_SIZE
from documents.indexing import passage_key
from documents.models import Category, Document, DocumentText


@dataclass(frozen=True)
class ScaledSize:
    """A size whose store is `base`'s corpus, ingested, then copied up to `passages`."""

    name: str
    base: str
    passages: int


# M holds 16,863 passages: eleven copies beside the original make ~202,000.
SCALED_SIZES = {"L": ScaledSize("L", base="M", passages=200_000)}


@dataclass(frozen=True)
class Growth:
    categories: list[str]  # the copies' slugs, in order
    documents: int  # documents copied
    passages: int  # the store's passages once grown
    seconds: float

    def as_dict(self) -> dict:
        return {
            "copies": len(self.categories),
            "documents_copied": self.documents,
            "store_passages": self.passages,
            "copy_seconds": round(self.seconds, 1),
        }


def grow_store(
    source: Category, *, passages: int, say: Callable[[str], None] = lambda line: None
) -> Growth:
    """Copies of `source` ("<name> — copie N") until the store holds `passages` passages."""
    started = time.perf_counter()
    store = passage_store()
    copies: list[str] = []
    documents = 0
    held = store.count()
    while held < passages:
        copy, copied = copy_category(source, name=f"{source.name} — copie {len(copies) + 1}")
        copies.append(copy.slug)
        documents += copied
        held = store.count()
        say(f"Copy {len(copies)}: {copied} documents; the store holds {held} passages.")
    return Growth(copies, documents, held, time.perf_counter() - started)


def copy_category(source: Category, *, name: str) -> tuple[Category, int]:
    """A new category `name`, set up as `source`, holding a copy of its indexed documents,
    their texts and their points; the number of documents copied."""
    copy = Category.objects.get(pk=source.pk)
    copy.pk, copy.slug, copy.name = None, "", name
    copy.save()
    originals = list(
        Document.objects.filter(category=source, status=Document.Status.INDEXED).order_by("pk")
    )
    new_ids = _copy_documents(originals, into=copy)
    _copy_points(passage_store(), source=source, into=copy, new_ids=new_ids, key=_passage_key)
    _copy_points(summary_store(), source=source, into=copy, new_ids=new_ids, key=_summary_key)
    return copy, len(originals)


def _copy_documents(originals: list[Document], *, into: Category) -> dict[int, int]:
    """Copy the rows; the new document id of each original."""
    old_ids = [document.pk for document in originals]
    for document in originals:
        document.pk, document.category = None, into
        document.similar_to, document.similarity = None, None
    created = Document.objects.bulk_create(originals)
    new_ids = {old: document.pk for old, document in zip(old_ids, created, strict=True)}
    texts = DocumentText.objects.filter(document_id__in=old_ids)
    DocumentText.objects.bulk_create(
        DocumentText(
            document_id=new_ids[text.document_id],
            text=text.text,
            passages=text.passages,
            generation=text.generation,
        )
        for text in texts.iterator()
    )
    return new_ids


def _copy_points(
    store: VectorStore,
    *,
    source: Category,
    into: Category,
    new_ids: Mapping[int, int],
    key: Callable[[int, Mapping[str, object]], str],
) -> None:
    """Write `source`'s document points of `store` again for the copied documents, page by
    page: a category's vectors are never all in memory."""
    found = store.scroll_points(payload_filter={"category_id": source.pk, "kind": "document"})
    copies = _copies(found, into=into, new_ids=new_ids, key=key)
    while page := list(islice(copies, SCROLL_PAGE_SIZE)):
        store.upsert(page)


def _copies(
    points: Iterable[VectorPoint],
    *,
    into: Category,
    new_ids: Mapping[int, int],
    key: Callable[[int, Mapping[str, object]], str],
) -> Iterator[VectorPoint]:
    for point in points:
        document_id = new_ids.get(int(point.payload["document_id"]))
        if document_id is None:  # a document no longer indexed: not copied
            continue
        payload = {**point.payload, "category_id": into.pk, "document_id": document_id}
        yield VectorPoint(
            id=point_id(key(document_id, point.payload)),
            dense=point.dense,
            payload=payload,
            sparse=point.sparse,
        )


def _passage_key(document_id: int, payload: Mapping[str, object]) -> str:
    return passage_key(document_id, str(payload["generation"]), int(payload["position"]))


def _summary_key(document_id: int, payload: Mapping[str, object]) -> str:
    # As `documents.indexing` names a document's summary.
    return f"summary:{document_id}:{payload['generation']}"
