from django.contrib import admin
from django.http import HttpRequest

from feeds.models import CalendarToken


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    """Read-only: links are issued by their owners on the Calendar page. Deleting one
    revokes it (the owner can make a new one); the token itself is never shown."""

    list_display = ["user", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    date_hierarchy = "created_at"
    fields = ["user", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CalendarToken | None = None) -> bool:
        return False
