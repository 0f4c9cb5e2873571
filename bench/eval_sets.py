"""Public retrieval evaluation sets built from Debian's man pages, in English and French.

Each man page's NAME line ("printf \\- formatted output conversion") gives a question (its
description, "formatted output conversion") and the rest of the page the document that
answers it. The pages come from Debian packages fetched by `apt-get download` (nothing is
installed) and unpacked by `dpkg-deb -x`, so a set is rebuilt identically from the same
package versions, limit and seed; the sets themselves are never committed.

A set is a folder: `documents/` (one Markdown file a page, to index) and `questions.csv`
(`question`, `expected_document`), the file `manage.py evaluate` reads, split by document
into `questions-dev.csv` (every weight, threshold and feature is tuned on it) and
`questions-test.csv` (held out: the figures the README reports). The split depends on the
document's name only (`split_of`), so it is the same on every machine and for every limit.

Each set also gets questions it must *not* answer, `out-of-scope-dev.csv` and
`out-of-scope-test.csv`: questions staff ask about their workplace (leave, badges, the
canteen, the logo…), written from templates in the set's language and split by subject.
A man-page category should find nothing for them; `evaluate --out-of-scope` counts how
many it refuses.

A third set, `workplace/` (French, built by `build_workplace_set`), is made of the sample
corpus's workplace documents — the kind of text Cassandre is for — with the workplace
questions in scope and the French man-page questions out of scope: the relevance model
and its threshold are fitted on the dev halves of all three.
"""

import csv
import gzip
import hashlib
import random
import re
import subprocess
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.roff import ManPage, ManPageError, parse_man_page
from common.text import normalize_question
from testing.sample_corpus import TOPICS, write_sample_corpus

DEFAULT_SECTIONS = ("2", "3", "7")
# A page whose text (NAME section removed) is shorter has too little to retrieve.
MIN_DOCUMENT_LENGTH = 200
_WORDS = re.compile(r"\w+")


class EvalSetError(Exception):
    """The man pages could not be fetched or unpacked."""


@dataclass(frozen=True)
class ManPageSource:
    language: str
    packages: tuple[str, ...]
    man_dir: str  # inside the packages


SOURCES = {
    "en": ManPageSource("en", ("manpages", "manpages-dev"), "usr/share/man"),
    # manpages-fr holds sections 1, 5, 7, 8; the 2 and 3 are in manpages-fr-dev.
    "fr": ManPageSource("fr", ("manpages-fr", "manpages-fr-dev"), "usr/share/man/fr"),
}


@dataclass
class EvalSetReport:
    language: str
    folder: Path
    packages: list[str]
    pages: int = 0
    written: int = 0
    skipped: Counter = field(default_factory=Counter)


def build_eval_set(
    source: ManPageSource,
    *,
    out: Path,
    limit: int,
    seed: int,
    sections: Sequence[str] = DEFAULT_SECTIONS,
    debs: Path | None = None,
) -> EvalSetReport:
    """Write `limit` pages of `source` (a seeded sample) and their questions to `out`.

    The packages are taken from the folder `debs` when given, else downloaded by apt.
    Raises EvalSetError when apt or dpkg-deb fail.
    """
    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        packages = (
            find_packages(source.packages, folder=debs)
            if debs
            else download_packages(source.packages, into=scratch_dir)
        )
        root = scratch_dir / "root"
        for package in packages:
            extract_package(package, into=root)
        report = EvalSetReport(source.language, out, [package.name for package in packages])
        files = man_page_files(root / source.man_dir, sections=sections)
        report.pages = len(files)
        candidates = usable_pages(files, skipped=report.skipped)
    chosen = random.Random(seed).sample(candidates, min(limit, len(candidates)))
    write_eval_set(sorted(chosen, key=lambda page: page.title), folder=out)
    write_out_of_scope(source.language, folder=out)
    report.written = len(chosen)
    (out / "source.txt").write_text(
        f"packages: {', '.join(report.packages)}\nsections: {', '.join(sections)}\n"
        f"limit: {limit}\nseed: {seed}\n",
        encoding="utf-8",
    )
    return report


def download_packages(names: Sequence[str], *, into: Path) -> list[Path]:
    """`apt-get download` the packages (no install, no root needed) into a folder."""
    _run(["apt-get", "download", *names], cwd=into, hint="run `apt-get update` first?")
    return find_packages(names, folder=into)


def find_packages(names: Sequence[str], *, folder: Path) -> list[Path]:
    found = []
    for name in names:
        matches = sorted(folder.glob(f"{name}_*.deb"))
        if not matches:
            raise EvalSetError(f"No {name}_*.deb in {folder}.")
        found.append(matches[-1])
    return found


def extract_package(deb: Path, *, into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    _run(["dpkg-deb", "-x", str(deb), str(into)], hint="dpkg-deb comes with Debian's dpkg")


def man_page_files(man_dir: Path, *, sections: Sequence[str]) -> list[Path]:
    """The pages of `sections` (man3 holds 3, 3const, 3type…); symlinks are aliases, left out."""
    return sorted(
        path
        for section in sections
        for path in (man_dir / f"man{section}").glob("*.gz")
        if path.is_file() and not path.is_symlink()
    )


def usable_pages(files: Sequence[Path], *, skipped: Counter) -> list[ManPage]:
    """The pages that make a fair question, counting why the others were left out.

    Left out: redirects and unreadable pages, pages with little text, pages whose text
    contains their own description (the question would be answered by copy), and pages
    sharing their description with another (the question would have two answers).
    """
    pages = []
    for path in files:
        try:
            page = read_man_page(path)
        except ManPageError:
            skipped["redirect or unreadable"] += 1
            continue
        if len(page.text) < MIN_DOCUMENT_LENGTH:
            skipped["too short"] += 1
        elif contains_verbatim(page.text, page.description):
            skipped["description verbatim in the page"] += 1
        else:
            pages.append(page)
    questions = Counter(_words(page.description) for page in pages)
    shared = [page for page in pages if questions[_words(page.description)] > 1]
    skipped["description shared with another page"] += len(shared)
    return [page for page in pages if questions[_words(page.description)] == 1]


def read_man_page(path: Path) -> ManPage:
    """A gzipped page; its title is its file name without `.gz` (« printf.3 »)."""
    source = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
    return parse_man_page(source, title=path.name.removesuffix(".gz"))


def contains_verbatim(text: str, phrase: str) -> bool:
    """Whether `phrase` is in `text`, ignoring case, accents, punctuation and spacing."""
    return f" {_words(phrase)} " in f" {_words(text)} "


def document_filename(page: ManPage) -> str:
    return f"{page.title}.md"


def split_of(document: str) -> str:
    """ "dev" or "test", half and half, from a hash of the document's name."""
    return "dev" if hashlib.sha256(document.encode()).digest()[0] % 2 == 0 else "test"


def write_eval_set(pages: Sequence[ManPage], *, folder: Path) -> None:
    documents = folder / "documents"
    documents.mkdir(parents=True, exist_ok=True)
    for stale in documents.glob("*.md"):
        stale.unlink()
    rows = {"": [], "-dev": [], "-test": []}
    for page in pages:
        name = document_filename(page)
        (documents / name).write_text(page.text, encoding="utf-8")
        rows[""].append([page.description, name])
        rows[f"-{split_of(name)}"].append([page.description, name])
    for suffix, lines in rows.items():
        write_csv(folder / f"questions{suffix}.csv", ["question", "expected_document"], lines)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


# Out-of-scope questions: every form applied to every subject, in the set's language.
OUT_OF_SCOPE = {
    "fr": (
        (
            "les congés annuels",
            "le télétravail",
            "la cantine",
            "le badge d'accès",
            "la mutuelle",
            "la couleur du logo",
            "le parking",
            "les tickets restaurant",
            "la prime de fin d'année",
            "le compte épargne-temps",
            "les frais de déplacement",
            "les indemnités kilométriques",
            "la visite médicale",
            "le congé de maternité",
            "le congé de paternité",
            "les jours fériés",
            "l'entretien annuel",
            "la formation continue",
            "le temps partiel",
            "les heures supplémentaires",
            "la médecine du travail",
            "le règlement intérieur",
            "la charte graphique",
            "le plan de mobilité",
            "la crèche d'entreprise",
            "le comité social",
            "la grille salariale",
            "les astreintes",
            "le déménagement du service",
            "les élections professionnelles",
            "le congé pour mariage",
            "la retraite progressive",
            "le remboursement des transports",
            "les chèques vacances",
            "la salle de sport",
            "le covoiturage",
            "l'accueil des stagiaires",
            "les arrêts maladie",
            "le don de jours de repos",
            "la tenue vestimentaire",
        ),
        (
            "Combien de jours pour {s} ?",
            "Qui valide {s} ?",
            "Comment demander {s} ?",
            "Quelles sont les règles pour {s} ?",
            "À qui s'adresser pour {s} ?",
            "Quel est le montant pour {s} ?",
            "Quand faut-il faire la demande pour {s} ?",
            "Où trouver les informations sur {s} ?",
        ),
    ),
    "en": (
        (
            "annual leave",
            "remote work",
            "the canteen",
            "the access badge",
            "health insurance",
            "the logo colour",
            "the car park",
            "meal vouchers",
            "the year-end bonus",
            "the time savings account",
            "travel expenses",
            "mileage allowances",
            "the medical check-up",
            "maternity leave",
            "paternity leave",
            "public holidays",
            "the annual review",
            "continuing training",
            "part-time work",
            "overtime",
            "occupational health",
            "the staff rules",
            "the brand guidelines",
            "the mobility plan",
            "the company nursery",
            "the works council",
            "the pay scale",
            "on-call duty",
            "the office move",
            "staff elections",
            "wedding leave",
            "phased retirement",
            "commuting costs",
            "holiday vouchers",
            "the gym",
            "car sharing",
            "hosting interns",
            "sick leave",
            "donating days off",
            "the dress code",
        ),
        (
            "How many days for {s}?",
            "Who approves {s}?",
            "How do I apply for {s}?",
            "What are the rules for {s}?",
            "Whom should I ask about {s}?",
            "How much is paid for {s}?",
            "When should I apply for {s}?",
            "Where can I find information on {s}?",
        ),
    ),
}


def write_out_of_scope(language: str, *, folder: Path) -> None:
    """`out-of-scope-dev.csv` and `out-of-scope-test.csv`, split by subject."""
    subjects, forms = OUT_OF_SCOPE[language]
    for split in ("dev", "test"):
        rows = [
            [form.format(s=subject)]
            for subject in subjects
            if split_of(subject) == split
            for form in forms
        ]
        write_csv(folder / f"out-of-scope-{split}.csv", ["question"], rows)


# The workplace set: the sample corpus's documents (testing.sample_corpus), and the
# out-of-scope forms asked about its subjects — in scope here.
WORKPLACE_DOCUMENTS = 200
WORKPLACE_SEED = 11


def build_workplace_set(*, out: Path, man_pages: Path | None) -> int:
    """The French workplace set in `out`: documents about leave, telework, expenses… and
    questions about their subjects (`expected_answer`: the subject), split by subject; the
    French man-page questions of `man_pages` (its questions-dev/test.csv), if given, are
    its out-of-scope questions. Returns the number of questions."""
    write_sample_corpus(
        out / "documents", count=WORKPLACE_DOCUMENTS, broken_share=0, seed=WORKPLACE_SEED
    )
    _, forms = OUT_OF_SCOPE["fr"]
    subjects = [subject for group in TOPICS.values() for subject in group]
    written = 0
    for split in ("dev", "test"):
        rows = [
            [form.format(s=subject), subject]
            for subject in subjects
            if split_of(subject) == split
            for form in forms
        ]
        with (out / f"questions-{split}.csv").open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(["question", "expected_answer"])
            writer.writerows(rows)
        written += len(rows)
        if man_pages is not None:
            with (man_pages / f"questions-{split}.csv").open(encoding="utf-8") as source:
                questions = [[row["question"]] for row in csv.DictReader(source)]
            with (out / f"out-of-scope-{split}.csv").open(
                "w", encoding="utf-8", newline=""
            ) as file:
                writer = csv.writer(file)
                writer.writerow(["question"])
                writer.writerows(questions)
    return written


def _words(text: str) -> str:
    return " ".join(_WORDS.findall(normalize_question(text)))


def _run(command: list[str], *, cwd: Path | None = None, hint: str) -> None:
    try:
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise EvalSetError(f"{command[0]} is not installed ({hint}).") from exc
    except subprocess.CalledProcessError as exc:
        raise EvalSetError(
            f"`{' '.join(command)}` failed ({hint}): {exc.stderr.strip()[-500:]}"
        ) from exc
