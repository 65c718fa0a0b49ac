"""Revokes every API token of a user at once (for example when a key may have leaked)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from knox.models import AuthToken


class Command(BaseCommand):
    help = "Revoke (delete) all API tokens of USERNAME; they stop working immediately."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        if not get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"There is no user {username!r}.")
        deleted, _ = AuthToken.objects.filter(user__username=username).delete()
        self.stdout.write(f"Revoked {deleted} API token(s) of {username!r}.")
