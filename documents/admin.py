from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from common.errors import UserError
from documents import exports, folder_sync, selectors, services
from documents.exceptions import UploadRejected
from documents.models import (
    Category,
    CategoryExport,
    Correction,
    Document,
    FolderSync,
    GlossaryEntry,
    normalize_abbreviation,
)
from documents.near_duplicates import keep_apart, merge_as_new_version, offer_label
from documents.progress import progress_strings
from documents.validity import EXPIRY_WARNING, Validity
from documents.versions import replace_with_new_version


class DocumentForm(forms.ModelForm):
    """A title typed here is a person's: indexing never replaces it by the document's own.
    Emptied, it is the file name's again (`Document.save`)."""

    def save(self, commit: bool = True) -> Document:
        if "title" in self.changed_data:
            self.instance.title_from_filename = False
        return super().save(commit)


class DocumentInline(admin.TabularInline):
    model = Document
    form = DocumentForm
    extra = 1
    fields = ["file", "title", "hints", "status", "chunk_count"]
    readonly_fields = ["status", "chunk_count"]
    show_change_link = True


class GlossaryEntryFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        # Each row's clean() compares it with the database, not with the rows beside it.
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            abbreviation = form.cleaned_data.get("abbreviation")
            if not abbreviation or form.cleaned_data.get("DELETE"):
                continue
            normalized = normalize_abbreviation(abbreviation)
            if normalized in seen:
                form.add_error("abbreviation", "Cette abréviation figure déjà plus haut.")
            seen.add(normalized)


class GlossaryEntryInline(admin.TabularInline):
    model = GlossaryEntry
    formset = GlossaryEntryFormSet
    extra = 1
    fields = ["abbreviation", "expansion"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "visibility", "language_model", "k", "updated_at"]
    list_filter = ["visibility", "groups"]
    search_fields = ["name", "slug"]
    list_select_related = ["language_model"]
    filter_horizontal = ["groups"]
    # Searched as typed: an organisation's users do not fit in a list to scroll.
    autocomplete_fields = ["readers"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    fields = [
        "name",
        "slug",
        "visibility",
        "groups",
        "readers",
        "welcome_message",
        "contact",
        "language_model",
        "rerank_model",
        "system_prompt",
        "k",
        "relevance_threshold",
        "created_at",
        "updated_at",
    ]
    inlines = [DocumentInline, GlossaryEntryInline]
    actions = ["reindex", "export_zip"]

    def get_inlines(self, request, obj: Category | None):
        # The glossary is edited once the category exists: the add form keeps the single
        # formset its clients (scripts, the embedded-app test) post.
        return self.inlines if obj else [DocumentInline]

    @admin.action(
        description="Réindexer les documents des catégories sélectionnées",
        # A whole category: its change permission, which editors do not have.
        permissions=["change"],
    )
    def reindex(self, request, queryset: QuerySet[Category]) -> None:
        queued = sum(services.reindex_documents(category=category) for category in queryset)
        self.message_user(request, f"{queued} document(s) en file pour réindexation.")

    @admin.action(description="Télécharger la catégorie (ZIP)", permissions=["change"])
    def export_zip(self, request, queryset: QuerySet[Category]) -> None:
        for category in queryset:
            exports.request_category_export(category=category, requested_by=request.user)
        self.message_user(
            request,
            format_html(
                "Archive(s) en préparation : elles seront à télécharger dans "
                '<a href="{}">les exports de catégories</a> une fois prêtes.',
                reverse("admin:documents_categoryexport_changelist"),
            ),
        )


class NewVersionForm(forms.Form):
    file = forms.FileField(
        label="Nouvelle version",
        help_text=(
            "Le document garde son titre, sa catégorie et ses indications ; le fichier actuel "
            "reste téléchargeable dans l'historique. Jusqu'à la fin de l'indexation, la "
            "recherche trouve la version actuelle."
        ),
    )


class ValidityFilter(admin.SimpleListFilter):
    """Where documents stand today (`documents.validity`), and those that end soon."""

    title = "validité"
    parameter_name = "validite"
    EXPIRING = "expiring"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [*Validity.choices, (self.EXPIRING, f"expire sous {EXPIRY_WARNING.days} jours")]

    def queryset(self, request, queryset: QuerySet[Document]) -> QuerySet[Document]:
        today = timezone.localdate()
        if self.value() == self.EXPIRING:
            return queryset.expiring(on=today)
        if self.value() in Validity.values:
            return queryset.standing(Validity(self.value()), on=today)
        return queryset


class NearDuplicateFilter(admin.SimpleListFilter):
    """The documents whose text is almost that of another one (`documents.near_duplicates`)."""

    title = "doublon probable"
    parameter_name = "doublon"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("oui", "oui"), ("non", "non")]

    def queryset(self, request, queryset: QuerySet[Document]) -> QuerySet[Document]:
        if self.value() in ("oui", "non"):
            return queryset.filter(similar_to__isnull=self.value() == "non")
        return queryset


class ArchivedFilter(admin.SimpleListFilter):
    """The documents whose file left the folder or bucket they are synchronised from."""

    title = "archivé"
    parameter_name = "archive"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("yes", "archivé"), ("no", "non archivé")]

    def queryset(self, request, queryset: QuerySet[Document]) -> QuerySet[Document]:
        if self.value() in ("yes", "no"):
            return queryset.filter(archived_at__isnull=self.value() == "no")
        return queryset


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentForm
    list_display = [
        "__str__",
        "category",
        "status_badge",
        "failure_reason",
        "progress_bar",
        "page_count",
        "chunk_count",
        "end_of_validity",
        "updated_at",
    ]
    list_filter = [
        ValidityFilter,
        NearDuplicateFilter,
        ArchivedFilter,
        "status",
        "category",
        "mime_type",
    ]
    search_fields = ["title", "original_filename", "content_hash"]
    list_select_related = ["category"]
    autocomplete_fields = ["repealed_by"]
    actions = [
        "reindex",
        "retake_own_title",
        "new_version",
        "merge_near_duplicates",
        "keep_near_duplicates_apart",
    ]
    version_fields = [
        "version",
        "version_date",
        "earlier_versions",
        "source_path",
        "similar_to",
        "similarity",
        "source_modified",
        "archived_at",
    ]
    readonly_fields = [
        *version_fields,
        "original_filename",
        "content_hash",
        "mime_type",
        "size",
        "status",
        "progress",
        "error_message",
        "warnings",
        "page_count",
        "chunk_count",
        "embedding_model",
        "indexed_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["file", "title", "category", "hints"]}),
        (
            "Validité",
            {
                "fields": ["valid_from", "valid_until", "repealed_by"],
                "description": (
                    "La recherche et les réponses écartent les documents qui ne sont pas en "
                    "vigueur aujourd'hui ; une réponse qui cite un document dont la fin "
                    f"approche ({EXPIRY_WARNING.days} jours) le signale."
                ),
            },
        ),
        (
            "Version",
            {
                "fields": version_fields,
                "description": (
                    "« Remplacer par une nouvelle version » (en haut à droite) garde ce "
                    "document et l'historique de ses fichiers ; seule la version en cours est "
                    "cherchée."
                ),
            },
        ),
        ("Indexation", {"fields": readonly_fields[len(version_fields) :]}),
    ]

    @admin.display(description="en vigueur jusqu'au", ordering="valid_until")
    def end_of_validity(self, document: Document) -> date | str | None:
        """The last day in force; « archivé » or « abrogé » whatever the dates say."""
        if document.archived_at:
            return "archivé"
        return "abrogé" if document.repealed_by_id else document.valid_until

    @admin.display(description="état", ordering="status")
    def status_badge(self, document: Document):
        """The status in words; `progress.js` rewrites it as the indexing goes on."""
        label = document.get_status_display()
        if document.status == Document.Status.PROCESSING:
            label = f"{label} ({document.progress} %)"
        if document.status == Document.Status.FAILED:
            label = f"⚠ {label}"
        return format_html(
            '<span data-status-label="{}" title="{}">{}</span>',
            document.pk,
            document.error_message if document.status == Document.Status.FAILED else "",
            label,
        )

    @admin.display(description="raison")
    def failure_reason(self, document: Document):
        """Why the document failed or waits, cut to one line by the page's style (the whole
        reason in its tooltip and for screen readers); `progress.js` keeps it up to date."""
        return format_html(
            '<span class="reason" data-reason="{id}" data-testid="reason-{id}" title="{reason}"'
            "{hidden}>{reason}</span>",
            id=document.pk,
            reason=document.error_message,
            hidden=mark_safe("" if document.error_message else " hidden"),
        )

    @admin.display(description="progression", ordering="progress")
    def progress_bar(self, document: Document):
        """A progress bar that `static/js/backoffice/progress.js` keeps up to date."""
        progress = 100 if document.status == Document.Status.INDEXED else document.progress
        return format_html(
            '<div class="progress" data-testid="progress-{id}" data-document="{id}" '
            'data-status="{status}" data-title="{title}" role="progressbar" '
            'aria-valuemin="0" aria-valuemax="100" '
            'aria-valuenow="{progress}" aria-label="Indexation de « {title} »">'
            '<div class="progress-fill" style="width: {progress}%"></div></div>',
            id=document.pk,
            status=document.status,
            progress=progress,
            title=str(document),
        )

    @admin.action(description="Réindexer les documents sélectionnés", permissions=["change"])
    def reindex(self, request, queryset: QuerySet[Document]) -> None:
        queued = services.reindex_selected(queryset)
        self.message_user(request, f"{queued} document(s) en file pour réindexation.")

    @admin.action(description="Reprendre le titre du document", permissions=["change"])
    def retake_own_title(self, request, queryset: QuerySet[Document]) -> None:
        queued, kept = services.retake_own_titles(queryset)
        message = (
            f"{queued} document(s) titré(s) d'après leur nom de fichier en file pour "
            "réindexation : chacun prendra le titre qu'il se donne (métadonnées ou premier "
            "titre), s'il en a un."
        )
        if kept:
            message += f" {kept} document(s) gardent le titre saisi."
        self.message_user(request, message)

    @admin.display(description="versions précédentes")
    def earlier_versions(self, document: Document):
        """Links to download the earlier files; only the current one is searched."""
        versions = list(document.versions.all()) if document.pk else []
        if not versions:
            return "aucune"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}" download>version {} — {}</a> (du {})',
            (
                (
                    reverse("documents:version-file", args=[document.pk, version.number]),
                    version.number,
                    version.original_filename,
                    date_format(timezone.localtime(version.version_date), "SHORT_DATE_FORMAT"),
                )
                for version in versions
            ),
        )

    @admin.action(description="Remplacer par une nouvelle version", permissions=["change"])
    def new_version(self, request: HttpRequest, queryset: QuerySet[Document]):
        if queryset.count() != 1:
            self.message_user(
                request,
                "Choisissez un seul document à remplacer par une nouvelle version.",
                level=messages.WARNING,
            )
            return None
        return HttpResponseRedirect(
            reverse("admin:documents_document_new_version", args=[queryset.get().pk])
        )

    @admin.action(
        description="En faire une nouvelle version du document qu'ils reprennent",
        permissions=["change", "delete"],
    )
    def merge_near_duplicates(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        """Each selected probable duplicate becomes the new version of its document."""
        flagged = list(queryset.filter(similar_to__isnull=False).select_related("similar_to"))
        merged = 0
        for duplicate in flagged:
            try:
                merge_as_new_version(duplicate, into=duplicate.similar_to, author=request.user)
            except UserError as error:
                self.message_user(request, f"« {duplicate} » : {error.message}", messages.ERROR)
            else:
                merged += 1
        self.message_user(
            request, f"{merged} document(s) devenu(s) la nouvelle version du document repris."
        )
        if len(flagged) < queryset.count():
            self.message_user(
                request,
                "Les documents sélectionnés qui ne sont pas des doublons probables sont "
                "laissés tels quels.",
                messages.WARNING,
            )

    @admin.action(description="Écarter la proposition de nouvelle version", permissions=["change"])
    def keep_near_duplicates_apart(self, request, queryset: QuerySet[Document]) -> None:
        flagged = list(queryset.filter(similar_to__isnull=False))
        for document in flagged:
            keep_apart(document)
        self.message_user(request, f"{len(flagged)} document(s) gardé(s) à part.")

    def get_urls(self):
        return [
            path(
                "<int:pk>/new-version/",
                self.admin_site.admin_view(self.new_version_view),
                name="documents_document_new_version",
            ),
            path(
                "<int:pk>/merge-into/<int:into>/",
                self.admin_site.admin_view(self.merge_view),
                name="documents_document_merge",
            ),
            path(
                "<int:pk>/keep-apart/",
                self.admin_site.admin_view(self.keep_apart_view),
                name="documents_document_keep_apart",
            ),
            *super().get_urls(),
        ]

    def new_version_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """« Remplacer par une nouvelle version »: upload the document's next file."""
        document = get_object_or_404(Document, pk=pk)
        if not self.has_change_permission(request, document):
            raise PermissionDenied
        form = NewVersionForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                replace_with_new_version(
                    document, stream=upload, filename=upload.name, author=request.user
                )
            except UploadRejected as rejection:
                form.add_error("file", rejection.message)
            else:
                self.message_user(
                    request,
                    f"« {document} » passe à la version {document.version} : elle est en "
                    "cours d'indexation, la recherche trouve la précédente d'ici là.",
                )
                return HttpResponseRedirect(
                    reverse("admin:documents_document_change", args=[document.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Nouvelle version de « {document} »",
            "opts": self.model._meta,
            "original": document,
            "form": form,
        }
        return TemplateResponse(request, "admin/documents/document/new_version.html", context)

    @method_decorator(require_POST)
    def merge_view(self, request: HttpRequest, pk: int, into: int) -> HttpResponse:
        """« En faire une nouvelle version de « X » »: the document `pk` becomes the next
        version of `into`, and is deleted."""
        duplicate = get_object_or_404(Document, pk=pk)
        target = get_object_or_404(Document, pk=into)
        if not (
            self.has_delete_permission(request, duplicate)
            and self.has_change_permission(request, target)
        ):
            raise PermissionDenied
        name = str(duplicate)
        try:
            merged = merge_as_new_version(duplicate, into=target, author=request.user)
        except UserError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:documents_document_change", args=[pk]))
        self.message_user(
            request,
            f"« {name} » est devenu la version {merged.version} de « {merged} » : elle est en "
            "cours d'indexation, la recherche trouve la précédente d'ici là.",
        )
        return HttpResponseRedirect(reverse("admin:documents_document_change", args=[into]))

    @method_decorator(require_POST)
    def keep_apart_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """« Garder les deux documents »: dismiss the offer."""
        document = get_object_or_404(Document.objects.select_related("similar_to"), pk=pk)
        if not self.has_change_permission(request, document):
            raise PermissionDenied
        other = document.similar_to
        keep_apart(document)
        if other is not None:
            self.message_user(request, f"« {document} » et « {other} » restent deux documents.")
        return HttpResponseRedirect(reverse("admin:documents_document_change", args=[pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The offer to make a probable duplicate the new version of its document."""
        document = self.get_object(request, unquote(object_id))
        if document is not None and document.similar_to is not None:
            extra_context = {
                **(extra_context or {}),
                "near_duplicate": document.similar_to,
                "near_duplicate_offer": offer_label(document),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        stale = selectors.documents_indexed_with_another_model().count()
        if stale:
            self.message_user(
                request,
                f"{stale} document(s) ont été indexés avec un autre modèle d'embeddings que "
                "celui configuré : ils n'apparaissent plus dans la recherche. Réindexez-les "
                "(action « Réindexer », ou `make reindex`).",
                level=messages.WARNING,
            )
        return super().changelist_view(
            request, {**(extra_context or {}), "progress_strings": progress_strings()}
        )


@admin.register(CategoryExport)
class CategoryExportAdmin(admin.ModelAdmin):
    """The ZIPs asked for with the « Télécharger la catégorie (ZIP) » action; read-only."""

    list_display = [
        "category",
        "status",
        "document_count",
        "created_by",
        "created_at",
        "finished_at",
        "download_link",
    ]
    list_filter = ["status", "category"]
    list_select_related = ["category", "created_by"]
    fields = [
        "category",
        "status",
        "document_count",
        "error",
        "created_by",
        "created_at",
        "finished_at",
        "download_link",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="archive")
    def download_link(self, export: CategoryExport):
        if export.status == CategoryExport.Status.FAILED:
            return format_html('<span title="{}">⚠ {}</span>', export.error, "échec")
        if export.status != CategoryExport.Status.READY:
            return "en préparation…"
        return format_html(
            '<a href="{}" download>Télécharger</a>',
            reverse("documents:export-file", args=[export.pk]),
        )


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["question", "category", "author", "updated_at"]
    list_filter = ["category"]
    search_fields = ["question", "answer"]
    readonly_fields = ["author", "created_at", "updated_at"]

    def save_model(self, request, obj: Correction, form, change: bool) -> None:
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(GlossaryEntry)
class GlossaryEntryAdmin(admin.ModelAdmin):
    list_display = ["abbreviation", "expansion", "scope", "updated_at"]
    list_filter = ["category"]
    search_fields = ["abbreviation", "expansion"]
    list_select_related = ["category"]
    fields = ["category", "abbreviation", "expansion", "created_at", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(
        description="catégorie", ordering="category__name", empty_value="toutes les catégories"
    )
    def scope(self, entry: GlossaryEntry) -> Category | None:
        return entry.category


@admin.register(FolderSync)
class FolderSyncAdmin(admin.ModelAdmin):
    """Folders and buckets kept in step with a category (`documents.folder_sync`)."""

    list_display = ["source", "category", "enabled", "interval_minutes", "last_run_at", "outcome"]
    list_filter = ["enabled", "category"]
    list_select_related = ["category"]
    readonly_fields = ["last_run_at", "last_summary", "last_error"]
    actions = ["sync_now"]

    @admin.display(description="dernier bilan")
    def outcome(self, scheduled: FolderSync) -> str:
        return f"⚠ {scheduled.last_error}" if scheduled.last_error else scheduled.last_summary

    @admin.action(description="Synchroniser maintenant")
    def sync_now(self, request, queryset: QuerySet[FolderSync]) -> None:
        queued = [scheduled for scheduled in queryset if folder_sync.request_folder_sync(scheduled)]
        if len(queued) < queryset.count():
            self.message_user(
                request,
                "La file des tâches est injoignable : réessayez dans un instant.",
                level=messages.ERROR,
            )
        if queued:
            self.message_user(
                request,
                f"{len(queued)} synchronisation(s) lancée(s) : leur bilan s'affichera ici une "
                "fois terminées.",
            )
