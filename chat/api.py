"""The search API: passages that answer a question, as JSON."""

import logging

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ai.embeddings import EmbeddingUnavailable
from ai.retrieval import Mode
from ai.vectorstore import VectorStoreError
from chat.results import result_as_dict
from chat.services import find_passages
from common.ratelimit import SearchThrottle
from documents.selectors import (
    category_ids_for_slugs,
    readable_categories,
    readable_category_ids,
)

logger = logging.getLogger(__name__)

UNAVAILABLE = (
    "La recherche est momentanément indisponible (moteur de recherche injoignable). "
    "Réessayez dans un instant ; si cela dure, prévenez l'équipe informatique."
)


class AuthenticatedOrPublicCategories(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated) or settings.PUBLIC_CATEGORIES


class SearchParameters(serializers.Serializer):
    q = serializers.CharField(max_length=2000, trim_whitespace=True)
    category = serializers.CharField(required=False, allow_blank=True, default="")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=None)
    mode = serializers.ChoiceField(choices=[mode.value for mode in Mode], default=Mode.HYBRID)


class SearchView(APIView):
    """`GET /api/search?q=…&category=slug[,slug]&limit=N&mode=hybrid|dense|bm25`.

    Without `category`, every category the user may read is searched; a category they may
    not read is unknown to them. Without `limit`, a single category gives its own number of
    passages (k), several give 5. Token or session authentication; visitors without an
    account only when the site has public categories.
    """

    permission_classes = [AuthenticatedOrPublicCategories]
    throttle_classes = [SearchThrottle]

    @extend_schema(parameters=[SearchParameters], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        parameters = SearchParameters(data=request.query_params)
        parameters.is_valid(raise_exception=True)
        query = parameters.validated_data
        slugs = [slug.strip() for slug in query["category"].split(",") if slug.strip()]
        category_ids = readable_category_ids(request.user)
        if slugs:
            category_ids, unknown = category_ids_for_slugs(
                slugs, among=readable_categories(request.user)
            )
            if unknown:
                return Response(
                    {"category": [f"Catégorie inconnue : {', '.join(unknown)}."]}, status=400
                )
        try:
            results = find_passages(
                query["q"],
                category_ids=category_ids,
                limit=query["limit"],
                mode=Mode(query["mode"]),
            )
        except (VectorStoreError, EmbeddingUnavailable):
            logger.warning("Search failed.", exc_info=True)
            return Response({"detail": UNAVAILABLE}, status=503)
        return Response(
            {"query": query["q"], "results": [result_as_dict(result) for result in results]}
        )
