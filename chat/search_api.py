"""The search API: passages that answer a question, as JSON."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ai.retrieval import Mode
from chat.search import find_passages, result_as_dict
from common.ratelimit import SearchThrottle
from documents.selectors import (
    category_ids_for_slugs,
    readable_categories,
    readable_category_ids,
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
                    {
                        "category": [
                            _("Catégorie inconnue : %(slugs)s.") % {"slugs": ", ".join(unknown)}
                        ]
                    },
                    status=400,
                )
        results = find_passages(
            query["q"], category_ids=category_ids, limit=query["limit"], mode=Mode(query["mode"])
        )
        return Response(
            {"query": query["q"], "results": [result_as_dict(result) for result in results]}
        )
