"""Live indexing progress, pushed over the channel layer to the backoffice pages."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from documents.models import Document

logger = logging.getLogger(__name__)

PROGRESS_GROUP = "documents.progress"


def publish_progress(document: Document, *, status: str, progress: int, chunks: int) -> None:
    """Best effort: a channel layer outage must never fail an indexing run."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {
        "type": "document.progress",
        "document": document.pk,
        "category": document.category_id,
        "status": status,
        "progress": progress,
        "chunks": chunks,
        "error": document.error_message,
    }
    try:
        async_to_sync(layer.group_send)(PROGRESS_GROUP, message)
    except Exception:
        logger.warning("Could not publish the progress of document %s.", document.pk, exc_info=True)
