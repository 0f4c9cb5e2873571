"""Process-level actions of the ai app."""

import logging
import threading

from django.conf import settings

from ai.anonymizer import ner_model
from ai.embeddings import get_embedder

logger = logging.getLogger(__name__)


def warm_up_models_in_background() -> threading.Thread:
    """Load the embedding model (and the NER model of the anonymiser) now, in a thread,
    so the first question does not wait for them (~2 s and ~5 s)."""

    def warm_up() -> None:
        get_embedder().embed(["démarrage"])
        if settings.ANONYMIZE_QUESTIONS:
            ner_model()
        logger.info("Models loaded.")

    thread = threading.Thread(target=warm_up, name="warm-up", daemon=True)
    thread.start()
    return thread
