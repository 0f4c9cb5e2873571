"""Near-duplicates: the document a new one is probably a version of, and the MinHash
signatures (with their band keys, indexed) that find it (`documents.near_duplicates`)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0014_indexcheck"),
    ]

    operations = [
        migrations.CreateModel(
            name="TextSignature",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="text_signature",
                        serialize=False,
                        to="documents.document",
                    ),
                ),
                ("minhash", models.BinaryField(verbose_name="signature MinHash")),
            ],
            options={
                "verbose_name": "signature du texte",
                "verbose_name_plural": "signatures des textes",
            },
        ),
        migrations.AddField(
            model_name="document",
            name="similar_to",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Un document de la même catégorie dont le texte est presque le même.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="probable_versions",
                to="documents.document",
                verbose_name="nouvelle version probable de",
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="similarity",
            field=models.FloatField(
                blank=True,
                editable=False,
                help_text="De 0 à 1.",
                null=True,
                verbose_name="similarité",
            ),
        ),
        migrations.CreateModel(
            name="SignatureBand",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.BigIntegerField(db_index=True)),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="signature_bands",
                        to="documents.document",
                    ),
                ),
            ],
            options={
                "verbose_name": "bande de signature",
                "verbose_name_plural": "bandes de signatures",
            },
        ),
    ]
