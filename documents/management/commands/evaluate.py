from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from ai.evaluation import (
    ANSWER_COLUMN,
    CUTOFFS,
    DEFAULT_MODES,
    DEPTH,
    DOCUMENT_COLUMN,
    QUESTION_COLUMN,
    Evaluation,
    Question,
    QuestionFileError,
    read_questions,
    report_csv,
)
from ai.retrieval import Mode
from common.question_files import read_question_column
from documents.evaluation import evaluate_category
from documents.models import Category


class Command(BaseCommand):
    help = (
        "Evaluate retrieval on a category with a question file (CSV, XLSX or JSONL) naming "
        "each question's expected document and/or answer: recall@1/5/10 and MRR@10 per "
        "search mode, and optionally a per-question report."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument("--category", required=True, help="Category name or slug.")
        parser.add_argument("--report", type=Path, help="Write the per-question CSV here.")
        parser.add_argument(
            "--modes",
            default=",".join(DEFAULT_MODES),
            help=f"Comma-separated, among {', '.join(DEFAULT_MODES)}.",
        )
        parser.add_argument("--question-column", default=QUESTION_COLUMN)
        parser.add_argument(
            "--out-of-scope",
            type=Path,
            metavar="FILE",
            help="Questions the category must not answer (their question column): the share "
            "refused is printed next to the share of FILE's questions answered.",
        )
        parser.add_argument(
            "--document-column",
            default=DOCUMENT_COLUMN,
            help="Expected document: file name, file name without extension, or title.",
        )
        parser.add_argument(
            "--answer-column",
            default=ANSWER_COLUMN,
            help="Expected answer: text the passage must contain (case and accents aside).",
        )

    def handle(self, *args, file: Path, category: str, report: Path | None, **options) -> None:
        modes = _modes(options["modes"])
        selected = _category(category)
        try:
            questions = read_questions(
                file.read_bytes(),
                filename=file.name,
                question_column=options["question_column"],
                document_column=options["document_column"],
                answer_column=options["answer_column"],
            )
            out_of_scope = [
                Question(text=text)
                for text in (
                    read_question_column(
                        options["out_of_scope"].read_bytes(),
                        filename=options["out_of_scope"].name,
                        column=options["question_column"],
                    )
                    if options["out_of_scope"]
                    else []
                )
            ]
        except OSError as error:
            raise CommandError(f"Cannot read {error.filename}: {error.strerror}") from error
        except QuestionFileError as error:
            raise CommandError(error.message) from error

        with tqdm(
            total=len(questions),
            desc="Evaluating",
            unit="question",
            file=getattr(self.stderr, "_out", self.stderr),
            disable=options["verbosity"] == 0,
        ) as bar:
            result = evaluate_category(
                category=selected,
                questions=questions,
                modes=modes,
                out_of_scope=out_of_scope,
                on_progress=lambda done: bar.update(done - bar.n),
            )
        for question in result.unknown_documents:
            self.stdout.write(
                self.style.WARNING(
                    f"Row {question.row}: no document {question.expected_document!r} in "
                    f"{selected.name!r}; question left out: {question.text!r}"
                )
            )
        if not result.evaluation.outcomes:
            raise CommandError("No question to evaluate.")
        self.write_table(result.evaluation, category=selected)
        if report is not None:
            Path(report).write_text(report_csv(result.evaluation), encoding="utf-8")
            self.stdout.write(f"Per-question report written to {report}.")

    def write_table(self, evaluation: Evaluation, *, category: Category) -> None:
        count = len(evaluation.outcomes)
        self.stdout.write(f"{count} question(s) in {category.name!r}, top {DEPTH} passages:")
        headers = ["mode", "questions", *(f"recall@{k}" for k in CUTOFFS), f"MRR@{DEPTH}"]
        self.stdout.write(f"{headers[0]:<8}" + "".join(f"{header:>11}" for header in headers[1:]))
        for metrics in evaluation.metrics:
            values = [*(metrics.recall[k] for k in CUTOFFS), metrics.mrr]
            self.stdout.write(
                f"{metrics.mode:<8}{metrics.questions:>11}"
                + "".join(f"{value:>11.3f}" for value in values)
            )
        if evaluation.answered is not None:
            self.stdout.write(f"answered (hybrid, at the threshold): {evaluation.answered:.3f}")
        if evaluation.refused is not None:
            self.stdout.write(f"out-of-scope refused: {evaluation.refused:.3f}")


def _modes(value: str) -> list[Mode]:
    names = list(dict.fromkeys(name.strip().lower() for name in value.split(",") if name.strip()))
    unknown = [name for name in names if name not in {mode.value for mode in Mode}]
    if unknown or not names:
        raise CommandError(
            f"Unknown mode(s): {', '.join(unknown) or '(none)'}; "
            f"choose among {', '.join(DEFAULT_MODES)}."
        )
    return [Mode(name) for name in names]


def _category(name_or_slug: str) -> Category:
    category = Category.objects.filter(Q(name=name_or_slug) | Q(slug=name_or_slug)).first()
    if category is None:
        raise CommandError(f"Unknown category {name_or_slug!r}.")
    return category
