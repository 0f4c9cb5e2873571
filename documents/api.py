"""The documents API: upload files into a category, follow their indexing, set their
validity, replace a document's file by a new version, merge a near-duplicate into the
document it repeats."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import RetrieveAPIView, get_object_or_404
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.ratelimit import UploadThrottle
from documents import services
from documents.archives import is_archive
from documents.models import Category, Document, DocumentVersion
from documents.near_duplicates import keep_apart, merge_as_new_version
from documents.uploads import IncomingFile, UploadReport, upload_files
from documents.validity import ValidityFields
from documents.versions import replace_with_new_version


class CanUploadDocuments(BasePermission):
    """Users holding `documents.add_document`; superusers hold every permission."""

    message = "Il faut la permission d'ajouter des documents (documents.add_document)."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("documents.add_document"))


class CanChangeDocuments(BasePermission):
    """Changing a document (its validity) also takes `documents.change_document`."""

    message = "Il faut la permission de modifier des documents (documents.change_document)."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or request.user.has_perm("documents.change_document")


class CanMergeDocuments(BasePermission):
    """Merging a document into another deletes it: `documents.change_document` and
    `documents.delete_document`."""

    message = (
        "Il faut les permissions de modifier et de supprimer des documents "
        "(documents.change_document, documents.delete_document)."
    )

    def has_permission(self, request, view) -> bool:
        return request.user.has_perms(["documents.change_document", "documents.delete_document"])


class VersionSerializer(serializers.ModelSerializer):
    """An earlier version, with the address staff download it from."""

    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = ["number", "original_filename", "size", "version_date", "replaced_at"]
        fields = [*fields, "download_url"]
        read_only_fields = fields

    def get_download_url(self, version: DocumentVersion) -> str:
        path = reverse("documents:version-file", args=[version.document_id, version.number])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class DocumentSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.SerializerMethodField()
    admin_url = serializers.SerializerMethodField()
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "original_filename",
            "category",
            "status",
            "error_message",
            "page_count",
            "chunk_count",
            "size",
            "version",
            "version_date",
            "source_path",
            "versions",
            "valid_from",
            "valid_until",
            "repealed_by",
            "similar_to",
            "similarity",
            "created_at",
            "updated_at",
            "url",
            "admin_url",
        ]
        read_only_fields = fields

    def get_url(self, document: Document) -> str:
        return self._absolute(reverse("documents_api:document-detail", args=[document.pk]))

    def get_admin_url(self, document: Document) -> str:
        return self._absolute(reverse("admin:documents_document_change", args=[document.pk]))

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ValiditySerializer(serializers.Serializer):
    """`valid_from`, `valid_until` (ISO dates, both included) and `repealed_by` (a document
    id of the same category), each optional; checked by the model's rules."""

    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    repealed_by = serializers.PrimaryKeyRelatedField(
        queryset=Document.objects.all(), required=False, allow_null=True
    )

    def checked_validity(self, document: Document, data: dict) -> ValidityFields:
        """`document`'s validity with `data` applied; raises DRF's ValidationError."""
        validity = ValidityFields(
            valid_from=data.get("valid_from", document.valid_from),
            valid_until=data.get("valid_until", document.valid_until),
            repealed_by=data.get("repealed_by", document.repealed_by),
        )
        candidate = Document(pk=document.pk, category_id=document.category_id)
        for name, value in validity.as_fields().items():
            setattr(candidate, name, value)
        try:
            candidate.clean()
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return validity


class UploadSerializer(ValiditySerializer):
    # Empty files are accepted here so that the upload service reports them like the others.
    file = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), allow_empty=False
    )
    category = serializers.CharField(help_text="Slug ou identifiant de la catégorie.")
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    hints = serializers.CharField(required=False, allow_blank=True)

    def validate_category(self, value: str) -> Category:
        category = Category.objects.filter(slug=value).first()
        if category is None and value.isdigit():
            category = Category.objects.filter(pk=int(value)).first()
        if category is None:
            raise serializers.ValidationError(
                _("Catégorie inconnue : « %(value)s » (attendu : son slug ou son identifiant).")
                % {"value": value}
            )
        return category

    def validate(self, data: dict) -> dict:
        files = data["file"]
        if data.get("title") and (len(files) > 1 or is_archive(files[0].name)):
            raise serializers.ValidationError(
                {"title": _("Un titre ne s'applique qu'à un seul fichier, hors archive ZIP.")}
            )
        data["validity"] = self.checked_validity(Document(category=data["category"]), data)
        return data


class DocumentUploadView(APIView):
    """`POST /api/documents/`: create documents from uploaded files (multipart/form-data).

    Fields: `file` (repeat it to send several; ZIP archives are expanded, each file inside
    becoming a document titled after its folders), `category` (slug or id), optional
    `title` (only with a single non-archive file), `hints`, `valid_from`, `valid_until` and
    `repealed_by` (applied to every document; see `PATCH /api/documents/<id>/`).

    Authentication: `Authorization: Token <key>`, the token created in the Django admin
    (« Jeton d'authentification » → « Jetons ») for a user holding `documents.add_document`;
    or the browser session, whose requests must then carry the CSRF token. For example:
    `curl -H "Authorization: Token $KEY" -F category=rh -F file=@guide.pdf -F file=@lot.zip
    https://cassandre.example.org/api/documents/`

    Every response has the same body, one entry per file (archive entries named
    `archive.zip/folder/file.pdf`):
    `{"created": [document...], "duplicates": [{"file", "detail", "existing": document}],
    "rejected": [{"file", "detail"}]}`, each document as `GET /api/documents/<id>/` gives it.
    Status: 201 when at least one document was created (the others, if any, are listed as
    duplicates or rejected); otherwise 503 when the file storage is down (nothing was kept:
    send the files again later), 409 when every file was a duplicate, 413 when every file
    was refused for its size, and 400 for any other mix. A malformed request (no file,
    unknown category) is a 400 with DRF's `{"field": ["message"]}`. Created documents are
    "pending": poll their `url` until `status` is "indexed" or "failed". While the task
    queue is unreachable a created document says so in its `error_message`; it is queued
    by itself once the queue is back.
    """

    permission_classes = [CanUploadDocuments]
    throttle_classes = [UploadThrottle]

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        report = upload_files(
            category=data["category"],
            files=[IncomingFile(file, file.name, data.get("title", "")) for file in data["file"]],
            hints=data.get("hints", ""),
            validity=data["validity"],
        )
        return Response(self._body(report), status=_status_for(report))

    def _body(self, report: UploadReport) -> dict:
        context = self.get_serializer_context()
        return {
            "created": DocumentSerializer(report.created, many=True, context=context).data,
            "duplicates": [
                {
                    "file": duplicate.name,
                    "detail": duplicate.reason,
                    "existing": DocumentSerializer(duplicate.existing, context=context).data,
                }
                for duplicate in report.duplicates
            ],
            "rejected": [
                {"file": rejected.name, "detail": rejected.reason} for rejected in report.rejected
            ],
        }

    def get_serializer_context(self) -> dict:
        return {"request": self.request, "view": self}


def _status_for(report: UploadReport) -> int:
    if report.created:
        return status.HTTP_201_CREATED
    if report.storage_unavailable:
        return status.HTTP_503_SERVICE_UNAVAILABLE
    if report.duplicates and not report.rejected:
        return status.HTTP_409_CONFLICT
    if report.rejected and not report.duplicates and all(r.too_large for r in report.rejected):
        return status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    return status.HTTP_400_BAD_REQUEST


class NewVersionSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)


class DocumentDetailView(RetrieveAPIView):
    """`GET /api/documents/<id>/`: a document, its indexing state and its validity;
    `PATCH` changes its validity.

    `status` goes pending → processing → indexed or failed; `error_message` says why it
    failed; `page_count` and `chunk_count` are filled once indexed; `version` and
    `version_date` say which file is current, `versions` lists the earlier ones;
    `similar_to` is the document of the same category whose text is almost the same (with
    `similarity`, from 0 to 1), which this one is probably a new version of: see
    `POST /api/documents/<id>/merge-into/<other>/` and `DELETE .../similar-to/`. Same
    authentication and permission as the upload; `PATCH` and `PUT` also take
    `documents.change_document`.

    `PATCH` with any of `valid_from`, `valid_until` (ISO dates, both days included, null
    for none) and `repealed_by` (the id of a document of the same category, or null):
    searches and answers leave out a document out of force today (not yet in force, past
    its end, or repealed). A 400 says which field breaks a rule (an end before the start,
    a repeal by itself or by another category's document).

    `PUT` with a multipart `file`: the same as `POST /api/documents/<id>/versions/`.
    """

    permission_classes = [CanUploadDocuments, CanChangeDocuments]
    queryset = Document.objects.select_related("category").prefetch_related("versions")
    serializer_class = DocumentSerializer

    @extend_schema(request=ValiditySerializer, responses=DocumentSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        document = self.get_object()
        change = ValiditySerializer(data=request.data)
        change.is_valid(raise_exception=True)
        services.set_validity(document, change.checked_validity(document, change.validated_data))
        return Response(self.get_serializer(document).data)

    @extend_schema(
        request={"multipart/form-data": NewVersionSerializer}, responses=DocumentSerializer
    )
    def put(self, request: Request, pk: int) -> Response:
        return replace_document_file(request, pk)


class DocumentVersionsView(APIView):
    """`POST /api/documents/<id>/versions/` with a multipart `file`: the document's new
    version. The document keeps its id, title, category and hints; its previous file is
    kept in `versions` (staff download it from `download_url`); the new one is indexed,
    and until it is, searches find the previous version. Requires
    `documents.change_document`.

    201 with the document (pending, `version` one higher); 409 when the file is the
    current version byte for byte; 400 or 413 for a file any upload would refuse; 503 when
    the file storage is down (nothing changed). `GET` lists the earlier versions.
    """

    permission_classes = [CanUploadDocuments, CanChangeDocuments]
    throttle_classes = [UploadThrottle]

    @extend_schema(responses=VersionSerializer(many=True))
    def get(self, request, pk: int):
        document = get_object_or_404(Document, pk=pk)
        return Response(
            VersionSerializer(document.versions.all(), many=True, context={"request": request}).data
        )

    @extend_schema(
        request={"multipart/form-data": NewVersionSerializer}, responses=DocumentSerializer
    )
    def post(self, request, pk: int):
        return replace_document_file(request, pk)


def replace_document_file(request, pk: int) -> Response:
    """A refused file is a `UserError`: the API's handler answers its status and message."""
    document = get_object_or_404(Document.objects.select_related("category"), pk=pk)
    upload = NewVersionSerializer(data=request.data)
    upload.is_valid(raise_exception=True)
    file = upload.validated_data["file"]
    replaced = replace_with_new_version(
        document, stream=file, filename=file.name, author=request.user
    )
    return Response(
        DocumentSerializer(replaced, context={"request": request}).data,
        status=status.HTTP_201_CREATED,
    )


class DocumentMergeView(APIView):
    """`POST /api/documents/<id>/merge-into/<other>/`: the document `id` becomes the new
    version of `other`, of the same category, and is deleted (its file is kept as the
    current one of `other`, which keeps its id, title, hints and validity).

    This is how to accept what `similar_to` offers: a document whose text is at least 90 %
    that of another document of its category says so once indexed (`similar_to`, its id;
    `similarity`, from 0 to 1). Requires `documents.change_document` and
    `documents.delete_document`. 200 with `other` (pending, `version` one higher); 400 when
    the two cannot be merged (the same document, other categories, or `id` has earlier
    versions of its own); 409 when the file is already the current one of `other`; 503 when
    the file storage is down (nothing changed).
    """

    permission_classes = [CanUploadDocuments, CanMergeDocuments]

    @extend_schema(request=None, responses=DocumentSerializer)
    def post(self, request: Request, pk: int, other: int) -> Response:
        duplicate = get_object_or_404(Document, pk=pk)
        into = get_object_or_404(Document.objects.select_related("category"), pk=other)
        merged = merge_as_new_version(duplicate, into=into, author=request.user)
        return Response(DocumentSerializer(merged, context={"request": request}).data)


class NearDuplicateView(APIView):
    """`DELETE /api/documents/<id>/similar-to/`: dismiss the offer to make the document a
    new version of its `similar_to`; both stay documents of their own, and the offer does
    not come back unless the document's text changes. Requires
    `documents.change_document`. 204."""

    permission_classes = [CanUploadDocuments, CanChangeDocuments]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        keep_apart(get_object_or_404(Document, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
