"""The document viewer: who may open a document, whether it is in force, the PDF at its
page for PDF.js (which marks the passage: cassandre/tests/e2e/browser/test_pdf_highlight.py),
the cited passage marked in the text of the other formats, and never a document's markup on
our pages."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from ai.passages import point_id
from documents import indexing, viewer
from documents.extraction.base import Section
from documents.models import Category, Document, DocumentText
from documents.tests.builders import pdf
from documents.tests.factories import CategoryFactory, DocumentFactory

pytestmark = pytest.mark.django_db

GUIDE = "\n\n".join(
    f"Article {n}. Le télétravail est possible {n} jours par mois, sur demande écrite au "
    "chef de service, qui répond sous quinze jours." * 3
    for n in range(1, 13)
)
HOSTILE = (
    "Note de service.\n\nExemple à ne pas suivre : <script>alert(1)</script> puis "
    '<img src=x onerror=alert(1)> dans un courriel."'
)


def indexed(content: bytes | str, name: str, **fields) -> Document:
    data = content.encode() if isinstance(content, str) else content
    document = DocumentFactory(file=ContentFile(data, name=name), **fields)
    indexing.index_document(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.INDEXED, document.error_message
    return document


def view_url(document: Document, **query: object) -> str:
    url = reverse("documents:view", args=[document.pk])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def chunk_id(document: Document, position: int) -> str:
    return point_id(indexing.passage_key(document.pk, document.index_generation, position))


@pytest.fixture
def reader(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("lectrice"))
    return client


@pytest.fixture
def guide():
    return indexed(GUIDE, "guide.txt")


# --- Who may open a document -----------------------------------------------------------


@pytest.mark.parametrize("name", ["documents:view", "documents:file"])
def test_visitors_are_sent_to_log_in(client, name):
    document = DocumentFactory()
    url = reverse(name, args=[document.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ["documents:view", "documents:file"])
def test_a_user_who_may_not_read_the_category_finds_no_document(reader, name):
    document = DocumentFactory(category=CategoryFactory(visibility=Category.Visibility.GROUPS))
    assert reader.get(reverse(name, args=[document.pk])).status_code == 404


def test_a_member_of_a_granted_group_reads_the_document(client, django_user_model):
    group = Group.objects.create(name="RH")
    category = CategoryFactory(visibility=Category.Visibility.GROUPS)
    category.groups.add(group)
    user = django_user_model.objects.create_user("agent")
    user.groups.add(group)
    client.force_login(user)
    document = DocumentFactory(category=category)
    assert client.get(reverse("documents:view", args=[document.pk])).status_code == 200


def test_visitors_read_a_public_category_when_the_site_allows_it(client, settings):
    settings.PUBLIC_CATEGORIES = True
    public = DocumentFactory(category=CategoryFactory(visibility=Category.Visibility.PUBLIC))
    internal = DocumentFactory()
    assert client.get(reverse("documents:view", args=[public.pk])).status_code == 200
    assert client.get(reverse("documents:view", args=[internal.pk])).status_code == 404


def test_an_unknown_document_is_not_found(reader):
    assert reader.get(reverse("documents:view", args=[987654])).status_code == 404


# --- Whether it is in force ---------------------------------------------------------------


def test_the_viewer_says_from_when_until_when_a_document_is_in_force(reader):
    document = DocumentFactory(valid_from=date(2024, 1, 1), valid_until=date(2099, 12, 31))
    page = reader.get(view_url(document)).content.decode()
    assert "En vigueur du 1 janvier 2024 au 31 décembre 2099" in page
    assert 'data-testid="out-of-force"' not in page


def test_a_document_without_dates_says_nothing_of_them(reader):
    page = reader.get(view_url(DocumentFactory())).content.decode()
    assert 'data-testid="validity"' not in page and 'data-testid="out-of-force"' not in page


def test_a_repealed_document_says_it_is_no_longer_in_force_and_links_to_the_repealing_one(
    reader,
):
    repealing = DocumentFactory(title="Circulaire 2026")
    document = DocumentFactory(category=repealing.category, repealed_by=repealing)
    page = reader.get(view_url(document)).content.decode()
    assert 'data-testid="out-of-force"' in page
    assert "Ce document n'est plus en vigueur" in page
    assert f'href="{view_url(repealing)}">Circulaire 2026</a>' in page


def test_an_expired_document_says_it_is_no_longer_in_force_and_until_when_it_was(reader):
    end = timezone.localdate() - timedelta(days=1)
    page = reader.get(view_url(DocumentFactory(valid_until=end))).content.decode()
    assert "Ce document n'est plus en vigueur" in page and "Il l'était jusqu'au " in page
    assert 'data-testid="repealed-by"' not in page


def test_an_archived_document_says_since_when_it_left_its_synchronised_folder(reader):
    archived_at = timezone.make_aware(datetime(2026, 3, 2, 10))
    page = reader.get(view_url(DocumentFactory(archived_at=archived_at))).content.decode()
    assert "Ce document n'est plus en vigueur" in page
    assert "Il est archivé depuis le 2 mars 2026 : son fichier a quitté le dossier" in page


def test_the_repealing_document_is_not_linked_for_a_reader_who_may_not_open_it(reader):
    hidden = DocumentFactory(category=CategoryFactory(visibility=Category.Visibility.GROUPS))
    document = DocumentFactory()
    # Moved since: the repeal no longer shares the category.
    Document.objects.filter(pk=document.pk).update(repealed_by=hidden)
    page = reader.get(view_url(document)).content.decode()
    assert "Ce document n'est plus en vigueur" in page and "Il est abrogé." in page
    assert view_url(hidden) not in page


def test_a_document_not_yet_in_force_says_from_when(reader):
    start = timezone.localdate() + timedelta(days=1)
    page = reader.get(view_url(DocumentFactory(valid_from=start))).content.decode()
    assert 'data-testid="not-yet-in-force"' in page
    assert 'data-testid="out-of-force"' not in page


# --- PDFs: drawn by PDF.js, at the cited page ------------------------------------------


def test_a_pdf_opens_in_the_pdfjs_viewer_at_the_cited_page(reader):
    document = indexed(pdf("Introduction.", "Le barème de 2024."), "bareme.pdf")
    page = reader.get(view_url(document, page=2)).content.decode()
    file_url = reverse("documents:file", args=[document.pk])
    assert f'data-testid="pdf-viewer" data-file-url="{file_url}" data-page="2"' in page
    assert 'data-library-url="/static/pdfjs/pdf.min.js"' in page
    assert 'data-worker-url="/static/pdfjs/pdf.worker.min.js"' in page
    assert "js/documents/pdf_viewer.js" in page
    assert f'data-testid="download" href="{file_url}?download=1"' in page
    assert "bareme" in page


def test_the_pdf_viewer_has_its_page_navigation(reader):
    document = indexed(pdf("Introduction.", "Le barème de 2024."), "bareme.pdf")
    page = reader.get(view_url(document, page=2)).content.decode()
    for part in ("pdf-previous", "pdf-page-number", "pdf-page-count", "pdf-next"):
        assert f'data-testid="{part}"' in page
    assert "Page précédente" in page
    assert "Page suivante" in page


def test_the_cited_passage_of_a_pdf_is_quoted_above_it(reader):
    document = indexed(pdf("Introduction.", "Le barème de <b>2024</b>."), "bareme.pdf")
    page = reader.get(view_url(document, page=2, passage=chunk_id(document, 1))).content
    quote = page.decode().split('data-testid="pdf-passage"', 1)[1].split("</blockquote>")[0]
    assert "Le barème de &lt;b&gt;2024&lt;/b&gt;." in quote
    assert 'data-cited-page="2"' in page.decode()


def test_the_note_for_a_passage_missing_from_the_page_is_ready_hidden(reader):
    document = indexed(pdf("Introduction.", "Le barème de 2024."), "bareme.pdf")
    page = reader.get(view_url(document, page=2, passage=chunk_id(document, 1))).content
    note = page.decode().split('data-testid="pdf-passage-not-found"', 1)[1].split("</p>")[0]
    assert note.startswith(" hidden")
    assert "Le passage n'a pas été retrouvé dans le texte de cette page" in note


def test_without_a_passage_no_page_is_cited(reader):
    document = indexed(pdf("Introduction.", "Le barème de 2024."), "bareme.pdf")
    page = reader.get(view_url(document, page=2)).content.decode()
    assert 'data-cited-page=""' in page
    assert 'data-testid="pdf-passage"' not in page


def test_a_pdf_without_a_page_opens_at_its_start(reader):
    document = indexed(pdf("Introduction."), "note.pdf")
    page = reader.get(view_url(document, page="abc")).content.decode()
    assert 'data-page="1"' in page


def test_the_pdf_file_may_be_framed_by_no_page(reader):
    document = indexed(pdf("Introduction."), "note.pdf")
    response = reader.get(reverse("documents:file", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")


def test_the_download_link_sends_the_file_as_an_attachment(reader):
    document = DocumentFactory()
    response = reader.get(reverse("documents:file", args=[document.pk]) + "?download=1")
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"Le teletravail")


# --- Other formats: the text, with the cited passage marked -----------------------------


def test_the_cited_passage_is_marked_in_the_text(reader, guide):
    passage = DocumentText.objects.get(document=guide).passages[3]
    response = reader.get(view_url(guide, passage=chunk_id(guide, 3)))
    page = response.content.decode()
    assert 'data-testid="document-text"' in page
    marked = page.split('data-testid="passage"', 1)[1].split(">", 1)[1].split("</mark>")[0]
    assert " ".join(marked.split()) == " ".join(passage.split())
    assert page.count('data-testid="passage"') == 1
    assert "js/documents/viewer.js" in page


def test_the_text_is_shown_whole_around_the_passage(reader, guide):
    page = reader.get(view_url(guide, passage=chunk_id(guide, 3))).content.decode()
    assert "Article 1." in page and "Article 12." in page


def test_a_passage_of_another_document_marks_nothing(reader, guide):
    other = indexed("Une autre note sur les congés annuels.", "autre.txt")
    page = reader.get(view_url(guide, passage=chunk_id(other, 0))).content.decode()
    assert 'data-testid="passage"' not in page
    assert "Article 1." in page


def test_without_a_passage_the_text_is_shown_plain(reader, guide):
    page = reader.get(view_url(guide)).content.decode()
    assert 'data-testid="document-text"' in page
    assert "<mark" not in page and "viewer.js" not in page


def test_markup_in_a_document_is_shown_as_text(reader):
    document = indexed(HOSTILE, "note.txt")
    page = reader.get(view_url(document)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script>alert" not in page and "<img src=x" not in page


def test_an_html_document_shows_its_text_never_its_markup(reader):
    html = (
        "<html><body><h1>Consignes</h1><p>Ne collez jamais &lt;script&gt;alert(1)&lt;/script&gt;"
        " ni &lt;img src=x onerror=alert(1)&gt; dans un formulaire.</p>"
        "<script>alert('page')</script></body></html>"
    )
    document = indexed(html, "consignes.html")
    page = reader.get(view_url(document)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "alert('page')" not in page


def test_a_file_that_is_not_a_pdf_is_sent_sandboxed(reader):
    document = indexed(
        "<html><body><p>Bonjour</p><script>alert(1)</script></body></html>", "a.html"
    )
    response = reader.get(reverse("documents:file", args=[document.pk]))
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_a_document_that_cannot_be_read_says_so(reader):
    document = DocumentFactory(file=ContentFile(b"\x00\x01\x02" * 50, name="vide.txt"))
    response = reader.get(view_url(document))
    assert response.status_code == 200
    assert "n'est pas disponible" in response.content.decode()


# --- Where the text comes from ----------------------------------------------------------


def test_indexing_keeps_the_text_and_the_passages_it_indexed(guide):
    kept = DocumentText.objects.get(document=guide)
    assert kept.generation == guide.index_generation
    assert len(kept.passages) == guide.chunk_count
    assert kept.text.startswith("Article 1.")


def test_a_document_indexed_before_the_text_was_kept_gets_it_extracted_again(reader, guide):
    passages = DocumentText.objects.get(document=guide).passages
    DocumentText.objects.all().delete()
    page = reader.get(view_url(guide, passage=chunk_id(guide, 2))).content.decode()
    assert 'data-testid="passage"' in page
    assert DocumentText.objects.get(document=guide).passages == passages


def test_the_passage_is_found_whatever_the_whitespace():
    cut = viewer.text_with_passage("Un.\n\nDeux   trois\nquatre. Cinq.", "Deux trois quatre.")
    assert (cut.before, cut.passage, cut.after, cut.found) == (
        "Un.\n\n",
        "Deux   trois\nquatre.",
        " Cinq.",
        True,
    )


def test_a_passage_starting_with_a_merged_heading_is_found_without_it():
    cut = viewer.text_with_passage(
        "Intro.\n\nLes congés se posent.", "Congés\nLes congés se posent."
    )
    assert cut.found and cut.passage == "Les congés se posent."


def test_a_passage_not_in_the_text_is_kept_apart():
    cut = viewer.text_with_passage("Un texte.", "Autre chose.")
    assert not cut.found and cut.before == "Un texte." and cut.passage == "Autre chose."


def test_the_text_shows_each_heading_once_above_its_sections():
    sections = [
        Section("Poser en ligne.", heading="Congés"),
        Section("Jusqu'au 31 mai.", heading="Congés > Report"),
        Section("Sauf accord.", heading="Congés > Report"),
        Section("Sans titre."),
    ]
    assert indexing.extracted_text(sections) == (
        "Congés\n\nPoser en ligne.\n\nReport\n\nJusqu'au 31 mai.\n\nSauf accord.\n\nSans titre."
    )
