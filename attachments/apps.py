from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    name = "attachments"
    verbose_name = _("Attachments")

    def ready(self) -> None:
        # The activity's change log shows attachments added and removed; activities cannot
        # import this app (it sits above), so it registers its events there.
        from activities.history import EVENT_SOURCES
        from attachments.history import attachment_events

        if attachment_events not in EVENT_SOURCES:
            EVENT_SOURCES.append(attachment_events)
