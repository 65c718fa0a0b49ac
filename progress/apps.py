from django.apps import AppConfig


class ProgressConfig(AppConfig):
    """Every count of activities (per goal, objective, priority issue, quarter, and the
    programme's totals); no models of its own."""

    name = "progress"

    def ready(self) -> None:
        # Closing a stock-take (goals) freezes the counts; goals cannot import progress.
        from progress import services  # noqa: F401
        from progress.signals import connect

        # Every write to counted data makes the cached counts stale (progress.cache).
        connect()
