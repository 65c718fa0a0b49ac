"""The activity list's totals by status, from the progress model.

The list lives in activities, which cannot import progress; its results template loads
this tag instead, which counts through progress what the list shows: the same filters
(those the page leaves out, left out; those it fixes, fixed), for the same reader, over the
chosen programme or every programme the list spans.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

from activities.models import ActivityStatus
from goals.models import Programme
from progress.query import FilterRefused, query_for
from progress.querysets import STATUSES, programme_totals, zero_counts

register = template.Library()


def list_filters(context: template.Context) -> QueryDict:
    """The query parameters as the page's filter set applies them."""
    request = context["request"]
    view = context.get("view")
    data = request.GET.copy()
    for name in getattr(view, "excluded_filters", ()):
        data.pop(name, None)
    for name, values in (view.fixed_filters() if view is not None else {}).items():
        data.setlist(name, values)
    return data


@register.inclusion_tag("progress/_list_totals.html", takes_context=True)
def programme_totals_by_status(context: template.Context) -> dict[str, Any]:
    """The totals of the programmes the list spans, by status (nothing when the list's
    filters are invalid: the list says why)."""
    filterset = context.get("filterset")
    if filterset is None or not filterset.is_valid():
        return {"totals": None}
    request = context["request"]
    chosen = filterset.form.cleaned_data.get("programme")
    programmes = [chosen] if chosen is not None else list(Programme.objects.order_by("pk"))
    data = list_filters(context)
    counts = zero_counts()
    for programme in programmes:
        try:
            query = query_for(data, user=request.user, programme=programme)
        except FilterRefused:
            return {"totals": None}
        for name, count in programme_totals(query).items():
            counts[name] += count
    labels = dict(ActivityStatus.choices)
    return {
        "totals": counts,
        "statuses": [(status, labels[status], counts[status]) for status in STATUSES],
    }
