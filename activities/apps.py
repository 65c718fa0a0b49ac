from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "Activity log"

    def ready(self) -> None:
        from activities import signals  # noqa: F401  (connects the receivers)
