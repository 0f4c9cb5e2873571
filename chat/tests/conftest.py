"""A category with indexed documents and a local OpenAI-compatible server to answer on it."""

import pytest
from django.core.files.base import ContentFile

from documents.indexing import index_document
from documents.models import Document
from documents.tests.factories import CategoryFactory
from testing.openai_server import FakeOpenAIServer

TELEWORK = (
    "Note de service sur le télétravail.\n\n"
    "Le télétravail est autorisé deux jours par semaine pour les agents à temps plein. "
    "La demande est adressée au chef de service, qui répond sous un mois.\n\n"
    "Les agents à temps partiel peuvent télétravailler un jour par semaine."
)
CANTEEN = (
    "Règlement de la restauration collective.\n\n"
    "La cantine est ouverte de 11 h 30 à 14 h. Le prix du repas est de 4,50 euros pour les "
    "agents, pris en charge en partie par l'employeur."
)


@pytest.fixture
def llm_server(settings):
    """The site's language model is a real HTTP server on 127.0.0.1 that streams SSE."""
    with FakeOpenAIServer(api_key="test-key") as server:
        settings.LLM_PROVIDER = "compatible"
        settings.LLM_API_BASE = server.base_url
        settings.LLM_API_KEY = "test-key"
        settings.LLM_MODEL = "test-model"
        settings.LLM_MAX_RETRIES = 0
        settings.LLM_TIMEOUT = 5
        settings.LLM_CONNECT_TIMEOUT = 2
        yield server


@pytest.fixture
def extractive(settings):
    settings.LLM_PROVIDER = "extractive"


def index_text(category, name: str, text: str) -> Document:
    document = Document.objects.create(
        category=category, file=ContentFile(text.encode(), name=name)
    )
    index_document(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.INDEXED, document.error_message
    return document


@pytest.fixture
def category(transactional_db):
    """ "Ressources humaines", with two indexed documents."""
    category = CategoryFactory(name="Ressources humaines", contact="le service RH (poste 1234)")
    index_text(category, "teletravail.txt", TELEWORK)
    index_text(category, "cantine.txt", CANTEEN)
    return category


@pytest.fixture
def user(transactional_db, django_user_model):
    return django_user_model.objects.create_user("agent", password="secret-agent-1")
