from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ai.evaluation import read_questions
from bench.relevance_fit import Rows, best_scores, fit, threshold_for
from common.question_files import read_question_column
from common.text import normalize_question
from documents.evaluation import document_names
from documents.models import Category


class Command(BaseCommand):
    help = (
        "Fit the offline relevance model on the dev halves of evaluation sets built by "
        "build_eval_set and indexed, and print the constants of ai/relevance.py: for each "
        "LANG=CATEGORY, SETS/LANG/questions-dev.csv and SETS/LANG/out-of-scope-dev.csv."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("sets", type=Path, help="The folder build_eval_set wrote.")
        parser.add_argument(
            "--category",
            action="append",
            required=True,
            metavar="LANG=SLUG",
            help="A set and the category it is indexed in; repeat for each set.",
        )

    def handle(self, *args, sets: Path, category: list[str], **options) -> None:
        rows, per_set = Rows.empty(), []
        for pair in category:
            language, _, slug = pair.partition("=")
            selected = Category.objects.filter(slug=slug).first()
            if selected is None:
                raise CommandError(f"Unknown category {slug!r}.")
            start = len(rows.questions)
            self._add_set(rows, sets / language, selected)
            per_set.append((language, start, len(rows.questions)))
        model = fit(rows)
        scores = best_scores(model, rows)
        by_set = [(language, scores[first:end]) for language, first, end in per_set]
        threshold = threshold_for([[s for s, scoped in part if scoped] for _, part in by_set])
        self.stdout.write(model.as_python(threshold))
        for language, part in by_set:
            answered = [s >= threshold for s, scoped in part if scoped]
            refused = [s < threshold for s, scoped in part if not scoped]
            self.stdout.write(
                f"{language} dev: {len(answered)} in scope, answered {_share(answered)}; "
                f"{len(refused)} out of scope, refused {_share(refused)}"
            )

    def _add_set(self, rows: Rows, folder: Path, category: Category) -> None:
        names = document_names(category)
        questions = read_questions(
            (folder / "questions-dev.csv").read_bytes(), filename="questions-dev.csv"
        )
        for question in questions:
            expected = names.get(normalize_question(question.expected_document), set())
            rows.add(question.text, category_id=category.pk, expected=expected or {-1})
        out = folder / "out-of-scope-dev.csv"
        for text in read_question_column(out.read_bytes(), filename=out.name, column="question"):
            rows.add(text, category_id=category.pk, expected=None)


def _share(flags: list[bool]) -> str:
    return f"{sum(flags) / len(flags):.3f}" if flags else "-"
