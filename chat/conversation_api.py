"""The conversations API: a user's own conversations, one of them with its answers, and
that one exported as Markdown or Word."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import selectors
from chat.answer_api import ChecksSerializer, DetailSerializer
from chat.conversation_export import (
    DOCX_MEDIA_TYPE,
    conversation_docx,
    conversation_markdown,
    exported_conversation,
)
from chat.conversations import question_as_asked, title_as_asked
from chat.feedback_api import FeedbackSerializer
from chat.models import Conversation, Exchange
from documents.models import Category


class CategorySummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name"]


class ConversationSerializer(serializers.ModelSerializer):
    """One of the user's own conversations: titled in their own words."""

    title = serializers.SerializerMethodField()
    category = CategorySummarySerializer(read_only=True, allow_null=True)
    exchange_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Conversation
        fields = ["id", "title", "category", "exchange_count", "created_at", "updated_at"]

    def get_title(self, conversation: Conversation) -> str:
        # `first_sealed_question` is annotated by `selectors.conversations_of` / `conversation_of`.
        return title_as_asked(conversation, conversation.first_sealed_question or "")


class ExchangeSerializer(serializers.ModelSerializer):
    """One exchange of the user's own conversation: the question as they asked it."""

    question = serializers.SerializerMethodField()
    validated = serializers.BooleanField(read_only=True)
    feedback = serializers.SerializerMethodField(help_text="Votre avis sur la réponse, ou null.")
    checks = serializers.SerializerMethodField(
        help_text="La vérification des citations ; null pour une réponse d'avant elle."
    )

    class Meta:
        model = Exchange
        fields = [
            "id",
            "question",
            "answer",
            "sources",
            "status",
            "outcome",
            "validated",
            "created_at",
            "feedback",
            "checks",
        ]

    def get_question(self, exchange: Exchange) -> str:
        return question_as_asked(exchange)

    @extend_schema_field(FeedbackSerializer(allow_null=True))
    def get_feedback(self, exchange: Exchange) -> dict | None:
        # `own_feedback` is prefetched by `selectors.conversation_of`: zero or one rating.
        own = exchange.own_feedback
        return FeedbackSerializer(own[0]).data if own else None

    @extend_schema_field(ChecksSerializer(allow_null=True))
    def get_checks(self, exchange: Exchange) -> dict | None:
        return exchange.checks or None


class ConversationDetailSerializer(ConversationSerializer):
    exchanges = ExchangeSerializer(many=True, read_only=True)

    class Meta(ConversationSerializer.Meta):
        fields = ["id", "title", "category", "created_at", "updated_at", "exchanges"]


class ConversationPagination(CursorPagination):
    """50 conversations a page, most recent first; `next` links to the older ones."""

    page_size = 50
    ordering = ("-updated_at", "-pk")


class ConversationListView(ListAPIView):
    """`GET /api/v1/conversations/`: the user's conversations, 50 a page (`next`, `previous`)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ConversationSerializer
    pagination_class = ConversationPagination

    def get_queryset(self):
        return selectors.conversations_of(self.request.user)


@extend_schema_view(
    get=extend_schema(responses={200: ConversationDetailSerializer, 404: DetailSerializer})
)
class ConversationDetailView(RetrieveAPIView):
    """`GET /api/v1/conversations/<id>/`: one of the user's conversations, with its answers
    and the user's rating of each."""

    permission_classes = [IsAuthenticated]
    serializer_class = ConversationDetailSerializer

    def get_object(self) -> Conversation:
        return own_conversation(self.request, self.kwargs["conversation_id"])


def own_conversation(request: Request, conversation_id: int) -> Conversation:
    """The user's conversation; another user's is not found, like one that does not exist."""
    conversation = selectors.conversation_of(request.user, conversation_id)
    if conversation is None:
        raise NotFound("Cette conversation n'existe pas ou ne vous appartient pas.")
    return conversation


class MarkdownRenderer(BaseRenderer):
    media_type = "text/markdown"
    format = "md"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return data.encode()


class DocxRenderer(BaseRenderer):
    media_type = DOCX_MEDIA_TYPE
    format = "docx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return data


class ConversationExportView(APIView):
    """`GET /api/v1/conversations/<id>/export/?format=md|docx`: one of the user's
    conversations as a file, each answer with the sources it cites (Markdown by default)."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [MarkdownRenderer, DocxRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=["md", "docx"], description="Markdown ou Word.")
        ],
        responses={
            (200, MarkdownRenderer.media_type): OpenApiResponse(OpenApiTypes.STR),
            (200, DOCX_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.BINARY),
            404: DetailSerializer,
        },
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        exported = exported_conversation(own_conversation(request, conversation_id))
        renderer = request.accepted_renderer
        body = (
            conversation_docx(exported)
            if renderer.format == DocxRenderer.format
            else conversation_markdown(exported)
        )
        filename = f"{exported.filename}.{renderer.format}"
        return Response(body, headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    def handle_exception(self, exc: Exception) -> Response:
        # An error reads as JSON, like everywhere in the API, whichever file was asked for.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
