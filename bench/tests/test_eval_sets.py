"""Evaluation sets from man pages, on a few pages written here (no apt, no network)."""

import csv
import gzip
from collections import Counter

from bench.eval_sets import (
    WORKPLACE_DOCUMENTS,
    build_workplace_set,
    contains_verbatim,
    man_page_files,
    split_of,
    usable_pages,
    write_eval_set,
)

BODY = "Plenty of text about what the function does, its arguments and its errors. " * 4


def page(name: str, description: str, body: str = BODY) -> str:
    return f".TH {name} 3\n.SH NAME\n{name} \\- {description}\n.SH DESCRIPTION\n{body}\n"


def write_pages(man_dir, pages: dict[str, str]) -> None:
    for filename, source in pages.items():
        section = man_dir / f"man{filename.split('.')[1][0]}"
        section.mkdir(parents=True, exist_ok=True)
        (section / f"{filename}.gz").write_bytes(gzip.compress(source.encode()))


def test_only_real_pages_of_the_chosen_sections_are_listed(tmp_path):
    write_pages(tmp_path, {"a.3": page("a", "first"), "b.2": page("b", "x"), "c.1": page("c", "y")})
    (tmp_path / "man3" / "alias.3.gz").symlink_to(tmp_path / "man3" / "a.3.gz")
    files = man_page_files(tmp_path, sections=["2", "3"])
    assert [path.name for path in files] == ["b.2.gz", "a.3.gz"]


def test_pages_that_would_make_an_unfair_question_are_left_out(tmp_path):
    write_pages(
        tmp_path,
        {
            "copy.3": page("copy", "copy a string"),
            "redirect.3": ".so man3/copy.3\n",
            "short.3": page("short", "too little", body="Tiny."),
            "verbatim.3": page("verbatim", "Compare Strings", body=BODY + "We compare strings."),
            "twin1.3": page("twin1", "same description"),
            "twin2.3": page("twin2", "Same  description!", body=BODY + "Another page."),
        },
    )
    skipped: Counter = Counter()
    pages = usable_pages(man_page_files(tmp_path, sections=["3"]), skipped=skipped)
    assert [page.title for page in pages] == ["copy.3"]
    assert skipped == {
        "redirect or unreadable": 1,
        "too short": 1,
        "description verbatim in the page": 1,
        "description shared with another page": 2,
    }


def test_a_description_is_verbatim_whatever_the_case_accents_and_punctuation():
    assert contains_verbatim("On y « Copie une chaîne », voilà.", "copie une chaine")
    assert not contains_verbatim("copie d'une chaîne", "copie une chaîne")


def test_a_set_is_documents_to_index_and_a_question_file(tmp_path):
    write_pages(tmp_path / "man", {"copy.3": page("copy", "copy a string")})
    pages = usable_pages(man_page_files(tmp_path / "man", sections=["3"]), skipped=Counter())
    write_eval_set(pages, folder=tmp_path / "set")
    document = (tmp_path / "set" / "documents" / "copy.3.md").read_text(encoding="utf-8")
    assert document.startswith("# copy.3\n\n## DESCRIPTION\n\nPlenty of text")
    assert "copy a string" not in document
    with (tmp_path / "set" / "questions.csv").open(encoding="utf-8") as questions:
        assert list(csv.DictReader(questions)) == [
            {"question": "copy a string", "expected_document": "copy.3.md"}
        ]


def test_questions_are_split_by_document_into_dev_and_test_halves(tmp_path):
    names = [f"page{number}" for number in range(40)]
    write_pages(tmp_path / "man", {f"{name}.3": page(name, f"does {name}") for name in names})
    pages = usable_pages(man_page_files(tmp_path / "man", sections=["3"]), skipped=Counter())
    write_eval_set(pages, folder=tmp_path / "set")

    def documents(split: str) -> set[str]:
        with (tmp_path / "set" / f"questions{split}.csv").open(encoding="utf-8") as questions:
            return {row["expected_document"] for row in csv.DictReader(questions)}

    dev, test = documents("-dev"), documents("-test")
    assert dev | test == documents("") and not dev & test
    assert 10 <= len(dev) <= 30
    assert {split_of(name) for name in dev} == {"dev"}


def test_the_workplace_set_asks_about_the_subjects_of_its_documents(tmp_path):
    man_pages = tmp_path / "fr"
    man_pages.mkdir()
    for split in ("dev", "test"):
        (man_pages / f"questions-{split}.csv").write_text(
            f"question,expected_document\ncopier une chaîne ({split}),strcpy.3.md\n",
            encoding="utf-8",
        )

    written = build_workplace_set(out=tmp_path / "workplace", man_pages=man_pages)

    folder = tmp_path / "workplace"
    assert len(list((folder / "documents").iterdir())) == WORKPLACE_DOCUMENTS
    with (folder / "questions-dev.csv").open(encoding="utf-8") as questions:
        rows = list(csv.DictReader(questions))
    assert 0 < len(rows) < written
    assert all(row["expected_answer"] in row["question"] for row in rows)
    with (folder / "out-of-scope-test.csv").open(encoding="utf-8") as refused:
        assert list(csv.DictReader(refused)) == [{"question": "copier une chaîne (test)"}]
