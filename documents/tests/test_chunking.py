from documents.chunking import split_sections
from documents.extraction import Section

PARAGRAPH = "Le télétravail est ouvert à tous les agents. Il se demande au chef de service. "


def test_passages_respect_the_size_and_overlap():
    text = "\n\n".join(PARAGRAPH * 3 for _ in range(20))
    chunks = split_sections([Section(text=text, page=1)], size=500, overlap=50)
    assert len(chunks) > 5
    assert all(len(chunk.text) <= 500 for chunk in chunks)
    assert [chunk.position for chunk in chunks] == list(range(len(chunks)))


def test_passages_end_on_sentence_boundaries_when_possible():
    text = " ".join(f"Phrase numéro {n} du règlement intérieur." for n in range(200))
    chunks = split_sections([Section(text=text)], size=300, overlap=0)
    assert all(chunk.text.endswith(".") for chunk in chunks)


def test_a_passage_never_straddles_two_pages():
    sections = [Section(text=PARAGRAPH, page=1), Section(text=PARAGRAPH, page=2)]
    chunks = split_sections(sections, size=1000, overlap=100)
    assert [(chunk.page, chunk.text) for chunk in chunks] == [
        (1, PARAGRAPH.strip()),
        (2, PARAGRAPH.strip()),
    ]


def test_short_sections_of_a_page_are_merged_with_their_headings_inline():
    sections = [
        Section(text="Deux jours par semaine.", heading="Télétravail"),
        Section(text="Cinq semaines par an.", heading="Congés > Congés annuels"),
    ]
    (chunk,) = split_sections(sections, size=1000, overlap=100)
    assert chunk.heading == "Télétravail"
    assert chunk.text == "Deux jours par semaine.\n\nCongés annuels\nCinq semaines par an."


def test_each_passage_keeps_its_section_heading():
    sections = [
        Section(text=PARAGRAPH * 10, heading="RH > Congés"),
        Section(text=PARAGRAPH * 10, heading="RH > Paie"),
    ]
    chunks = split_sections(sections, size=400, overlap=0)
    assert {chunk.heading for chunk in chunks} == {"RH > Congés", "RH > Paie"}


def test_overlap_larger_than_half_the_size_is_capped():
    chunks = split_sections([Section(text=PARAGRAPH * 30)], size=200, overlap=500)
    assert all(len(chunk.text) <= 200 for chunk in chunks)
