"""The errors every remote provider raises, worded once: which key, which model, what to do.

`detail` names the provider and the kind of fault for the logs; the message never quotes
the provider's own words (an API error may echo the key).
"""

from django.utils.translation import gettext_lazy as _

from ai.llm import http
from ai.llm.base import (
    ProviderAuthenticationFailed,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)


def key_refused(name: str, detail: str) -> ProviderError:
    return ProviderAuthenticationFailed(
        _(
            "Le modèle de langage (%(name)s) refuse la clé d'API configurée. "
            "Prévenez l'administrateur de Cassandre."
        ),
        {"name": name},
        detail=detail,
    )


def too_many_requests(name: str, detail: str) -> ProviderError:
    return ProviderRejected(
        _("Le modèle de langage (%(name)s) reçoit trop de demandes. Réessayez dans une minute."),
        {"name": name},
        detail=detail,
    )


def unknown_model(name: str, model: str, detail: str) -> ProviderError:
    return ProviderRejected(
        _(
            "Le modèle « %(model)s » est inconnu de %(name)s. "
            "Prévenez l'administrateur de Cassandre."
        ),
        {"model": model, "name": name},
        detail=detail,
    )


def request_refused(name: str, detail: str) -> ProviderError:
    return ProviderRejected(
        _(
            "Le modèle de langage (%(name)s) a refusé la demande. Reformulez la "
            "question ; si cela se reproduit, prévenez l'administrateur."
        ),
        {"name": name},
        detail=detail,
    )


def unreadable_answer(name: str, detail: str) -> ProviderError:
    return ProviderUnavailable(
        _(
            "Le modèle de langage (%(name)s) a envoyé une réponse illisible. Les passages "
            "trouvés restent affichés ; si cela se reproduit, prévenez l'administrateur."
        ),
        {"name": name},
        detail=detail,
    )


def unavailable(name: str, detail: str) -> ProviderError:
    return ProviderUnavailable(
        _(
            "Le modèle de langage (%(name)s) ne répond pas pour le moment. "
            "Les passages trouvés restent affichés ; réessayez dans un instant."
        ),
        {"name": name},
        detail=detail,
    )


def for_status(status: int, *, name: str, model: str, detail: str) -> ProviderError:
    """The error an HTTP status from a provider's API means."""
    if status in (401, 403):
        return key_refused(name, detail)
    if status == 429:
        return too_many_requests(name, detail)
    if status == 404:
        return unknown_model(name, model, detail)
    if 400 <= status < 500 and status != 408:
        return request_refused(name, detail)
    return unavailable(name, detail)


def key_unreadable(name: str, detail: str) -> ProviderError:
    return ProviderAuthenticationFailed(
        _(
            "La clé du compte de service du modèle de langage (%(name)s) est illisible. "
            "Prévenez l'administrateur de Cassandre."
        ),
        {"name": name},
        detail=detail,
    )


def for_http_error(error: Exception, *, name: str, model: str, label: str) -> ProviderError:
    """The error a failed exchange with an API (`ai.llm.http`) means."""
    if isinstance(error, http.HTTPFailure):
        return for_status(error.status, name=name, model=model, detail=f"{label}: {error}")
    if isinstance(error, http.MalformedStream):
        return unreadable_answer(name, f"{label}: {error}")
    return unavailable(name, f"{label}: {type(error).__name__}")
