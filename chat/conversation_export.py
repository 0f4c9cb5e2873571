"""One conversation as a document its owner takes away: Markdown or Word (.docx).

The questions in order, as their author asked them (sealed ones read back for them), each
answer followed by the sources it cites — its `[n]` resolved to the document's title and
page. A source since deleted is named as it was, and said to be deleted.
"""

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

import docx
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ai.citations import cited_numbers
from chat.conversations import question_as_asked, title_as_asked
from chat.models import Conversation, Exchange
from documents.models import Correction, Document

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class CitedSource:
    number: int
    title: str
    page: int | None
    deleted: bool

    @property
    def reference(self) -> str:
        """`[2] Guide des congés, p. 4`, and whether the document was deleted since."""
        if self.page:
            named = _("%(title)s, p. %(page)s") % {"title": self.title, "page": self.page}
        else:
            named = self.title
        if self.deleted:
            named = _("%(source)s (document supprimé depuis)") % {"source": named}
        return f"[{self.number}] {named}"


@dataclass(frozen=True)
class ExportedExchange:
    asked_at: datetime
    question: str
    answer: str
    validated: bool
    finished: bool
    sources: list[CitedSource]


@dataclass(frozen=True)
class ExportedConversation:
    id: int
    title: str
    category: str
    created_at: datetime
    exchanges: list[ExportedExchange]

    @property
    def filename(self) -> str:
        return f"conversation-{self.id}"


def exported_conversation(conversation: Conversation) -> ExportedConversation:
    """`conversation` as its owner reads it, its exchanges in their order (as
    `chat.selectors.conversation_of` prefetches them, or queried here)."""
    exchanges = list(conversation.exchanges.all())
    existing = _existing_sources(exchanges)
    first_sealed = exchanges[0].sealed_question if exchanges else ""
    return ExportedConversation(
        id=conversation.pk,
        title=title_as_asked(conversation, first_sealed) or str(conversation),
        category=conversation.category.name
        if conversation.category
        else _("toutes les catégories"),
        created_at=conversation.created_at,
        exchanges=[_exchange(exchange, existing) for exchange in exchanges],
    )


def conversation_markdown(conversation: ExportedConversation) -> str:
    lines = [f"# {conversation.title}", "", _heading_line(conversation), ""]
    for number, exchange in enumerate(conversation.exchanges, start=1):
        lines += [f"## {_question_heading(number, exchange)}", ""]
        lines += [f"> {line}" if line else ">" for line in exchange.question.splitlines()]
        lines.append("")
        for note in _notes(exchange):
            lines += [f"_{note}_", ""]
        lines += [exchange.answer or _("(pas de réponse)"), ""]
        if exchange.sources:
            lines += [f"**{_('Sources')}**", ""]
            lines += [f"- {source.reference}" for source in exchange.sources]
            lines.append("")
    return "\n".join(lines)


def conversation_docx(conversation: ExportedConversation) -> bytes:
    document = docx.Document()
    document.core_properties.title = conversation.title
    document.add_heading(conversation.title, level=0)
    document.add_paragraph(_heading_line(conversation))
    for number, exchange in enumerate(conversation.exchanges, start=1):
        document.add_heading(_question_heading(number, exchange), level=2)
        document.add_paragraph(exchange.question, style="Intense Quote")
        for note in _notes(exchange):
            document.add_paragraph().add_run(note).italic = True
        for paragraph in (exchange.answer or _("(pas de réponse)")).split("\n\n"):
            document.add_paragraph(paragraph)
        if exchange.sources:
            document.add_paragraph().add_run(_("Sources")).bold = True
            for source in exchange.sources:
                document.add_paragraph(source.reference, style="List Bullet")
    body = BytesIO()
    document.save(body)
    return body.getvalue()


def _exchange(exchange: Exchange, existing: dict[str, set[int]]) -> ExportedExchange:
    sources = {source.get("number"): source for source in exchange.sources or []}
    return ExportedExchange(
        asked_at=exchange.created_at,
        question=question_as_asked(exchange),
        answer=exchange.answer,
        validated=exchange.validated,
        finished=exchange.status == Exchange.Status.DONE,
        sources=[
            _cited(number, sources[number], existing)
            for number in cited_numbers(exchange.answer, len(sources))
            if number in sources
        ],
    )


def _cited(number: int, source: dict, existing: dict[str, set[int]]) -> CitedSource:
    document_id, correction_id = source.get("document_id"), source.get("correction_id")
    if document_id is not None:
        deleted = document_id not in existing["documents"]
    else:
        deleted = correction_id is not None and correction_id not in existing["corrections"]
    return CitedSource(
        number=number,
        title=source.get("title") or _("source sans titre"),
        page=source.get("page"),
        deleted=deleted,
    )


def _existing_sources(exchanges: list[Exchange]) -> dict[str, set[int]]:
    """Which of the documents and corrections the exchanges cite still exist: two queries."""
    sources = [source for exchange in exchanges for source in exchange.sources or []]
    document_ids = {s["document_id"] for s in sources if s.get("document_id") is not None}
    correction_ids = {s["correction_id"] for s in sources if s.get("correction_id") is not None}
    return {
        "documents": set(Document.objects.filter(pk__in=document_ids).values_list("pk", flat=True)),
        "corrections": set(
            Correction.objects.filter(pk__in=correction_ids).values_list("pk", flat=True)
        ),
    }


def _heading_line(conversation: ExportedConversation) -> str:
    return _("Catégorie : %(category)s. Conversation du %(started)s, exportée le %(now)s.") % {
        "category": conversation.category,
        "started": _when(conversation.created_at),
        "now": _when(timezone.now()),
    }


def _question_heading(number: int, exchange: ExportedExchange) -> str:
    return _("Question %(number)s — %(when)s") % {
        "number": number,
        "when": _when(exchange.asked_at),
    }


def _notes(exchange: ExportedExchange) -> list[str]:
    notes = []
    if exchange.validated:
        notes.append(_("Réponse validée par l'équipe."))
    if not exchange.finished:
        notes.append(_("Réponse incomplète : interrompue ou en échec."))
    return notes


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i")
