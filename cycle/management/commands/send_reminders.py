"""Send every user's weekly digest now (beat sends it on Monday mornings)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from cycle.notifications import send_digests


class Command(BaseCommand):
    help = (
        "Send each user's weekly digest now: their activities due for a report, returned "
        "records and overdue follow-up actions. A user already sent one today is skipped."
    )

    def handle(self, *args, **options) -> None:
        sent = send_digests(timezone.localdate())
        self.stdout.write(f"Sent {sent} digest{'s' if sent != 1 else ''}.")
