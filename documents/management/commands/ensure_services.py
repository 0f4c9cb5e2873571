from django.core.management.base import BaseCommand, CommandError

from ai.vectorstore import VectorStoreError, get_vector_store
from common.services import ensure_storage_ready


class Command(BaseCommand):
    help = "Create the storage bucket if missing and check the vector store answers."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Storage ready: {ensure_storage_ready()}.")
        try:
            get_vector_store().ping()
        except VectorStoreError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Vector store ready.")
