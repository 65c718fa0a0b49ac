import time

from django.core.management.base import BaseCommand, CommandError

from activities import demo


class Command(BaseCommand):
    help = (
        "Fill the database with N realistic demo activities for the loaded programme(s). "
        "Deterministic for a given --seed. The change history of these rows is skipped."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--activities", type=int, required=True, metavar="N")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though the database holds real (non-generated) activities.",
        )
        parser.add_argument(
            "--clear", action="store_true", help="Delete earlier demo activities first."
        )

    def handle(self, *args, activities: int, seed: int, force: bool, clear: bool, **options):
        if activities < 0:
            raise CommandError("--activities must be zero or more.")
        if demo.real_activities_exist() and not force:
            raise CommandError(
                "This database holds real activities; demo data would mix with them. "
                "Use a separate database, or --force if you really mean it."
            )
        if clear:
            self.stdout.write(f"Deleted {demo.clear()} earlier demo activities.")
        started = time.monotonic()
        result = demo.generate(activities, seed=seed)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Created {result.created} demo activities over {result.programmes} programme(s) "
            f"in {elapsed:.1f} s (seed {seed}). Their change history was skipped."
        )
