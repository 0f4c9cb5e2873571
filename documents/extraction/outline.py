"""Grouping the blocks of a structured document under their heading trail."""

from documents.extraction.base import Section


class Outline:
    """Collects headings and text blocks in reading order; one Section per heading block.

    A heading closes the current section and replaces the headings of its level and deeper
    in the trail, so "Congés > Congés annuels" followed by a level-2 "Absences" gives
    "Congés > Absences".
    """

    def __init__(self) -> None:
        self._trail: list[tuple[int, str]] = []
        self._blocks: list[str] = []
        self._sections: list[Section] = []
        self._in_list = False
        self.first_title = ""  # the first level-1 heading

    def heading(self, level: int, title: str) -> None:
        title = " ".join(title.split())
        if not title:
            return
        self._close_section()
        if level == 1 and not self.first_title:
            self.first_title = title
        self._trail = [(depth, text) for depth, text in self._trail if depth < level]
        self._trail.append((level, title))

    def add(self, text: str) -> None:
        if text.strip():
            self._blocks.append(text.strip())
            self._in_list = False

    def add_item(self, text: str) -> None:
        """A list item: consecutive items make one block, one "- item" per line."""
        if not text.strip():
            return
        if self._in_list:
            self._blocks[-1] += f"\n- {text.strip()}"
        else:
            self._blocks.append(f"- {text.strip()}")
            self._in_list = True

    def sections(self) -> list[Section]:
        self._close_section()
        return self._sections

    def _close_section(self) -> None:
        if self._blocks:
            trail = " > ".join(title for _, title in self._trail)
            self._sections.append(Section("\n\n".join(self._blocks), heading=trail))
            self._blocks = []
        self._in_list = False
