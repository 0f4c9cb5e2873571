from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from chat import selectors
from chat.forms import SearchForm
from chat.search import SearchUnavailable, find_passages, result_as_dict
from common.ratelimit import SEARCHES, allowed, refusal, requester
from documents.models import Category
from documents.selectors import categories_for_home, readable_category_ids

RESULTS_PER_PAGE = 10
# The document viewer's address; the page links passages to it as the browser tests expect.
VIEWER_PATH = "/documents/{document_id}/"


def login_required_unless_public(view):
    """Visitors without an account get in only when the site has public categories."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated and not settings.PUBLIC_CATEGORIES:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


@login_required_unless_public
def search(request: HttpRequest, category: str | None = None) -> HttpResponse:
    """The search page: ask a question and read the streamed answer (JavaScript), or,
    without JavaScript, the ranked passages for `?q=`."""
    categories = categories_for_home(request.user)
    chosen = get_object_or_404(categories, slug=category) if category else None
    if request.user.is_authenticated and not request.user.is_staff and not categories:
        # Rather than an empty list and "no passage", which read as if nothing were there.
        context = {"access_contact": settings.ACCESS_CONTACT}
        return render(request, "chat/no_access.html", context)
    form = SearchForm(_search_data(request.GET, chosen), categories=categories)
    passages, error, status = [], "", 200
    if form.is_valid() and not allowed(SEARCHES, requester(request)):
        error, status = refusal(SEARCHES), 429
    elif form.is_valid():
        searched = form.cleaned_data["category"]
        try:
            results = find_passages(
                form.cleaned_data["q"],
                category_ids=[searched.pk] if searched else readable_category_ids(request.user),
                limit=RESULTS_PER_PAGE,
            )
        except SearchUnavailable as unavailable:
            error = unavailable.message
        else:
            passages = [result_as_dict(result) for result in results]
    context = _page_context(request, categories, chosen, form=form)
    context |= {"passages": passages, "error": error}
    return render(request, "chat/search.html", context, status=status)


@login_required
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """One of the user's conversations at its own address: the search page, whose script
    reopens it (a reload, Back). Another user's conversation is not found."""
    found = get_object_or_404(selectors.conversations_of(request.user), pk=conversation_id)
    categories = categories_for_home(request.user)
    chosen = categories.filter(pk=found.category_id).first() if found.category_id else None
    form = SearchForm(None, categories=categories)
    context = _page_context(request, categories, chosen, form=form, conversation_id=found.pk)
    return render(request, "chat/search.html", context)


def _page_context(
    request: HttpRequest,
    categories: QuerySet[Category],
    chosen: Category | None,
    *,
    form: SearchForm,
    conversation_id: int | None = None,
) -> dict[str, object]:
    return {
        "categories": categories,
        "category": chosen,
        "form": form,
        "passages": [],
        "error": "",
        "page_config": _page_config(request, chosen, conversation_id),
        "page_strings": page_strings(),
    }


def _search_data(query: QueryDict, chosen: Category | None) -> QueryDict | None:
    """The form's data: the query string, with the category of the URL when there is one."""
    if not query:
        return None
    if chosen is None:
        return query
    data = query.copy()
    data["category"] = chosen.slug
    return data


def _page_config(
    request: HttpRequest, chosen: Category | None, conversation_id: int | None
) -> dict[str, object]:
    """What the page's script needs: where to connect, which URLs to call, with what token,
    the conversation to reopen (its own address), the longest question the server takes.

    URLs needing an id are given with 0 in its place, for the script to substitute.
    """
    return {
        "canAsk": request.user.is_authenticated,
        "category": chosen.slug if chosen else "",
        "conversation": conversation_id,
        "maxQuestionLength": settings.MAX_QUESTION_LENGTH,
        "websocketBase": settings.WEBSOCKET_URL,
        "websocketPath": "/ws/chat/",
        "csrfToken": get_token(request),
        "language": request.LANGUAGE_CODE,
        "timeZone": settings.TIME_ZONE,
        "urls": {
            "conversations": reverse("api_v1:conversations"),
            "conversation": reverse("api_v1:conversation", args=[0]),
            "conversationExport": reverse("api_v1:conversation-export", args=[0]),
            "feedback": reverse("api_v1:exchange-feedback", args=[0]),
            "proposals": reverse("api_v1:exchange-proposals", args=[0]),
            "viewer": VIEWER_PATH.format(document_id=0),
            "conversationPage": reverse("chat:conversation", args=[0]),
            "newConversation": (
                reverse("chat:search-category", args=[chosen.slug])
                if chosen
                else reverse("chat:search")
            ),
        },
    }


def page_strings() -> dict[str, str]:
    """The texts the page's script shows, translated here ({name} marks a value)."""
    return {
        "you": _("Vous"),
        "assistant": _("Cassandre"),
        "searching": _("Recherche dans les documents…"),
        "sources": _("Sources"),
        "page": _("page {page}"),
        "relevance": _("pertinence {score}"),
        "openDocument": _("Ouvrir le document"),
        "validatedSource": _("Réponse validée"),
        "validatedAnswer": _("Réponse validée par l'équipe"),
        "citation": _("Source {n}"),
        "checkMark": _("Phrase à vérifier"),
        "checkFlagged": _(
            "Vérifiez les phrases marquées « ! » : leurs sources ne les appuient pas clairement."
        ),
        "checkClean": _("Citations vérifiées automatiquement : aucune phrase signalée."),
        "checkExtractive": _("Extraits cités tels quels : pas de vérification des citations."),
        "checkCorrection": _("Réponse validée par l'équipe : pas de vérification des citations."),
        "copy": _("Copier la réponse"),
        "copied": _("Réponse copiée."),
        "copyFailed": _("Impossible de copier la réponse."),
        "thumbsUp": _("Réponse utile"),
        "thumbsDown": _("Réponse pas utile"),
        "feedbackComment": _("Un commentaire ? (facultatif)"),
        "feedbackSubmit": _("Envoyer le commentaire"),
        "feedbackThanks": _("Merci pour votre avis."),
        "feedbackCommentThanks": _("Merci, votre commentaire est enregistré."),
        "proposeCorrection": _("Proposer une correction"),
        "proposalLabel": _("La réponse que vous proposez"),
        "proposalSubmit": _("Envoyer la proposition"),
        "proposalCancel": _("Annuler"),
        "proposalEmpty": _("Écrivez d'abord la réponse que vous proposez."),
        "proposalThanks": _("Merci : l'équipe relira votre proposition avant de la valider."),
        "requestFailed": _("L'envoi a échoué. Réessayez dans un instant."),
        "cancelled": _("Réponse interrompue."),
        "failed": _("Cette question n'a pas reçu de réponse."),
        "connectionLost": _(
            "La connexion a été perdue pendant la réponse. Posez à nouveau la question."
        ),
        "connecting": _("Connexion au serveur…"),
        "reconnecting": _("Connexion perdue. Nouvelle tentative dans {seconds} s…"),
        "offline": _("Vous êtes hors ligne. La connexion reprendra au retour du réseau."),
        "sessionExpired": _("Votre session a expiré. Reconnectez-vous pour poser une question."),
        "reconnected": _("Connexion rétablie."),
        "waitingToSend": _("La question partira dès que la connexion sera rétablie."),
        "historyEmpty": _("Aucune conversation pour l'instant."),
        "historyFailed": _("Impossible de charger l'historique."),
        "olderConversations": _("Conversations plus anciennes"),
        "conversationFailed": _("Impossible d'ouvrir cette conversation."),
        "untitled": _("Sans titre"),
        "allCategories": _("Toutes les catégories"),
        "continuing": _("Suite de la conversation « {title} » ({category})"),
        "otherPassages": _("Autres passages ({count})"),
        "retry": _("Réessayer"),
        "questionCounter": _("{count} / {most} caractères"),
        "questionTooLong": _(
            "Question trop longue de {over} caractères ({most} au plus) : "
            "raccourcissez-la pour l'envoyer."
        ),
    }
