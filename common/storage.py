"""What a failing file storage raises, whichever backend the settings chose, and deleting
a file once the deletion of what it belonged to commits."""

import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import Storage
from django.db import transaction

logger = logging.getLogger(__name__)

# The local folder raises OSError; S3 through boto3 raises its own errors, none an OSError
# (an unreachable endpoint is an EndpointConnectionError, a refusal a ClientError).
STORAGE_ERRORS: tuple[type[Exception], ...] = (OSError, BotoCoreError, ClientError)


def delete_after_commit(storage: Storage, name: str) -> None:
    """Once the current transaction commits, delete the file `name` from `storage`; best
    effort (a storage down leaves the file, and a warning in the log)."""

    def delete() -> None:
        try:
            storage.delete(name)
        except STORAGE_ERRORS:
            logger.warning("Could not delete the stored file %s.", name)

    if name:
        transaction.on_commit(delete)
