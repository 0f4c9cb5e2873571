import logging

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ai.embeddings import EmbeddingUnavailable
from ai.vectorstore import VectorStoreError
from chat.api import UNAVAILABLE
from chat.forms import SearchForm
from chat.services import find_passages
from common.ratelimit import SEARCHES, allowed, refusal, requester
from documents.selectors import categories_for_home

logger = logging.getLogger(__name__)

RESULTS_PER_PAGE = 10


def home(request):
    return render(request, "chat/home.html", {"categories": categories_for_home()})


@login_required
def search(request):
    form = SearchForm(request.GET or None)
    results, error, status = [], "", 200
    if form.is_valid() and not allowed(SEARCHES, requester(request)):
        error, status = refusal(SEARCHES), 429
    elif form.is_valid():
        category = form.cleaned_data["category"]
        try:
            results = find_passages(
                form.cleaned_data["q"],
                category_ids=[category.pk] if category else None,
                limit=RESULTS_PER_PAGE,
            )
        except (VectorStoreError, EmbeddingUnavailable):
            logger.warning("Search failed.", exc_info=True)
            error = UNAVAILABLE
    return render(
        request,
        "chat/search.html",
        {"form": form, "results": results, "error": error},
        status=status,
    )
