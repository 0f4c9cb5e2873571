"""Fuzzing the extractors and the hint parser with hypothesis.

The property: whatever the bytes and whatever format they are read as, extraction gives
sections that chunk cleanly, or a DocumentRejected. A parsing library may fail on garbage in
its own way (`extract` then names its error in the rejection), but an error raised by our
own code is a bug. Nothing may hang: each example has a deadline.

FUZZ_EXAMPLES sets the examples per test (README, Tests). Under CI=true the examples are
derandomized, so a run is reproducible; elsewhere each run explores new ones.
"""

import io
import os
import zipfile
from datetime import timedelta
from pathlib import Path
from types import TracebackType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odf.element import Element
from odf.namespaces import nsdict

import documents
from documents.chunking import split_sections
from documents.exceptions import DocumentRejected
from documents.extraction import SUPPORTED_MIME_TYPES, extract
from documents.extraction.detection import CSV, DOCX, HTML, MARKDOWN, ODS, ODT, PDF, TEXT, XLSX
from documents.hints import parse_hints
from documents.tests import builders

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=5),
    derandomize=ON_CI,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
OUR_CODE = str(Path(documents.__file__).parent)
CHUNK_SIZE = 200

SAMPLES = {
    "guide.pdf": (PDF, builders.pdf("Congés annuels", "Télétravail : deux jours.")),
    "guide.docx": (DOCX, builders.word_document()),
    "guide.odt": (ODT, builders.odf_text_document()),
    "agents.ods": (ODS, builders.odf_spreadsheet()),
    "agents.xlsx": (XLSX, builders.workbook({"Agents": [["Nom", "Service"], ["Dupont", "Paie"]]})),
    "page.html": (
        HTML,
        "<html><head><title>T</title></head><body><h1>Congés</h1><p>Vingt-cinq jours.</p>"
        "<ul><li>un</li><li>deux</li></ul><table><tr><td>a</td><td>b</td></tr></table>"
        "</body></html>".encode(),
    ),
    "notes.md": (
        MARKDOWN,
        "# Congés\n\nLes **congés** se posent [en ligne](http://rh).\n\n## Report\n\n- un\n- "
        "deux\n\n```\ncode\n```\n| a | b |\n|---|---|\n| 1 | 2 |\n".encode(),
    ),
    "note.txt": (TEXT, "Le télétravail est possible deux jours par semaine.\fPage 2".encode()),
    "agents.csv": (CSV, b"nom;service\nDupont;Paie\nMartin;Achats\n"),
}
# The XML part of each container that its library parses for the text.
MAIN_PARTS = {
    "guide.docx": "word/document.xml",
    "guide.odt": "content.xml",
    "agents.ods": "content.xml",
    "agents.xlsx": "xl/worksheets/sheet1.xml",
}

mutations = st.lists(
    st.tuples(
        st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate"]),
        st.floats(min_value=0, max_value=1),
        st.binary(min_size=1, max_size=16),
    ),
    min_size=1,
    max_size=6,
)


@pytest.fixture(autouse=True)
def odfpy_namespaces():
    """odfpy records every namespace it meets in two global dicts, which fuzzed files fill
    with junk (an empty namespace, say): ODF files written later by the tests would break."""
    registries = (nsdict, Element.namespaces)
    known = [dict(registry) for registry in registries]
    yield
    for registry, entries in zip(registries, known, strict=True):
        registry.clear()
        registry.update(entries)


def mutated(data: bytes, operations: list[tuple[str, float, bytes]]) -> bytes:
    for operation, where, payload in operations:
        position = int(where * len(data))
        if operation == "flip" and data:
            position = min(position, len(data) - 1)
            data = data[:position] + bytes([data[position] ^ payload[0]]) + data[position + 1 :]
        elif operation == "truncate":
            data = data[:position]
        elif operation == "insert":
            data = data[:position] + payload + data[position:]
        elif operation == "delete":
            data = data[:position] + data[position + len(payload) :]
        elif operation == "duplicate":
            data = data[:position] + data[position : position + 64] * len(payload) + data[position:]
    return data


def with_part(container: bytes, part: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(container))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as copy:
        for name in source.namelist():
            copy.writestr(name, content if name == part else source.read(name))
    return output.getvalue()


def read(data: bytes, filename: str, mime_type: str | None = None) -> None:
    """Extract then chunk `data`; fails the test unless that works or is a fair rejection."""
    try:
        extracted = extract(data, filename=filename, mime_type=mime_type)
    except DocumentRejected as rejection:
        assert_not_our_bug(rejection)
        return
    assert extracted.sections and all(section.text for section in extracted.sections)
    chunks = split_sections(extracted.sections, size=CHUNK_SIZE, overlap=20)
    assert all(0 < len(chunk.text) <= CHUNK_SIZE for chunk in chunks)


def assert_not_our_bug(rejection: DocumentRejected) -> None:
    """A rejection by the safety net of `extract` must come from a library, not from us."""
    error = rejection.__cause__
    if error is None or not str(rejection).startswith("Lecture du fichier impossible"):
        return
    origin = _innermost_python_file(error.__traceback__)
    assert not origin.startswith(OUR_CODE), (
        f"{type(error).__name__}: {error} raised in our code ({origin})"
    )


def _innermost_python_file(traceback: TracebackType | None) -> str:
    filename = ""
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        traceback = traceback.tb_next
    return filename


@pytest.mark.parametrize("mime_type", SUPPORTED_MIME_TYPES)
@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes_read_as_any_format_are_read_or_rejected(mime_type, data):
    read(data, "fichier", mime_type)


@FUZZ
@given(data=st.binary(max_size=2048), filename=st.sampled_from(sorted(SAMPLES)))
def test_random_bytes_of_any_name_are_detected_then_read_or_rejected(data, filename):
    read(data, filename)


@pytest.mark.parametrize("filename", sorted(SAMPLES))
@FUZZ
@given(operations=mutations)
def test_a_mutated_valid_file_is_read_or_rejected(filename, operations):
    mime_type, sample = SAMPLES[filename]
    read(mutated(sample, operations), filename, mime_type)


@pytest.mark.parametrize("filename", sorted(MAIN_PARTS))
@FUZZ
@given(operations=mutations)
def test_a_container_with_a_mutated_xml_part_is_read_or_rejected(filename, operations):
    """The container stays valid (fresh checksums): the mutation reaches the XML parser."""
    mime_type, sample = SAMPLES[filename]
    part = MAIN_PARTS[filename]
    xml = zipfile.ZipFile(io.BytesIO(sample)).read(part)
    read(with_part(sample, part, mutated(xml, operations)), filename, mime_type)


hint_like = st.from_regex(
    r"\A(pages?|toutes (les )?pages|tout le document|PAGE)?\s?[0-9]{0,12}\s?"
    r"(à|a|au|-|\u2013)?\s?[0-9]{0,12}\s?:?\s?.{0,20}([;\n].{0,30})*\Z"
)


@FUZZ
@given(raw=st.one_of(st.text(max_size=300), hint_like), page=st.none() | st.integers())
def test_the_hint_parser_takes_any_text(raw, page):
    parsed = parse_hints(raw)
    assert all(hint.text for hint in parsed.hints)
    assert all("Indication ignorée" in error for error in parsed.errors)
    assert isinstance(parsed.for_page(page), str)
