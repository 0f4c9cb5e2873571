from django import forms
from django.contrib import admin

from ai.models import LanguageModel

KEY_STORED = "Une clé est enregistrée : laissez vide pour la garder, ou saisissez-en une autre."


class LanguageModelForm(forms.ModelForm):
    """The API key is written, never shown back: a blank field keeps the stored one."""

    api_key = forms.CharField(
        label="clé d'API",
        required=False,
        strip=True,
        max_length=LanguageModel._meta.get_field("api_key").max_length,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=LanguageModel._meta.get_field("api_key").help_text,
    )
    forget_api_key = forms.BooleanField(
        label="effacer la clé enregistrée",
        required=False,
        help_text="Le fournisseur prendra alors la clé des variables d'environnement.",
    )

    class Meta:
        model = LanguageModel
        fields = [
            "name",
            "kind",
            "model",
            "base_url",
            "api_key",
            "forget_api_key",
            "context_window",
            "max_answer_tokens",
            "temperature",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.api_key:
            self.fields["api_key"].help_text = KEY_STORED

    def clean_api_key(self) -> str:
        return self.cleaned_data["api_key"] or self.instance.api_key

    def clean(self) -> dict:
        cleaned_data = super().clean()
        if cleaned_data.get("forget_api_key"):
            cleaned_data["api_key"] = ""
        return cleaned_data


@admin.register(LanguageModel)
class LanguageModelAdmin(admin.ModelAdmin):
    form = LanguageModelForm
    list_display = ["name", "kind", "model", "base_url", "has_api_key", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "model", "base_url"]

    def get_fields(self, request, obj: LanguageModel | None = None) -> list[str]:
        fields = super().get_fields(request, obj)
        if obj is not None and obj.api_key:
            return fields
        return [name for name in fields if name != "forget_api_key"]

    @admin.display(description="clé d'API", boolean=True)
    def has_api_key(self, language_model: LanguageModel) -> bool:
        return bool(language_model.api_key)
