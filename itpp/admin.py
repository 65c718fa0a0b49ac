"""What every ModelAdmin of the project shares."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin (a *History* page per object, and a form per version
    to revert to it), with the revert guarded.

    simple-history shows a version's form to anyone who may view the object, and saves
    whatever is posted to it: a staff Viewer could revert (change) an object. Posting
    takes what the change form takes: the permission to change the object as it stands,
    or, for an object deleted since, what `may_restore()` says.
    """

    def may_restore(self, request: HttpRequest) -> bool:
        """Whether `request.user` may bring back a deleted object from its history."""
        return self.has_add_permission(request) and self.has_delete_permission(request)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: Any,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST":
            current: Model | None = self.get_object(request, unquote(object_id))
            if current is None:
                try:
                    exists = self.model._default_manager.filter(pk=unquote(object_id)).exists()
                except (ValueError, ValidationError):
                    raise Http404 from None
                if exists or not self.may_restore(request):
                    raise PermissionDenied
            elif not self.has_change_permission(request, current):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
