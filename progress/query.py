"""The one question every count answers: which activities, for whom.

A `ProgressQuery` is built from the activity filters (`ActivityFilterSet`, the same the
list and the API use) and the user's visibility. Every entry point (the progress API, the
dashboard, the goal pages, the reports, the stock-take snapshot) builds one and hands it
to `progress.querysets`; none of them filters or counts activities itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy

from activities.filters import ActivityFilterSet
from activities.models import Activity
from activities.querysets import visibility
from goals.models import Programme

# Parameters of the filter set that change no count (only the order of a list).
ORDER_ONLY = frozenset({"ordering"})


class FilterRefused(Exception):
    """Filters that are invalid, or that an entry point cannot honour: `errors` maps each
    parameter's name to its messages (a 400 in the API, a message above a page's results)."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {name: list(messages) for name, messages in errors.items()}
        super().__init__(self.message)

    @property
    def message(self) -> str:
        # str(): the messages may be lazily translated (gettext_lazy), which join() refuses.
        return "; ".join(
            f"{name}: {' '.join(str(m) for m in msgs)}" for name, msgs in self.errors.items()
        )


def filter_names() -> list[str]:
    """The query parameters of the activity filters (a range filter has two)."""
    names = []
    for name, filter_ in ActivityFilterSet.base_filters.items():
        # From the classes: building `filter_.field` here would cache a form field on the
        # shared base filter, and every filter set copied from it would keep that field
        # (and ignore the widgets and choices a page sets).
        widget = getattr(filter_.field_class, "widget", None)
        suffixes = getattr(widget, "suffixes", None)
        if suffixes:
            names.extend(f"{name}_{suffix}" for suffix in suffixes)
        else:
            names.append(name)
    return names


@dataclass(frozen=True)
class ProgressQuery:
    """The activities of `programme` that match the filters and that the reader may see."""

    programme: Programme
    activities: QuerySet[Activity]
    # The filter parameters given with a value (what was asked, as sent).
    applied: dict[str, list[str]] = field(default_factory=dict)
    # None when the reader sees every activity, restricted ones included.
    visible: Q | None = None
    # The filters' values as the filter set cleaned them.
    cleaned: dict[str, Any] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        return self.cleaned.get("year")

    @property
    def sees_restricted(self) -> bool:
        return self.visible is None


def _given(data: QueryDict | Mapping[str, Any]) -> dict[str, list[str]]:
    names = set(filter_names())
    given: dict[str, list[str]] = {}
    for name in names:
        if isinstance(data, QueryDict):
            values = [v for v in data.getlist(name) if v != ""]
        else:
            raw = data.get(name)
            values = [str(v) for v in (raw if isinstance(raw, list | tuple) else [raw]) if v]
        if values:
            given[name] = values
    return given


def build_query(
    data: QueryDict | Mapping[str, Any],
    *,
    programme: Programme,
    visible: Q | None,
    refuse: Iterable[str] = (),
    refusal: str = gettext_lazy("This filter cannot be applied here."),
) -> ProgressQuery:
    """Filter the programme's activities visible under `visible` by `data` (query
    parameters as the activity list takes them). Parameters that are no filter are
    ignored, as DRF ignores them; filters named in `refuse` that carry a value, and
    invalid values, raise FilterRefused."""
    given = _given(data)
    refused = {name: [refusal] for name in refuse if name in given}
    if refused:
        raise FilterRefused(refused)
    # Drafts are never counted, whoever reads (the gate hides them only from some).
    activities = Activity.objects.filter(programme=programme).without_drafts()
    if visible is not None:
        activities = activities.filter(visible)
    filterset = ActivityFilterSet(data, queryset=activities)
    if not filterset.is_valid():
        raise FilterRefused(filterset.errors)
    # No order: counts do not need one, and a list asks for its own.
    activities = filterset.qs.order_by()
    # django-filter marks multiple-choice filters DISTINCT; every filter here is a column
    # condition or an EXISTS (no join), so no row can repeat, and DISTINCT would only make
    # PostgreSQL sort or hash every matching row before counting.
    activities.query.distinct = False
    return ProgressQuery(
        programme=programme,
        activities=activities,
        applied=given,
        visible=visible,
        cleaned=dict(filterset.form.cleaned_data),
    )


def query_for(
    data: QueryDict | Mapping[str, Any],
    *,
    user: User | AnonymousUser,
    programme: Programme,
    refuse: Iterable[str] = (),
    refusal: str = gettext_lazy("This filter cannot be applied here."),
) -> ProgressQuery:
    """`build_query()` for what `user` may see (the `visible_to()` gate)."""
    return build_query(
        data, programme=programme, visible=visibility(user), refuse=refuse, refusal=refusal
    )


def describe_filters(applied: Mapping[str, list[str]], cleaned: Mapping[str, Any]) -> list[str]:
    """The filters in words, for a report's first page: `Label: value, value`, with names
    for ids and labels for codes where the filter set knows them."""
    described = []
    for name, values in sorted(applied.items()):
        base, _, end = name.rpartition("_")
        if end not in ("after", "before") or base not in ActivityFilterSet.base_filters:
            base, end = name, ""
        filter_ = ActivityFilterSet.base_filters.get(base)
        label = str(filter_.label or base) if filter_ is not None else name
        label = label[:1].upper() + label[1:]
        if end == "after":
            label = gettext("%(filter)s from") % {"filter": label}
        elif end == "before":
            label = gettext("%(filter)s to") % {"filter": label}
        value = cleaned.get(base)
        if isinstance(value, Model):
            shown = [str(value)]
        elif isinstance(value, list | tuple | QuerySet) and value and isinstance(value[0], Model):
            shown = [str(item) for item in value]
        else:
            choices = filter_.extra.get("choices") if filter_ is not None else None
            if callable(choices):  # read when used (the nations of the organisations)
                choices = choices()
            choices = dict(choices or [])
            shown = [str(choices.get(item, item)) for item in values]
        described.append(
            gettext("%(filter)s: %(values)s") % {"filter": label, "values": ", ".join(shown)}
        )
    return described
