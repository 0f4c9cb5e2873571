from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from documents.models import Category


class SearchForm(forms.Form):
    """`categories`: those the user may read; any other slug is an invalid choice."""

    q = forms.CharField(label=_("Votre question"), max_length=2000)
    category = forms.ModelChoiceField(
        label=_("Catégorie"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("Toutes les catégories"),
    )

    def __init__(self, *args, categories: QuerySet[Category], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
