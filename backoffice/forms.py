from django import forms
from django.conf import settings
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth.forms import UserChangeForm
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from documents.models import Category


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one `<input type=file multiple>`; cleans to a list of files."""

    widget = MultipleFileInput

    def clean(self, data, initial=None) -> list:
        clean_one = super().clean
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [clean_one(item, initial) for item in files]


class UploadForm(forms.Form):
    category = forms.ModelChoiceField(
        label=gettext_lazy("Catégorie"),
        queryset=Category.objects.all(),
        empty_label=gettext_lazy("Choisir une catégorie…"),
    )
    files = MultipleFileField(
        label=gettext_lazy("Fichiers"),
        # Empty files reach the upload service, which reports them with the others.
        allow_empty_file=True,
        help_text=gettext_lazy(
            "PDF, Word, OpenDocument, Excel, CSV, HTML, Markdown ou texte ; plusieurs à la "
            "fois. Une archive ZIP "
            "est décompressée : chacun de ses fichiers devient un document, titré d'après "
            "ses dossiers (« RH/Congés/guide.pdf » → « RH — Congés — guide »)."
        ),
    )
    hints = forms.CharField(
        label=gettext_lazy("Indications"),
        required=False,
        help_text=gettext_lazy(
            "Appliquées à tous les documents déposés, par exemple « toutes pages : "
            "circulaire DGS »."
        ),
        widget=forms.Textarea,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Django refuses a request carrying more files than this (a 400, before any view).
        if settings.DATA_UPLOAD_MAX_NUMBER_FILES:
            limit = gettext(
                "Au plus %(count)s fichiers par envoi : au-delà, déposez-les dans une archive ZIP."
            ) % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
            self.fields["files"].help_text = f"{self.fields['files'].help_text} {limit}"


class EvaluationForm(forms.Form):
    category = forms.ModelChoiceField(
        label=gettext_lazy("Catégorie"),
        queryset=Category.objects.all(),
        empty_label=gettext_lazy("Choisir une catégorie…"),
    )
    questions = forms.FileField(
        label=gettext_lazy("Fichier de questions"),
        help_text=gettext_lazy(
            "CSV (séparateur « , » ou « ; »), XLSX (première feuille) ou JSONL, avec une "
            "colonne de questions et, pour chacune, le document attendu (nom du fichier ou "
            "titre) et/ou la réponse attendue (texte que le passage doit contenir)."
        ),
    )
    question_column = forms.CharField(
        label=gettext_lazy("Colonne des questions"), initial="question"
    )
    document_column = forms.CharField(
        label=gettext_lazy("Colonne du document attendu"),
        initial="expected_document",
        required=False,
    )
    answer_column = forms.CharField(
        label=gettext_lazy("Colonne de la réponse attendue"),
        initial="expected_answer",
        required=False,
    )


class WrappedFilteredSelectMultiple(FilteredSelectMultiple):
    """The admin's two-list picker for a field that is not the model's: the admin's script
    puts the lists first in the widget's parent, which is the label's row unless wrapped as
    the model's relations are."""

    def render(self, *args, **kwargs) -> str:
        rendered = super().render(*args, **kwargs)
        return format_html('<div class="related-widget-wrapper">{}</div>', rendered)


class UserWithGrantsForm(UserChangeForm):
    """Django's user form, plus the categories granted to the user by name (the other side
    of `Category.readers`, which a model form would not show)."""

    granted_categories = forms.ModelMultipleChoiceField(
        Category.objects.all(),
        required=False,
        label="Catégories accordées nommément",
        help_text=(
            "L'utilisateur lit ces catégories quel que soit leur accès, en plus de celles de "
            "ses groupes et de celles ouvertes à tous les utilisateurs connectés."
        ),
        widget=WrappedFilteredSelectMultiple("catégories", is_stacked=False),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["granted_categories"] = list(self.instance.granted_categories.all())

    def _save_m2m(self) -> None:
        super()._save_m2m()
        self.instance.granted_categories.set(self.cleaned_data["granted_categories"])
