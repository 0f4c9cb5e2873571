from datetime import date

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from documents import exports, selectors, services
from documents.models import (
    Category,
    CategoryExport,
    Correction,
    Document,
    GlossaryEntry,
    normalize_abbreviation,
)
from documents.progress import progress_strings
from documents.validity import EXPIRY_WARNING, Validity


class DocumentInline(admin.TabularInline):
    model = Document
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
    readonly_fields = ["slug", "created_at", "updated_at"]
    fields = [
        "name",
        "slug",
        "visibility",
        "groups",
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

    @admin.action(description="Réindexer les documents des catégories sélectionnées")
    def reindex(self, request, queryset: QuerySet[Category]) -> None:
        queued = sum(services.reindex_documents(category=category) for category in queryset)
        self.message_user(request, f"{queued} document(s) en file pour réindexation.")

    @admin.action(description="Télécharger la catégorie (ZIP)")
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


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "category",
        "status_badge",
        "progress_bar",
        "page_count",
        "chunk_count",
        "end_of_validity",
        "updated_at",
    ]
    list_filter = [ValidityFilter, "status", "category", "mime_type"]
    search_fields = ["title", "original_filename", "content_hash"]
    list_select_related = ["category"]
    autocomplete_fields = ["repealed_by"]
    actions = ["reindex"]
    readonly_fields = [
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
        ("Indexation", {"fields": readonly_fields}),
    ]

    @admin.display(description="en vigueur jusqu'au", ordering="valid_until")
    def end_of_validity(self, document: Document) -> date | str | None:
        """The last day in force; « abrogé » whatever the dates say once repealed."""
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

    @admin.action(description="Réindexer les documents sélectionnés")
    def reindex(self, request, queryset: QuerySet[Document]) -> None:
        queued = services.reindex_selected(queryset)
        self.message_user(request, f"{queued} document(s) en file pour réindexation.")

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
