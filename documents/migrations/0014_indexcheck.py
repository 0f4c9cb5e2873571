"""The record of each comparison of the database with the vector store (`manage.py
check_index`, and its periodic run), shown on the dashboard."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0013_document_validity"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndexCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "started_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="commencée le"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="terminée le"),
                ),
                ("repair", models.BooleanField(default=False, verbose_name="réparation demandée")),
                (
                    "found",
                    models.JSONField(
                        default=dict, help_text="Nombre par sorte.", verbose_name="écarts trouvés"
                    ),
                ),
                (
                    "examples",
                    models.JSONField(
                        default=dict,
                        help_text="Quelques identifiants par sorte.",
                        verbose_name="exemples",
                    ),
                ),
                (
                    "repaired",
                    models.JSONField(
                        default=dict, help_text="Nombre par sorte.", verbose_name="écarts réparés"
                    ),
                ),
                ("error", models.TextField(blank=True, verbose_name="erreur")),
            ],
            options={
                "verbose_name": "vérification de l'index",
                "verbose_name_plural": "vérifications de l'index",
                "ordering": ["-started_at", "-pk"],
            },
        ),
    ]
