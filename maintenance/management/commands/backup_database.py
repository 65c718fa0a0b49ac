from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from maintenance.backups import backup, default_backup_path


class Command(BaseCommand):
    help = "Write a timestamped pg_dump of the database (custom format) into backups/."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output-dir", default=str(Path(settings.BASE_DIR) / "backups"), type=Path
        )
        parser.add_argument("--file", type=Path, help="Exact file name instead of a timestamp.")
        parser.add_argument("--database-url", help="Back up this database instead.")

    def handle(self, *args, output_dir: Path, file: Path | None, database_url, **options) -> None:
        target = backup(file or default_backup_path(output_dir), database_url)
        self.stdout.write(str(target))
