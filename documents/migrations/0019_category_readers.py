"""Individual users as readers of a category, beside its groups."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0018_document_title_from_filename"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="readers",
            field=models.ManyToManyField(
                blank=True,
                help_text="Ces personnes lisent la catégorie, quel que soit l'accès choisi, sans passer par un groupe.",
                related_name="granted_categories",
                to=settings.AUTH_USER_MODEL,
                verbose_name="utilisateurs autorisés",
            ),
        ),
        migrations.AlterField(
            model_name="category",
            name="visibility",
            field=models.CharField(
                choices=[
                    ("groups", "les groupes et utilisateurs autorisés seulement"),
                    ("internal", "tous les utilisateurs connectés"),
                    ("public", "tout le monde, même sans compte"),
                ],
                default="groups",
                help_text="« Tout le monde » ne vaut que si le site autorise les catégories publiques (PUBLIC_CATEGORIES) ; sinon elle est réservée aux utilisateurs connectés.",
                max_length=20,
                verbose_name="accès",
            ),
        ),
    ]
