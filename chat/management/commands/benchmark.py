import asyncio
from pathlib import Path

from django.core.management.base import CommandError
from tqdm import tqdm

from chat.answer_benchmark import (
    DEFAULT_CONCURRENCY,
    run_answer_benchmark,
    summarize,
    write_benchmark_workbook,
)
from chat.management.commands.base import PROVIDER_HELP, AnswerCommand
from common.question_files import QuestionFileError, read_question_column


class Command(AnswerCommand):
    help = (
        "Answer the questions of a CSV or XLSX column with several providers, several at "
        "once, and write the answers side by side in a workbook: answer, sources, latency, "
        "first token, tokens, outcome and error per provider."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--input", type=Path, required=True, help="CSV or XLSX file.")
        parser.add_argument(
            "--column", required=True, help="The questions' column: header or number from 1."
        )
        self.add_answer_arguments(parser)
        parser.add_argument(
            "--providers", required=True, help=f"Comma-separated, each {PROVIDER_HELP}."
        )
        parser.add_argument("--output", type=Path, required=True, help="XLSX file to write.")
        parser.add_argument(
            "--concurrency",
            type=int,
            default=DEFAULT_CONCURRENCY,
            help="Answers written at once, all providers together.",
        )

    def handle(self, *args, column: str, output: Path, **options) -> None:
        names = list(dict.fromkeys(n.strip() for n in options["providers"].split(",") if n.strip()))
        if not names:
            raise CommandError("--providers names no provider.")
        if options["concurrency"] < 1:
            raise CommandError("--concurrency must be 1 or more.")
        providers = {name: self.find_provider(name) for name in names}
        slug = self.find_category(options["category"]).slug
        user_id = self.find_user_id(options["user"])
        source: Path = options["input"]
        try:
            questions = read_question_column(
                source.read_bytes(), filename=source.name, column=column
            )
        except OSError as error:
            raise CommandError(f"Cannot read {source}: {error}") from error
        except QuestionFileError as error:
            raise CommandError(error.message) from error
        if not questions:
            raise CommandError(f"No question in column {column!r} of {source}.")

        with tqdm(
            total=len(questions) * len(providers),
            desc="Answering",
            unit="answer",
            file=getattr(self.stderr, "_out", self.stderr),
            disable=options["verbosity"] == 0,
        ) as bar:
            rows = asyncio.run(
                run_answer_benchmark(
                    questions=questions,
                    providers=providers,
                    user_id=user_id,
                    category_slug=slug,
                    concurrency=options["concurrency"],
                    on_answer=lambda: bar.update(1),
                )
            )
        write_benchmark_workbook(rows, providers=names, path=output)
        self.stdout.write(f"{len(rows)} question(s), written to {output}.")
        for name in names:
            summary = summarize(rows, name=name)
            self.stdout.write(
                f"  {name}: {summary.answered} answered, {summary.failed} failed, "
                f"median latency {_ms(summary.median_latency_ms)}, "
                f"median first token {_ms(summary.median_first_token_ms)}, "
                f"faithfulness {_share(summary.mean_faithfulness)}"
            )


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
