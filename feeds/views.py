"""The calendar feed, read by calendar applications with a secret link, and the page that
issues that link."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    QueryDict,
)
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from activities.filters import ActivityFilterSet
from activities.models import Activity
from feeds.ical import activity_calendar, feed_activities
from feeds.models import CalendarToken
from feeds.services import FEED_PERMISSION, calendar_token_for, may_read_feed, reset_calendar_token
from goals.models import PartnershipGoal
from itpp.permissions import RolePermissionMixin

# The ActivityFilterSet filters a feed URL may carry; anything else in the query is ignored.
FEED_FILTERS = ("goal", "ally", "releasability")


def plain(response_class: type[HttpResponse], text: str) -> HttpResponse:
    return response_class(text + "\n", content_type="text/plain; charset=utf-8")


@login_not_required
@require_safe
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """The planned and ongoing activities the token's owner may see, as iCalendar.

    No session, no login: calendar applications send only the URL, so the token in it
    is the whole authentication. Whatever is wrong with the token, nothing is shown.
    """
    calendar_token = calendar_token_for(request.GET.get("token", ""))
    if calendar_token is None:
        return plain(
            HttpResponseNotFound,
            _(
                "No calendar at this link: it is wrong or was reset. "
                "Get a new link on the Calendar page of ITPP Tracker."
            ),
        )
    user = calendar_token.user
    if not may_read_feed(user):
        return plain(
            HttpResponseForbidden, _("The owner of this link may no longer see activities.")
        )

    data = QueryDict(mutable=True)
    for name in FEED_FILTERS:
        if name in request.GET:
            data.setlist(name, request.GET.getlist(name))
    filters = ActivityFilterSet(data, queryset=Activity.objects.visible_to(user))
    if not filters.is_valid():
        errors = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in filters.errors.items())
        return plain(HttpResponseBadRequest, _("Bad filter. %(errors)s") % {"errors": errors})

    body = activity_calendar(
        feed_activities(filters.qs),
        url_for=lambda activity: request.build_absolute_uri(activity.get_absolute_url()),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="itpp-activities.ics"'
    # The body is one user's view of the data: no shared cache may keep it.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response


@method_decorator(never_cache, name="dispatch")
class CalendarLinkView(RolePermissionMixin, TemplateView):
    """Explains the subscription and issues the link; the link is shown once, on reset."""

    permission_required = FEED_PERMISSION
    template_name = "feeds/calendar.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["calendar_token"] = CalendarToken.objects.filter(user=self.request.user).first()
        context["goals"] = PartnershipGoal.objects.select_related("programme")
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = reset_calendar_token(request.user)
        feed_url = request.build_absolute_uri(
            reverse("feeds:calendar_feed") + "?" + urlencode({"token": token})
        )
        # Rendered, not redirected: the plain token is never stored, not even in the session.
        response = TemplateResponse(
            request,
            self.template_name,
            self.get_context_data(feed_url=feed_url, webcal_url=webcal(feed_url), **kwargs),
        )
        add_never_cache_headers(response)
        return response


def webcal(url: str) -> str:
    """The webcal:// form of a feed URL, which calendar applications open as a subscription."""
    return "webcal://" + url.split("://", 1)[1]
