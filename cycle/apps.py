from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CycleConfig(AppConfig):
    name = "cycle"
    verbose_name = _("Programme cycle")

    def ready(self) -> None:
        # The follow-ups' section of the activity page: activities cannot import this app,
        # so it asks for the section through its registry (activities.panels).
        from activities.panels import register_detail_section
        from cycle.views import follow_ups_section

        register_detail_section(follow_ups_section)
