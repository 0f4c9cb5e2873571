from django.core.management.base import BaseCommand, CommandError

from documents.index_check import KINDS, check_index
from documents.models import IndexCheck


class Command(BaseCommand):
    help = (
        "Compare the database with the vector store and list the drift, per kind; exit with "
        "status 1 if there is any (for monitoring). --repair repairs it and says what it did."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--repair",
            action="store_true",
            help="Delete the stray passages and queue the documents to index again.",
        )

    def handle(self, *args, repair: bool, **options) -> None:
        check = check_index(repair=repair)
        self.write_table(check)
        if check.error:
            raise CommandError(f"The check did not finish: {check.error}")
        if not check.drift_found:
            self.stdout.write(
                self.style.SUCCESS("No drift: the vector store matches the database.")
            )
        elif repair:
            self.stdout.write(self.style.SUCCESS(f"Repaired: {sum(check.repaired.values())}."))
        else:
            raise CommandError(
                f"Drift found: {check.drift_found}. Run with --repair to repair it.", returncode=1
            )

    def write_table(self, check: IndexCheck) -> None:
        header = f"{'kind':<20} {'found':>7}"
        if check.repair:
            header += f" {'repaired':>9}"
        self.stdout.write(f"{header}  examples (ids)")
        for kind in KINDS:
            if kind not in check.found:
                continue
            line = f"{kind:<20} {check.found[kind]:>7}"
            if check.repair:
                line += f" {check.repaired.get(kind, 0):>9}"
            examples = ", ".join(str(pk) for pk in check.examples.get(kind, []))
            self.stdout.write(f"{line}  {examples}")
