"""Who may do what: the model permissions of the role groups, reading included."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.permissions import DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """DRF's model permissions, but reading needs `view_<model>` too.

    DRF lets any authenticated user read; here an account without a role group (and so
    without view permissions) gets 403, as everywhere else in the application.

    DRF builds the view's queryset (`get_queryset()`) only to learn its model; a view that
    names it in `permission_model` is spared that (the activity list's queryset applies
    the visibility gate and its joins, a fixed cost of every request: docs/performance.md).
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def _queryset(self, view) -> QuerySet:
        # DRF reads nothing of it but `.model`.
        model = getattr(view, "permission_model", None)
        if model is not None:
            return model._default_manager.none()
        return super()._queryset(view)
