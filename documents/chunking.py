"""Cutting extracted sections into passages of about SPLIT_CHUNK_SIZE characters.

Passages never straddle two pages, so a citation points at one page. Short consecutive
sections of the same page are merged (with their headings written inline) so that a page
of small paragraphs does not become a swarm of tiny, context-free passages.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from documents.extraction import Section

# Paragraphs first, then lines, then sentences (French punctuation included), then words.
SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", " ; ", "; ", ": ", ", ", " ", ""]
# The splitter holds all the pieces of its input at once, down to single characters in text
# without spaces: a 10 MB line took 17 s and hundreds of MB. Longer sections are first cut
# into parts of this many chunks, at a line break or a space.
PART_CHUNKS = 100


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
        texts = (
            text
            for part in _parts(section.text, size * PART_CHUNKS)
            for text in _split(splitter, part, size=size, overlap=overlap)
        )
        for text in texts:
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


def _parts(text: str, limit: int) -> Iterator[str]:
    """`text` in parts of at most `limit` characters, cut after a line break or a space."""
    start = 0
    while len(text) - start > limit:
        end, earliest = start + limit, start + limit // 2
        cut = text.rfind("\n", earliest, end)
        if cut == -1:
            cut = text.rfind(" ", earliest, end)
        cut = end if cut == -1 else cut + 1
        yield text[start:cut]
        start = cut
    yield text[start:]


def _split(
    splitter: RecursiveCharacterTextSplitter, text: str, *, size: int, overlap: int
) -> list[str]:
    """The splitter's chunks; text without a space is cut into windows directly, much faster."""
    if " " in text or "\n" in text:
        return splitter.split_text(text)
    step = size - min(overlap, size // 2)
    return [text[start : start + size] for start in range(0, len(text), step)]
