"""Upload type checks: the content says what a file is, and the extension has to agree."""

import codecs
import io
import tracemalloc
import zipfile

import pytest

from documents.exceptions import UploadRejected
from documents.extraction.detection import (
    CSV,
    DOCX,
    HTML,
    MARKDOWN,
    ODP,
    ODS,
    ODT,
    OLE,
    PDF,
    TEXT,
    XLSX,
)
from documents.filetypes import check_upload_type, sniff_mime_type
from documents.tests import builders

WINDOWS_PROGRAM = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 4
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
NOTE = "Les congés se posent dans l'outil RH.".encode()


def check(data: bytes, filename: str) -> str:
    return check_upload_type(io.BytesIO(data), filename)


def refusal(data: bytes, filename: str) -> str:
    with pytest.raises(UploadRejected) as rejection:
        check(data, filename)
    return str(rejection.value)


@pytest.mark.parametrize(
    ("build", "filename", "mime_type"),
    [
        (lambda: builders.pdf("Texte"), "guide.pdf", PDF),
        (builders.word_document, "guide.docx", DOCX),
        (lambda: builders.workbook({"Agents": [["Nom"], ["Dupont"]]}), "agents.xlsx", XLSX),
        (builders.odf_text_document, "guide.odt", ODT),
        (builders.odf_spreadsheet, "agents.ods", ODS),
        (lambda: builders.odf_presentation(("Titre", "Corps")), "cours.odp", ODP),
        (lambda: b"<html><body><p>Paie</p></body></html>", "paie.html", HTML),
        (lambda: b"# Titre\n\nTexte", "notes.md", MARKDOWN),
        (lambda: b"nom;service\nDupont;Paie\n", "agents.csv", CSV),
        (lambda: NOTE, "note.txt", TEXT),
    ],
)
def test_each_supported_format_is_accepted_under_its_own_extension(build, filename, mime_type):
    assert check(build(), filename) == mime_type


def test_a_text_extension_accepts_any_kind_of_text():
    assert check(b"<html><body><p>Paie</p></body></html>", "page.txt") == HTML
    assert check(b"# Titre\n\nTexte", "notes.txt") == MARKDOWN


def test_a_file_without_a_known_extension_is_accepted_when_its_content_is_readable():
    assert check(NOTE, "LISEZMOI") == TEXT
    assert check(builders.pdf("Texte"), "export.dat") == PDF


def test_a_program_renamed_pdf_is_refused_saying_what_it_is():
    reason = refusal(WINDOWS_PROGRAM, "facture.pdf")
    assert "facture" not in reason
    assert "un programme Windows" in reason and "l'extension .pdf" in reason


def test_a_pdf_renamed_docx_is_refused_as_misnamed():
    reason = refusal(builders.pdf("Texte"), "rapport.docx")
    assert "un PDF" in reason and "l'extension .docx" in reason


def test_an_image_renamed_txt_is_refused_as_misnamed():
    assert "une image PNG" in refusal(PNG, "note.txt")


def test_a_zip_archive_renamed_docx_is_refused_as_misnamed():
    archive = builders.zip_archive({"a.txt": b"a"})
    assert "une archive ZIP" in refusal(archive, "note.docx")


def test_an_image_is_refused_as_an_unsupported_type_listing_the_accepted_formats():
    reason = refusal(PNG, "photo.png")
    assert "Type de fichier non pris en charge (une image PNG)" in reason
    assert "PDF, Word (.docx)" in reason


def test_binary_data_is_refused_as_an_unsupported_type():
    assert "non pris en charge (des données binaires)" in refusal(bytes(range(256)) * 8, "x.bin")


def test_a_zip_archive_under_another_name_is_refused_saying_to_name_it_zip():
    reason = refusal(builders.zip_archive({"a.txt": b"a"}), "lot.jar")
    assert "archive ZIP" in reason and ".zip" in reason


def test_a_legacy_office_file_is_refused_saying_how_to_convert_it():
    legacy = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"WordDocument"
    assert "Ancien format Microsoft Office" in refusal(legacy, "note.doc")


def test_a_password_protected_docx_is_refused_as_protected_not_as_misnamed():
    encrypted = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(2 * 1024 * 1024)  # the marker lies past the first block read
        + "EncryptedPackage".encode("utf-16-le")
    )
    assert sniff_mime_type(io.BytesIO(encrypted), "budget.xlsx") == OLE
    assert "protégé par un mot de passe" in refusal(encrypted, "budget.xlsx")


def test_an_rtf_document_is_refused_saying_how_to_convert_it():
    assert "Format RTF non pris en charge" in refusal(rb"{\rtf1\ansi Bonjour}", "lettre.doc")


def test_utf16_text_without_a_byte_order_mark_is_text():
    assert check("Congés payés\r\n".encode("utf-16-le") * 20, "note.txt") == TEXT


def test_text_with_a_few_invalid_bytes_and_nul_bytes_is_still_text():
    damaged = NOTE + b"\xff\x00\x00" + codecs.BOM_UTF8[:2] + NOTE * 20
    assert check(damaged, "note.txt") == TEXT


def test_the_stream_is_rewound_after_the_check():
    stream = io.BytesIO(builders.word_document())
    check_upload_type(stream, "guide.docx")
    assert stream.tell() == 0


def test_sniffing_an_opendocument_does_not_inflate_its_mimetype_entry():
    """A zip bomb in the `mimetype` entry: only its first bytes are read."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("mimetype", "w") as entry,
    ):
        entry.write(ODT.encode())
        for _ in range(32):
            entry.write(b" " * 1024 * 1024)
    tracemalloc.start()
    try:
        assert sniff_mime_type(buffer, "guide.odt") == ODT
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024
