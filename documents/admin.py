from django.contrib import admin

from documents.models import Category, Correction, Document


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 1
    fields = ["file", "title", "hints", "status", "chunk_count"]
    readonly_fields = ["status", "chunk_count"]
    show_change_link = True


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "k", "updated_at"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    fields = ["name", "slug", "welcome_message", "system_prompt", "k", "created_at", "updated_at"]
    inlines = [DocumentInline]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "category", "status", "page_count", "chunk_count", "updated_at"]
    list_filter = ["status", "category"]
    search_fields = ["title", "original_filename", "content_hash"]
    list_select_related = ["category"]
    readonly_fields = [
        "original_filename",
        "content_hash",
        "mime_type",
        "size",
        "status",
        "error_message",
        "page_count",
        "chunk_count",
        "created_at",
        "updated_at",
    ]


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
