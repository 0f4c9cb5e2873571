import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from chat.user_data import delete_user_data, export_user_data


class Command(BaseCommand):
    help = (
        "Export (--export FILE.json, - for the standard output) or delete (--delete) what "
        "Cassandre holds about a user: conversations, ratings, proposed corrections, API tasks."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--export", metavar="FILE", help="Write the data there as JSON.")
        action.add_argument("--delete", action="store_true", help="Delete the data.")
        parser.add_argument(
            "--delete-account", action="store_true", help="With --delete: the account too."
        )
        parser.add_argument("--yes", action="store_true", help="Delete without asking.")

    def handle(self, *args, username: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Unknown user {username!r}.")
        if options["delete_account"] and not options["delete"]:
            raise CommandError("--delete-account goes with --delete.")
        if options["export"]:
            self.export(user, options["export"])
        else:
            self.delete(user, delete_account=options["delete_account"], ask=not options["yes"])

    def export(self, user, path: str) -> None:
        data = json.dumps(
            export_user_data(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
        )
        if path == "-":
            self.stdout.write(data)
            return
        with open(path, "w", encoding="utf-8") as file:
            file.write(data + "\n")
        self.stderr.write(f"Data of {user.get_username()} written to {path}.")

    def delete(self, user, *, delete_account: bool, ask: bool) -> None:
        what = "data and account" if delete_account else "data"
        if ask and not self.confirmed(f"Delete the {what} of {user.get_username()}? [y/N] "):
            raise CommandError("Nothing deleted.")
        report = delete_user_data(user, delete_account=delete_account)
        self.stdout.write(
            f"Deleted {report.conversations} conversation(s) ({report.exchanges} question(s)), "
            f"{report.feedback} rating(s), {report.proposals} proposed correction(s), "
            f"{report.answer_tasks} API task(s)"
            + (", and the account." if report.account_deleted else ".")
        )

    def confirmed(self, prompt: str) -> bool:
        try:
            return input(prompt).strip().lower() in {"y", "yes", "o", "oui"}
        except EOFError:
            return False
