"""Categories of documents, the documents themselves, and curated corrections."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import slugify

from common.text import question_hash
from documents.prompts import DEFAULT_SYSTEM_PROMPT


class Category(models.Model):
    """A collection of documents with its own prompt: the unit users search and chat in."""

    name = models.CharField("nom", max_length=200, unique=True)
    slug = models.SlugField(
        max_length=220,
        unique=True,
        editable=False,
        help_text="Identifiant stable, fixé à la création : il ne change pas au renommage.",
    )
    welcome_message = models.TextField("message d'accueil", blank=True)
    system_prompt = models.TextField(
        "prompt système",
        default=DEFAULT_SYSTEM_PROMPT,
        help_text="Doit contenir {context} (les extraits) et {question}.",
    )
    k = models.PositiveSmallIntegerField(
        "nombre d'extraits",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Nombre de passages fournis au modèle pour répondre.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "catégorie"
        verbose_name_plural = "catégories"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    def _unique_slug(self) -> str:
        base = slugify(self.name)[:200] or "categorie"
        slug, suffix = base, 2
        while Category.objects.filter(slug=slug).exists():
            slug, suffix = f"{base}-{suffix}", suffix + 1
        return slug


def document_upload_path(document: "Document", filename: str) -> str:
    """`documents/<category slug>/<random>/<name>`: no collision, no user-chosen folder."""
    name = PurePath(filename).name
    return f"documents/{document.category.slug}/{uuid.uuid4().hex}/{name}"


class Document(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "en attente"
        PROCESSING = "processing", "en cours"
        INDEXED = "indexed", "indexé"
        FAILED = "failed", "échec"

    file = models.FileField("fichier", upload_to=document_upload_path, max_length=500)
    original_filename = models.CharField("nom du fichier", max_length=255, blank=True)
    title = models.CharField("titre", max_length=300, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="documents", verbose_name="catégorie"
    )
    hints = models.TextField(
        "indications",
        blank=True,
        help_text="Par exemple « page 3 : barème 2024 ; toutes pages : circulaire DGS ».",
    )
    content_hash = models.CharField("empreinte SHA-256", max_length=64, blank=True, db_index=True)
    mime_type = models.CharField("type MIME", max_length=150, blank=True)
    size = models.BigIntegerField("taille (octets)", null=True, blank=True)
    status = models.CharField(
        "état", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    error_message = models.TextField("raison de l'échec", blank=True)
    warnings = models.TextField(
        "avertissements", blank=True, help_text="Par exemple une indication mal formée, ignorée."
    )
    page_count = models.PositiveIntegerField("pages", default=0)
    chunk_count = models.PositiveIntegerField("passages", default=0)
    progress = models.PositiveSmallIntegerField("progression (%)", default=0)
    embedding_model = models.CharField(
        "modèle d'embeddings", max_length=300, blank=True, help_text="Celui de l'indexation."
    )
    index_generation = models.CharField(max_length=32, blank=True, editable=False)
    indexed_at = models.DateTimeField("indexé le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["category", "content_hash"])]

    def __str__(self) -> str:
        return self.title or self.original_filename or f"document {self.pk}"

    def save(self, *args, **kwargs) -> None:
        if self.file and not self.original_filename:
            self.original_filename = PurePath(self.file.name).name
        if not self.title and self.original_filename:
            self.title = PurePath(self.original_filename).stem.replace("_", " ")
        super().save(*args, **kwargs)


class Correction(models.Model):
    """A curated answer to a question, returned before any generated one."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="corrections", verbose_name="catégorie"
    )
    question = models.TextField()
    answer = models.TextField("réponse")
    question_hash = models.CharField(max_length=64, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="auteur",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "question_hash"], name="unique_correction_per_question"
            )
        ]

    def __str__(self) -> str:
        return self.question[:80]

    def save(self, *args, **kwargs) -> None:
        self.question_hash = question_hash(self.question)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.question_hash = question_hash(self.question)
        duplicates = Correction.objects.filter(
            category_id=self.category_id, question_hash=self.question_hash
        ).exclude(pk=self.pk)
        if self.category_id and duplicates.exists():
            raise ValidationError(
                {"question": "Une correction existe déjà pour cette question dans la catégorie."}
            )
