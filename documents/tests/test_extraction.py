import codecs
import datetime
import shutil
import subprocess

import pypdfium2 as pdfium
import pytest

from documents.exceptions import DocumentRejected
from documents.extraction import SUPPORTED_MIME_TYPES, Section, detect_mime_type, extract
from documents.extraction.html import HtmlExtractor
from documents.extraction.normalize import normalize_text
from documents.extraction.pdf import PdfExtractor
from documents.extraction.tables import ROWS_PER_SECTION
from documents.tests import builders
from testing.services import require

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
SCANNED_TEXT = "Le télétravail est autorisé deux jours par semaine."
NOTE = "Note de service signée par la directrice, annexe numérisée."


def tesseract_with_french() -> bool:
    if shutil.which("tesseract") is None:
        return False
    listing = subprocess.run(
        ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30
    )
    return "fra" in listing.stdout.split()


@pytest.fixture
def tesseract():
    """OCR needs Debian's tesseract with French: skipped without it, a failure on CI."""
    require(
        tesseract_with_french(),
        "tesseract with French (Debian's tesseract-ocr, tesseract-ocr-fra, tesseract-ocr-eng)",
    )


@pytest.fixture
def no_tesseract(monkeypatch):
    monkeypatch.setattr("documents.extraction.ocr.shutil.which", lambda name: None)


class FakeOcr:
    """Reads every picture as the same sentence, and remembers the pictures' sizes."""

    def __init__(self) -> None:
        self.sizes: list[tuple[int, int]] = []

    def check(self) -> None:
        pass

    def read(self, image) -> str:
        self.sizes.append(image.size)
        return "Texte reconnu."


class TestDetection:
    def test_a_pdf_is_recognised_by_its_content_whatever_its_name(self):
        assert detect_mime_type(builders.pdf("Bonjour"), "notes.txt") == "application/pdf"

    def test_a_docx_is_recognised_by_its_content_whatever_its_name(self):
        assert detect_mime_type(builders.word_document(), "piece-jointe.bin") == DOCX

    @pytest.mark.parametrize(
        ("build", "mime_type"),
        [
            (lambda: builders.workbook({"Feuille": [["a"]]}), XLSX),
            (builders.odf_text_document, ODT),
            (builders.odf_spreadsheet, ODS),
            (lambda: builders.odf_presentation(("Titre", "Corps")), ODP),
        ],
    )
    def test_office_documents_are_told_apart_by_what_their_zip_holds(self, build, mime_type):
        assert detect_mime_type(build(), "document") == mime_type

    def test_any_other_zip_is_a_zip(self):
        archive = builders.zip_archive({"notes.txt": b"Bonjour"})
        assert detect_mime_type(archive, "notes.docx") == "application/zip"

    def test_a_damaged_zip_takes_the_type_its_extension_names(self):
        damaged = builders.word_document()[:1000]
        assert detect_mime_type(damaged, "rapport.docx") == DOCX
        assert detect_mime_type(damaged, "rapport.zip") == "application/zip"

    @pytest.mark.parametrize(
        "page",
        [
            b"<!DOCTYPE html><title>x</title>",
            b"<HTML><BODY>Bonjour</BODY></HTML>",
            b"<p>Bonjour</p>",
        ],
    )
    def test_html_is_sniffed_from_its_markup(self, page):
        assert detect_mime_type(page, "page") == "text/html"

    def test_markdown_is_recognised_by_its_extension_or_its_headings(self):
        assert detect_mime_type(b"Du texte, sans titre.", "lisez-moi.md") == "text/markdown"
        assert detect_mime_type(b"# Titre\n\nDu texte.", "notes.txt") == "text/markdown"

    def test_csv_needs_its_extension_as_it_is_text_otherwise(self):
        rows = b"nom;service\nDupont;Paie\n"
        assert detect_mime_type(rows, "agents.csv") == "text/csv"
        assert detect_mime_type(rows, "agents.txt") == "text/plain"

    def test_windows_1252_text_is_text(self):
        assert detect_mime_type("Congés payés".encode("cp1252"), "note") == "text/plain"

    def test_binary_data_is_octet_stream(self):
        assert detect_mime_type(bytes(range(256)) * 8, "image.png") == "application/octet-stream"


class TestPdf:
    def test_each_page_is_a_section_with_its_number(self):
        extracted = extract(
            builders.pdf("Le télétravail est autorisé.", "Les congés se posent en ligne."),
            filename="guide.pdf",
        )
        assert extracted.mime_type == "application/pdf"
        assert extracted.page_count == 2
        assert [(section.page, section.text) for section in extracted.sections] == [
            (1, "Le télétravail est autorisé."),
            (2, "Les congés se posent en ligne."),
        ]

    def test_a_pdf_named_txt_is_still_read_as_a_pdf(self):
        extracted = extract(builders.pdf("Note de service"), filename="note.txt")
        assert extracted.sections[0].page == 1

    def test_words_cut_at_a_line_end_are_joined(self):
        extracted = extract(builders.pdf("Un exem-\nple de césure."), filename="note.pdf")
        assert extracted.sections[0].text == "Un exemple de césure."

    def test_a_password_protected_pdf_is_rejected_with_the_reason(self):
        with pytest.raises(DocumentRejected, match="PDF protégé par un mot de passe"):
            extract(builders.pdf("Confidentiel", password="secret"), filename="paie.pdf")

    def test_a_truncated_pdf_is_rejected_as_corrupt(self):
        complete = builders.pdf("Le télétravail est autorisé.", "Page deux.")
        with pytest.raises(DocumentRejected, match="PDF illisible ou corrompu"):
            extract(complete[: len(complete) // 2], filename="coupé.pdf")

    def test_a_corrupt_pdf_is_refused_in_french_without_pdfium_s_english(self):
        with pytest.raises(DocumentRejected) as rejection:
            extract(b"%PDF-1.4 pas vraiment un PDF", filename="faux.pdf")
        reason = str(rejection.value)
        assert "format de données invalide" in reason
        assert "PDFium" not in reason and "Failed" not in reason

    def test_a_page_pdfium_cannot_load_is_refused_in_french(self, monkeypatch):
        def failing_page(pdf, index):
            raise pdfium.PdfiumError("Failed to load page.")

        monkeypatch.setattr(pdfium.PdfDocument, "__getitem__", failing_page)
        with pytest.raises(DocumentRejected) as rejection:
            extract(builders.pdf("Une page."), filename="page.pdf")
        assert "une page ne peut pas être lue" in str(rejection.value)
        assert "Failed" not in str(rejection.value)

    def test_a_scanned_pdf_without_ocr_is_rejected_saying_what_to_install(self, no_tesseract):
        scanned = builders.pdf(builders.scan_of(SCANNED_TEXT))
        with pytest.raises(DocumentRejected) as rejection:
            extract(scanned, filename="scan.pdf")
        assert "sans couche texte" in str(rejection.value)
        assert "tesseract-ocr et tesseract-ocr-fra" in str(rejection.value)
        assert "sera alors lu" in str(rejection.value)

    def test_without_ocr_a_title_page_does_not_save_a_scanned_pdf(self, no_tesseract):
        scanned = builders.pdf("Rapport 2024", builders.scan_of(SCANNED_TEXT))
        with pytest.raises(DocumentRejected, match="sans couche texte"):
            extract(scanned, filename="rapport.pdf")

    def test_without_ocr_the_text_pages_of_a_partly_scanned_pdf_are_kept(self, no_tesseract):
        mixed = builders.pdf(NOTE, builders.scan_of(SCANNED_TEXT))
        extracted = extract(mixed, filename="note.pdf")
        assert [section.page for section in extracted.sections] == [1]
        assert extracted.page_count == 2

    def test_only_the_pages_without_text_go_through_ocr(self):
        ocr = FakeOcr()
        mixed = builders.pdf(NOTE, builders.scan_of(SCANNED_TEXT))
        extracted = PdfExtractor(ocr=ocr).extract(mixed, filename="note.pdf")
        assert len(ocr.sizes) == 1
        assert [section.text for section in extracted.sections] == [
            NOTE,
            "Texte reconnu.",
        ]

    def test_scans_are_rendered_at_300_dpi_for_ocr(self):
        ocr = FakeOcr()
        scanned = builders.pdf(builders.scan_of(SCANNED_TEXT))
        PdfExtractor(ocr=ocr).extract(scanned, filename="scan.pdf")
        [(width, height)] = ocr.sizes
        assert (round(width, -1), round(height, -1)) == (2480, 3510)  # A4 at 300 dpi

    def test_a_blank_page_is_not_taken_for_a_scan(self):
        ocr = FakeOcr()
        PdfExtractor(ocr=ocr).extract(builders.pdf("Page écrite.", ""), filename="note.pdf")
        assert ocr.sizes == []

    def test_a_scanned_pdf_is_read_by_tesseract(self, tesseract):
        scanned = builders.pdf(builders.scan_of(SCANNED_TEXT))
        extracted = extract(scanned, filename="scan.pdf")
        assert extracted.sections[0].page == 1
        assert SCANNED_TEXT in extracted.sections[0].text

    def test_a_missing_ocr_language_is_named_with_its_package(self, settings, tesseract):
        settings.OCR_LANGUAGES = "fra+xyz"
        with pytest.raises(DocumentRejected, match="installez le paquet Debian tesseract-ocr-xyz"):
            extract(builders.pdf(builders.scan_of(SCANNED_TEXT)), filename="scan.pdf")


class TestWord:
    def test_sections_follow_the_headings_with_their_trail(self):
        sections = extract(builders.word_document(), filename="guide.docx").sections
        assert [section.heading for section in sections] == [
            "",
            "Congés",
            "Congés > Congés annuels",
            "Congés > Congés annuels > Report",
            "Télétravail",
        ]
        assert sections[0].text == "Guide interne"

    def test_a_table_stays_where_it_is_one_line_per_row(self):
        sections = extract(builders.word_document(), filename="guide.docx").sections
        assert sections[2].text == (
            "Vingt-cinq jours ouvrés par an.\n\n"
            "Ancienneté | Jours\n5 ans | 27\n\n"
            "Le tableau ci-dessus donne les jours par ancienneté."
        )

    def test_list_items_are_kept_one_per_line(self):
        sections = extract(builders.word_document(), filename="guide.docx").sections
        assert sections[3].text == "- Jusqu'au 31 mai\n- Avec l'accord du chef de service"

    def test_french_heading_styles_and_outline_levels_make_headings(self):
        sections = extract(
            builders.word_document_with_custom_headings(), filename="t.docx"
        ).sections
        assert [section.heading for section in sections] == [
            "Temps de travail",
            "Temps de travail > Horaires variables",
        ]

    def test_a_damaged_word_document_is_rejected_as_corrupt(self):
        damaged = builders.zip_archive({"word/document.xml": b"<w:document"})
        with pytest.raises(DocumentRejected, match="Document Word illisible ou corrompu"):
            extract(damaged, filename="rapport.docx")


class TestOpenDocument:
    def test_text_sections_follow_the_headings(self):
        sections = extract(builders.odf_text_document(), filename="guide.odt").sections
        assert [(section.heading, section.text) for section in sections] == [
            ("Congés", "Les congés se posent dans l'outil RH."),
            (
                "Congés > Report",
                "- Jusqu'au 31 mai\n- Avec accord\n\nAncienneté | Jours\n5 ans | 27",
            ),
        ]

    def test_each_sheet_is_numbered_and_named_and_its_rows_say_their_columns(self):
        extracted = extract(builders.odf_spreadsheet(), filename="budget.ods")
        assert extracted.page_count == 3
        assert [(s.page, s.heading, s.text) for s in extracted.sections] == [
            (1, "Agents", "Nom: Dupont ; Service: Paie\nNom: Martin ; Service: Achats"),
            (3, "Budget", "Poste: Formation ; Montant: 12 500 €"),
        ]

    def test_each_slide_is_a_section_titled_by_its_title(self):
        presentation = builders.odf_presentation(
            ("Accueil", "Bienvenue aux agents"), ("Congés", "Vingt-cinq jours")
        )
        extracted = extract(presentation, filename="réunion.odp")
        assert extracted.page_count == 2
        assert [(s.page, s.heading, s.text) for s in extracted.sections] == [
            (1, "Accueil", "Accueil\nBienvenue aux agents"),
            (2, "Congés", "Congés\nVingt-cinq jours"),
        ]

    def test_a_password_protected_document_is_rejected_with_the_reason(self):
        protected = builders.password_protected(builders.odf_text_document())
        with pytest.raises(DocumentRejected, match="protégé par un mot de passe"):
            extract(protected, filename="paie.odt")


class TestHtml:
    PAGE = """<!DOCTYPE html>
    <html><head><title>Intranet</title><style>p { color: red }</style></head>
    <body>
      <header>Accueil | Annuaire</header>
      <nav><a href="/">Menu</a></nav>
      <h1>Congés</h1>
      <p>Les   congés se posent
         <b>en ligne</b>.</p>
      <h2>Report</h2>
      <ul><li>Jusqu'au 31 mai</li><li>Avec accord</li></ul>
      <table><tr><th>Ancienneté</th><th>Jours</th></tr><tr><td>5 ans</td><td>27</td></tr></table>
      <script>trackVisit();</script>
      <footer>Mentions légales</footer>
    </body></html>"""

    def test_sections_follow_the_headings_without_page_furniture(self):
        sections = extract(self.PAGE.encode(), filename="conges.html").sections
        assert [(section.heading, section.text) for section in sections] == [
            ("Congés", "Les congés se posent en ligne."),
            (
                "Congés > Report",
                "- Jusqu'au 31 mai\n- Avec accord\n\nAncienneté | Jours\n5 ans | 27",
            ),
        ]

    def test_the_header_of_an_article_is_kept_for_its_title(self):
        page = "<header>Intranet</header><article><header><h1>Paie</h1></header><p>Le 25.</p>"
        sections = extract(page.encode(), filename="paie.html").sections
        assert sections == [Section("Le 25.", heading="Paie")]

    def test_an_unexpected_parser_error_becomes_a_rejection_naming_it(self, monkeypatch):
        def fail(self, data, *, filename):
            raise AttributeError("'NoneType' object has no attribute 'name'")

        monkeypatch.setattr(HtmlExtractor, "extract", fail)
        with pytest.raises(DocumentRejected, match="AttributeError"):
            extract(self.PAGE.encode(), filename="conges.html")


class TestMarkdown:
    def test_sections_follow_atx_and_setext_headings(self):
        document = (
            "# Congés\n\nPoser en ligne.\n\nReport\n------\n\nJusqu'au 31 mai.\n\n# Paie\n\nLe 25."
        )
        sections = extract(document.encode(), filename="guide.md").sections
        assert [(section.heading, section.text) for section in sections] == [
            ("Congés", "Poser en ligne."),
            ("Congés > Report", "Jusqu'au 31 mai."),
            ("Paie", "Le 25."),
        ]

    def test_a_hash_inside_a_code_block_is_not_a_heading(self):
        document = "# Script\n\n```bash\n# sauvegarde\nrsync -a /srv /backup\n```\n"
        sections = extract(document.encode(), filename="admin.md").sections
        assert sections == [Section("# sauvegarde\nrsync -a /srv /backup", heading="Script")]

    def test_inline_syntax_is_stripped_but_lists_are_kept(self):
        document = (
            "Voir **le guide** et [la note](https://intranet/note) ![logo](logo.png)\n\n"
            "- *premier* point\n- `second` point\n"
        )
        [section] = extract(document.encode(), filename="lisez-moi.md").sections
        assert section.text == "Voir le guide et la note\n\n- premier point\n- second point"

    def test_double_underscores_inside_names_are_not_emphasis(self):
        document = "Ne collez pas window.__xss=1 ni MAX__SIZE ; __ceci__ est en gras."
        [section] = extract(document.encode(), filename="note.md").sections
        assert section.text == "Ne collez pas window.__xss=1 ni MAX__SIZE ; ceci est en gras."


class TestSpreadsheets:
    def test_a_french_csv_uses_semicolons_and_each_row_names_its_columns(self):
        rows = "Nom;Montant;Service\nDupont;1 250,50;Paie\nMartin;;Achats\n".encode("cp1252")
        [section] = extract(rows, filename="primes.csv").sections
        assert section.text == (
            "Nom: Dupont ; Montant: 1 250,50 ; Service: Paie\nNom: Martin ; Service: Achats"
        )

    def test_a_comma_separated_csv_is_read_too(self):
        [section] = extract(
            b'Nom,Commentaire\nDupont,"Oui, sans doute"\n', filename="a.csv"
        ).sections
        assert section.text == "Nom: Dupont ; Commentaire: Oui, sans doute"

    def test_long_tables_are_cut_into_sections_of_whole_rows(self):
        rows = "Numéro;Agent\n" + "".join(f"{n};Agent {n}\n" for n in range(120))
        sections = extract(rows.encode(), filename="agents.csv").sections
        assert [len(section.text.splitlines()) for section in sections] == [
            ROWS_PER_SECTION,
            ROWS_PER_SECTION,
            120 - 2 * ROWS_PER_SECTION,
        ]

    def test_each_excel_sheet_is_numbered_and_named(self):
        workbook = builders.workbook(
            {
                "Agents": [["Nom", "Entrée"], ["Dupont", datetime.datetime(2024, 3, 1)]],
                "Budget": [["Poste", "Montant"], ["Formation", 12500.0]],
            }
        )
        extracted = extract(workbook, filename="rh.xlsx")
        assert extracted.page_count == 2
        assert [(s.page, s.heading, s.text) for s in extracted.sections] == [
            (1, "Agents", "Nom: Dupont ; Entrée: 2024-03-01"),
            (2, "Budget", "Poste: Formation ; Montant: 12500"),
        ]


class TestPlainText:
    def test_utf8_with_a_byte_order_mark_and_windows_1252_read_alike(self):
        for data in (codecs.BOM_UTF8 + "Congés".encode(), "Congés".encode("cp1252")):
            assert extract(data, filename="note.txt").sections[0].text == "Congés"

    def test_form_feeds_split_the_text_into_numbered_pages(self):
        extracted = extract(b"Page un\fPage deux", filename="listing.txt")
        assert extracted.page_count == 2
        assert [(s.page, s.text) for s in extracted.sections] == [(1, "Page un"), (2, "Page deux")]

    def test_text_is_normalised(self):
        raw = "Cafe\u0301   cre\u0300me\x00\r\n\r\n\r\n\r\nSuite\u00a0:\tfin  "
        assert normalize_text(raw) == "Café crème\n\nSuite :\tfin"

    def test_a_stray_control_character_does_not_make_a_text_file_binary(self):
        [section] = extract(b"Fin du fichier DOS.\x1a", filename="vieux.txt").sections
        assert section.text == "Fin du fichier DOS."

    def test_line_end_hyphens_are_joined_only_when_asked_and_before_a_lower_case_letter(self):
        assert normalize_text("exem-\nple") == "exem-\nple"
        assert normalize_text("exem-\nple", dehyphenate=True) == "exemple"
        assert normalize_text("Franco-\nAllemand", dehyphenate=True) == "Franco-\nAllemand"


class TestRejections:
    def test_an_empty_file_is_rejected(self):
        with pytest.raises(DocumentRejected, match="vide"):
            extract(b"", filename="vide.pdf")

    def test_a_file_of_blanks_has_no_usable_text(self):
        with pytest.raises(DocumentRejected, match="Aucun texte exploitable"):
            extract(b" \n\t\n ", filename="blanc.txt")

    def test_binary_data_is_rejected_naming_the_supported_formats(self):
        with pytest.raises(DocumentRejected) as rejection:
            extract(bytes(range(256)) * 8, filename="photo.jpg")
        assert "non pris en charge (application/octet-stream)" in str(rejection.value)
        assert "PDF, Word (.docx)" in str(rejection.value)

    def test_a_legacy_office_file_is_rejected_saying_how_to_convert_it(self):
        legacy = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"WordDocument"
        with pytest.raises(DocumentRejected, match="Ancien format Microsoft Office"):
            extract(legacy, filename="note.doc")

    def test_a_password_protected_office_file_is_rejected_with_the_reason(self):
        encrypted = (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + bytes(504)
            + "EncryptedPackage".encode("utf-16-le")
        )
        with pytest.raises(DocumentRejected, match="protégé par un mot de passe"):
            extract(encrypted, filename="paie.xlsx")

    @pytest.mark.parametrize(
        ("build", "filename"),
        [
            (builders.word_document, "guide.docx"),
            (lambda: builders.workbook({"Agents": [["Nom"], ["Dupont"]]}), "agents.xlsx"),
            (builders.odf_text_document, "guide.odt"),
            (builders.odf_spreadsheet, "budget.ods"),
        ],
    )
    def test_a_truncated_office_document_is_rejected_as_corrupt(self, build, filename):
        complete = build()
        with pytest.raises(DocumentRejected, match="illisible ou corrompu"):
            extract(complete[: len(complete) // 2], filename=filename)

    def test_a_given_mime_type_is_trusted(self):
        extracted = extract(b"# Pas un titre", filename="note.md", mime_type="text/plain")
        assert extracted.sections[0].text == "# Pas un titre"

    def test_the_supported_types_are_the_documented_formats(self):
        assert set(SUPPORTED_MIME_TYPES) == {
            "application/pdf",
            DOCX,
            XLSX,
            ODT,
            ODS,
            ODP,
            "text/html",
            "text/markdown",
            "text/csv",
            "text/plain",
        }
