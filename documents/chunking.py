"""Cutting extracted sections into passages of about SPLIT_CHUNK_SIZE characters.

Passages never straddle two pages, so a citation points at one page. Short consecutive
sections of the same page are merged (with their headings written inline) so that a page
of small paragraphs does not become a swarm of tiny, context-free passages.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from documents.extraction import Section

# Paragraphs first, then lines, then sentences (French punctuation included), then words.
SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", " ; ", "; ", ": ", ", ", " ", ""]


@dataclass(frozen=True)
class Chunk:
    text: str
    position: int
    page: int | None
    heading: str


def _heading_line(heading: str) -> str:
    return heading.rsplit(" > ", 1)[-1]


def _merge_short_sections(sections: Iterable[Section], size: int) -> list[Section]:
    merged: list[Section] = []
    for section in sections:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.page == section.page
            and len(previous.text) + len(section.text) + 2 <= size
        ):
            text = section.text
            if section.heading and section.heading != previous.heading:
                text = f"{_heading_line(section.heading)}\n{text}"
            merged[-1] = Section(
                text=f"{previous.text}\n\n{text}", page=previous.page, heading=previous.heading
            )
        else:
            merged.append(section)
    return merged


def split_sections(sections: Iterable[Section], *, size: int, overlap: int) -> list[Chunk]:
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=min(overlap, size // 2),
        separators=SEPARATORS,
        keep_separator="end",
    )
    chunks: list[Chunk] = []
    for section in _merge_short_sections(sections, size):
        for text in splitter.split_text(section.text):
            if text.strip():
                chunks.append(
                    Chunk(
                        text=text.strip(),
                        position=len(chunks),
                        page=section.page,
                        heading=section.heading,
                    )
                )
    return chunks
