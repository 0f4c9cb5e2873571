"""The benchmark corpus: Debian's man pages rendered by groff to text, HTML and PDF.

The pages come from Debian packages fetched with `apt-get download` and unpacked with
`dpkg-deb -x` (nothing is installed), the same way as the retrieval evaluation sets. A
seeded sample of the pages is rendered, one format in three, with `SOURCE_DATE_EPOCH` fixed
and fixed image names, so the same packages, size and seed give the same bytes: the
manifest's digest says so. Each page's NAME line ("printf - formatted output conversion")
gives a question the page answers, for the search and chat runs.

A rendered corpus is kept under `var/bench/corpus/` and reused while its manifest matches.
"""

import gzip
import hashlib
import json
import os
import random
import re
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.eval_sets import download_packages, extract_package, find_packages
from bench.roff import ManPageError, parse_man_page

FORMATS = ("txt", "html", "pdf")
RENDER_TIMEOUT = 60
_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate) )\(D:\d{14}")
ENGLISH_AND_FRENCH = ("manpages", "manpages-dev", "manpages-fr", "manpages-fr-dev")


@dataclass(frozen=True)
class CorpusSize:
    name: str
    documents: int
    packages: tuple[str, ...]


# Size L is not rendered: it is M's store copied into more categories (`bench.scale`).
SIZES = {
    "S": CorpusSize("S", 200, ENGLISH_AND_FRENCH),
    "M": CorpusSize("M", 2_000, (*ENGLISH_AND_FRENCH, "manpages-de", "manpages-de-dev")),
}


class CorpusError(Exception):
    """The packages could not be fetched, or groff is missing."""


@dataclass(frozen=True)
class SourcePage:
    path: Path  # the gzipped roff source, unpacked from its package
    language: str  # "en", "fr"…
    title: str  # "printf.3"
    description: str  # from its NAME line: the question it answers


@dataclass(frozen=True)
class CorpusDocument:
    file: str  # relative to the corpus folder
    language: str
    page: str
    format: str
    description: str


@dataclass(frozen=True)
class Corpus:
    folder: Path
    size: str
    seed: int
    packages: list[str]
    documents: list[CorpusDocument]
    digest: str  # sha256 over every file's name and bytes, in order

    def paths(self) -> list[Path]:
        return [self.folder / document.file for document in self.documents]

    @property
    def bytes(self) -> int:
        return sum(path.stat().st_size for path in self.paths())


def build_corpus(size: CorpusSize, *, seed: int, cache: Path) -> Corpus:
    """The corpus of `size`, rendered under `cache` or read back from an earlier run."""
    debs = cache / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    packages = _packages(size.packages, debs=debs)
    folder = cache / "corpus" / f"{size.name}-seed{seed}"
    manifest = folder / "manifest.json"
    wanted = {"size": size.name, "seed": seed, "packages": [deb.name for deb in packages]}
    if manifest.exists():
        stored = json.loads(manifest.read_text())
        if {key: stored.get(key) for key in wanted} == wanted:
            return _corpus(folder, stored)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "root"
        for deb in packages:
            extract_package(deb, into=root)
        pages = source_pages(root / "usr" / "share" / "man")
        chosen = choose_documents(pages, count=size.documents, seed=seed)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.iterdir():
            stale.unlink()
        documents = _render_all(chosen, folder=folder, images=Path(scratch) / "images")
    stored = {**wanted, "documents": [asdict(document) for document in documents]}
    stored["digest"] = corpus_digest(folder, [document.file for document in documents])
    manifest.write_text(json.dumps(stored, ensure_ascii=False, indent=1))
    return _corpus(folder, stored)


def _packages(names: Sequence[str], *, debs: Path) -> list[Path]:
    missing = [name for name in names if not list(debs.glob(f"{name}_*.deb"))]
    if missing:
        download_packages(missing, into=debs)
    return find_packages(names, folder=debs)


def _corpus(folder: Path, stored: dict) -> Corpus:
    return Corpus(
        folder=folder,
        size=stored["size"],
        seed=stored["seed"],
        packages=stored["packages"],
        documents=[CorpusDocument(**document) for document in stored["documents"]],
        digest=stored["digest"],
    )


def source_pages(man_root: Path) -> list[SourcePage]:
    """Every page under `man_root` (English) and `man_root/<lang>` with a NAME line.

    Symlinks and `.so` redirects are aliases of another page: always left out.
    """
    pages = []
    for path in sorted(man_root.glob("**/man*/*.gz")):
        if path.is_symlink() or not path.is_file():
            continue
        relative = path.relative_to(man_root).parts
        language = relative[0] if len(relative) == 3 else "en"
        title = path.name.removesuffix(".gz")
        try:
            source = _read(path)
        except OSError:
            continue
        try:
            description = " ".join(parse_man_page(source, title=title).description.split())
        except ManPageError:
            continue
        pages.append(SourcePage(path, language, title, description))
    return pages


def choose_documents(
    pages: Sequence[SourcePage], *, count: int, seed: int
) -> list[tuple[SourcePage, str]]:
    """`count` (page, format) pairs: distinct pages first, in a seeded order.

    Formats rotate from page to page; past the number of pages, each page comes back in
    its next format, so a corpus larger than the pages still holds no two equal files.
    """
    order = list(pages)
    random.Random(seed).shuffle(order)
    chosen = [
        (page, FORMATS[(position + turn) % len(FORMATS)])
        for turn in range(len(FORMATS))
        for position, page in enumerate(order)
    ]
    if count > len(chosen):
        raise CorpusError(
            f"{count} documents wanted, but the packages hold {len(order)} pages "
            f"({len(chosen)} documents in {len(FORMATS)} formats)."
        )
    return chosen[:count]


def document_filename(page: SourcePage, file_format: str) -> str:
    return f"{page.language}-{page.title}.{file_format}"


def render_command(file_format: str) -> list[str]:
    """groff's command line for a man page read on standard input, in `file_format`.

    `-k -Kutf-8`: the translated pages are UTF-8. `-t`: tables. Text without escape
    sequences nor overstriking; HTML's table images under fixed names, in the folder the
    command runs in.
    """
    command = ["groff", "-k", "-Kutf-8", "-t", "-man"]
    if file_format == "txt":
        return [*command, "-Tutf8", "-P-cbou"]
    if file_format == "html":
        return [*command, "-Thtml", "-P-Itable"]
    if file_format == "pdf":
        return [*command, "-Tpdf"]
    raise ValueError(f"Unknown format {file_format!r}.")


def render(page: SourcePage, file_format: str, *, images: Path) -> bytes:
    """The page rendered by groff in the folder `images`; the same page, the same bytes."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SOURCE_DATE_EPOCH": "0"}
    env["LC_ALL"] = "C.UTF-8"
    try:
        result = subprocess.run(
            render_command(file_format),
            input=_read(page.path).encode(),
            cwd=images,
            capture_output=True,
            env=env,
            timeout=RENDER_TIMEOUT,
            check=True,
        )
    except FileNotFoundError as error:
        raise CorpusError("groff is missing: apt-get install groff (HTML and PDF).") from error
    return fixed_pdf_dates(result.stdout) if file_format == "pdf" else result.stdout


def fixed_pdf_dates(pdf: bytes) -> bytes:
    """gropdf writes the time of day in the PDF, whatever SOURCE_DATE_EPOCH says: set it to
    the epoch, in a string of the same length (the cross-reference offsets stay right)."""
    return _PDF_DATE.sub(rb"\1(D:19700101000000", pdf)


def _render_all(
    chosen: Sequence[tuple[SourcePage, str]], *, folder: Path, images: Path
) -> list[CorpusDocument]:
    def write(number: int, page: SourcePage, file_format: str) -> CorpusDocument | None:
        own_images = images / str(number)  # HTML image files must not clash between threads
        own_images.mkdir(parents=True)
        try:
            data = render(page, file_format, images=own_images)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            return None
        if not data.strip():
            return None
        name = document_filename(page, file_format)
        (folder / name).write_bytes(data)
        return CorpusDocument(name, page.language, page.title, file_format, page.description)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        written = pool.map(lambda item: write(item[0], *item[1]), enumerate(chosen))
        return [document for document in written if document is not None]


def corpus_digest(folder: Path, files: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256((folder / name).read_bytes()).digest())
    return digest.hexdigest()


def _read(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
