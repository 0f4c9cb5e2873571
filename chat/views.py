import logging

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from ai.embeddings import EmbeddingUnavailable
from ai.vectorstore import VectorStoreError
from chat.api import UNAVAILABLE
from chat.forms import SearchForm
from chat.services import find_passages
from common.ratelimit import SEARCHES, allowed, refusal, requester
from documents.selectors import categories_for_home, readable_categories, readable_category_ids

logger = logging.getLogger(__name__)

RESULTS_PER_PAGE = 10


def login_required_unless_public(view):
    """Visitors without an account get in only when the site has public categories."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated and not settings.PUBLIC_CATEGORIES:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


@login_required_unless_public
def home(request):
    return render(request, "chat/home.html", {"categories": categories_for_home(request.user)})


@login_required_unless_public
def search(request):
    form = SearchForm(request.GET or None, categories=readable_categories(request.user))
    results, error, status = [], "", 200
    if form.is_valid() and not allowed(SEARCHES, requester(request)):
        error, status = refusal(SEARCHES), 429
    elif form.is_valid():
        category = form.cleaned_data["category"]
        try:
            results = find_passages(
                form.cleaned_data["q"],
                category_ids=[category.pk] if category else readable_category_ids(request.user),
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
