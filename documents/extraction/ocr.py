"""Reading page images with the tesseract command (Debian packages tesseract-ocr-*)."""

import io
import os
import shutil
import subprocess
from typing import Protocol

from django.conf import settings
from PIL import Image

from documents.exceptions import DocumentRejected

# Seconds for one page; a dense A4 page at 300 dpi takes a few seconds on one core.
PAGE_TIMEOUT = 180


class OcrUnavailable(Exception):
    """OCR cannot run on this machine; the message (French) says what to install."""


class Ocr(Protocol):
    def check(self) -> None:
        """Raise OcrUnavailable unless `read` can work."""

    def read(self, image: Image.Image) -> str: ...


class Tesseract:
    """OCR in the languages of settings.OCR_LANGUAGES ("fra+eng").

    Tesseract runs on one thread (OMP_THREAD_LIMIT=1): the indexing workers already use
    every core, and its own threads make it slower there, not faster.
    """

    def check(self) -> None:
        installed = _installed_languages(_tesseract())
        wanted = [language for language in settings.OCR_LANGUAGES.split("+") if language]
        missing = [language for language in wanted if language not in installed]
        if missing:
            packages = " ".join(_language_package(language) for language in missing)
            raise OcrUnavailable(
                f"tesseract est installé mais pas les données de langue {', '.join(missing)} : "
                f"installez le paquet Debian {packages} (ou changez OCR_LANGUAGES), "
                "puis relancez l'indexation."
            )

    def read(self, image: Image.Image) -> str:
        png = io.BytesIO()
        image.save(png, format="PNG")
        try:
            completed = subprocess.run(
                [_tesseract(), "-", "-", "-l", settings.OCR_LANGUAGES],
                input=png.getvalue(),
                capture_output=True,
                timeout=PAGE_TIMEOUT,
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise DocumentRejected(
                f"OCR abandonné : une page a pris plus de {PAGE_TIMEOUT} secondes."
            ) from error
        if completed.returncode != 0:
            detail = completed.stderr.decode(errors="replace").strip().splitlines()
            raise DocumentRejected(f"OCR en échec : {detail[-1] if detail else 'tesseract'}.")
        return completed.stdout.decode(errors="replace")


def _tesseract() -> str:
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrUnavailable(
            "la reconnaissance de caractères (OCR) n'est pas installée sur le serveur "
            "d'indexation. Installez les paquets Debian tesseract-ocr et tesseract-ocr-fra "
            "puis relancez l'indexation : le document sera alors lu."
        )
    return binary


def _installed_languages(binary: str) -> set[str]:
    # Asked at each scanned document, so that installing a language needs no restart.
    listing = subprocess.run(
        [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
    )
    # The first line is a title ("List of available languages in ..."); older versions
    # print the list on stderr.
    lines = (listing.stdout or listing.stderr).splitlines()[1:]
    return {line.strip() for line in lines if line.strip()}


def _language_package(language: str) -> str:
    return "tesseract-ocr-" + language.lower().replace("_", "-")
