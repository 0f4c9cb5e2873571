from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from documents.models import Category


class SearchForm(forms.Form):
    """`categories`: those the user may read; any other slug is an invalid choice.
    A question past MAX_QUESTION_LENGTH is refused with a message, never cut."""

    q = forms.CharField(label=_("Votre question"))
    category = forms.ModelChoiceField(
        label=_("Catégorie"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("Toutes les catégories"),
    )

    def __init__(self, *args, categories: QuerySet[Category], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        question = self.fields["q"]
        question.max_length = settings.MAX_QUESTION_LENGTH
        question.validators.append(MaxLengthValidator(settings.MAX_QUESTION_LENGTH))
        self.fields["category"].queryset = categories
