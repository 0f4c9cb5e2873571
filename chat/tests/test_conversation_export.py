"""A conversation leaves with its sources: Markdown and Word files, each citation resolved
to the title and page of the document it points to, for the conversation's owner alone."""

import re
from io import BytesIO

import docx
import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from chat.conversation_export import DOCX_MEDIA_TYPE
from chat.models import Exchange
from chat.tests.factories import ConversationFactory, ExchangeFactory, UserFactory
from common.sealing import seal
from documents.models import Document
from documents.tests.factories import CorrectionFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def export_url(conversation, file_format: str | None = None) -> str:
    url = reverse("api_v1:conversation-export", args=[conversation.pk])
    return f"{url}?format={file_format}" if file_format else url


def source(number: int, document, page: int | None) -> dict:
    return {"number": number, "document_id": document.pk, "title": document.title, "page": page}


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def conversation(user):
    """Two answers citing three documents, one of them cited twice, and a validated one."""
    guide = DocumentFactory(title="Guide du télétravail")
    charter = DocumentFactory(title="Charte informatique")
    leave = DocumentFactory(title="Règlement des congés")
    conversation = ConversationFactory(user=user, title="Combien de jours de télétravail ?")
    ExchangeFactory(
        conversation=conversation,
        question="Combien de jours de télétravail ?",
        answer="Deux jours par semaine [1], avec l'ordinateur du service [2; 1].",
        sources=[source(1, guide, 3), source(2, charter, 12), source(3, leave, 1)],
    )
    ExchangeFactory(
        conversation=conversation,
        question="Et pendant les congés ?",
        answer="Les jours de congé ne comptent pas [1].",
        sources=[source(1, leave, None)],
    )
    correction = CorrectionFactory(category=conversation.category, answer="Un jour.")
    ExchangeFactory(
        conversation=conversation,
        question="Et à temps partiel ?",
        answer="Un jour.",
        outcome=Exchange.Outcome.CORRECTION,
        correction=correction,
        sources=[],
    )
    return conversation


RESOLVED = [
    "[1] Guide du télétravail, p. 3",
    "[2] Charte informatique, p. 12",
    "[1] Règlement des congés",
]


def docx_paragraphs(body: bytes) -> list[str]:
    return [paragraph.text for paragraph in docx.Document(BytesIO(body)).paragraphs]


def assert_each_answer_lists_what_it_cites(lines: list[str]) -> None:
    """In each question's section, every [n] of the answer has its `[n] Title` line."""
    sections: list[list[str]] = []
    for line in lines:
        if line.lstrip("# ").startswith("Question "):
            sections.append([])
        elif sections:
            sections[-1].append(line)
    assert len(sections) == 3
    for section in sections:
        references = [
            line.removeprefix("- ") for line in section if re.match(r"(- )?\[\d+\] ", line)
        ]
        answer = " ".join(
            line for line in section if line not in references and not line.startswith("- ")
        )
        cited = {
            int(n)
            for group in re.findall(r"\[([\d,; ]+)\]", answer)
            for n in re.findall(r"\d+", group)
        }
        assert {int(re.match(r"\[(\d+)\]", ref).group(1)) for ref in references} == cited


def test_the_markdown_export_resolves_every_citation_to_its_title_and_page(
    client, user, conversation
):
    client.force_login(user)

    response = client.get(export_url(conversation, "md"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert 'filename="conversation-' in response["Content-Disposition"]
    text = response.content.decode()
    for reference in RESOLVED:
        assert f"- {reference}\n" in text
    assert_each_answer_lists_what_it_cites(text.splitlines())
    assert "Règlement des congés, p. 1" not in text  # served as a source, never cited
    assert text.index("Combien de jours") < text.index("Et pendant") < text.index("temps partiel")
    assert "Réponse validée par l'équipe." in text


def test_the_docx_export_opens_in_python_docx_with_every_citation_resolved(
    client, user, conversation
):
    client.force_login(user)

    response = client.get(export_url(conversation, "docx"))

    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_MEDIA_TYPE
    paragraphs = docx_paragraphs(response.content)
    assert paragraphs[0] == "Combien de jours de télétravail ?"
    for reference in RESOLVED:
        assert reference in paragraphs
    assert_each_answer_lists_what_it_cites(paragraphs)
    headings = [text for text in paragraphs if text.startswith("Question ")]
    assert [heading.split(" — ")[0] for heading in headings] == [
        "Question 1",
        "Question 2",
        "Question 3",
    ]


def test_markdown_is_the_default_and_a_token_opens_it_too(client, user, conversation):
    token = Token.objects.create(user=user)

    response = client.get(export_url(conversation), HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    assert response.content.decode().startswith("# Combien de jours de télétravail ?")


def test_a_sealed_question_is_exported_as_its_owner_asked_it(client, user):
    conversation = ConversationFactory(user=user, title="Le dossier de [NOM] ?")
    ExchangeFactory(
        conversation=conversation,
        question="Le dossier de [NOM] ?",
        sealed_question=seal("Le dossier de Jeanne Martin ?"),
    )
    client.force_login(user)

    text = client.get(export_url(conversation, "md")).content.decode()
    paragraphs = docx_paragraphs(client.get(export_url(conversation, "docx")).content)

    assert "> Le dossier de Jeanne Martin ?" in text
    assert "[NOM]" not in text
    assert "Le dossier de Jeanne Martin ?" in paragraphs


def test_another_users_conversation_is_not_found(client, conversation):
    client.force_login(UserFactory())

    for file_format in ("md", "docx"):
        response = client.get(export_url(conversation, file_format))
        assert response.status_code == 404
        assert response.json()["detail"] == (
            "Cette conversation n'existe pas ou ne vous appartient pas."
        )


def test_anonymous_visitors_get_no_export(client, conversation):
    assert client.get(export_url(conversation, "md")).status_code in (401, 403)


def test_an_unknown_format_is_refused_without_a_server_error(client, user, conversation):
    client.force_login(user)

    assert client.get(export_url(conversation, "pdf")).status_code == 404


def test_a_cited_document_deleted_since_is_named_and_said_deleted(client, user, conversation):
    Document.objects.filter(title="Charte informatique").delete()
    client.force_login(user)

    text = client.get(export_url(conversation, "md")).content.decode()
    paragraphs = docx_paragraphs(client.get(export_url(conversation, "docx")).content)

    deleted = "[2] Charte informatique, p. 12 (document supprimé depuis)"
    assert f"- {deleted}\n" in text
    assert deleted in paragraphs
    assert "- [1] Guide du télétravail, p. 3\n" in text
