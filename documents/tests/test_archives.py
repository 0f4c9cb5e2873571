import io
import struct
import zipfile
import zlib

import pytest

from documents.archives import ArchiveEntry, expand_zip, title_from_path
from documents.exceptions import UploadRejected

MEGABYTE = 1024 * 1024
LIMITS = {"max_entries": 100, "max_total_size": 10 * MEGABYTE, "max_entry_size": 5 * MEGABYTE}

# Offsets of fields in a ZIP central directory record (after the PK\1\2 signature's start).
CD_FLAGS, CD_CRC, CD_FILE_SIZE = 8, 16, 24
# ... and in a local file header.
LH_FLAGS, LH_CRC, LH_FILE_SIZE = 6, 14, 22


def build_zip(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_raw_name(data: bytes, placeholder: str, raw_name: bytes) -> bytes:
    """An archive whose entry name is `raw_name`, bytes as written by another archiver."""
    assert len(placeholder.encode()) == len(raw_name)
    return data.replace(placeholder.encode(), raw_name)


def patch_field(data: bytes, signature: bytes, offset: int, fmt: str, value: int) -> bytes:
    """Overwrite one header field of the (single) entry of an archive."""
    patched = bytearray(data)
    struct.pack_into(fmt, patched, data.index(signature) + offset, value)
    return bytes(patched)


def entries(data: bytes, **limits) -> list[ArchiveEntry]:
    """Expand an archive, keeping each entry's content (streams close as iteration moves)."""
    found = []
    for entry in expand_zip(io.BytesIO(data), **{**LIMITS, **limits}):
        content = entry.stream.read() if entry.stream else None
        found.append((entry, content))
    return found


def test_entries_take_their_title_from_their_folders_and_file_name():
    data = build_zip({"RH/Congés/guide_2024.pdf": b"%PDF", "note.txt": b"texte"})
    found = entries(data)
    assert [(entry.path, entry.title, content) for entry, content in found] == [
        ("RH/Congés/guide_2024.pdf", "RH — Congés — guide 2024", b"%PDF"),
        ("note.txt", "note", b"texte"),
    ]


def test_title_rule_reads_underscores_as_spaces_and_drops_the_extension():
    assert title_from_path("Note_de_service.pdf") == "Note de service"
    assert title_from_path("RH\\Congés\\guide.pdf") == "RH — Congés — guide"
    assert title_from_path("a/b.tar.gz") == "a — b.tar"


def test_directories_and_system_files_are_skipped_silently():
    data = build_zip(
        {
            "RH/": b"",
            "__MACOSX/RH/._guide.pdf": b"resource fork",
            "RH/.DS_Store": b"x",
            "RH/Thumbs.db": b"x",
            "RH/~$brouillon.docx": b"lock",
            ".cache/notes.txt": b"x",
            "RH/guide.pdf": b"%PDF",
        }
    )
    assert [entry.path for entry, _ in entries(data)] == ["RH/guide.pdf"]


@pytest.mark.parametrize("name", ["../evil.txt", "RH/../../evil.txt", "/etc/cron.txt", "C:/x.txt"])
def test_unsafe_entry_names_are_rejected_without_stopping_the_others(name):
    data = build_zip({name: b"pirate", "ok.txt": b"fine"})
    (unsafe, unsafe_content), (ok, ok_content) = entries(data)
    assert "Chemin dangereux" in unsafe.rejection and unsafe_content is None
    assert "evil" not in unsafe.rejection and "cron" not in unsafe.rejection
    assert (ok.path, ok.rejection, ok_content) == ("ok.txt", "", b"fine")


def test_an_archive_with_too_many_entries_is_refused_before_reading():
    data = build_zip({f"note{index}.txt": b"x" for index in range(6)})
    with pytest.raises(UploadRejected, match="au plus 5"):
        expand_zip(io.BytesIO(data), max_entries=5, max_total_size=MEGABYTE)


def test_a_zip_bomb_declaring_more_than_the_total_size_is_refused_before_reading():
    data = build_zip({"bombe.txt": b"0" * (3 * MEGABYTE)})
    assert len(data) < 10_000
    with pytest.raises(UploadRejected, match="dépasserait 2 Mo"):
        expand_zip(io.BytesIO(data), max_entries=10, max_total_size=2 * MEGABYTE)


def test_an_entry_whose_header_understates_its_size_is_never_read_past_it():
    data = build_zip({"bombe.txt": b"0" * MEGABYTE, "ok.txt": b"fine"})
    lying = patch_field(data, b"PK\x01\x02", CD_FILE_SIZE, "<I", 100)
    lying = patch_field(lying, b"PK\x03\x04", LH_FILE_SIZE, "<I", 100)
    (bomb, bomb_content), (_, ok_content) = entries(lying, max_total_size=1000)
    assert "corrompu" in bomb.rejection and bomb_content is None
    assert ok_content == b"fine"


def test_decompressed_bytes_beyond_the_declared_total_stop_the_archive(monkeypatch):
    """A decompressor that trusts the data rather than the header still meets the budget."""
    data = build_zip({"petit.txt": b"x" * 100})
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, member: io.BytesIO(b"0" * 5000))
    with pytest.raises(UploadRejected, match="lecture interrompue"):
        entries(data, max_total_size=1000)


def test_decompressed_bytes_beyond_the_file_size_limit_reject_only_that_entry(monkeypatch):
    data = build_zip({"petit.txt": b"x" * 100, "autre.txt": b"y" * 100})
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, member: io.BytesIO(b"0" * 5000))
    found = entries(data, max_entry_size=1000)
    assert [("dépasse" in entry.rejection, content) for entry, content in found] == [
        (True, None),
        (True, None),
    ]


def test_an_entry_declared_larger_than_the_file_size_limit_is_rejected_alone():
    data = build_zip({"gros.txt": b"0" * 2000, "ok.txt": b"fine"})
    (big, _), (_, ok_content) = entries(data, max_entry_size=1000)
    assert "dépasse la taille maximale" in big.rejection and "gros" not in big.rejection
    assert ok_content == b"fine"


def test_an_encrypted_entry_is_rejected_not_fatal():
    data = build_zip({"secret.pdf": b"%PDF"})
    encrypted = patch_field(data, b"PK\x01\x02", CD_FLAGS, "<H", 0x1)
    encrypted = patch_field(encrypted, b"PK\x03\x04", LH_FLAGS, "<H", 0x1)
    [(entry, content)] = entries(encrypted)
    assert "mot de passe" in entry.rejection and "secret" not in entry.rejection
    assert content is None


def test_an_archive_inside_the_archive_is_rejected():
    data = build_zip({"dedans.zip": build_zip({"a.txt": b"a"})})
    [(entry, _)] = entries(data)
    assert "archive dans l'archive" in entry.rejection and "dedans" not in entry.rejection


def test_a_file_that_is_not_a_zip_archive_is_refused():
    with pytest.raises(UploadRejected, match="archive ZIP"):
        expand_zip(io.BytesIO(b"pas une archive"), max_entries=10, max_total_size=MEGABYTE)


def test_names_flagged_utf8_are_read_as_utf8():
    data = build_zip({"Congés/Été.txt": b"x"})
    assert entries(data)[0][0].path == "Congés/Été.txt"


def test_windows_names_in_the_oem_code_page_without_the_utf8_flag_are_decoded():
    # Windows' "Send to > Compressed folder" writes cp850 on French systems, with no flag;
    # « À » is where cp850 and zipfile's default, cp437, disagree.
    data = build_zip({"X lire/CongXs.txt": b"x"})
    data = with_raw_name(data, "X lire/CongXs", "À lire/Congés".encode("cp850"))
    assert entries(data)[0][0].path == "À lire/Congés.txt"


def test_utf8_names_written_without_the_flag_are_decoded():
    data = build_zip({"CongXXs.txt": b"x"})
    data = with_raw_name(data, "CongXXs", "Congés".encode())
    assert entries(data)[0][0].path == "Congés.txt"


def test_the_info_zip_unicode_path_field_gives_the_name():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("Conges.txt")
        unicode_name = "Congés.txt".encode()
        field = struct.pack("<BI", 1, zlib.crc32(b"Conges.txt")) + unicode_name
        info.extra = struct.pack("<HH", 0x7075, len(field)) + field
        archive.writestr(info, b"x")
    assert entries(buffer.getvalue())[0][0].path == "Congés.txt"
