"""Language and reranking models an administrator configures, so that each category can
choose its own."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from ai.service_account import InvalidServiceAccountKey, parse_service_account

LOCATION = re.compile(r"[a-z][a-z0-9-]{1,48}")


def validate_api_url(url: str) -> None:
    """http(s) and a host: unlike Django's URLValidator, a single-label host such as a Docker
    service name (`http://vllm:8000/v1`) is a valid address here."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - reading it checks it
    except ValueError as error:
        raise ValidationError("Port invalide dans l'adresse.") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("Indiquez une adresse http:// ou https:// avec un nom d'hôte.")


def validate_location(location: str) -> None:
    """A region name goes into the API's host name: letters, digits and dashes only."""
    if not LOCATION.fullmatch(location):
        raise ValidationError("Indiquez une région comme europe-west9 ou global.")


class LanguageModel(models.Model):
    class Kind(models.TextChoices):
        OPENAI = "openai", "OpenAI"
        PARADIGM = "paradigm", "Paradigm (LightOn)"
        COMPATIBLE = "compatible", "Compatible OpenAI (vLLM, Ollama, llama.cpp…)"
        TEXTSYNTH = "textsynth", "TextSynth"
        VERTEX = "vertex", "Vertex AI (Google Cloud, Gemini)"
        EXTRACTIVE = "extractive", "Extraits, sans modèle de langage"

    name = models.CharField("nom", max_length=100, unique=True)
    kind = models.CharField("fournisseur", max_length=20, choices=Kind.choices)
    model = models.CharField(
        "modèle",
        max_length=200,
        blank=True,
        help_text="Vide : le modèle par défaut du fournisseur.",
    )
    base_url = models.CharField(
        "adresse de l'API",
        max_length=500,
        blank=True,
        validators=[validate_api_url],
        help_text="Par exemple http://vllm:8000/v1. Vide : celle du fournisseur.",
    )
    api_key = models.CharField(
        "clé d'API",
        max_length=5000,
        blank=True,
        help_text=(
            "Vertex AI : le fichier JSON de la clé du compte de service, collé en entier. "
            "Vide : OPENAI_API_KEY, PARADIGM_API_KEY, TEXTSYNTH_API_KEY ou la clé de "
            "VERTEX_SERVICE_ACCOUNT_FILE selon le fournisseur."
        ),
    )
    project = models.CharField(
        "projet Google Cloud",
        max_length=100,
        blank=True,
        help_text="Vertex AI seulement. Vide : VERTEX_PROJECT, sinon le projet de la clé.",
    )
    location = models.CharField(
        "région Google Cloud",
        max_length=50,
        blank=True,
        validators=[validate_location],
        help_text="Vertex AI seulement, par exemple europe-west9 ou global. "
        "Vide : VERTEX_LOCATION.",
    )
    context_window = models.PositiveIntegerField(
        "fenêtre de contexte (jetons)",
        default=16000,
        validators=[MinValueValidator(1000)],
        help_text="Les extraits sont réduits pour que la question et la réponse y tiennent.",
    )
    max_answer_tokens = models.PositiveIntegerField(
        "longueur maximale de la réponse (jetons)",
        default=1000,
        validators=[MinValueValidator(50), MaxValueValidator(32000)],
    )
    temperature = models.FloatField(
        "température", default=0.2, validators=[MinValueValidator(0.0), MaxValueValidator(2.0)]
    )
    price_per_million_input_tokens = models.DecimalField(
        "prix par million de jetons lus",
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="En euros (COST_CURRENCY). Vide : coût inconnu.",
    )
    price_per_million_output_tokens = models.DecimalField(
        "prix par million de jetons écrits",
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="En euros (COST_CURRENCY). Vide : coût inconnu.",
    )
    energy_wh_per_thousand_tokens = models.DecimalField(
        "énergie par millier de jetons (Wh)",
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Facultatif : l'estimation du fournisseur ou de votre serveur. "
        "Vide : énergie inconnue.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "modèle de langage"
        verbose_name_plural = "modèles de langage"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.COMPATIBLE and not self.base_url:
            raise ValidationError({"base_url": "Un serveur compatible OpenAI a besoin d'adresse."})
        if self.kind == self.Kind.COMPATIBLE and not self.model:
            raise ValidationError({"model": "Indiquez le nom du modèle servi."})
        if self.kind == self.Kind.VERTEX and self.api_key:
            try:
                parse_service_account(self.api_key)
            except InvalidServiceAccountKey as error:
                raise ValidationError({"api_key": str(error)}) from error
        if self.max_answer_tokens >= self.context_window:
            raise ValidationError(
                {"max_answer_tokens": "La réponse doit tenir dans la fenêtre de contexte."}
            )


class RerankModel(models.Model):
    """A reranking API in the common /rerank format, which a category may choose."""

    name = models.CharField("nom", max_length=100, unique=True)
    base_url = models.CharField(
        "adresse de l'API",
        max_length=500,
        validators=[validate_api_url],
        help_text=(
            "Sans le /rerank final, par exemple http://tei:8080 (Text Embeddings Inference), "
            "http://vllm:8000/v1 ou https://albert.api.etalab.gouv.fr/v1."
        ),
    )
    model = models.CharField(
        "modèle",
        max_length=200,
        blank=True,
        help_text="Vide : celui que le serveur sert par défaut (TEI n'en sert qu'un).",
    )
    api_key = models.CharField(
        "clé d'API",
        max_length=500,
        blank=True,
        help_text="Envoyée en « Authorization: Bearer ». Vide : aucune clé.",
    )
    timeout = models.FloatField(
        "délai maximal (secondes)",
        default=5.0,
        validators=[MinValueValidator(0.5), MaxValueValidator(60.0)],
        help_text="Passé ce délai, la recherche classe les passages avec le reranking intégré.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "modèle de reranking"
        verbose_name_plural = "modèles de reranking"

    def __str__(self) -> str:
        return self.name
