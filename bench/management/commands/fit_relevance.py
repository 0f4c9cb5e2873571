import re
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ai.evaluation import read_questions
from bench.relevance_fit import Rows, best_scores, fit, threshold_for
from common.question_files import read_question_column
from common.text import normalize_question
from documents.evaluation import document_names
from documents.models import Category, DocumentText


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
        texts = dict(
            DocumentText.objects.filter(document__category=category).values_list(
                "document_id", "text"
            )
        )
        questions = read_questions(
            (folder / "questions-dev.csv").read_bytes(), filename="questions-dev.csv"
        )
        rare = rare_words(texts)
        for question in questions:
            if question.expected_document:
                expected = names.get(normalize_question(question.expected_document), set())
            else:
                answer = normalize_question(question.expected_answer)
                expected = {pk for pk, text in texts.items() if answer in normalize_question(text)}
            rows.add(question.text, category_id=category.pk, expected=expected or {-1})
            if question.expected_document:
                # People also search a document by a name or a reference it holds: the
                # page's own name ("strcpy"), and a word found in it alone, stand for those.
                searches = [keyword_of(question.expected_document)]
                searches += [rare[pk] for pk in sorted(expected) if pk in rare]
                for search in searches:
                    rows.add(search, category_id=category.pk, expected=expected, counted=False)
        out = folder / "out-of-scope-dev.csv"
        for text in read_question_column(out.read_bytes(), filename=out.name, column="question"):
            rows.add(text, category_id=category.pk, expected=None)


def rare_words(texts: dict[int, str]) -> dict[int, str]:
    """For each document, the first word of 8 letters or more that no other document holds."""
    words = {pk: re.findall(r"[^\W\d_]{8,}", text.lower()) for pk, text in texts.items()}
    holders = Counter(word for found in words.values() for word in set(found))
    return {
        pk: word
        for pk, found in words.items()
        for word in [next((w for w in found if holders[w] == 1), "")]
        if word
    }


def keyword_of(document: str) -> str:
    """A man page's name, from its file name ("strcpy.3.md" → "strcpy")."""
    return document.split(".", 1)[0]


def _share(flags: list[bool]) -> str:
    return f"{sum(flags) / len(flags):.3f}" if flags else "-"
