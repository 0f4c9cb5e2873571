"""Drift between the database and the vector store: found, counted, and repaired.

The database says what should be searchable, the vector store holds what is; a write lost
between the two (a worker killed between two steps, a task given up after its retries, a
store restored from an older copy) makes them drift apart. The kinds of drift, and how
each is repaired:

- `orphan_passages`: passages or document summaries of a document the database no longer
  has → deleted;
- `missing_passages`: an indexed document (passages recorded, the current embedding model)
  holding fewer passages of its active generation than it recorded → indexed again;
- `stale_category`: passages whose `category_id` is no longer their document's → those
  deleted at once (readers of the old category must not go on finding them, as
  `services.follow_change` does for a move), then the document indexed again;
- `stale_generations`: passages of a generation other than the document's active one
  (`Document.index_generation`) → deleted. Searches already ignore them
  (`selectors.active_generations`); deleting them frees the store. A document pending or
  processing is left alone: the generation it is writing is recorded nowhere until it is
  switched, so it cannot be told from a stale one. The status is read again just before
  the deletion, and only the generations the scan saw are deleted, by name;
- `other_model`: indexed documents whose embedding model is not the current one → indexed
  again (`selectors.documents_indexed_with_another_model`);
- `orphan_corrections`: passages of a deleted correction → deleted;
- `missing_corrections`: a correction without its passage, or with it under another
  category → written again (same point id: it overwrites).

Validity dates (in force from, until) are not in the payloads: searches filter them from
the database at query time, so there is nothing of theirs to check here.

Cost: the store is read by scrolling payloads reduced to five small fields, without
vectors, a page at a time (`VectorStore.scroll_payloads`), and the database by three
queries of a few columns: at 25,000 documents and 500,000 passages, five hundred requests
and a small dictionary per document (Qdrant Edge scrolled 100,000 passages in 1.4 s on a
busy 2-core machine, their texts and vectors left out).

The store is read before the database, so that every passage seen belongs to a row
committed before it; and each finding is checked again against the database just before
it is repaired, so that a change made during the check (a document deleted, indexed,
moved) is not undone by it.
"""

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.utils import timezone

from ai.embeddings import EmbeddingUnavailable
from ai.passages import delete_passages, stored_passage_count, stored_payloads
from ai.vectorstore import VectorStoreError
from documents.models import Correction, Document, IndexCheck
from documents.selectors import documents_indexed_with_another_model
from documents.services import index_correction, reindex_selected

KINDS = IndexCheck.Kind.values
EXAMPLES = 5
# Checks kept for the dashboard's history; older ones are deleted.
KEPT_CHECKS = 100
BEING_INDEXED = (Document.Status.PENDING, Document.Status.PROCESSING)
PAYLOAD_FIELDS = ("kind", "document_id", "correction_id", "category_id", "generation")
ID_BATCH = 500  # keeps `pk IN (...)` under the database's parameter limits
SERVICE_ERRORS = (EmbeddingUnavailable, VectorStoreError)


@dataclass
class StoredDocument:
    """What the store holds of one document."""

    passages: Counter[str] = field(default_factory=Counter)
    """Its passages per generation (summaries aside)."""
    generations: set[str] = field(default_factory=set)
    """The generations of its passages and summaries."""
    categories: set[int] = field(default_factory=set)


@dataclass
class StoreContents:
    documents: dict[int, StoredDocument] = field(default_factory=dict)
    corrections: dict[int, set[int]] = field(default_factory=dict)
    """Each correction's passage categories (one, unless it drifted)."""

    def add(self, payload: Mapping[str, object], *, summary: bool) -> None:
        category_id = payload.get("category_id")
        if payload.get("kind") == "correction":
            categories = self.corrections.setdefault(int(payload["correction_id"]), set())
        else:
            stored = self.documents.setdefault(int(payload["document_id"]), StoredDocument())
            generation = str(payload.get("generation", ""))
            stored.generations.add(generation)
            if not summary:
                stored.passages[generation] += 1
            categories = stored.categories
        if category_id is not None:
            categories.add(int(category_id))


def read_store() -> StoreContents:
    """The current model's passages and summaries, reduced to what the check compares."""
    contents = StoreContents()
    for summary in (False, True):
        for payload in stored_payloads(PAYLOAD_FIELDS, summaries=summary):
            contents.add(payload, summary=summary)
    return contents


@dataclass
class Drift:
    """What the check found, by kind (`IndexCheck.Kind`); the ids are documents' or
    corrections'."""

    orphan_passages: set[int] = field(default_factory=set)
    missing_passages: set[int] = field(default_factory=set)
    stale_category: set[int] = field(default_factory=set)
    stale_generations: dict[int, set[str]] = field(default_factory=dict)
    other_model: set[int] = field(default_factory=set)
    orphan_corrections: set[int] = field(default_factory=set)
    missing_corrections: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {kind: len(getattr(self, kind)) for kind in KINDS}

    def examples(self) -> dict[str, list[int]]:
        return {kind: sorted(getattr(self, kind))[:EXAMPLES] for kind in KINDS}


def find_drift() -> Drift:
    """Compare the vector store with the database (the store first: see the module)."""
    stored = read_store()
    documents = {
        pk: (category_id, status, chunk_count, generation)
        for pk, category_id, status, chunk_count, generation in Document.objects.values_list(
            "pk", "category_id", "status", "chunk_count", "index_generation"
        )
    }
    drift = Drift(
        other_model=set(documents_indexed_with_another_model().values_list("pk", flat=True))
    )
    for pk, held in stored.documents.items():
        if pk not in documents:
            drift.orphan_passages.add(pk)
            continue
        category_id, status, _count, active = documents[pk]
        if held.categories - {category_id}:
            drift.stale_category.add(pk)
        if status not in BEING_INDEXED and held.generations - {active}:
            drift.stale_generations[pk] = held.generations - {active}
    for pk, (_category, status, chunk_count, active) in documents.items():
        held = stored.documents.get(pk, StoredDocument())
        if (
            status == Document.Status.INDEXED
            and chunk_count
            and pk not in drift.other_model
            and held.passages[active] < chunk_count
        ):
            drift.missing_passages.add(pk)
    corrections = dict(Correction.objects.values_list("pk", "category_id"))
    drift.orphan_corrections = set(stored.corrections) - set(corrections)
    drift.missing_corrections = {
        pk for pk, category_id in corrections.items() if stored.corrections.get(pk) != {category_id}
    }
    return drift


def repair_drift(drift: Drift) -> dict[str, int]:
    """Repair what `drift` found, each finding checked again first; return how many of
    each kind were repaired. The stale categories go first: they are the ones readers
    must stop seeing."""
    return {
        "stale_category": _repair_stale_categories(drift.stale_category),
        "orphan_passages": _repair_orphan_passages(drift.orphan_passages),
        "stale_generations": _repair_stale_generations(drift.stale_generations),
        "missing_passages": _repair_missing_passages(drift.missing_passages),
        "other_model": reindex_selected(documents_indexed_with_another_model()),
        "orphan_corrections": _repair_orphan_corrections(drift.orphan_corrections),
        "missing_corrections": _repair_missing_corrections(drift.missing_corrections),
    }


def _repair_stale_categories(document_ids: Collection[int]) -> int:
    current = _column(Document.objects.all(), document_ids, "category_id")
    for pk, category_id in current.items():
        delete_passages({"document_id": pk}, keep={"category_id": category_id})
    idle = Document.objects.filter(pk__in=list(current)).exclude(status__in=BEING_INDEXED)
    reindex_selected(idle)
    return len(current)


def _repair_orphan_passages(document_ids: Collection[int]) -> int:
    gone = set(document_ids) - set(_column(Document.objects.all(), document_ids, "pk"))
    if gone:
        delete_passages({"document_id": sorted(gone)})
    return len(gone)


def _repair_stale_generations(stale: Mapping[int, set[str]]) -> int:
    idle = Document.objects.exclude(status__in=BEING_INDEXED)
    repaired = 0
    for pk, active in _column(idle, stale, "index_generation").items():
        if generations := sorted(stale[pk] - {active}):
            delete_passages({"document_id": pk, "generation": generations})
            repaired += 1
    return repaired


def _repair_missing_passages(document_ids: Collection[int]) -> int:
    indexed = Document.objects.filter(status=Document.Status.INDEXED).exclude(chunk_count=0)
    missing = [
        pk
        for pk, (generation, chunk_count) in _columns(
            indexed, document_ids, "index_generation", "chunk_count"
        ).items()
        if stored_passage_count({"kind": "document", "document_id": pk, "generation": generation})
        < chunk_count
    ]
    return reindex_selected(Document.objects.filter(pk__in=missing))


def _repair_orphan_corrections(correction_ids: Collection[int]) -> int:
    gone = set(correction_ids) - set(_column(Correction.objects.all(), correction_ids, "pk"))
    if gone:
        delete_passages({"correction_id": sorted(gone)})
    return len(gone)


def _repair_missing_corrections(correction_ids: Collection[int]) -> int:
    existing = _column(Correction.objects.all(), correction_ids, "pk")
    for pk in existing:
        index_correction(correction_id=pk)
    return len(existing)


def _column(queryset, ids: Iterable[int], name: str) -> dict[int, object]:
    """`name` of each row of `queryset` among `ids`, by id (batched)."""
    return {pk: values[0] for pk, values in _columns(queryset, ids, name).items()}


def _columns(queryset, ids: Iterable[int], *names: str) -> dict[int, tuple]:
    found: dict[int, tuple] = {}
    for batch in _batches(ids):
        for pk, *values in queryset.filter(pk__in=batch).values_list("pk", *names):
            found[pk] = tuple(values)
    return found


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted(ids)
    for start in range(0, len(ids), ID_BATCH):
        yield ids[start : start + ID_BATCH]


def check_index(*, repair: bool) -> IndexCheck:
    """Compare the database with the vector store and record what drifted; with `repair`,
    repair it too. The record is kept whatever happens: a service down is its `error`;
    any other failure is recorded too, then raised."""
    check = IndexCheck.objects.create(repair=repair)
    try:
        drift = find_drift()
        check.found, check.examples = drift.counts(), drift.examples()
        if repair:
            check.repaired = repair_drift(drift)
    except Exception as exc:
        check.error = f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, SERVICE_ERRORS):
            raise
    finally:
        check.finished_at = timezone.now()
        check.save()
        _forget_old_checks()
    return check


def _forget_old_checks() -> None:
    kept = IndexCheck.objects.values_list("pk", flat=True)[:KEPT_CHECKS]
    IndexCheck.objects.exclude(pk__in=list(kept)).delete()
