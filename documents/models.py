"""Categories of documents, the documents themselves, curated corrections and the glossary."""

import re
import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from difflib import SequenceMatcher
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from ai.prompts import DEFAULT_SYSTEM_PROMPT, validate_system_prompt
from common.text import normalize_question, question_hash
from documents.validity import Validity, condition, expiring_condition, validity_on


class Category(models.Model):
    """A collection of documents with its own prompt: the unit users search and chat in.

    Who reads it (searches, asks, sees sources, opens documents) is set by `visibility`:
    the groups and users it is granted to, every logged-in user, or anyone (when the site
    allows public categories). Staff read every category.
    """

    class Visibility(models.TextChoices):
        GROUPS = "groups", "les groupes et utilisateurs autorisés seulement"
        INTERNAL = "internal", "tous les utilisateurs connectés"
        PUBLIC = "public", "tout le monde, même sans compte"

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
        validators=[validate_system_prompt],
        help_text=(
            "Doit contenir {context} (les extraits numérotés) et {question} ; {date} (la date "
            "du jour) est facultative. Pour écrire une accolade, doublez-la."
        ),
    )
    language_model = models.ForeignKey(
        "ai.LanguageModel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="categories",
        verbose_name="modèle de langage",
        help_text="Vide : celui du site (variables LLM_*).",
    )
    rerank_model = models.ForeignKey(
        "ai.RerankModel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="categories",
        verbose_name="reranking",
        help_text="Vide : celui du site (RERANK_API_BASE), sinon le reranking intégré.",
    )
    visibility = models.CharField(
        "accès",
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.GROUPS,
        help_text=(
            "« Tout le monde » ne vaut que si le site autorise les catégories publiques "
            "(PUBLIC_CATEGORIES) ; sinon elle est réservée aux utilisateurs connectés."
        ),
    )
    groups = models.ManyToManyField(
        "auth.Group",
        blank=True,
        related_name="categories",
        verbose_name="groupes autorisés",
        help_text="Les membres de ces groupes lisent la catégorie, quel que soit l'accès choisi.",
    )
    readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="granted_categories",
        verbose_name="utilisateurs autorisés",
        help_text=(
            "Ces personnes lisent la catégorie, quel que soit l'accès choisi, sans passer "
            "par un groupe."
        ),
    )
    contact = models.CharField(
        "à qui s'adresser",
        max_length=300,
        blank=True,
        help_text=(
            "Proposé quand les documents ne répondent pas, par exemple « le service RH "
            "(rh@exemple.fr, poste 1234) »."
        ),
    )
    k = models.PositiveSmallIntegerField(
        "nombre d'extraits",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Nombre de passages fournis au modèle pour répondre.",
    )
    relevance_threshold = models.FloatField(
        "seuil de pertinence",
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=(
            "Facultatif : pertinence minimale (0 à 1, l'échelle des scores affichés) d'un "
            "passage pour qu'il soit retenu ; en dessous, « rien trouvé ». Vide : le seuil du "
            "site (RELEVANCE_THRESHOLD)."
        ),
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


VALIDITY_REVERSED = "La fin de validité ne peut pas précéder le début de validité."


class DocumentQuerySet(models.QuerySet):
    def standing(self, validity: Validity, *, on: date) -> "DocumentQuerySet":
        """The documents at `validity` on the day `on` (`documents.validity`)."""
        return self.filter(condition(validity, on))

    def in_force(self, *, on: date) -> "DocumentQuerySet":
        return self.standing(Validity.IN_FORCE, on=on)

    def expiring(self, *, on: date) -> "DocumentQuerySet":
        """The documents in force on `on` that end within `validity.EXPIRY_WARNING`."""
        return self.filter(expiring_condition(on))


class Document(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "en attente"
        PROCESSING = "processing", "en cours"
        INDEXED = "indexed", "indexé"
        FAILED = "failed", "échec"

    file = models.FileField("fichier", upload_to=document_upload_path, max_length=500)
    original_filename = models.CharField("nom du fichier", max_length=255, blank=True)
    title = models.CharField("titre", max_length=300, blank=True)
    title_from_filename = models.BooleanField(
        "titre tiré du nom de fichier",
        default=False,
        editable=False,
        help_text=(
            "L'indexation le remplace alors par le titre que le document se donne "
            "(métadonnées ou premier titre), s'il en a un. Un titre saisi n'est jamais remplacé."
        ),
    )
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
    version = models.PositiveIntegerField(
        "version",
        default=1,
        editable=False,
        help_text="1 au dépôt, puis une de plus par remplacement.",
    )
    version_date = models.DateTimeField(
        "version du", default=timezone.now, editable=False, help_text="Date de dépôt de ce fichier."
    )
    upload_batch = models.UUIDField(
        "dépôt",
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="Les documents déposés ensemble (une archive, un envoi) partagent un budget "
        "de passages (UPLOAD_MAX_PASSAGES).",
    )
    source_path = models.CharField(
        "chemin d'origine",
        max_length=1000,
        blank=True,
        db_index=True,
        help_text="Le chemin du fichier dans le dossier ou le bucket d'où il vient.",
    )
    source_modified = models.DateTimeField(
        "modifié dans la source",
        null=True,
        blank=True,
        editable=False,
        help_text="Date de modification du fichier à la dernière synchronisation.",
    )
    archived_at = models.DateTimeField(
        "archivé le",
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "Son fichier a quitté le dossier ou le bucket synchronisé : il n'est plus cherché, "
            "mais reste téléchargeable par l'équipe. Il revient si le fichier revient."
        ),
    )
    valid_from = models.DateField(
        "en vigueur du", null=True, blank=True, help_text="Vide : depuis toujours."
    )
    valid_until = models.DateField(
        "en vigueur jusqu'au",
        null=True,
        blank=True,
        help_text="Ce jour inclus. Vide : sans date de fin.",
    )
    repealed_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeals",
        verbose_name="abrogé par",
        help_text=(
            "Un document de la même catégorie. Un document abrogé n'est plus en vigueur, "
            "quelles que soient ses dates."
        ),
    )
    similar_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="probable_versions",
        verbose_name="nouvelle version probable de",
        help_text="Un document de la même catégorie dont le texte est presque le même.",
    )
    similarity = models.FloatField(
        "similarité", null=True, blank=True, editable=False, help_text="De 0 à 1."
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["category", "content_hash"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from"))
                | models.Q(valid_from=None)
                | models.Q(valid_until=None),
                name="document_valid_until_after_valid_from",
                violation_error_message=VALIDITY_REVERSED,
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.original_filename or f"document {self.pk}"

    def save(self, *args, **kwargs) -> None:
        if self.file and not self.original_filename:
            self.original_filename = PurePath(self.file.name).name
        if not self.title and self.original_filename:
            self.title = PurePath(self.original_filename).stem.replace("_", " ")
            self.title_from_filename = True
        super().save(*args, **kwargs)

    def validity_on(self, day: date) -> Validity:
        return validity_on(
            day,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            repealed=self.repealed_by_id is not None,
            archived=self.archived_at is not None,
        )

    def clean(self) -> None:
        # The dates' order is also a constraint; checked here, the message is on the field.
        errors = {}
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = VALIDITY_REVERSED
        if self.repealed_by_id is not None:
            if self.pk is not None and self.repealed_by_id == self.pk:
                errors["repealed_by"] = "Un document ne peut pas s'abroger lui-même."
            elif self.category_id is not None and self.repealed_by.category_id != self.category_id:
                errors["repealed_by"] = "Le document qui abroge doit être de la même catégorie."
        if errors:
            raise ValidationError(errors)


def version_upload_path(version: "DocumentVersion", filename: str) -> str:
    return document_upload_path(version.document, filename)


class DocumentVersion(models.Model):
    """An earlier file of a document, kept when a new version replaced it.

    Only the document's current file is indexed and searched; staff download the earlier
    ones from the admin and the viewer. The file is the one the document pointed to: a
    replacement moves the reference here, it copies nothing.
    """

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="versions", verbose_name="document"
    )
    number = models.PositiveIntegerField("version")
    file = models.FileField("fichier", upload_to=version_upload_path, max_length=500)
    original_filename = models.CharField("nom du fichier", max_length=255, blank=True)
    content_hash = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    size = models.BigIntegerField("taille (octets)", null=True, blank=True)
    version_date = models.DateTimeField("version du")
    replaced_at = models.DateTimeField("remplacée le", auto_now_add=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="remplacée par",
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = "version précédente"
        verbose_name_plural = "versions précédentes"
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="unique_document_version")
        ]

    def __str__(self) -> str:
        return f"{self.document} — version {self.number}"


# A correction ranked first by the search, whose question is this close to the one asked
# (normalised, `SequenceMatcher` ratio), answers it as is.
CORRECTION_SIMILARITY = 0.9


class CorrectionQuerySet(models.QuerySet):
    def in_categories(self, category_ids: Sequence[int] | None) -> "CorrectionQuerySet":
        """The corrections of `category_ids` (None: every category)."""
        return self if category_ids is None else self.filter(category_id__in=category_ids)

    def answering(
        self, wordings: Collection[str], *, ranked_first: int | None = None
    ) -> "Correction | None":
        """The correction that answers a question worded as any of `wordings` (as asked,
        as searched), if one does.

        It answers when its question is one of them once normalised (`question_hash`), or
        when the search ranked it first (`ranked_first`, a correction id) and its question
        is nearly one of them (`CORRECTION_SIMILARITY`).
        """
        exact = self.filter(question_hash__in={question_hash(w) for w in wordings}).first()
        if exact is not None or ranked_first is None:
            return exact
        candidate = self.filter(pk=ranked_first).first()
        if candidate is not None and any(
            _similarity(candidate.question, wording) >= CORRECTION_SIMILARITY
            for wording in wordings
        ):
            return candidate
        return None


def _similarity(one: str, other: str) -> float:
    return SequenceMatcher(None, normalize_question(one), normalize_question(other)).ratio()


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

    objects = CorrectionQuerySet.as_manager()

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


# What a normalised abbreviation may hold: letters and digits ("sft", "b2"), nothing else.
_ABBREVIATION = re.compile(r"[^\W_]+")


def normalize_abbreviation(abbreviation: str) -> str:
    """Case, accents and dots aside: "SFT", "Sft" and "S.F.T." are one abbreviation."""
    return normalize_question(abbreviation).replace(".", "")


class GlossaryEntry(models.Model):
    """An abbreviation and what it stands for, added to the search queries that use it."""

    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="glossary",
        verbose_name="catégorie",
        help_text="Vide : l'entrée vaut pour toutes les catégories.",
    )
    abbreviation = models.CharField(
        "abréviation", max_length=30, help_text="Un seul mot, par exemple « SFT »."
    )
    expansion = models.CharField(
        "forme développée",
        max_length=300,
        help_text="Par exemple « supplément familial de traitement ».",
    )
    # Longer than the abbreviation: a compatibility character may spell out ("ﬁ" → "fi").
    normalized = models.CharField(max_length=100, editable=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        ordering = ["normalized"]
        verbose_name = "entrée du glossaire"
        verbose_name_plural = "glossaire"
        constraints = [
            models.UniqueConstraint(
                fields=["category", "normalized"], name="unique_glossary_abbreviation"
            ),
            # NULL never equals NULL in a unique index: the global entries need their own.
            models.UniqueConstraint(
                fields=["normalized"],
                condition=models.Q(category__isnull=True),
                name="unique_global_glossary_abbreviation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.abbreviation} : {self.expansion}"

    def save(self, *args, **kwargs) -> None:
        self.normalized = normalize_abbreviation(self.abbreviation)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # An empty field already has Django's "ne peut pas être vide": no second message.
        self.abbreviation = self.abbreviation.strip()
        self.normalized = normalize_abbreviation(self.abbreviation)
        errors = {}
        if self.abbreviation and not _ABBREVIATION.fullmatch(self.normalized):
            errors["abbreviation"] = (
                "L'abréviation doit être un seul mot, sans espace : des lettres et des "
                "chiffres, éventuellement séparés par des points (« SFT », « S.F.T. »)."
            )
        elif self.abbreviation and self._duplicates().exists():
            errors["abbreviation"] = (
                "Cette abréviation figure déjà dans le glossaire de la catégorie."
                if self.category_id
                else "Cette abréviation figure déjà dans le glossaire de toutes les catégories."
            )
        if self.expansion and not self.expansion.strip():
            errors["expansion"] = "La forme développée ne peut pas être vide."
        self.expansion = self.expansion.strip()
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None) -> None:
        # clean() reports a duplicate, in French and on the field people type in; the
        # constraints would repeat it in Django's words.
        super().validate_constraints(exclude={*(exclude or ()), "normalized"})

    def _duplicates(self) -> models.QuerySet["GlossaryEntry"]:
        return GlossaryEntry.objects.filter(
            category_id=self.category_id, normalized=self.normalized
        ).exclude(pk=self.pk)


class DocumentText(models.Model):
    """The text extracted from a document by its last indexing, for the document viewer.

    Written by the indexing run that wrote the passages, so a cited passage is found in
    exactly the text it was cut from. Its own table rather than fields of Document: lists
    of documents never load megabytes of text. `passages` holds each passage's text by
    position, so the viewer finds a cited passage from its point id alone: the vector
    store has no lookup by id, and the viewer keeps working while it is down.
    """

    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, primary_key=True, related_name="extracted_text"
    )
    text = models.TextField("texte")
    passages = models.JSONField("passages", default=list)
    generation = models.CharField(max_length=32)

    class Meta:
        verbose_name = "texte extrait"
        verbose_name_plural = "textes extraits"

    def __str__(self) -> str:
        return f"texte de {self.document}"


class TextSignature(models.Model):
    """The MinHash signature of a document's indexed text (`documents.near_duplicates`),
    to find the documents whose text is almost the same."""

    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, primary_key=True, related_name="text_signature"
    )
    minhash = models.BinaryField("signature MinHash")

    class Meta:
        verbose_name = "signature du texte"
        verbose_name_plural = "signatures des textes"

    def __str__(self) -> str:
        return f"signature de {self.document}"


class SignatureBand(models.Model):
    """One band of a document's signature, hashed: documents sharing a band are the
    candidates compared, found through the index on `key` instead of a scan."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="signature_bands")
    key = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = "bande de signature"
        verbose_name_plural = "bandes de signatures"

    def __str__(self) -> str:
        return f"bande {self.key} de {self.document_id}"


def export_upload_path(export: "CategoryExport", filename: str) -> str:
    return f"exports/{export.category.slug}/{uuid.uuid4().hex}/{PurePath(filename).name}"


class CategoryExport(models.Model):
    """A ZIP of a category's original files, built by a worker, downloaded by staff."""

    class Status(models.TextChoices):
        PENDING = "pending", "en préparation"
        READY = "ready", "prête"
        FAILED = "failed", "échec"

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="exports", verbose_name="catégorie"
    )
    status = models.CharField(
        "état", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    file = models.FileField("archive", upload_to=export_upload_path, max_length=500, blank=True)
    document_count = models.PositiveIntegerField("documents", default=0)
    error = models.TextField("raison de l'échec", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="category_exports",
        verbose_name="demandée par",
    )
    created_at = models.DateTimeField("demandée le", auto_now_add=True)
    finished_at = models.DateTimeField("terminée le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "export de catégorie"
        verbose_name_plural = "exports de catégories"

    def __str__(self) -> str:
        return f"{self.category} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else ""


class IndexCheck(models.Model):
    """One comparison of the database with the vector store (`documents.index_check`):
    what drifted, per kind, and what was repaired."""

    class Kind(models.TextChoices):
        ORPHAN_PASSAGES = "orphan_passages", "passages de documents supprimés"
        MISSING_PASSAGES = "missing_passages", "documents indexés dont des passages manquent"
        STALE_CATEGORY = "stale_category", "passages sous une ancienne catégorie"
        STALE_GENERATIONS = "stale_generations", "anciennes générations de passages"
        OTHER_MODEL = "other_model", "documents indexés avec un autre modèle d'embeddings"
        ORPHAN_CORRECTIONS = "orphan_corrections", "passages de corrections supprimées"
        MISSING_CORRECTIONS = "missing_corrections", "corrections absentes de l'index"

    started_at = models.DateTimeField("commencée le", auto_now_add=True)
    finished_at = models.DateTimeField("terminée le", null=True, blank=True)
    repair = models.BooleanField("réparation demandée", default=False)
    found = models.JSONField("écarts trouvés", default=dict, help_text="Nombre par sorte.")
    examples = models.JSONField(
        "exemples", default=dict, help_text="Quelques identifiants par sorte."
    )
    repaired = models.JSONField("écarts réparés", default=dict, help_text="Nombre par sorte.")
    error = models.TextField("erreur", blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = "vérification de l'index"
        verbose_name_plural = "vérifications de l'index"

    def __str__(self) -> str:
        return f"vérification du {self.started_at:%Y-%m-%d %H:%M}" if self.started_at else ""

    @property
    def drift_found(self) -> int:
        return sum(self.found.values())

    def drift_by_kind(self) -> list[tuple[str, int, int]]:
        """Each kind found: its label, how many were found, how many repaired."""
        return [
            (label, self.found[kind], self.repaired.get(kind, 0))
            for kind, label in self.Kind.choices
            if self.found.get(kind)
        ]

    @property
    def left_unrepaired(self) -> bool:
        """Drift was found and not repaired: the check did not repair, or failed midway."""
        return bool(self.drift_found and (not self.repair or self.error))


class FolderSync(models.Model):
    """A folder or bucket kept in step with a category, every `interval_minutes`
    (`documents.folder_sync`): its new files added, changed ones new versions, removed
    ones archived or deleted."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="folder_syncs", verbose_name="catégorie"
    )
    source = models.CharField(
        "source",
        max_length=1000,
        help_text=(
            "Un dossier du serveur (/srv/partage/RH) ou un bucket S3 (s3://bucket/préfixe), "
            "lu avec les identifiants du stockage des fichiers (MINIO_*)."
        ),
    )
    delete_removed = models.BooleanField(
        "supprimer les documents retirés",
        default=False,
        help_text=(
            "Sinon, un document dont le fichier a disparu est archivé : plus cherché, mais "
            "gardé et téléchargeable par l'équipe ; il revient si le fichier revient."
        ),
    )
    enabled = models.BooleanField(
        "planifiée", default=True, help_text="Décochée : seulement à la demande."
    )
    interval_minutes = models.PositiveIntegerField(
        "intervalle (minutes)", default=60, validators=[MinValueValidator(1)]
    )
    last_run_at = models.DateTimeField("dernière synchronisation", null=True, blank=True)
    last_summary = models.TextField("bilan", blank=True)
    last_error = models.TextField("erreur", blank=True)

    class Meta:
        ordering = ["category__name", "source"]
        verbose_name = "synchronisation de dossier"
        verbose_name_plural = "synchronisations de dossiers"
        constraints = [
            models.UniqueConstraint(fields=["category", "source"], name="unique_folder_sync")
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.category}" if self.category_id else self.source

    def clean(self) -> None:
        bucket = self.source.startswith("s3://") and self.source.removeprefix("s3://").strip("/")
        if not (bucket or self.source.startswith("/")):
            raise ValidationError(
                {
                    "source": "Indiquez le chemin absolu d'un dossier (/srv/partage/RH) ou un "
                    "bucket (s3://bucket ou s3://bucket/préfixe)."
                }
            )

    def is_due(self, now: datetime) -> bool:
        """Scheduled, and never run or last run at least `interval_minutes` ago."""
        if not self.enabled:
            return False
        return self.last_run_at is None or (
            self.last_run_at + timedelta(minutes=self.interval_minutes) <= now
        )
