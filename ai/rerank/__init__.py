"""Rerankers: a category's reranking API, else the site's (RERANK_* settings), else none
(the search then uses its offline reranker)."""

from django.conf import settings

from ai.models import RerankModel
from ai.rerank.api import RerankAPI
from ai.rerank.base import Reranker, RerankUnavailable

__all__ = ["SITE_RERANKER_NAME", "RerankAPI", "RerankUnavailable", "Reranker", "reranker_for"]

SITE_RERANKER_NAME = "API de reranking"


def reranker_for(model: RerankModel | None) -> Reranker | None:
    """The reranking API of a category's model (`category.rerank_model`); for None, the
    site's (RERANK_API_BASE), or None when that is empty too.

    A model's blank key sends no key: the site's RERANK_API_KEY is for the site's server only.
    """
    if model is not None:
        return RerankAPI(
            name=model.name,
            base_url=model.base_url,
            model=model.model,
            api_key=model.api_key,
            timeout=model.timeout,
        )
    if not settings.RERANK_API_BASE:
        return None
    return RerankAPI(
        name=SITE_RERANKER_NAME,
        base_url=settings.RERANK_API_BASE,
        model=settings.RERANK_MODEL,
        api_key=settings.RERANK_API_KEY,
        timeout=settings.RERANK_TIMEOUT,
    )
