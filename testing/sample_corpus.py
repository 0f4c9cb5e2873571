"""A synthetic corpus of French administrative documents, in every supported format.

For trying Cassandre out and for the ingestion benchmarks: deterministic for a given seed,
with a share of broken files (truncated, empty, encrypted, not a document) that must fail
with a reason while the others are indexed.
"""

import io
import random
from collections.abc import Callable
from pathlib import Path

import docx
from fpdf import FPDF
from odf import text as odf_text
from odf.opendocument import OpenDocumentText

TOPICS = {
    "congés": ["congés annuels", "report des congés", "compte épargne-temps", "jours fériés"],
    "télétravail": ["jours de télétravail", "équipement fourni", "demande écrite", "réversibilité"],
    "frais": ["frais de déplacement", "indemnités kilométriques", "nuitées", "justificatifs"],
    "formation": ["plan de formation", "compte personnel de formation", "congé de formation"],
    "marchés": ["seuils de procédure", "publicité", "mise en concurrence", "avenants"],
    "santé": ["visite médicale", "accident de service", "congé de maladie", "temps partiel"],
}
SENTENCES = [
    "La demande de {sujet} est adressée au chef de service au moins {n} jours à l'avance.",
    "Le bénéfice de {sujet} est ouvert aux agents titulaires et contractuels depuis {annee}.",
    "En cas de refus concernant {sujet}, la décision est motivée et notifiée par écrit.",
    "Le plafond applicable à {sujet} est fixé à {n} jours par année civile.",
    "Les pièces justificatives relatives à {sujet} sont conservées pendant {n} mois.",
    "La circulaire du {n} mars {annee} précise les modalités de {sujet}.",
    "Toute question sur {sujet} peut être posée au bureau des ressources humaines.",
]
FORMATS = ("pdf", "docx", "odt", "html", "md", "txt")


def _paragraph(rng: random.Random, subject: str) -> str:
    return " ".join(
        rng.choice(SENTENCES).format(
            sujet=subject, n=rng.randint(2, 60), annee=rng.randint(2015, 2026)
        )
        for _ in range(rng.randint(3, 7))
    )


def _outline(rng: random.Random) -> tuple[str, list[tuple[str, list[str]]]]:
    """A title and its sections: (heading, paragraphs)."""
    topic = rng.choice(list(TOPICS))
    subjects = rng.sample(TOPICS[topic], k=min(len(TOPICS[topic]), rng.randint(2, 4)))
    sections = [
        (subject.capitalize(), [_paragraph(rng, subject) for _ in range(rng.randint(2, 6))])
        for subject in subjects
    ]
    return f"Guide {topic} n°{rng.randint(1, 999)}", sections


def _pdf(title: str, sections: list[tuple[str, list[str]]]) -> bytes:
    document = FPDF()
    document.set_font("Helvetica", size=11)
    for heading, paragraphs in sections:
        document.add_page()
        document.multi_cell(0, 6, f"{title} - {heading}\n\n" + "\n\n".join(paragraphs))
    return bytes(document.output())


def _docx(title: str, sections: list[tuple[str, list[str]]]) -> bytes:
    document = docx.Document()
    document.add_heading(title, level=1)
    for heading, paragraphs in sections:
        document.add_heading(heading, level=2)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _odt(title: str, sections: list[tuple[str, list[str]]]) -> bytes:
    document = OpenDocumentText()
    document.text.addElement(odf_text.H(outlinelevel=1, text=title))
    for heading, paragraphs in sections:
        document.text.addElement(odf_text.H(outlinelevel=2, text=heading))
        for paragraph in paragraphs:
            document.text.addElement(odf_text.P(text=paragraph))
    output = io.BytesIO()
    document.write(output)
    return output.getvalue()


def _html(title: str, sections: list[tuple[str, list[str]]]) -> bytes:
    body = "".join(
        f"<h2>{heading}</h2>" + "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
        for heading, paragraphs in sections
    )
    head = f"<!doctype html><html><head><title>{title}</title></head>"
    return f"{head}<body><h1>{title}</h1>{body}</body></html>".encode()


def _markdown(title: str, sections: list[tuple[str, list[str]]]) -> bytes:
    parts = [f"# {title}"]
    for heading, paragraphs in sections:
        parts += [f"## {heading}", *paragraphs]
    return "\n\n".join(parts).encode()


def _text(title: str, sections: list[tuple[str, list[str]]]) -> bytes:
    parts = [title]
    for heading, paragraphs in sections:
        parts += [heading.upper(), *paragraphs]
    return "\n\n".join(parts).encode()


WRITERS: dict[str, Callable[[str, list[tuple[str, list[str]]]], bytes]] = {
    "pdf": _pdf,
    "docx": _docx,
    "odt": _odt,
    "html": _html,
    "md": _markdown,
    "txt": _text,
}


def _broken(rng: random.Random, number: int) -> tuple[str, bytes]:
    kind = number % 4
    if kind == 0:
        return "tronque.pdf", _pdf("Tronqué", [("Partie", ["Texte perdu."])])[:400]
    if kind == 1:
        return "vide.txt", b""
    if kind == 2:
        document = FPDF()
        document.set_encryption(owner_password="proprietaire", user_password="secret")
        document.set_font("Helvetica", size=11)
        document.add_page()
        document.multi_cell(0, 6, "Document confidentiel.")
        return "protege.pdf", bytes(document.output())
    return "binaire.pdf", rng.randbytes(2048)


def write_sample_corpus(
    directory: Path, *, count: int, broken_share: float = 0.05, seed: int = 2024
) -> list[Path]:
    """Write `count` files (about `broken_share` of them broken) into `directory`."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    broken_every = round(1 / broken_share) if broken_share > 0 else 0
    paths = []
    for number in range(count):
        if broken_every and number % broken_every == broken_every - 1:
            name, data = _broken(rng, number // broken_every)
        else:
            extension = FORMATS[number % len(FORMATS)]
            title, sections = _outline(rng)
            name, data = f"document.{extension}", WRITERS[extension](title, sections)
        path = directory / f"{number:04d}-{name}"
        path.write_bytes(data)
        paths.append(path)
    return paths
