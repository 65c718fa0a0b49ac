"""Delete the creation keys (Idempotency-Key, form tokens) older than 24 hours."""

from django.core.management.base import BaseCommand

from activities.idempotency import purge_expired


class Command(BaseCommand):
    help = "Delete the creation keys (API Idempotency-Key, form tokens) older than 24 hours."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{purge_expired()} expired creation keys deleted.")
