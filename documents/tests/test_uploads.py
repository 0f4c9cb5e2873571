import io
import zipfile

import pytest

from documents.models import Document
from documents.tests.factories import CategoryFactory
from documents.uploads import IncomingFile, create_document, upload_files

pytestmark = pytest.mark.django_db

NOTE = b"Le teletravail est possible deux jours par semaine."


def incoming(name: str, data: bytes, title: str = "") -> IncomingFile:
    return IncomingFile(io.BytesIO(data), name, title)


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_each_file_becomes_a_pending_document_of_the_category_with_the_hints():
    category = CategoryFactory()
    report = upload_files(
        category=category,
        files=[incoming("Note_de_service.txt", NOTE), incoming("b.md", b"# Titre")],
        hints="toutes pages : circulaire DGS",
    )
    assert [document.title for document in report.created] == ["Note de service", "b"]
    assert {(d.category, d.status, d.hints) for d in Document.objects.all()} == {
        (category, Document.Status.PENDING, "toutes pages : circulaire DGS")
    }


def test_a_relative_name_gives_a_title_from_its_folders_unless_a_title_is_given():
    report = upload_files(
        category=CategoryFactory(),
        files=[incoming("RH/Congés/guide.txt", NOTE), incoming("autre.txt", b"x", "Choisi")],
    )
    assert [document.title for document in report.created] == ["RH — Congés — guide", "Choisi"]
    assert report.created[0].original_filename == "guide.txt"


def test_a_title_from_the_file_s_name_may_give_way_to_the_document_s_own_a_given_one_not():
    archive = zip_of({"RH/guide.txt": b"Les conges se posent dans l outil RH."})
    report = upload_files(
        category=CategoryFactory(),
        files=[
            incoming("Guide_conges.txt", NOTE),
            incoming("autre.txt", b"x", "Choisi"),
            incoming("lot.zip", archive),
        ],
    )
    assert {d.title: d.title_from_filename for d in report.created} == {
        "Guide conges": True,
        "Choisi": False,
        "RH — guide": True,
    }


def test_each_file_of_a_zip_archive_becomes_a_document_titled_after_its_folders():
    archive = zip_of({"RH/Congés/guide.txt": NOTE, "RH/notes.md": b"# Notes", "RH/.DS_Store": b"x"})
    report = upload_files(category=CategoryFactory(), files=[incoming("lot.zip", archive)])
    assert sorted(document.title for document in report.created) == [
        "RH — Congés — guide",
        "RH — notes",
    ]
    assert Document.objects.get(title="RH — notes").file.read() == b"# Notes"


def test_an_empty_file_and_a_duplicate_are_reported_and_the_others_created():
    category = CategoryFactory()
    existing = create_document(category=category, stream=io.BytesIO(NOTE), filename="note.txt")
    report = upload_files(
        category=category,
        files=[incoming("vide.txt", b""), incoming("copie.txt", NOTE), incoming("ok.txt", b"ok")],
    )
    assert [document.original_filename for document in report.created] == ["ok.txt"]
    assert [(d.name, d.existing) for d in report.duplicates] == [("copie.txt", existing)]
    [rejected] = report.rejected
    assert rejected.name == "vide.txt" and "vide" in rejected.reason and not rejected.too_large


def test_the_same_content_twice_in_one_batch_is_created_once():
    report = upload_files(
        category=CategoryFactory(), files=[incoming("a.txt", NOTE), incoming("b.txt", NOTE)]
    )
    assert len(report.created) == 1 and report.duplicates[0].name == "b.txt"


def test_a_file_over_the_size_limit_is_rejected_as_too_large(settings):
    settings.UPLOAD_MAX_FILE_SIZE = 10
    report = upload_files(category=CategoryFactory(), files=[incoming("gros.txt", NOTE)])
    [rejected] = report.rejected
    assert rejected.too_large and "taille maximale" in rejected.reason
    assert not Document.objects.exists()


def test_rejected_archive_entries_are_named_after_the_archive_and_do_not_stop_the_others():
    archive = zip_of({"../evil.txt": b"pirate", "ok.txt": NOTE, "vide.txt": b""})
    report = upload_files(category=CategoryFactory(), files=[incoming("lot.zip", archive)])
    assert [document.title for document in report.created] == ["ok"]
    assert [rejected.name for rejected in report.rejected] == [
        "lot.zip/../evil.txt",
        "lot.zip/vide.txt",
    ]


def test_an_archive_over_the_limits_is_rejected_as_a_whole(settings):
    settings.ZIP_MAX_ENTRIES = 2
    archive = zip_of({"a.txt": b"a", "b.txt": b"b", "c.txt": b"c"})
    report = upload_files(
        category=CategoryFactory(), files=[incoming("lot.zip", archive), incoming("d.txt", b"d")]
    )
    assert [document.title for document in report.created] == ["d"]
    [rejected] = report.rejected
    assert rejected.name == "lot.zip" and "au plus 2" in rejected.reason


def test_an_archive_holding_no_file_is_reported():
    report = upload_files(
        category=CategoryFactory(), files=[incoming("vide.zip", zip_of({"RH/": b""}))]
    )
    assert [(r.name, r.reason) for r in report.rejected] == [
        ("vide.zip", "L'archive ne contient aucun fichier.")
    ]


def test_a_file_named_zip_that_is_not_an_archive_is_rejected():
    report = upload_files(category=CategoryFactory(), files=[incoming("faux.zip", NOTE)])
    assert "archive ZIP" in report.rejected[0].reason
