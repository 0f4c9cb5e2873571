from django import forms

from documents.models import Category


class SearchForm(forms.Form):
    q = forms.CharField(label="Votre question", max_length=2000)
    category = forms.ModelChoiceField(
        label="Catégorie",
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Toutes les catégories",
    )
