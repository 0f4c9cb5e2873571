"""Domain exceptions of the documents app, turned into statuses or messages by the edges."""

from common.errors import UserError


class DocumentRejected(Exception):
    """This document cannot be indexed, for a reason a person can act on.

    The message is shown to admins as the document's failure reason (in French), e.g.
    « PDF protégé par un mot de passe : retirez la protection puis déposez-le à nouveau ».
    """


class UploadRejected(UserError):
    """An upload is refused before any document is created (size, type, archive limits);
    `message` says why, in the language of the person uploading."""

    code = "refused"


class StorageUnavailable(UploadRejected):
    """The file storage could not keep an uploaded file: nothing was created, retry later."""

    code = "storage"
    status = 503
