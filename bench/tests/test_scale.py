"""Size L's store: indexed documents copied into more categories, rows and points alike."""

import pytest
from django.core.files.base import ContentFile

from ai.passages import passage_store, summary_store
from bench.scale import copy_category, grow_store
from chat.search import find_passages
from documents import indexing
from documents.models import Category, Document, DocumentText
from documents.tests.factories import CategoryFactory, DocumentFactory
from documents.viewer import document_text, passage_text

pytestmark = pytest.mark.django_db

PAGES = {
    "tar.txt": "tar - an archiving utility\n\n" + "tar stores and extracts files from a tape "
    "or disk archive, compressed with gzip or xz. " * 20,
    "ssh.txt": "ssh - OpenSSH remote login client\n\n" + "ssh logs into a remote machine and "
    "runs commands there over an encrypted channel. " * 20,
    "cron.txt": "cron - daemon to execute scheduled commands\n\n" + "cron runs the commands "
    "of the crontab files at the minutes, hours and days they name. " * 20,
}


@pytest.fixture
def indexed():
    category = CategoryFactory(name="Man pages", k=3)
    for name, text in PAGES.items():
        document = DocumentFactory(category=category, file=ContentFile(text.encode(), name=name))
        indexing.index_document(document.pk)
    return category


def passages_in(category: Category) -> int:
    return passage_store().count({"category_id": category.pk})


def test_a_copy_holds_the_same_documents_texts_and_points_in_a_new_category(indexed):
    copy, copied = copy_category(indexed, name="Man pages — copie 1")

    assert copied == 3
    assert copy.k == 3
    originals = Document.objects.filter(category=indexed).order_by("original_filename")
    copies = Document.objects.filter(category=copy).order_by("original_filename")
    assert [(d.title, d.index_generation, d.chunk_count, d.status) for d in copies] == [
        (d.title, d.index_generation, d.chunk_count, d.status) for d in originals
    ]
    assert DocumentText.objects.filter(document__category=copy).count() == 3
    assert passages_in(copy) == passages_in(indexed) == sum(d.chunk_count for d in originals)
    assert summary_store().count({"category_id": copy.pk}) == 3


def test_copying_twice_adds_two_categories_worth_of_passages(indexed):
    before = passage_store().count()

    copy_category(indexed, name="Man pages — copie 1")
    copy_category(indexed, name="Man pages — copie 2")

    assert Document.objects.count() == 9
    assert passage_store().count() == 3 * before
    assert summary_store().count() == 9


def test_a_copied_passage_is_found_in_its_new_category_and_opens_in_the_viewer(indexed):
    copy, _ = copy_category(indexed, name="Man pages — copie 1")

    [found] = find_passages("encrypted remote login", category_ids=[copy.pk], limit=1)
    document = Document.objects.get(pk=found.document_id)
    assert document.category == copy
    assert document.original_filename == "ssh.txt"
    kept = document_text(document, extract_again=False)
    assert passage_text(document, kept, found.id) == found.text


def test_the_store_grows_by_whole_copies_until_it_holds_the_passages_wanted(indexed):
    one = passage_store().count()

    growth = grow_store(indexed, passages=2 * one + 1)

    assert len(growth.categories) == 2
    assert growth.passages == passage_store().count() == 3 * one
    assert growth.documents == 6
