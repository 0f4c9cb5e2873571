from django.conf import settings
from django.core.management.base import BaseCommand

from chat.retention import purge_expired


class Command(BaseCommand):
    help = (
        "Delete the conversations untouched for CONVERSATION_RETENTION_DAYS, with their "
        "questions, answers and ratings, and the API tasks as old. Run it daily (cron)."
    )

    def handle(self, *args, **options) -> None:
        days = settings.CONVERSATION_RETENTION_DAYS
        if days <= 0:
            self.stdout.write("CONVERSATION_RETENTION_DAYS is 0: conversations are kept forever.")
            return
        report = purge_expired()
        self.stdout.write(
            f"Deleted {report.conversations} conversation(s) and {report.answer_tasks} "
            f"API task(s) older than {days} days."
        )
