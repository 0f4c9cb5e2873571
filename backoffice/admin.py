"""Django's user admin, with the categories each user reads and on what grounds, and the
ones granted by name, changed here as on the category's page."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from backoffice.forms import UserWithGrantsForm
from documents.selectors import Readership, categories_read_by

User = get_user_model()

admin.site.unregister(User)


@admin.register(User)
class UserWithGrantsAdmin(UserAdmin):
    form = UserWithGrantsForm
    readonly_fields = ["categories_read"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Catégories lues", {"fields": ["categories_read", "granted_categories"]}),
    ]

    @admin.display(description="catégories lues")
    def categories_read(self, user) -> str:
        if user.is_staff:
            return "Toutes : les membres de l'équipe lisent toutes les catégories."
        readerships = categories_read_by(user)
        if not readerships:
            return "Aucune : cet utilisateur ne voit aucune catégorie dans la recherche."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> — {}</li>',
                (
                    (
                        reverse("admin:documents_category_change", args=[reading.category.pk]),
                        reading.category.name,
                        _grounds(reading),
                    )
                    for reading in readerships
                ),
            ),
        )


def _grounds(reading: Readership) -> str:
    grounds = ["accordée nommément"] if reading.by_name else []
    grounds += [f"par le groupe « {name} »" for name in reading.through_groups]
    if reading.open_to_signed_in:
        grounds.append("ouverte à tous les utilisateurs connectés")
    return ", ".join(grounds)
