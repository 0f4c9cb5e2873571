"""What the browser tests' Cassandre holds and how its fake model answers.

A three-page PDF whose page 2 answers the telework question, a Markdown note full of
markup that must stay text wherever it is shown, a leave guide in a category that
answers without a language model (quotes), with a contact for what it does not cover, and
five building notes, all kept as sources (no relevance threshold; a source is a document),
of which the answer cites one.
"""

import re
from pathlib import Path

from documents.tests.builders import pdf
from testing.openai_server import RecordedRequest

HUMAN_RESOURCES = "Ressources humaines"
SECURITY = "Sécurité informatique"
UPLOADS = "Dépôts"
LEAVE = "Congés"
BUILDING = "Vie du bâtiment"
LEAVE_CONTACT = "le bureau des congés (poste 2040)"
# Name -> fields: every signed-in user reads all but the security notes, which belong to no
# group, so only staff read them. The leave guide is answered by quotes, without a model.
CATEGORIES = {
    HUMAN_RESOURCES: {"visibility": "internal"},
    SECURITY: {"visibility": "groups"},
    UPLOADS: {"visibility": "internal"},
    LEAVE: {"visibility": "internal", "contact": LEAVE_CONTACT, "extractive": True},
    BUILDING: {"visibility": "internal", "relevance_threshold": 0.0},
}
LEAVE_GUIDE = (
    "# Congés pour événements familiaux\n\n"
    "Les congés pour événements familiaux sont accordés sur justificatif. Le mariage ou le "
    "pacs de l'agent ouvre droit à cinq jours de congés. La naissance d'un enfant ouvre "
    "droit à trois jours de congés. Le décès d'un parent ouvre droit à trois jours.\n\n"
    "## Télétravail\n\nLe télétravail est possible deux jours par semaine.\n"
)
MARRIAGE_QUESTION = "Combien de jours de congés pour un mariage ?"
MARRIAGE_QUOTE = "Le mariage ou le pacs de l'agent ouvre droit à cinq jours de congés."
OFF_TOPIC_QUESTION = "Quelle est la couleur du logo ?"

GUIDE_PAGES = (
    "Guide de l'agent.\n\nCe guide rassemble les règles de la vie au bureau : horaires, "
    "badges d'accès et stationnement des véhicules de service.",
    "Travail à distance.\n\nLe télétravail est autorisé deux jours par semaine pour les "
    "agents à temps plein, après accord écrit du chef de service.",
    "Formation continue.\n\nChaque agent dispose de vingt-quatre heures de formation par an, "
    "à demander dans l'application de gestion des formations.",
)
TELEWORK_QUESTION = "Combien de jours de télétravail par semaine ?"
TELEWORK_ANSWER = (
    "D'après le guide de l'agent, le télétravail est autorisé deux jours par semaine pour "
    "les agents à temps plein [{number}]. La demande se fait par écrit auprès du chef de "
    "service, qui doit donner son accord avant le premier jour télétravaillé."
)

# Asked about training, the model gets the hours wrong and adds a sentence without citation:
# the citation check flags both.
TRAINING_QUESTION = "Combien d'heures de formation par an pour chaque agent ?"
TRAINING_ANSWER = (
    "Chaque agent dispose de trente heures de formation par an [{number}]. "
    "Les demandes passent par le responsable des formations de chaque direction."
)

HOSTILE_MARKUP = '<script>window.__xss=1</script> <img src=x onerror="window.__xss=1">'
HOSTILE_NOTE = (
    "# Consignes de sécurité informatique\n\n"
    "Verrouillez votre poste en partant et ne collez jamais ce code dans une page : "
    f"{HOSTILE_MARKUP}\n\n"
    "Signalez tout courriel suspect au service informatique.\n"
)
SECURITY_QUESTION = "Quelles sont les consignes de sécurité informatique ?"
HOSTILE_ANSWER = f"Voici le code à ne jamais coller [1] : {HOSTILE_MARKUP} **Soyez prudents.**"

# Asked about this, the model talks for long enough (about 10 s) to be interrupted.
LONG_TOPIC = "règles du télétravail"
LONG_QUESTION = f"Quelles sont les {LONG_TOPIC} pour les agents à temps plein ?"
LONG_ANSWER = "Le télétravail est arrivé peu à peu dans les services [1]. " * 40

BUILDING_TOPICS = ("Stationnement", "Badges", "Restaurant", "Courrier", "Salles de réunion")
BUILDING_NOTES = {
    topic: f"# {topic}\n\n"
    + f"Les règles de la rubrique {topic.lower()} s'appliquent à tous les agents du site. " * 6
    for topic in BUILDING_TOPICS
}
BUILDING_QUESTION = "Où garer un véhicule de service près du bâtiment ?"
BUILDING_ANSWER = "Le stationnement des véhicules de service est réservé au parking du site [1]."

REWRITE_REQUEST = "Réécris la dernière question"


def write_seed(folder: Path) -> dict[str, Path]:
    """The files to index before the server starts, in a folder per category name."""
    seed = {
        HUMAN_RESOURCES: folder / "seed-rh",
        SECURITY: folder / "seed-security",
        LEAVE: folder / "seed-leave",
        BUILDING: folder / "seed-building",
    }
    for files in seed.values():
        files.mkdir()
    (seed[HUMAN_RESOURCES] / "guide-agent.pdf").write_bytes(pdf(*GUIDE_PAGES))
    (seed[SECURITY] / "consignes.md").write_text(HOSTILE_NOTE, encoding="utf-8")
    (seed[LEAVE] / "conges-familiaux.md").write_text(LEAVE_GUIDE, encoding="utf-8")
    for number, note in enumerate(BUILDING_NOTES.values(), start=1):
        (seed[BUILDING] / f"note-{number}.md").write_text(note, encoding="utf-8")
    return seed


def model_answer(request: RecordedRequest) -> str:
    """The fake model's answer: on security, the hostile markup; on training, a wrong
    figure citing page 3 of the guide; else the telework answer, citing the passage from
    page 2 of the guide by its number.

    Asked to rewrite a follow-up question, it gives the question back unchanged.
    """
    messages = request.body["messages"]
    prompt = "\n".join(str(message.get("content", "")) for message in messages)
    if REWRITE_REQUEST in prompt:
        return str(messages[-1]["content"])
    if SECURITY_QUESTION in prompt:
        return HOSTILE_ANSWER
    if LONG_TOPIC in prompt:
        return LONG_ANSWER
    if BUILDING_QUESTION in prompt:
        return BUILDING_ANSWER
    if TRAINING_QUESTION in prompt:
        match = re.search(r"\[(\d+)\] [^\n]*, page 3\n", prompt)
        return TRAINING_ANSWER.format(number=match.group(1) if match else "1")
    match = re.search(r"\[(\d+)\] [^\n]*, page 2\n", prompt)
    return TELEWORK_ANSWER.format(number=match.group(1) if match else "1")
