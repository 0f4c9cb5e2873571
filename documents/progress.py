"""Live indexing progress, pushed over the channel layer to the backoffice pages.

Publishing must cost the indexing run nothing and never fail it: messages are handed to
one background thread that owns an event loop (so channels-redis keeps its connections
instead of opening one per message) and sent from there, best effort.
"""

import asyncio
import logging
import threading
from concurrent.futures import Future

from channels.layers import get_channel_layer
from django.urls import reverse
from django.utils.translation import gettext

from documents.models import Document
from documents.near_duplicates import OFFER, percent

logger = logging.getLogger(__name__)

PROGRESS_GROUP = "documents.progress"

_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _publisher_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _loop_lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="progress", daemon=True)
            thread.start()
            _loop = loop
    return _loop


def _log_failure(future: Future) -> None:
    if future.exception() is not None:
        logger.warning("Could not publish indexing progress: %s", future.exception())


def publish_progress(
    document: Document, *, status: str, progress: int, chunks: int
) -> Future | None:
    """Queue a progress message; returns the pending send (tests may wait on it)."""
    layer = get_channel_layer()
    if layer is None:
        return None
    message = {
        "type": "document.progress",
        "document": document.pk,
        "category": document.category_id,
        "status": status,
        "progress": progress,
        "chunks": chunks,
        "error": document.error_message,
        "near_duplicate": near_duplicate_offer(document),
    }
    future = asyncio.run_coroutine_threadsafe(
        layer.group_send(PROGRESS_GROUP, message), _publisher_loop()
    )
    future.add_done_callback(_log_failure)
    return future


def progress_of(document_ids: list[int]) -> list[dict[str, object]]:
    """The progress of these documents now, in the shape of the pushed messages.

    Pages poll it beside the websocket: with the in-memory channel layer, messages sent
    from the worker's thread may never reach the web's consumers.
    """
    documents = Document.objects.filter(pk__in=document_ids).select_related("similar_to")
    return [
        {
            "document": document.pk,
            "category": document.category_id,
            "status": document.status,
            "progress": document.progress,
            "chunks": document.chunk_count,
            "error": document.error_message,
            "near_duplicate": near_duplicate_offer(document),
        }
        for document in documents.order_by("pk")
    ]


def near_duplicate_offer(document: Document) -> dict[str, object] | None:
    """The document this one is probably a new version of, and where staff accept or
    dismiss the offer (`documents.near_duplicates`); None when there is none."""
    if document.similar_to_id is None:
        return None
    return {
        "document": document.similar_to_id,
        "title": str(document.similar_to),
        "similarity": document.similarity,
        "percent": percent(document.similarity or 0),
        "merge_url": reverse(
            "admin:documents_document_merge", args=[document.pk, document.similar_to_id]
        ),
        "keep_url": reverse("admin:documents_document_keep_apart", args=[document.pk]),
    }


def progress_strings() -> dict[str, object]:
    """What `static/js/backoffice/progress.js` needs: where to listen and poll, and words."""
    return {
        "socket": "/ws/backoffice/progress/",
        "endpoint": reverse("backoffice:document-progress"),
        "labels": {status.value: str(status.label) for status in Document.Status},
        "processing": gettext("{label} ({progress} %)"),
        "failed": gettext("⚠ {label}"),
        "finished": gettext("« {title} » : {label}"),
        "near_duplicate": gettext("Probablement une nouvelle version de « {title} »."),
        "merge": str(OFFER),
        "keep_apart": gettext("Garder les deux documents"),
    }
