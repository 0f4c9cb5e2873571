"""The relevance threshold moves to the calibrated scale: thresholds set on the former scale
(the dense similarity alone) would now mean something else, so they are cleared and the
site's default applies until an administrator sets a new one."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import migrations, models


def clear_thresholds(apps, schema_editor):
    apps.get_model("documents", "Category").objects.update(relevance_threshold=None)


class Migration(migrations.Migration):
    dependencies = [("documents", "0010_category_rerank_model")]

    operations = [
        migrations.AlterField(
            model_name="category",
            name="relevance_threshold",
            field=models.FloatField(
                blank=True,
                help_text=(
                    "Facultatif : pertinence minimale (0 à 1, l'échelle des scores affichés) "
                    "d'un passage pour qu'il soit retenu ; en dessous, « rien trouvé ». Vide : "
                    "le seuil du site (RELEVANCE_THRESHOLD)."
                ),
                null=True,
                validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
                verbose_name="seuil de pertinence",
            ),
        ),
        migrations.RunPython(clear_thresholds, migrations.RunPython.noop),
    ]
