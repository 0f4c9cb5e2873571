from django.conf import settings
from django.core.management.base import BaseCommand

from common.services import ensure_superuser


class Command(BaseCommand):
    help = (
        "Create the administrator from DJANGO_SUPERUSER_USERNAME/EMAIL/PASSWORD if it does "
        "not exist. Without a password, one is generated and printed once."
    )

    def handle(self, *args, **options) -> None:
        outcome = ensure_superuser(
            username=settings.DJANGO_SUPERUSER_USERNAME,
            email=settings.DJANGO_SUPERUSER_EMAIL,
            password=settings.DJANGO_SUPERUSER_PASSWORD,
        )
        if not outcome.created:
            self.stdout.write(f"Superuser {outcome.username!r} already exists.")
        elif outcome.generated_password:
            self.stdout.write(
                self.style.WARNING(
                    f"Superuser {outcome.username!r} created with the generated password "
                    f"{outcome.generated_password}\nIt is shown only this once: note it, "
                    "or set DJANGO_SUPERUSER_PASSWORD before the first start."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Superuser {outcome.username!r} created."))
