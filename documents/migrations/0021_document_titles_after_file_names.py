"""Documents indexed before titles were taken from the documents themselves still carry the
title made from their file name (« Guide conges evenements familiaux »), unmarked: mark them,
so that indexing them again (the admin's « Reprendre le titre du document ») gives them the
title they give themselves. Only a title equal to the one the file name makes is marked: a
title a person typed is never replaced. Archive entries titled after their folders
(« RH — Congés — guide ») kept no path to compare with and stay as they are."""

from pathlib import PurePath

from django.db import migrations

BATCH = 1000


def file_name_titles(filename: str) -> set[str]:
    """The titles a file name gave: `Document.save`'s, and an upload's (`title_from_path`)."""
    stem = PurePath(filename).stem.replace("_", " ")
    return {stem, " ".join(stem.split())}


def mark_file_name_titles(apps, schema_editor) -> None:
    Document = apps.get_model("documents", "Document")
    unmarked = Document.objects.filter(title_from_filename=False).exclude(original_filename="")
    marked = [
        pk
        for pk, title, filename in unmarked.values_list("pk", "title", "original_filename")
        .order_by("pk")
        .iterator(chunk_size=BATCH)
        if title in file_name_titles(filename)
    ]
    for start in range(0, len(marked), BATCH):
        Document.objects.filter(pk__in=marked[start : start + BATCH]).update(
            title_from_filename=True
        )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0020_document_upload_batch"),
    ]

    operations = [migrations.RunPython(mark_file_name_titles, migrations.RunPython.noop)]
