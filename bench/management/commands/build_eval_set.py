from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bench.eval_sets import (
    DEFAULT_SECTIONS,
    SOURCES,
    WORKPLACE_DOCUMENTS,
    EvalSetError,
    build_eval_set,
    build_workplace_set,
)


class Command(BaseCommand):
    help = (
        "Build public retrieval evaluation sets from Debian's man pages (English: manpages, "
        "manpages-dev; French: manpages-fr, manpages-fr-dev): OUT/<lang>/documents/ to index, "
        "OUT/<lang>/questions.csv to evaluate. Each question is a page's NAME description, "
        "its expected document the rest of that page. Then, for each language:\n"
        "  manage.py index_documents OUT/en/documents --category man-en --create-category "
        "--wait\n"
        "  manage.py evaluate OUT/en/questions.csv --category man-en"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="Folder of the sets.")
        parser.add_argument("--limit", type=int, default=1000, help="Documents per set (at most).")
        parser.add_argument("--seed", type=int, default=42, help="Seed of the page sample.")
        parser.add_argument(
            "--languages",
            default=",".join(SOURCES),
            help=f"Comma-separated, among {', '.join(SOURCES)}.",
        )
        parser.add_argument(
            "--sections",
            default=",".join(DEFAULT_SECTIONS),
            help="Comma-separated manual sections to draw pages from.",
        )
        parser.add_argument(
            "--debs",
            type=Path,
            help="Take the .deb packages from this folder instead of `apt-get download`.",
        )

    def handle(
        self,
        *args,
        out: Path,
        limit: int,
        seed: int,
        languages: str,
        sections: str,
        debs: Path | None,
        **options,
    ) -> None:
        chosen = [language.strip() for language in languages.split(",") if language.strip()]
        unknown = [language for language in chosen if language not in SOURCES]
        if unknown:
            raise CommandError(f"Unknown language(s): {', '.join(unknown)}.")
        for language in chosen:
            try:
                report = build_eval_set(
                    SOURCES[language],
                    out=out / language,
                    limit=limit,
                    seed=seed,
                    sections=[section.strip() for section in sections.split(",")],
                    debs=debs,
                )
            except EvalSetError as error:
                raise CommandError(str(error)) from error
            skipped = ", ".join(f"{count} {why}" for why, count in report.skipped.items())
            self.stdout.write(
                f"{language}: {report.written} documents and questions in {report.folder} "
                f"(from {report.pages} pages of {', '.join(report.packages)}; "
                f"skipped: {skipped or 'none'})."
            )
        french = out / "fr" if "fr" in chosen else None
        count = build_workplace_set(out=out / "workplace", man_pages=french)
        self.stdout.write(
            f"workplace: {WORKPLACE_DOCUMENTS} documents and {count} questions in "
            f"{out / 'workplace'}."
        )
