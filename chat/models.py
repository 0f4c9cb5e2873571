"""Conversations, their questions and answers, and what users say about the answers."""

import uuid

from django.conf import settings
from django.db import models

from common.sealing import unseal
from documents.models import Category, Correction

TITLE_LENGTH = 120


class Conversation(models.Model):
    """The questions a user asked in one category, each read in the light of the earlier."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversations",
        verbose_name="utilisateur",
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name="catégorie",
        help_text="Vide : toutes les catégories.",
    )
    title = models.CharField("titre", max_length=TITLE_LENGTH, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True, db_index=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = "conversation"
        verbose_name_plural = "conversations"

    def __str__(self) -> str:
        return self.title or f"conversation {self.pk}"


class Exchange(models.Model):
    """One question and the answer given to it, with what it was built from."""

    class Status(models.TextChoices):
        STREAMING = "streaming", "en cours"
        DONE = "done", "répondu"
        CANCELLED = "cancelled", "interrompu"
        FAILED = "failed", "échec"

    class Outcome(models.TextChoices):
        GENERATED = "generated", "réponse générée"
        EXTRACTIVE = "extractive", "extraits"
        CORRECTION = "correction", "réponse validée"
        NO_ANSWER = "no_answer", "aucun passage pertinent"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="exchanges"
    )
    question = models.TextField(
        "question",
        help_text="Sans les données personnelles que l'anonymisation y a trouvées "
        "(ANONYMIZE_QUESTIONS).",
    )
    sealed_question = models.TextField(
        "question telle que posée (chiffrée)",
        blank=True,
        editable=False,
        help_text="Lisible par son auteur seul ; vide quand l'anonymisation n'a rien changé.",
    )
    standalone_question = models.TextField(
        "question autonome", blank=True, help_text="La question réécrite avec l'historique."
    )
    answer = models.TextField("réponse", blank=True)
    sources = models.JSONField("sources", default=list, blank=True)
    status = models.CharField(
        "état", max_length=20, choices=Status.choices, default=Status.STREAMING, db_index=True
    )
    outcome = models.CharField(
        "nature de la réponse", max_length=20, choices=Outcome.choices, blank=True, db_index=True
    )
    error_message = models.TextField("erreur", blank=True)
    correction = models.ForeignKey(
        Correction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exchanges",
        verbose_name="correction servie",
    )
    checks = models.JSONField(
        "vérification des citations",
        default=dict,
        blank=True,
        help_text="Chaque phrase confrontée aux passages qu'elle cite (ai.citation_check).",
    )
    provider = models.CharField("fournisseur", max_length=200, blank=True)
    model = models.CharField("modèle", max_length=200, blank=True)
    prompt_tokens = models.PositiveIntegerField("jetons du prompt", null=True, blank=True)
    completion_tokens = models.PositiveIntegerField("jetons de la réponse", null=True, blank=True)
    cost = models.DecimalField(
        "coût",
        max_digits=14,
        decimal_places=8,
        null=True,
        blank=True,
        help_text="En COST_CURRENCY ; vide : modèle sans tarif ou jetons non comptés.",
    )
    energy_wh = models.DecimalField(
        "énergie (Wh)",
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="Vide : le modèle n'a pas de facteur d'énergie, ou jetons non comptés.",
    )
    retrieval_ms = models.PositiveIntegerField("recherche (ms)", null=True, blank=True)
    first_token_ms = models.PositiveIntegerField("premier mot (ms)", null=True, blank=True)
    total_ms = models.PositiveIntegerField("durée totale (ms)", null=True, blank=True)
    created_at = models.DateTimeField("posée le", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "question"
        verbose_name_plural = "questions"

    def __str__(self) -> str:
        return self.question[:80]

    @property
    def validated(self) -> bool:
        return self.outcome == self.Outcome.CORRECTION


class Feedback(models.Model):
    """A user's rating of an answer: thumbs up or down, with an optional comment."""

    class Rating(models.IntegerChoices):
        UP = 1, "utile"
        DOWN = -1, "pas utile"

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answer_feedback"
    )
    rating = models.SmallIntegerField("avis", choices=Rating.choices)
    comment = models.TextField("commentaire", blank=True, max_length=4000)
    created_at = models.DateTimeField("donné le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = "avis"
        verbose_name_plural = "avis"
        constraints = [
            models.UniqueConstraint(fields=["exchange", "user"], name="one_feedback_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} : {self.exchange}"


class CorrectionProposal(models.Model):
    """An answer a user proposes; it becomes a Correction only once staff approve it."""

    class Status(models.TextChoices):
        PENDING = "pending", "à relire"
        APPROVED = "approved", "approuvée"
        REJECTED = "rejected", "refusée"

    exchange = models.ForeignKey(
        Exchange,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name="question d'origine",
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="proposals", verbose_name="catégorie"
    )
    question = models.TextField("question")
    answer = models.TextField("réponse proposée")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="correction_proposals",
        verbose_name="proposée par",
    )
    status = models.CharField(
        "état", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_proposals",
        verbose_name="relue par",
    )
    review_note = models.TextField("note de relecture", blank=True)
    reviewed_at = models.DateTimeField("relue le", null=True, blank=True)
    correction = models.ForeignKey(
        Correction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name="correction créée",
    )
    created_at = models.DateTimeField("proposée le", auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "proposition de correction"
        verbose_name_plural = "propositions de correction"

    def __str__(self) -> str:
        return self.question[:80]


class AnswerTask(models.Model):
    """A question asked through the asynchronous API: polled, or POSTed to a callback."""

    class Status(models.TextChoices):
        PENDING = "pending", "en attente"
        RUNNING = "running", "en cours"
        DONE = "done", "terminée"
        FAILED = "failed", "échec"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answer_tasks"
    )
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="answer_tasks")
    question = models.TextField(
        help_text="Sealed (`common.sealing`): only its author reads it, through the API."
    )
    callback_url = models.URLField(max_length=1000, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    result = models.JSONField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    callback_status = models.CharField(
        max_length=200, blank=True, help_text="HTTP status of the callback, or why it failed."
    )
    callback_attempts = models.PositiveSmallIntegerField(default=0)
    callback_finished_at = models.DateTimeField(
        null=True, blank=True, help_text="When the callback was received, refused or given up."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "réponse asynchrone"
        verbose_name_plural = "réponses asynchrones"

    def __str__(self) -> str:
        return f"{self.id} ({self.get_status_display()})"

    @property
    def asked(self) -> str:
        """The question as its author asked it (a task recorded before sealing: as stored)."""
        return unseal(self.question) or self.question
