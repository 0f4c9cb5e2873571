from django import forms
from django.contrib import admin
from django.db import models

from ai.models import LanguageModel, RerankModel

KEY_STORED = "Une clé est enregistrée : laissez vide pour la garder, ou saisissez-en une autre."
KEY_AGAIN = (
    "L'adresse de l'API change : saisissez la clé à nouveau, ou effacez-la, pour que la clé "
    "enregistrée ne parte pas vers une autre adresse."
)


def write_only_key_field(model: type[models.Model]) -> forms.CharField:
    """The model's `api_key` as a password field that never renders the stored value."""
    model_field = model._meta.get_field("api_key")
    return forms.CharField(
        label=model_field.verbose_name,
        required=False,
        strip=True,
        max_length=model_field.max_length,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=model_field.help_text,
    )


class WriteOnlyKeyForm(forms.ModelForm):
    """The API key is written, never shown back: a blank field keeps the stored one (unless
    the API's address changes), and `forget_api_key` erases it. Subclasses declare both
    fields."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.key_entered = False
        if self.instance.api_key:
            self.fields["api_key"].help_text = KEY_STORED

    def clean_api_key(self) -> str:
        self.key_entered = bool(self.cleaned_data["api_key"])
        return self.cleaned_data["api_key"] or self.instance.api_key

    def clean(self) -> dict:
        cleaned_data = super().clean()
        if cleaned_data.get("forget_api_key"):
            cleaned_data["api_key"] = ""
        elif self._stored_key_would_go_elsewhere():
            # Else whoever may edit the model, without knowing the key, could send it (or a
            # Vertex AI token) to a server of their own.
            self.add_error("api_key", KEY_AGAIN)
        return cleaned_data

    def _stored_key_would_go_elsewhere(self) -> bool:
        return (
            bool(self.instance.api_key)
            and "base_url" in self.changed_data
            and "api_key" in self.cleaned_data
            and not self.key_entered
        )


class WriteOnlyKeyAdmin(admin.ModelAdmin):
    """Offers to forget the key only when one is stored; lists whether one is."""

    def get_fields(self, request, obj: models.Model | None = None) -> list[str]:
        fields = super().get_fields(request, obj)
        if obj is not None and obj.api_key:
            return fields
        return [name for name in fields if name != "forget_api_key"]

    @admin.display(description="clé d'API", boolean=True)
    def has_api_key(self, obj: models.Model) -> bool:
        return bool(obj.api_key)


class LanguageModelForm(WriteOnlyKeyForm):
    api_key = write_only_key_field(LanguageModel)
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
            "project",
            "location",
            "context_window",
            "max_answer_tokens",
            "temperature",
            "price_per_million_input_tokens",
            "price_per_million_output_tokens",
            "energy_wh_per_thousand_tokens",
        ]


@admin.register(LanguageModel)
class LanguageModelAdmin(WriteOnlyKeyAdmin):
    form = LanguageModelForm
    list_display = [
        "name",
        "kind",
        "model",
        "base_url",
        "has_api_key",
        "price_per_million_input_tokens",
        "price_per_million_output_tokens",
        "updated_at",
    ]
    list_filter = ["kind"]
    search_fields = ["name", "model", "base_url"]


class RerankModelForm(WriteOnlyKeyForm):
    api_key = write_only_key_field(RerankModel)
    forget_api_key = forms.BooleanField(
        label="effacer la clé enregistrée",
        required=False,
        help_text="Aucune clé ne sera alors envoyée.",
    )

    class Meta:
        model = RerankModel
        fields = ["name", "base_url", "model", "api_key", "forget_api_key", "timeout"]


@admin.register(RerankModel)
class RerankModelAdmin(WriteOnlyKeyAdmin):
    form = RerankModelForm
    list_display = ["name", "base_url", "model", "has_api_key", "timeout", "updated_at"]
    search_fields = ["name", "model", "base_url"]
