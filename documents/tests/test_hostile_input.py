"""Hostile and damaged files: each ends as a rejection with a reason, never a crash or a hang.

Every hostile file is built here, in memory, by the test that uses it.
"""

import codecs
import contextlib
import io
import random
import time
import tracemalloc
import zipfile
from collections.abc import Iterable

import openpyxl
import pytest
from django.core.files.base import ContentFile

from documents import indexing
from documents.chunking import split_sections
from documents.exceptions import DocumentRejected
from documents.extraction import Section, extract
from documents.extraction import docx as docx_extraction
from documents.extraction import odf as odf_extraction
from documents.extraction import xlsx as xlsx_extraction
from documents.hints import parse_hints
from documents.models import Document
from documents.tests import builders
from documents.tests.factories import CategoryFactory, DocumentFactory
from documents.uploads import IncomingFile, upload_files

MEGABYTE = 1024 * 1024
W_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10 if level > 1 else "&lol;" * 10}">'
        for level in range(1, 10)
    )
    + "]>"
).encode()
SECRET = "secret-de-la-machine-7f3a"
WINDOWS_PROGRAM = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 4
)


def rezipped(container: bytes, parts: dict[str, bytes | Iterable[bytes]], **options) -> bytes:
    """`container` with parts replaced or added; a part given as blocks is written streaming."""
    source = zipfile.ZipFile(io.BytesIO(container))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", options.pop("compression", zipfile.ZIP_DEFLATED)) as copy:
        for name in [
            *source.namelist(),
            *(name for name in parts if name not in source.namelist()),
        ]:
            content = parts[name] if name in parts else source.read(name)
            if isinstance(content, bytes):
                copy.writestr(name, content, **options)
                continue
            with copy.open(name, "w") as part:
                for block in content:
                    part.write(block)
    return output.getvalue()


def word_document_with_body(body: bytes) -> bytes:
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W_NAMESPACE}"><w:body>'
    ).encode()
    return rezipped(
        builders.word_document(),
        {"word/document.xml": document + body + b"</w:body></w:document>"},
    )


def paragraph(text: str | bytes) -> bytes:
    text = text.encode() if isinstance(text, str) else text
    return b"<w:p><w:r><w:t>" + text + b"</w:t></w:r></w:p>"


def with_prolog(xml: bytes, declaration: bytes) -> bytes:
    """The XML part with `declaration` (a DOCTYPE) inserted after its XML declaration."""
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + declaration + xml[end:]
    return declaration + xml


def xxe(path) -> bytes:
    return f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{path}">]>'.encode()


def extracted_text(data: bytes, filename: str) -> str:
    return "\n".join(section.text for section in extract(data, filename=filename).sections)


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    """A .docx whose document.xml inflates to 200 MB from a few hundred KB."""
    block = b"A" * MEGABYTE
    body = [
        f'<w:document xmlns:w="{W_NAMESPACE}"><w:body><w:p><w:r><w:t>'.encode(),
        *(block for _ in range(200)),
        b"</w:t></w:r></w:p></w:body></w:document>",
    ]
    return rezipped(builders.word_document(), {"word/document.xml": body})


# --- Zip bombs and other hostile Office/OpenDocument containers ----------------------------


def test_a_docx_zip_bomb_is_rejected_without_being_inflated(docx_bomb):
    assert len(docx_bomb) < MEGABYTE
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(DocumentRejected, match="bombe de décompression"):
            extract(docx_bomb, filename="bombe.docx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * MEGABYTE
    assert time.monotonic() - started < 10


def test_a_container_inflating_past_the_size_limit_is_rejected(settings):
    settings.OFFICE_MAX_UNCOMPRESSED_SIZE = MEGABYTE
    # Random bytes do not compress: no ratio alarm, only the total size.
    document = rezipped(
        builders.odf_text_document(), {"Pictures/photo.png": _random_bytes(2 * MEGABYTE)}
    )
    with pytest.raises(DocumentRejected, match="dépasserait 1 Mo"):
        extract(document, filename="lourd.odt")


def test_a_container_with_too_many_entries_is_rejected(settings):
    settings.OFFICE_MAX_ENTRIES = 5
    with pytest.raises(DocumentRejected, match=r"compte \d+ éléments, au plus 5"):
        extract(builders.word_document(), filename="guide.docx")


def test_a_container_entry_compressed_with_bzip2_is_rejected():
    document = rezipped(builders.word_document(), {}, compression=zipfile.ZIP_BZIP2)
    with pytest.raises(DocumentRejected, match="compressé d'une manière"):
        extract(document, filename="guide.docx")


@pytest.mark.parametrize(
    ("build", "part", "filename"),
    [
        (builders.word_document, "word/document.xml", "guide.docx"),
        (builders.word_document, "[Content_Types].xml", "guide.docx"),
        (
            lambda: builders.workbook({"Agents": [["Nom"], ["Dupont"]]}),
            "xl/worksheets/sheet1.xml",
            "agents.xlsx",
        ),
        (builders.odf_text_document, "content.xml", "guide.odt"),
        (builders.odf_spreadsheet, "META-INF/manifest.xml", "agents.ods"),
    ],
)
@pytest.mark.parametrize("declaration", [LAUGHS, xxe("/etc/hostname")], ids=["laughs", "xxe"])
def test_a_doctype_in_any_xml_part_of_a_container_is_rejected(build, part, filename, declaration):
    container = build()
    xml = zipfile.ZipFile(io.BytesIO(container)).read(part)
    hostile = rezipped(container, {part: with_prolog(xml, declaration)})
    with pytest.raises(DocumentRejected, match="DOCTYPE ou ENTITY"):
        extract(hostile, filename=filename)


def test_a_doctype_hidden_in_utf16_is_rejected_too():
    xml = f'<w:document xmlns:w="{W_NAMESPACE}"><w:body/></w:document>'
    utf16 = codecs.BOM_UTF16_LE + (LAUGHS.decode() + xml).encode("utf-16-le")
    hostile = rezipped(builders.word_document(), {"word/document.xml": utf16})
    with pytest.raises(DocumentRejected, match="DOCTYPE ou ENTITY"):
        extract(hostile, filename="guide.docx")


@pytest.mark.parametrize(
    ("build", "part", "text", "filename", "extractor"),
    [
        (builders.word_document, "word/document.xml", b"Guide interne", "a.docx", docx_extraction),
        (builders.odf_text_document, "content.xml", "Congés".encode(), "a.odt", odf_extraction),
        (
            lambda: builders.workbook({"Agents": [["Nom"], ["Dupont"]]}),
            "xl/worksheets/sheet1.xml",
            b"Dupont",
            "a.xlsx",
            xlsx_extraction,
        ),
    ],
    ids=["python-docx", "odfpy", "openpyxl"],
)
@pytest.mark.parametrize("attack", ["laughs", "xxe"])
def test_without_the_container_check_the_xml_parsers_still_expand_no_entity(
    monkeypatch, secret_file, build, part, text, filename, extractor, attack
):
    """Defence in depth: each library's own parser, reached with the DOCTYPE check off."""
    monkeypatch.setattr(extractor, "check_container", lambda data: None)
    declaration, reference = (
        (LAUGHS, b"&lol9;") if attack == "laughs" else (xxe(secret_file), b"&xxe;")
    )
    container = build()
    xml = zipfile.ZipFile(io.BytesIO(container)).read(part)
    hostile = rezipped(container, {part: with_prolog(xml, declaration).replace(text, reference)})
    try:
        read = extracted_text(hostile, filename)
    except DocumentRejected:
        return
    assert SECRET not in read and "lollol" not in read


# --- XML and HTML -------------------------------------------------------------------------


def test_an_html_page_never_reads_an_external_entity(secret_file):
    page = xxe(secret_file) + b"<html><body><p>avant &xxe; apr\xc3\xa8s</p></body></html>"
    assert SECRET not in extracted_text(page, "page.html")


def test_an_html_page_never_expands_a_billion_laughs():
    page = LAUGHS + b"<html><body><p>rire : &lol9;</p></body></html>"
    assert len(extracted_text(page, "page.html")) < 100


@pytest.mark.parametrize("tag", ["div", "b", "section"])
def test_a_hundred_thousand_nested_html_tags_are_read_without_recursion(tag):
    depth = 100_000
    page = (
        b"<html><body>"
        + f"<{tag}>".encode() * depth
        + b"profond"
        + f"</{tag}>".encode() * depth
        + b"<p>fin</p></body></html>"
    )
    assert extracted_text(page, "profond.html") == "profond\n\nfin"


def test_deeply_nested_opendocument_fails_with_a_reason_instead_of_crashing(settings):
    settings.OFFICE_MAX_COMPRESSION_RATIO = 10**6  # so that the parser is reached
    depth = 50_000
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {TEXT_NAMESPACES}>'
        "<office:body><office:text>"
        + "<text:section>" * depth
        + "<text:p>profond</text:p>"
        + "</text:section>" * depth
        + "</office:text></office:body></office:document-content>"
    ).encode()
    hostile = rezipped(builders.odf_text_document(), {"content.xml": content})
    with pytest.raises(DocumentRejected, match="trop profondément imbriquée"):
        extract(hostile, filename="profond.odt")


def test_deeply_nested_word_xml_is_refused_by_the_parser_limit(settings):
    settings.OFFICE_MAX_COMPRESSION_RATIO = 10**6
    depth = 10_000
    body = b"<w:sdt><w:sdtContent>" * depth + b"</w:sdtContent></w:sdt>" * depth
    with pytest.raises(DocumentRejected, match="Word illisible ou corrompu"):
        extract(word_document_with_body(paragraph("début") + body), filename="profond.docx")


# --- Huge or pathological text -------------------------------------------------------------


@pytest.mark.parametrize("line", ["a" * 2_000_000, "mot " * 500_000], ids=["no-space", "words"])
def test_a_huge_single_line_is_chunked_in_bounded_memory(line):
    tracemalloc.start()
    try:
        chunks = split_sections([Section(line)], size=1000, overlap=100)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(chunks) >= 2000
    assert max(len(chunk.text) for chunk in chunks) <= 1000
    assert peak < 20 * MEGABYTE  # 2 MB of text; unbounded, the splitter took 35 to 70 MB


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "line",
    [
        "_a " * 200_000,
        "**a " * 100_000,
        "*a " * 100_000,
        "~~a " * 100_000,
        "[" * 100_000 + "a",
        "[a](" * 100_000,
        "![a" * 100_000,
        "<!--" * 100_000,
        " " * 100_000 + "x",
        "|-" * 100_000 + "x",
    ],
    ids=lambda line: repr(line[:6]),
)
def test_a_pathological_markdown_line_is_read_in_linear_time(line):
    """Each of these took minutes to hours with unbounded lazy patterns."""
    started = time.monotonic()
    with contextlib.suppress(DocumentRejected):
        extract(line.encode(), filename="piege.md")
    assert time.monotonic() - started < 20


@pytest.mark.timeout(60)
def test_a_spreadsheet_declaring_its_full_grid_is_read_by_its_real_cells():
    """Two cells, a declared A1:XFD1048576: padded rows would be 17 billion cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Agents"
    sheet["A1"], sheet["A2"], sheet["A1048576"] = "Nom", "Dupont", "Martin"
    output = io.BytesIO()
    book.save(output)
    sheet_xml = zipfile.ZipFile(output).read("xl/worksheets/sheet1.xml")
    declared = sheet_xml.replace(b'ref="A1:A1048576"', b'ref="A1:XFD1048576"')
    assert declared != sheet_xml
    workbook = rezipped(output.getvalue(), {"xl/worksheets/sheet1.xml": declared})
    assert extracted_text(workbook, "agents.xlsx") == "Nom: Dupont\nNom: Martin"


def test_a_spreadsheet_over_the_cell_budget_is_rejected(monkeypatch):
    monkeypatch.setattr(xlsx_extraction, "MAX_CELLS", 10)
    workbook = builders.workbook({"Agents": [["Nom", "Service"]] + [["Dupont", "Paie"]] * 10})
    with pytest.raises(DocumentRejected, match="Classeur trop volumineux"):
        extract(workbook, filename="agents.xlsx")


def test_a_csv_with_an_unclosed_quote_is_rejected_saying_so():
    with pytest.raises(DocumentRejected, match="guillemet"):
        extract(b'nom;commentaire\nDupont;"' + b"a" * 200_000, filename="agents.csv")


def test_a_page_number_of_thousands_of_digits_is_an_ignored_hint():
    parsed = parse_hints("page " + "9" * 5000 + " : annexe ; toutes pages : RH")
    assert [hint.text for hint in parsed.hints] == ["RH"]
    assert len(parsed.errors) == 1


# --- Encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["note.txt", "note.md", "note.html"])
def test_nul_bytes_are_dropped_from_text(filename):
    data = b"Cong\xc3\xa9s\x00\x00 pay\xc3\xa9s" + b"\x00" * 30 + " et télétravail.".encode()
    assert extracted_text(data, filename) == "Congés payés et télétravail."


@pytest.mark.parametrize("filename", ["note.txt", "note.md", "note.html"])
def test_a_utf8_file_with_an_invalid_byte_keeps_its_accents(filename):
    data = "Congés payés, télétravail ".encode() + b"\xff et frais."
    assert extracted_text(data, filename) == "Congés payés, télétravail \ufffd et frais."


def test_a_windows_1252_file_with_an_undefined_byte_is_read():
    data = "Congés payés ".encode("cp1252") + b"\x81"
    assert extracted_text(data, "note.txt").startswith("Congés payés")


def test_utf16_without_a_byte_order_mark_is_read():
    assert extracted_text("Congés payés".encode("utf-16-le"), "note.txt") == "Congés payés"


def test_utf16_of_odd_length_with_a_byte_order_mark_is_read():
    data = codecs.BOM_UTF16_LE + "Congés payés".encode("utf-16-le") + b"!"
    assert extracted_text(data, "note.txt").startswith("Congés payés")


def test_a_lone_surrogate_never_reaches_the_passages():
    assert "\ud800" not in extracted_text(b"\xff\xfeC\x00\x00\xd8a\x00", "note.txt")


# --- Malformed and encrypted PDFs, through the pipeline --------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (lambda: builders.pdf("Texte")[:300], "PDF illisible ou corrompu"),
        (lambda: b"%PDF-1.7\n" + _random_bytes(4096), "PDF illisible ou corrompu"),
        (lambda: b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "PDF illisible"),
        (lambda: builders.pdf("Texte", password="secret"), "protégé par un mot de passe"),
    ],
    ids=["truncated", "garbage", "no-pages", "encrypted"],
)
def test_a_malformed_or_encrypted_pdf_ends_as_a_failed_document_with_a_french_reason(
    content, reason
):
    document = DocumentFactory(file=ContentFile(content(), name="piege.pdf"))
    result = indexing.index_document(document.pk)
    document.refresh_from_db()
    assert result.status == Document.Status.FAILED == document.status
    assert reason in document.error_message


@pytest.mark.django_db
def test_a_docx_zip_bomb_ends_as_a_failed_document(docx_bomb):
    document = DocumentFactory(file=ContentFile(docx_bomb, name="bombe.docx"))
    indexing.index_document(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert "bombe de décompression" in document.error_message


# --- At upload ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_program_renamed_pdf_is_refused_at_upload_and_the_others_are_created():
    report = upload_files(
        category=CategoryFactory(),
        files=[
            IncomingFile(io.BytesIO(WINDOWS_PROGRAM), "facture.pdf"),
            IncomingFile(io.BytesIO(b"Le teletravail."), "note.txt"),
        ],
    )
    assert [document.original_filename for document in report.created] == ["note.txt"]
    [rejected] = report.rejected
    assert rejected.name == "facture.pdf" and "un programme Windows" in rejected.reason
    assert not rejected.too_large
    assert not Document.objects.filter(original_filename="facture.pdf").exists()


@pytest.mark.django_db
def test_a_misnamed_entry_of_an_uploaded_archive_is_refused_by_its_path():
    archive = builders.zip_archive({"RH/facture.pdf": WINDOWS_PROGRAM, "RH/note.txt": b"Paie."})
    report = upload_files(
        category=CategoryFactory(), files=[IncomingFile(io.BytesIO(archive), "lot.zip")]
    )
    assert [document.title for document in report.created] == ["RH — note"]
    assert [rejected.name for rejected in report.rejected] == ["lot.zip/RH/facture.pdf"]


def _random_bytes(size: int) -> bytes:
    """Incompressible and reproducible: no test depends on chance."""
    return random.Random(size).randbytes(size)
