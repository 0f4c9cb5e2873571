"""The two abbreviations the first deployment hard-coded, now global glossary entries."""

from django.db import migrations

# (abbreviation, normalised form, expansion): frozen here, as a migration must not depend on
# code that may change (historical models do not run GlossaryEntry.save()).
DEFAULT_GLOSSARY = [
    ("SFT", "sft", "supplément familial de traitement"),
    ("IFF", "iff", "indemnité forfaitaire de formation"),
]


def add_default_glossary(apps, schema_editor):
    GlossaryEntry = apps.get_model("documents", "GlossaryEntry")
    for abbreviation, normalized, expansion in DEFAULT_GLOSSARY:
        GlossaryEntry.objects.get_or_create(
            category=None,
            normalized=normalized,
            defaults={"abbreviation": abbreviation, "expansion": expansion},
        )


def remove_default_glossary(apps, schema_editor):
    GlossaryEntry = apps.get_model("documents", "GlossaryEntry")
    GlossaryEntry.objects.filter(
        category=None, normalized__in=[normalized for _, normalized, _ in DEFAULT_GLOSSARY]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_glossary"),
    ]

    operations = [
        migrations.RunPython(add_default_glossary, remove_default_glossary),
    ]
