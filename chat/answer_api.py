"""The answering API (v1): an answer now, or later through a task polled or called back.

Token or session authentication, like the rest of the API. The response serializers
describe the bodies for the OpenAPI schema; the bodies themselves come from `chat.complete_answers`.
"""

from uuid import UUID

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.callbacks import CallbackRefused, check_callback_url
from chat.complete_answers import answer_now, create_answer_task, task_as_dict, task_for_user
from chat.conversations import QuestionRefused, checked_question
from chat.models import AnswerTask, Exchange
from common.ratelimit import QuestionThrottle
from documents.models import Category
from documents.selectors import readable_categories


class QuestionSerializer(serializers.Serializer):
    question = serializers.CharField()

    def validate_question(self, question: str) -> str:
        # Refused at once, not later in a task: the check the answering itself applies.
        try:
            checked_question(question)
        except QuestionRefused as refusal:
            raise serializers.ValidationError(refusal.message) from refusal
        return question


class AnswerRequestSerializer(QuestionSerializer):
    conversation = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Une conversation de cette catégorie, pour une question qui la poursuit.",
    )


class UsageSerializer(serializers.Serializer):
    prompt_tokens = serializers.IntegerField(allow_null=True)
    completion_tokens = serializers.IntegerField(allow_null=True)
    cost = serializers.FloatField(
        allow_null=True,
        help_text="Le coût de la réponse dans la devise `currency` ; 0 pour des extraits ou "
        "une réponse validée, null quand le modèle n'a pas de tarif.",
    )
    energy_wh = serializers.FloatField(
        allow_null=True,
        help_text="L'énergie estimée en Wh ; null quand le modèle n'en a pas de facteur.",
    )
    currency = serializers.CharField(help_text="COST_CURRENCY, EUR par défaut.")


class CheckFlagSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["no_citation", "unknown_source", "unsupported", "figure_missing"]
    )
    message = serializers.CharField(help_text="L'explication, en clair.")


class SentenceCheckSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="La phrase, telle qu'écrite dans la réponse.")
    citations = serializers.ListField(child=serializers.IntegerField())
    support = serializers.FloatField(
        allow_null=True, help_text="De 0 à 1 : combien les passages cités appuient la phrase."
    )
    flags = CheckFlagSerializer(many=True, help_text="Vide : la phrase n'est pas signalée.")


class ChecksSerializer(serializers.Serializer):
    status = serializers.CharField(
        help_text="« checked » pour une réponse générée ; sinon la nature de la réponse, "
        "non vérifiée : « extractive », « correction », « no_answer »."
    )
    checked = serializers.IntegerField(help_text="Les phrases vérifiées.")
    flagged = serializers.IntegerField(help_text="Les phrases signalées.")
    sentences = SentenceCheckSerializer(many=True)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()
    sources = serializers.ListField(
        child=serializers.DictField(),
        help_text="Les passages numérotés (`number`) que la réponse cite comme [n].",
    )
    validated = serializers.BooleanField(help_text="Une réponse validée par l'équipe.")
    outcome = serializers.ChoiceField(choices=Exchange.Outcome.choices)
    provider = serializers.CharField()
    citations = serializers.ListField(child=serializers.IntegerField())
    usage = UsageSerializer(allow_null=True)
    timings = serializers.DictField(child=serializers.IntegerField())
    notices = serializers.ListField(
        child=serializers.CharField(),
        help_text="Des remarques à montrer sous la réponse, par exemple un document cité "
        "qui ne sera bientôt plus en vigueur.",
    )
    checks = ChecksSerializer(
        help_text="Chaque phrase de la réponse confrontée aux passages qu'elle cite : sans "
        "citation, non appuyée par ses sources, ou portant un chiffre qu'elles ne "
        "contiennent pas, elle est signalée."
    )
    conversation = serializers.IntegerField()
    exchange = serializers.IntegerField()


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="Le cas, pour les programmes : refused, search…")


INVALID = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='Requête invalide : `{"champ": ["message"]}`, ou `{"detail": "message"}`.',
)


class AnswerView(APIView):
    """`POST /api/v1/search/<category>/`: answer a question from the category's documents."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [QuestionThrottle]

    @extend_schema(
        request=AnswerRequestSerializer,
        parameters=[
            OpenApiParameter(
                "category", str, OpenApiParameter.PATH, description="Le slug de la catégorie."
            )
        ],
        responses={
            200: AnswerSerializer,
            400: INVALID,
            404: DetailSerializer,
            502: DetailSerializer,
            503: DetailSerializer,
        },
    )
    def post(self, request: Request, category: str) -> Response:
        body = AnswerRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answer = answer_now(
            user_id=request.user.pk,
            question=body.validated_data["question"],
            category_slug=category,
            conversation_id=body.validated_data["conversation"],
        )
        return Response(answer)


class AnswerTaskRequestSerializer(QuestionSerializer):
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        error_messages={"does_not_exist": "Catégorie inconnue : « {value} »."},
    )
    callback_url = serializers.URLField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="Où POSTer la tâche terminée ; doit être autorisée par l'administrateur.",
    )

    def validate_callback_url(self, url: str) -> str:
        if url:
            try:
                check_callback_url(url)
            except CallbackRefused as refusal:
                raise serializers.ValidationError(refusal.message) from refusal
        return url


class AnswerTaskCreatedSerializer(serializers.Serializer):
    task = serializers.UUIDField()
    status = serializers.ChoiceField(choices=AnswerTask.Status.choices)
    url = serializers.CharField(help_text="Où suivre la tâche.")


class AnswerTaskSerializer(serializers.Serializer):
    task = serializers.UUIDField()
    status = serializers.ChoiceField(choices=AnswerTask.Status.choices)
    category = serializers.CharField()
    question = serializers.CharField()
    result = AnswerSerializer(allow_null=True, help_text="La réponse, une fois « done ».")
    error = serializers.CharField(help_text="Pourquoi la tâche a échoué (« failed »).")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    callback_status = serializers.CharField(
        help_text="Le code HTTP rendu par l'adresse de rappel, ou pourquoi l'envoi a échoué."
    )


class AnswerTaskCreateView(APIView):
    """`POST /api/v1/async_search/`: queue a question; poll the task or get it POSTed."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [QuestionThrottle]

    @extend_schema(
        request=AnswerTaskRequestSerializer,
        responses={202: AnswerTaskCreatedSerializer, 400: INVALID},
    )
    def post(self, request: Request) -> Response:
        body = AnswerTaskRequestSerializer(data=request.data)
        # A category the user may not read is as unknown to them as one that does not exist.
        body.fields["category"].queryset = readable_categories(request.user)
        body.is_valid(raise_exception=True)
        task = create_answer_task(user_id=request.user.pk, **body.validated_data)
        return Response(
            {
                "task": str(task.pk),
                "status": task.status,
                "url": reverse("api_v1:answer-task", args=[task.pk]),
            },
            status=status.HTTP_202_ACCEPTED,
        )


class AnswerTaskView(APIView):
    """`GET /api/v1/tasks/<uuid>/`: one of the user's tasks, its answer once done."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AnswerTaskSerializer, 404: DetailSerializer})
    def get(self, request: Request, task_id: UUID) -> Response:
        task = task_for_user(task_id=task_id, user_id=request.user.pk)
        return Response({**task_as_dict(task), "callback_status": task.callback_status})
