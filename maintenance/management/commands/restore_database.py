from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from itpp.signals import bulk_write
from maintenance.backups import database_settings, restore


class Command(BaseCommand):
    help = "Restore a backup made by backup_database, replacing the database's contents."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--database-url", help="Restore into this database instead.")
        parser.add_argument("--noinput", action="store_true", help="Do not ask to confirm.")

    def handle(self, *args, file: Path, database_url, noinput: bool, **options) -> None:
        name = database_settings(database_url)["NAME"]
        if not noinput:
            answer = input(f"This replaces everything in database '{name}' with {file}. Type yes: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        restore(file, database_url)
        # Everything changed under the caches that derive from the data (progress counts).
        bulk_write.send(sender=None)
        self.stdout.write(self.style.SUCCESS(f"Restored {file} into '{name}'."))
