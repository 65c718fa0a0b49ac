"""Creates the first administrator with a random password, printed once.

There is never a fixed default password: if no superuser exists yet, one is created
with a fresh random password that only this run shows; otherwise nothing changes.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the first superuser with a random password, if there is none yet."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="")

    def handle(self, *args, username: str, email: str, **options) -> None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "An administrator already exists; no account was created. "
                "(Forgotten password? python manage.py changepassword USERNAME)"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email=email, password=password)
        self.stdout.write(
            self.style.SUCCESS("Created the first administrator. This password is shown once:")
        )
        self.stdout.write(f"  username: {username}\n  password: {password}")
