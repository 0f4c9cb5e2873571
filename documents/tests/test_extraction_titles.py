"""The title a document gives itself, read at extraction: its metadata title, else its first
level-1 heading, when either reads as a title a person wrote."""

import docx
import pytest
from fpdf import FPDF
from odf import dc, text
from odf.opendocument import OpenDocumentText

from documents.extraction import extract
from documents.extraction.titles import MAX_LENGTH, own_title
from documents.tests import builders


def titled_pdf(title: str) -> bytes:
    document = FPDF()
    document.set_title(title)
    document.set_font("Helvetica", size=16)
    document.add_page()
    document.multi_cell(0, 10, "Les congés se posent dans l'outil RH.")
    return bytes(document.output())


def word_document(*, title: str = "", heading: str = "") -> bytes:
    document = docx.Document()
    document.core_properties.title = title
    if heading:
        document.add_heading(heading, level=1)
    document.add_paragraph("Les congés se posent dans l'outil RH.")
    return builders._saved(document)


def odf_text(*, title: str = "", heading: str = "") -> bytes:
    document = OpenDocumentText()
    if title:
        document.meta.addElement(dc.Title(text=title))
    if heading:
        document.text.addElement(text.H(outlinelevel=1, text=heading))
    document.text.addElement(text.P(text="Les congés se posent dans l'outil RH."))
    return builders._odf_saved(document)


@pytest.mark.parametrize(
    "candidate",
    [
        "",
        "   ",
        "Microsoft Word - doc1.docx",
        "Microsoft PowerPoint - Présentation1",
        "guide_conges.pdf",
        "guide_conges_2024",
        "Document1",
        "Sans titre",
        "Untitled",
        "Présentation PowerPoint",
        "2024-05",
        "ab",
        "Congés " * 40,
    ],
)
def test_a_title_left_by_the_application_or_unreadable_as_one_is_no_title(candidate):
    assert own_title(candidate) == ""


def test_a_title_a_person_wrote_is_kept_with_its_spaces_tidied():
    assert own_title("  Guide des congés\n pour événements familiaux ") == (
        "Guide des congés pour événements familiaux"
    )


def test_the_first_sensible_candidate_wins():
    assert own_title("Microsoft Word - guide.docx", "Guide des congés") == "Guide des congés"


def test_a_title_at_the_longest_allowed_is_kept():
    assert own_title("a" * MAX_LENGTH) == "a" * MAX_LENGTH


def test_a_pdf_gives_its_metadata_title():
    assert extract(titled_pdf("Guide des congés"), filename="x.pdf").title == "Guide des congés"


def test_a_pdf_titled_by_its_application_gives_none():
    extracted = extract(titled_pdf("Microsoft Word - doc1.docx"), filename="x.pdf")
    assert extracted.title == ""


def test_a_word_document_gives_its_core_title_before_its_first_heading():
    data = word_document(title="Guide des congés", heading="Introduction")
    assert extract(data, filename="x.docx").title == "Guide des congés"


def test_a_word_document_without_a_title_gives_its_first_level_one_heading():
    assert extract(word_document(heading="Congés familiaux"), filename="x.docx").title == (
        "Congés familiaux"
    )


def test_an_opendocument_text_gives_its_meta_title_else_its_first_heading():
    assert extract(odf_text(title="Guide RH"), filename="x.odt").title == "Guide RH"
    assert extract(odf_text(heading="Congés"), filename="x.odt").title == "Congés"


def test_an_html_page_gives_its_title_else_its_first_h1():
    page = b"<html><head><title>Guide RH</title></head><body><h1>Accueil</h1><p>Texte.</p>"
    assert extract(page, filename="x.html").title == "Guide RH"
    untitled = b"<html><body><h2>Plan</h2><h1>Guide des absences</h1><p>Texte.</p></body></html>"
    assert extract(untitled, filename="x.html").title == "Guide des absences"


def test_markdown_gives_its_first_level_one_heading():
    data = "Intro.\n\n## Plan\n\n# Guide des congés\n\nTexte.\n".encode()
    assert extract(data, filename="x.md").title == "Guide des congés"


def test_a_document_without_title_nor_heading_gives_none():
    assert extract(b"Juste du texte.", filename="x.txt").title == ""
    assert extract(word_document(), filename="x.docx").title == ""
