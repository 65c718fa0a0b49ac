"""Base views of the API: DRF authenticates, so Django's login redirect stays out of the way."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, viewsets
from rest_framework import views as drf_views
from rest_framework.request import Request

# Primary keys are bigints; anything but digits is not an id and gets a 404 before a query.
ID_PATTERN = "[0-9]+"


class AtomicHandlerMixin:
    """One transaction for the view's work, not for the checks before it.

    `ATOMIC_REQUESTS` would wrap the whole request, so the throttle counters written while a
    request is checked (in the database cache, when there is no Redis) would be rolled back
    with every refused request (DRF rolls back on each API error), and a user's counter row
    would stay locked until their request finished, queueing their parallel requests. Here
    the checks run outside it, each cache write committing at once, and only the handler,
    where the writes happen, runs in one transaction: a write still happens completely or
    not at all.
    """

    # Viewset actions that only read (e.g. "list"): for a safe method they run without the
    # transaction, which saves its BEGIN and COMMIT, two round trips to the database per
    # request (see docs/performance.md). At READ COMMITTED a transaction gives each
    # statement its own snapshot anyway, so their answers are the same; a write in such an
    # action would be a bug (and would still be atomic on its own).
    read_only_actions: frozenset[str] = frozenset()

    @classmethod
    def as_view(cls, *args: Any, **initkwargs: Any):
        return transaction.non_atomic_requests(super().as_view(*args, **initkwargs))

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if (
            request.method in ("GET", "HEAD", "OPTIONS")
            and getattr(self, "action", None) in self.read_only_actions
        ):
            return
        # Let in: DRF calls the method's handler next, looked up by this name.
        name = request.method.lower()
        handler = getattr(self, name, None)
        if handler is not None and name in self.http_method_names:
            setattr(self, name, transaction.atomic(handler))

    def handle_exception(self, exc: Exception):
        # The handler's transaction is already rolled back by now. DRF's error handling marks
        # "the current transaction" for rollback: give it an empty one of its own, so that it
        # cannot reach a transaction around this request (a test's, or the counters').
        with transaction.atomic():
            return super().handle_exception(exc)


class LoginExemptMixin:
    """Takes API views out of `LoginRequiredMiddleware`.

    The middleware would answer an anonymous API call with a redirect to the HTML login
    page; API clients must get 401 instead, which DRF's authentication and permission
    classes give. Every API view derives from this mixin, so none can be forgotten, whether
    or not the installed DRF version marks its views itself.
    """

    @classmethod
    def as_view(cls, *args: Any, **initkwargs: Any):
        return login_not_required(super().as_view(*args, **initkwargs))


class ThrottleRefusalsMixin:
    """Counts refused requests against the rates too.

    DRF checks the throttles only after authentication and permissions have passed, so
    requests with a bad token or none (all refused with 401) would never be throttled,
    and guessing tokens would be free. Here they count against the `anon` rate (by
    client address) and get 429 once it is spent.
    """

    def perform_authentication(self, request: Request) -> None:
        try:
            super().perform_authentication(request)
        except exceptions.AuthenticationFailed:
            self.check_throttles(request)  # the user is anonymous by now
            raise

    def check_permissions(self, request: Request) -> None:
        try:
            super().check_permissions(request)
        except (exceptions.NotAuthenticated, exceptions.PermissionDenied):
            self.check_throttles(request)
            raise


class APIView(LoginExemptMixin, AtomicHandlerMixin, ThrottleRefusalsMixin, drf_views.APIView):
    pass


class ReadOnlyModelViewSet(
    LoginExemptMixin, AtomicHandlerMixin, ThrottleRefusalsMixin, viewsets.ReadOnlyModelViewSet
):
    lookup_value_regex = ID_PATTERN


class ModelViewSet(
    LoginExemptMixin, AtomicHandlerMixin, ThrottleRefusalsMixin, viewsets.ModelViewSet
):
    lookup_value_regex = ID_PATTERN


@csrf_exempt  # it changes nothing, and the CSRF failure page would be HTML
@login_not_required
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any other path under /api/v1/: a JSON 404, not the HTML page of the site."""
    return JsonResponse({"detail": gettext("Not found.")}, status=404)
