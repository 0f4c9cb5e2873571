"""What a failing file storage raises, whichever backend the settings chose."""

from botocore.exceptions import BotoCoreError, ClientError

# The local folder raises OSError; S3 through boto3 raises its own errors, none an OSError
# (an unreachable endpoint is an EndpointConnectionError, a refusal a ClientError).
STORAGE_ERRORS: tuple[type[Exception], ...] = (OSError, BotoCoreError, ClientError)
