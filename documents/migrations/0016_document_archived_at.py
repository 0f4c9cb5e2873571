"""Documents synchronised from a folder or a bucket: archived when their file leaves it, and
the modification time of that file, so that an unchanged file is not read again."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0015_near_duplicates"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="archived_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="Son fichier a quitté le dossier ou le bucket synchronisé : il n'est plus cherché, mais reste téléchargeable par l'équipe. Il revient si le fichier revient.",
                null=True,
                verbose_name="archivé le",
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="source_modified",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="Date de modification du fichier à la dernière synchronisation.",
                null=True,
                verbose_name="modifié dans la source",
            ),
        ),
    ]
