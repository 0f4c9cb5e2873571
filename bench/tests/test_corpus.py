import gzip
import shutil
from pathlib import Path

import pytest

from bench.corpus import (
    FORMATS,
    CorpusError,
    SourcePage,
    choose_documents,
    corpus_digest,
    document_filename,
    fixed_pdf_dates,
    render,
    source_pages,
)
from testing.services import require

PAGE = """.TH ECHO 1 2024-01-01 "Test" "User Commands"
.SH NAME
echo \\- display a line of text
.SH DESCRIPTION
Echo the STRING(s) to standard output, with a trailing newline unless told otherwise.
.TP
.B \\-n
do not output the trailing newline
"""
FRENCH_PAGE = """.TH ECHO 1 2024-01-01 "Test" "Commandes de l'utilisateur"
.SH NOM
echo \\- afficher une ligne de texte
.SH DESCRIPTION
Afficher les CHAÎNEs sur la sortie standard, suivies d'un saut de ligne.
"""


def pages(count: int) -> list[SourcePage]:
    return [SourcePage(Path(f"p{n}.1.gz"), "en", f"p{n}.1", f"page {n}") for n in range(count)]


def write_page(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(source.encode()))
    return path


def test_the_same_seed_chooses_the_same_documents():
    assert choose_documents(pages(50), count=20, seed=3) == choose_documents(
        pages(50), count=20, seed=3
    )


def test_another_seed_chooses_other_documents():
    assert choose_documents(pages(50), count=20, seed=3) != choose_documents(
        pages(50), count=20, seed=4
    )


def test_documents_are_distinct_pages_while_there_are_pages_left():
    chosen = choose_documents(pages(50), count=50, seed=1)
    assert len({page.title for page, _ in chosen}) == 50


def test_formats_rotate_from_page_to_page():
    chosen = choose_documents(pages(30), count=30, seed=1)
    assert [file_format for _, file_format in chosen[:3]] == list(FORMATS)
    assert {file_format for _, file_format in chosen} == set(FORMATS)


def test_past_the_pages_each_page_comes_back_in_another_format():
    chosen = choose_documents(pages(10), count=30, seed=1)
    names = [document_filename(page, file_format) for page, file_format in chosen]
    assert len(set(names)) == 30


def test_more_documents_than_pages_in_every_format_is_an_error():
    with pytest.raises(CorpusError):
        choose_documents(pages(10), count=31, seed=1)


def test_source_pages_keep_real_pages_with_their_language_and_description(tmp_path):
    write_page(tmp_path / "man1" / "echo.1.gz", PAGE)
    write_page(tmp_path / "fr" / "man1" / "echo.1.gz", FRENCH_PAGE)
    write_page(tmp_path / "man1" / "alias.1.gz", ".so man1/echo.1\n")
    (tmp_path / "man1" / "link.1.gz").symlink_to(tmp_path / "man1" / "echo.1.gz")

    found = source_pages(tmp_path)

    assert {(page.language, page.title, page.description) for page in found} == {
        ("en", "echo.1", "display a line of text"),
        ("fr", "echo.1", "afficher une ligne de texte"),
    }


def test_pdf_dates_become_the_epoch_without_moving_any_byte_offset():
    pdf = b"<< /CreationDate (D:20261126032334+00'00')\n/ModDate (D:20261126032334+00'00') >>"
    fixed = fixed_pdf_dates(pdf)
    assert b"20261126" not in fixed
    assert fixed.count(b"(D:19700101000000+00'00')") == 2
    assert len(fixed) == len(pdf)


def test_the_digest_covers_names_and_bytes(tmp_path):
    (tmp_path / "a.txt").write_text("one")
    before = corpus_digest(tmp_path, ["a.txt"])
    (tmp_path / "a.txt").write_text("two")
    assert corpus_digest(tmp_path, ["a.txt"]) != before


@pytest.mark.parametrize("file_format", FORMATS)
def test_groff_renders_a_page_the_same_way_twice(tmp_path, file_format):
    require(shutil.which("gropdf") is not None, "groff (Debian's full package, with gropdf)")
    page = SourcePage(write_page(tmp_path / "echo.1.gz", FRENCH_PAGE), "fr", "echo.1", "")
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()

    first = render(page, file_format, images=tmp_path / "first")

    assert first == render(page, file_format, images=tmp_path / "second")
    if file_format == "txt":
        assert "afficher une ligne de texte" in first.decode()
