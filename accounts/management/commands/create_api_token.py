"""Creates an API token for a user and prints it: the only time the key can be seen."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from knox.models import AuthToken


class Command(BaseCommand):
    help = (
        "Create an API token for USERNAME and print it (last line). Only a hash is stored, "
        "so the key cannot be shown again; revoke it in the admin (Knox › Auth tokens) "
        "or with revoke_api_tokens."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--expires-days",
            type=int,
            default=90,
            help="Days until the token expires (default 90).",
        )

    def handle(self, *args, username: str, expires_days: int, **options) -> None:
        if expires_days < 1:
            raise CommandError("--expires-days must be 1 or more.")
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"The account {username!r} is disabled.")
        if not user.is_superuser and not user.groups.exists():
            self.stderr.write(
                f"Warning: {username!r} has no role group, so the API will refuse it (403) "
                "until it is given one."
            )
        token, key = AuthToken.objects.create(user=user, expiry=timedelta(days=expires_days))
        self.stdout.write(
            f"API token for {username!r}, valid until {token.expiry:%Y-%m-%d %H:%M %Z}. "
            "Send it as the header `Authorization: Token <key>`; it is not shown again:"
        )
        self.stdout.write(key)
