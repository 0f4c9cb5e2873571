"""The ingestion pipeline on the real parts: extraction, local embeddings, Qdrant Edge."""

import io
import threading
import zipfile
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from ai.embeddings import get_embedder
from ai.passages import delete_passages, passage_store, summary_store
from documents import indexing, services
from documents.indexing import TransientIndexingError
from documents.models import Document
from documents.selectors import documents_indexed_with_another_model
from documents.tasks import index_document as index_document_task
from documents.tasks import requeue_unfinished_documents
from documents.tests.builders import pdf
from documents.tests.factories import CategoryFactory, CorrectionFactory, DocumentFactory
from documents.uploads import IncomingFile, upload_files

pytestmark = pytest.mark.django_db

GUIDE = "\n\n".join(
    f"Article {n}. Le télétravail est possible {n} jours par mois, sur demande écrite au "
    "chef de service, qui répond sous quinze jours." * 3
    for n in range(1, 13)
)


def make_document(content: bytes | str, name: str = "guide.txt", **fields) -> Document:
    data = content.encode() if isinstance(content, str) else content
    return DocumentFactory(file=ContentFile(data, name=name), **fields)


def index(document: Document) -> Document:
    indexing.index_document(document.pk)
    document.refresh_from_db()
    return document


def passages_of(document: Document, **extra) -> int:
    return passage_store().count({"document_id": document.pk, **extra})


def test_a_text_document_becomes_indexed_passages():
    document = index(make_document(GUIDE))
    assert document.status == Document.Status.INDEXED
    assert document.chunk_count > 1
    assert document.progress == 100
    assert document.mime_type == "text/plain"
    assert document.embedding_model == get_embedder().model_id
    assert document.indexed_at is not None
    assert passages_of(document) == document.chunk_count


def test_each_passage_carries_where_it_comes_from():
    document = index(make_document(pdf("Première page.", "Le barème de 2024."), "bareme.pdf"))
    hits = passage_store().search(get_embedder().embed(["barème 2024"])[0], limit=5)
    payload = next(hit.payload for hit in hits if "barème" in str(hit.payload["text"]))
    assert payload["document_id"] == document.pk
    assert payload["category_id"] == document.category_id
    assert payload["title"] == "bareme"
    assert payload["filename"] == "bareme.pdf"
    assert payload["page"] == 2
    assert payload["kind"] == "document"
    assert document.page_count == 2


def test_hints_are_attached_to_the_passages_of_their_pages():
    document = make_document(
        pdf("Introduction.", "Barème des indemnités."),
        "bareme.pdf",
        hints="page 2 : barème applicable en 2024 ; toutes pages : circulaire DGS",
    )
    index(document)
    hits = passage_store().search(get_embedder().embed(["barème"])[0], limit=5)
    hints = {hit.payload["page"]: hit.payload["hint"] for hit in hits}
    assert hints == {1: "circulaire DGS", 2: "barème applicable en 2024 ; circulaire DGS"}


def test_a_malformed_hint_is_reported_without_stopping_indexing():
    document = index(make_document(GUIDE, hints="page deux : oups ; toutes pages : RH"))
    assert document.status == Document.Status.INDEXED
    assert "page deux : oups" in document.warnings


def test_a_corrupt_pdf_fails_only_that_document():
    broken = make_document(pdf("Texte")[:300], "casse.pdf")
    good = make_document(GUIDE, "bon.txt")
    assert index(broken).status == Document.Status.FAILED
    assert broken.error_message
    assert index(good).status == Document.Status.INDEXED
    assert passages_of(broken) == 0


def test_a_fault_of_the_indexing_itself_fails_only_that_document_with_its_reason(monkeypatch):
    """A bug met by one document (a stemmer shared by two threads once raised IndexError)
    must not leave it « en cours » for ever nor stop the next one."""
    unlucky = make_document(GUIDE, "malchanceux.txt")
    good = make_document(GUIDE.replace("télétravail", "formation"), "bon.txt")
    prepare = indexing.prepare_document

    def fault_on_the_first(document, content):
        if document.pk == unlucky.pk:
            raise IndexError("string index out of range")
        return prepare(document, content)

    monkeypatch.setattr(indexing, "prepare_document", fault_on_the_first)

    assert index(unlucky).status == Document.Status.FAILED
    assert "IndexError" in unlucky.error_message
    assert index(good).status == Document.Status.INDEXED


def test_identical_content_in_the_same_category_is_not_indexed_twice():
    first = index(make_document(GUIDE, "a.txt"))
    second = index(make_document(GUIDE, "b.txt", category=first.category))
    assert second.status == Document.Status.FAILED
    assert "Doublon" in second.error_message and str(first) in second.error_message
    assert passages_of(second) == 0


def test_identical_content_in_another_category_is_indexed():
    index(make_document(GUIDE, "a.txt"))
    other = index(make_document(GUIDE, "a.txt", category=CategoryFactory()))
    assert other.status == Document.Status.INDEXED


def test_indexing_the_same_document_twice_is_idempotent():
    document = index(make_document(GUIDE))
    generation = document.index_generation
    document = index(document)
    assert document.index_generation == generation
    assert passages_of(document) == document.chunk_count


def test_reindexing_replaces_the_old_passages_only_once_the_new_ones_are_in(settings, monkeypatch):
    document = index(make_document(GUIDE))
    old_generation, old_count = document.index_generation, document.chunk_count
    settings.SPLIT_CHUNK_SIZE = 300
    seen_old_during_write: list[int] = []
    real_store = indexing.store_passages

    def store_and_look(passages, on_batch):
        vectors = real_store(passages, on_batch=on_batch)
        seen_old_during_write.append(passages_of(document, generation=old_generation))
        return vectors

    monkeypatch.setattr(indexing, "store_passages", store_and_look)
    document = index(document)
    assert seen_old_during_write == [old_count]
    assert document.index_generation != old_generation
    assert document.chunk_count > old_count
    assert passages_of(document) == document.chunk_count
    assert passages_of(document, generation=old_generation) == 0


def test_a_service_outage_is_transient_and_keeps_the_document(settings):
    document = make_document(GUIDE)
    settings.QDRANT_URL = "http://127.0.0.1:9"
    settings.QDRANT_TIMEOUT = 1
    with pytest.raises(TransientIndexingError):
        indexing.index_document(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.PROCESSING


def test_while_a_service_is_down_the_document_waits_with_the_reason(settings):
    document = make_document(GUIDE)
    settings.QDRANT_URL = "http://127.0.0.1:9"
    settings.QDRANT_TIMEOUT = 1
    with pytest.raises(Retry):
        index_document_task.apply(args=[document.pk], throw=True, retries=0)
    document.refresh_from_db()
    assert document.status == Document.Status.PENDING
    assert document.error_message.startswith("Nouvel essai dans 10 s")


def test_after_its_retries_a_document_fails_with_the_outage_as_reason(settings, eager_tasks):
    document = make_document(GUIDE)
    settings.QDRANT_URL = "http://127.0.0.1:9"
    settings.QDRANT_TIMEOUT = 1
    index_document_task.apply(args=[document.pk])
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert document.error_message.startswith("Service indisponible")


def test_deleting_a_document_removes_its_file_and_passages(
    django_capture_on_commit_callbacks, eager_tasks
):
    document = index(make_document(GUIDE))
    document_id, storage, name = document.pk, document.file.storage, document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        document.delete()
    assert not storage.exists(name)
    assert passage_store().count({"document_id": document_id}) == 0


def test_deleting_a_category_removes_the_passages_of_its_documents(
    django_capture_on_commit_callbacks, eager_tasks
):
    document = index(make_document(GUIDE))
    kept = index(make_document(GUIDE, category=CategoryFactory()))
    category_id = document.category_id
    assert passage_store().count({"category_id": category_id}) == document.chunk_count > 0

    with django_capture_on_commit_callbacks(execute=True):
        document.category.delete()

    assert passage_store().count({"category_id": category_id}) == 0
    assert passages_of(kept) == kept.chunk_count


def test_corrections_are_indexed_updated_and_removed(
    django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        correction = CorrectionFactory(answer="Deux jours.")
    hits = passage_store().search(get_embedder().embed([correction.question])[0], limit=1)
    assert hits[0].payload["kind"] == "correction"
    assert hits[0].payload["answer"] == "Deux jours."

    with django_capture_on_commit_callbacks(execute=True):
        correction.answer = "Trois jours."
        correction.save()
    assert passage_store().count({"correction_id": correction.pk}) == 1
    hits = passage_store().search(get_embedder().embed([correction.question])[0], limit=1)
    assert hits[0].payload["answer"] == "Trois jours."

    correction_id = correction.pk
    with django_capture_on_commit_callbacks(execute=True):
        correction.delete()
    assert passage_store().count({"correction_id": correction_id}) == 0


def test_documents_left_unfinished_are_queued_again(django_capture_on_commit_callbacks):
    stuck = make_document(GUIDE)
    recent = make_document(GUIDE + " autre")
    pending = make_document(GUIDE + " encore")
    Document.objects.filter(pk=stuck.pk).update(
        status=Document.Status.PROCESSING, updated_at=timezone.now() - timedelta(hours=1)
    )
    Document.objects.filter(pk=recent.pk).update(status=Document.Status.PROCESSING)
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.requeue_unfinished(include_pending=False) == 1
    assert len(callbacks) == 1
    assert services.requeue_unfinished(include_pending=True) == 3
    assert pending.status == Document.Status.PENDING


def test_documents_indexed_with_another_model_are_reported():
    document = index(make_document(GUIDE))
    assert not documents_indexed_with_another_model().exists()
    Document.objects.filter(pk=document.pk).update(embedding_model="local:un-ancien-modele")
    assert list(documents_indexed_with_another_model()) == [document]


def test_a_document_is_summed_up_as_a_whole_next_to_its_passages():
    document = index(make_document(GUIDE))

    assert summary_store().count({"document_id": document.pk}) == 1
    delete_passages({"document_id": document.pk})
    assert summary_store().count({"document_id": document.pk}) == 0


def drop_the_vector_store() -> None:
    """What deleting var/qdrant/ (or losing its volume) leaves after a restart."""
    passage_store().drop_collection()


@pytest.mark.django_db(transaction=True)  # /healthz reads the database from its own threads
def test_passages_the_vector_store_lost_turn_healthz_red(client, eager_tasks):
    document = index(make_document(GUIDE))
    assert client.get("/healthz").json()["checks"]["passages"]["status"] == "ok"

    drop_the_vector_store()

    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["passages"] == {"status": "error", "error": "PassagesMissing"}
    assert Document.objects.get(pk=document.pk).status == Document.Status.INDEXED


def test_a_workers_start_indexes_again_the_documents_whose_passages_were_lost(
    eager_tasks, django_capture_on_commit_callbacks
):
    lost = index(make_document(GUIDE))
    drop_the_vector_store()
    kept = index(make_document(GUIDE + " Annexe.", name="annexe.txt"))

    with django_capture_on_commit_callbacks(execute=True):
        requeue_unfinished_documents()

    lost.refresh_from_db()
    assert lost.status == Document.Status.INDEXED and passages_of(lost) == lost.chunk_count
    assert passages_of(kept) == kept.chunk_count


def test_a_store_that_holds_every_passage_costs_one_count_at_start(eager_tasks):
    index(make_document(GUIDE))

    assert services.reindex_lost_documents() == 0


def test_a_text_longer_than_the_passages_allowed_fails_before_it_is_cut(settings):
    settings.DOCUMENT_MAX_PASSAGES = 3
    document = index(make_document("Une phrase de plus dans un texte sans fin. " * 200))

    assert document.status == Document.Status.FAILED
    assert "Document trop long" in document.error_message and "au plus" in document.error_message
    assert passages_of(document) == 0


def test_the_documents_of_one_upload_share_a_passage_budget(settings):
    """An archive of documents each just under DOCUMENT_MAX_PASSAGES would still hold the
    worker for hours: past UPLOAD_MAX_PASSAGES, the next documents of the upload fail."""
    settings.SPLIT_CHUNK_SIZE, settings.SPLIT_CHUNK_OVERLAP = 200, 0
    settings.UPLOAD_MAX_PASSAGES = 5
    category = CategoryFactory()
    text = "Une phrase de plus dans une note de service. " * 20  # about 4 passages each
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for number in range(3):
            zipped.writestr(f"notes/note-{number}.txt", f"Note {number}. {text}")
    report = upload_files(
        category=category, files=[IncomingFile(io.BytesIO(archive.getvalue()), "notes.zip")]
    )
    assert len({document.upload_batch for document in report.created}) == 1

    first, second, third = (index(document) for document in report.created)

    assert first.status == Document.Status.INDEXED
    assert [second.status, third.status] == [Document.Status.FAILED] * 2
    assert "Dépôt trop volumineux" in second.error_message
    assert "UPLOAD_MAX_PASSAGES" in second.error_message
    assert passages_of(second) == 0


def test_documents_uploaded_apart_have_their_own_budgets(settings):
    settings.SPLIT_CHUNK_SIZE, settings.SPLIT_CHUNK_OVERLAP = 200, 0
    settings.UPLOAD_MAX_PASSAGES = 5
    text = "Une phrase de plus dans une note de service. " * 20

    notes = [index(make_document(f"Note {number}. {text}")) for number in range(2)]

    assert {note.status for note in notes} == {Document.Status.INDEXED}


def test_a_document_titled_after_its_file_takes_the_title_it_gives_itself():
    document = index(make_document(f"# Guide des congés familiaux\n\n{GUIDE}", "Guide_conges.md"))

    assert document.title == "Guide des congés familiaux"
    assert document.title_from_filename is False
    hit = passage_store().search(get_embedder().embed(["télétravail"])[0], limit=1)[0]
    assert hit.payload["title"] == "Guide des congés familiaux"


def test_a_title_a_person_gave_is_never_replaced_by_the_document_s_own():
    document = index(
        make_document(f"# Guide des congés familiaux\n\n{GUIDE}", "guide.md", title="Congés RH")
    )

    assert document.status == Document.Status.INDEXED
    assert document.title == "Congés RH"


def test_a_document_without_a_title_of_its_own_keeps_its_file_s_name():
    document = index(make_document(GUIDE, "Guide_conges.txt"))

    assert (document.title, document.title_from_filename) == ("Guide conges", True)


def test_taking_its_own_title_does_not_index_the_document_again(monkeypatch):
    reindexed = []
    monkeypatch.setattr(services, "reindex_selected", reindexed.append)

    document = index(make_document(f"# Guide des congés\n\n{GUIDE}", "guide.md"))

    assert document.title == "Guide des congés" and reindexed == []
    assert indexing.generation_of(document) == document.index_generation


class Stages:
    """Records the two stages of each document's indexing, and holds the first document's
    embedding until the second one's preparation is over (or given up, after a minute)."""

    def __init__(self, monkeypatch, *, first: Document) -> None:
        self.first = first
        self.events: list[tuple[str, str]] = []
        self.first_embeds = threading.Event()
        self.second_prepared = threading.Event()
        prepare, store = indexing.prepare_document, indexing.store_passages

        def recorded_prepare(document, data):
            self.events.append(("prepare starts", document.original_filename))
            try:
                return prepare(document, data)
            finally:
                self.events.append(("prepare ends", document.original_filename))
                if document.pk != first.pk:
                    self.second_prepared.set()

        def recorded_store(passages, **kwargs):
            name = str(passages[0].payload["filename"])
            self.events.append(("embed starts", name))
            if passages[0].payload["document_id"] == first.pk:
                self.first_embeds.set()
                self.second_prepared.wait(timeout=60)
            vectors = store(passages, **kwargs)
            self.events.append(("embed ends", name))
            return vectors

        monkeypatch.setattr(indexing, "prepare_document", recorded_prepare)
        monkeypatch.setattr(indexing, "store_passages", recorded_store)

    def index_both(self, second: Document) -> None:
        """The first document in one thread, the second in another once the first embeds:
        the embedded worker's two slots."""

        def index_in_thread(document: Document, after: threading.Event | None) -> None:
            if after is not None:
                after.wait(timeout=60)
            try:
                indexing.index_document(document.pk)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=index_in_thread, args=(self.first, None)),
            threading.Thread(target=index_in_thread, args=(second, self.first_embeds)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


@pytest.mark.django_db(transaction=True)  # each slot talks to the database on its own
def test_the_next_document_is_prepared_while_one_embeds_and_embeds_after_it(monkeypatch):
    first = make_document(GUIDE, "premier.txt", original_filename="premier.txt")
    second = make_document(f"Annexe. {GUIDE}", "second.txt", original_filename="second.txt")
    stages = Stages(monkeypatch, first=first)

    stages.index_both(second)

    assert stages.events == [
        ("prepare starts", "premier.txt"),
        ("prepare ends", "premier.txt"),
        ("embed starts", "premier.txt"),
        ("prepare starts", "second.txt"),
        ("prepare ends", "second.txt"),
        ("embed ends", "premier.txt"),
        ("embed starts", "second.txt"),
        ("embed ends", "second.txt"),
    ]
    for document in (first, second):
        document.refresh_from_db()
        assert document.status == Document.Status.INDEXED
        assert passages_of(document) == document.chunk_count > 0


@pytest.mark.django_db(transaction=True)
def test_a_document_failing_its_preparation_leaves_the_one_embedding_indexed(monkeypatch):
    first = make_document(GUIDE, "bon.txt", original_filename="bon.txt")
    broken = make_document(pdf("Texte")[:300], "casse.pdf", original_filename="casse.pdf")
    stages = Stages(monkeypatch, first=first)

    stages.index_both(broken)

    assert ("prepare ends", "casse.pdf") in stages.events
    assert stages.events.index(("prepare ends", "casse.pdf")) < stages.events.index(
        ("embed ends", "bon.txt")
    )
    first.refresh_from_db()
    broken.refresh_from_db()
    assert first.status == Document.Status.INDEXED
    assert passages_of(first) == first.chunk_count > 0
    assert broken.status == Document.Status.FAILED and broken.error_message
    assert passages_of(broken) == 0


@pytest.mark.django_db(transaction=True)
def test_a_document_deleted_while_it_embeds_leaves_no_passage(monkeypatch):
    document = make_document(GUIDE, "supprime.txt", original_filename="supprime.txt")
    store = indexing.store_passages

    def store_then_delete(passages, **kwargs):
        vectors = store(passages, **kwargs)
        Document.objects.filter(pk=document.pk).delete()  # its removal runs now, before ours
        return vectors

    monkeypatch.setattr(indexing, "store_passages", store_then_delete)

    assert indexing.index_document(document.pk) is None
    assert passages_of(document) == 0
