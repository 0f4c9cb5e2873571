from documents.hints import Hint, parse_hints


def test_one_page_range_and_all_pages_hints_are_understood():
    parsed = parse_hints(
        "page 3 : barème 2024 ; pages 4 à 7 : annexe\ntoutes pages : circulaire DGS"
    )
    assert parsed.errors == []
    assert parsed.hints == [
        Hint(text="barème 2024", first_page=3, last_page=3),
        Hint(text="annexe", first_page=4, last_page=7),
        Hint(text="circulaire DGS"),
    ]


def test_hints_apply_to_their_pages_only():
    parsed = parse_hints("page 3 : barème ; pages 4 à 7 : annexe ; toutes pages : DGS")
    assert parsed.for_page(3) == "barème ; DGS"
    assert parsed.for_page(5) == "annexe ; DGS"
    assert parsed.for_page(8) == "DGS"


def test_documents_without_pages_only_get_whole_document_hints():
    parsed = parse_hints("page 1 : couverture ; toutes pages : guide RH")
    assert parsed.for_page(None) == "guide RH"


def test_variants_of_the_syntax_are_accepted():
    parsed = parse_hints("Page 2: a\nPAGES 3-4 : b\npages 5 a 6 : c\ntoutes les pages : d")
    assert parsed.errors == []
    assert [(h.first_page, h.last_page) for h in parsed.hints] == [
        (2, 2),
        (3, 4),
        (5, 6),
        (None, None),
    ]


def test_a_malformed_hint_is_reported_and_the_others_are_kept():
    parsed = parse_hints(
        "page trois : x ; page 2 : bon ; pages 9 à 4 : à l'envers ; juste du texte"
    )
    assert [hint.text for hint in parsed.hints] == ["bon"]
    assert len(parsed.errors) == 3
    assert "« page trois : x »" in parsed.errors[0]
    assert "page N : texte" in parsed.errors[0]


def test_empty_hints_are_fine():
    assert parse_hints("") == parse_hints(" ;\n ; ")
    assert parse_hints("").hints == [] and parse_hints("").errors == []
