"""Folders and buckets synchronised with a category on a schedule set in the admin."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0016_document_archived_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="FolderSync",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        help_text="Un dossier du serveur (/srv/partage/RH) ou un bucket S3 (s3://bucket/préfixe), lu avec les identifiants du stockage des fichiers (MINIO_*).",
                        max_length=1000,
                        verbose_name="source",
                    ),
                ),
                (
                    "delete_removed",
                    models.BooleanField(
                        default=False,
                        help_text="Sinon, un document dont le fichier a disparu est archivé : plus cherché, mais gardé et téléchargeable par l'équipe ; il revient si le fichier revient.",
                        verbose_name="supprimer les documents retirés",
                    ),
                ),
                (
                    "enabled",
                    models.BooleanField(
                        default=True,
                        help_text="Décochée : seulement à la demande.",
                        verbose_name="planifiée",
                    ),
                ),
                (
                    "interval_minutes",
                    models.PositiveIntegerField(
                        default=60,
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="intervalle (minutes)",
                    ),
                ),
                (
                    "last_run_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="dernière synchronisation"
                    ),
                ),
                ("last_summary", models.TextField(blank=True, verbose_name="bilan")),
                ("last_error", models.TextField(blank=True, verbose_name="erreur")),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="folder_syncs",
                        to="documents.category",
                        verbose_name="catégorie",
                    ),
                ),
            ],
            options={
                "verbose_name": "synchronisation de dossier",
                "verbose_name_plural": "synchronisations de dossiers",
                "ordering": ["category__name", "source"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("category", "source"), name="unique_folder_sync"
                    )
                ],
            },
        ),
    ]
