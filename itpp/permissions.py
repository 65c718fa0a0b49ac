"""Permission mixins every app's pages share."""

from django.contrib.auth.mixins import PermissionRequiredMixin


class RolePermissionMixin(PermissionRequiredMixin):
    """A signed-in user without the permission gets 403 (never a login loop).

    Anonymous visitors never get here: LoginRequiredMiddleware sends them to the login page.
    """

    raise_exception = True
