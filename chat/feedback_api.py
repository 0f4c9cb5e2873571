"""The feedback API: rate an answer, propose a better one. Only on the user's own questions."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.answer_api import INVALID, DetailSerializer
from chat.feedback import COMMENT_MAX_LENGTH, propose_correction, rate_answer
from chat.models import CorrectionProposal, Feedback
from common.ratelimit import FeedbackThrottle

RATINGS = {"up": Feedback.Rating.UP, "down": Feedback.Rating.DOWN}


class RatingField(serializers.ChoiceField):
    """ "up" or "down" in JSON, +1 or -1 in the database."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=list(RATINGS), **kwargs)

    def to_internal_value(self, data) -> int:
        return RATINGS[super().to_internal_value(data)]

    def to_representation(self, value: int) -> str:
        return next(name for name, rating in RATINGS.items() if rating == value)


class FeedbackSerializer(serializers.Serializer):
    rating = RatingField()
    comment = serializers.CharField(
        max_length=COMMENT_MAX_LENGTH, allow_blank=True, required=False, default=""
    )
    updated_at = serializers.DateTimeField(read_only=True)


class ProposalSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = CorrectionProposal
        fields = ["id", "exchange", "category", "question", "answer", "status", "created_at"]
        read_only_fields = ["exchange", "status", "created_at"]
        extra_kwargs = {
            "question": {
                "required": False,
                "allow_blank": True,
                "help_text": "Vide : la question posée, telle qu'elle a été cherchée.",
            }
        }


class ExchangeFeedbackView(APIView):
    """`POST /api/v1/exchanges/<id>/feedback/` {"rating": "up"|"down", "comment": "…"}.

    Rates one of the user's answers; rating it again replaces the previous rating.
    """

    permission_classes = [IsAuthenticated]
    throttle_classes = [FeedbackThrottle]

    @extend_schema(
        request=FeedbackSerializer,
        responses={200: FeedbackSerializer, 400: INVALID, 404: DetailSerializer},
    )
    def post(self, request: Request, exchange_id: int) -> Response:
        serializer = FeedbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feedback = rate_answer(
            user=request.user, exchange_id=exchange_id, **serializer.validated_data
        )
        return Response(FeedbackSerializer(feedback).data)


class ExchangeProposalView(APIView):
    """`POST /api/v1/exchanges/<id>/proposals/` {"answer": "…", "question": "…"} → 201.

    Proposes a better answer to one of the user's questions; staff review it before it
    becomes the category's validated answer.
    """

    permission_classes = [IsAuthenticated]
    throttle_classes = [FeedbackThrottle]

    @extend_schema(
        request=ProposalSerializer,
        responses={201: ProposalSerializer, 400: INVALID, 404: DetailSerializer},
    )
    def post(self, request: Request, exchange_id: int) -> Response:
        serializer = ProposalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = propose_correction(
            user=request.user, exchange_id=exchange_id, **serializer.validated_data
        )
        return Response(ProposalSerializer(proposal).data, status=201)
