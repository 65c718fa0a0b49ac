"""The framework's admin pages, with what they show of activities.

goals/admin.py registers the framework's admin and cannot know activities (goals sits
below them); here its pages are registered again with each objective's and goal's count of
the activities the staff user may see, a goal's latest activities, and a programme's delete
page that counts restricted activities without naming them.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from activities.querysets import visibility
from goals import admin as goals_admin
from goals.models import PartnershipGoal, Programme, StrategicObjective

GOAL_ACTIVITIES_SHOWN = 20


def with_visible_activity_counts(
    queryset: QuerySet, user: AbstractBaseUser | AnonymousUser
) -> QuerySet:
    """The rows annotated with the number of activities `user` may see (`activities_total`),
    each linked activity once, as progress counts them (the link tables hold each pair once;
    a test compares the two)."""
    # Counted as progress counts them: drafts never (an Editor sees them, none counts them).
    visible = Activity.objects.visible_to(user).without_drafts().values("pk")
    counted = queryset.annotate(
        activities_total=Count("activities", filter=Q(activities__in=visible))
    )
    # Meta.ordering does not apply to a GROUP BY query; the autocompletes page through it.
    return counted.order_by(*queryset.model._meta.ordering)


def activities_changelist_link(query: str, count: int) -> str:
    url = reverse("admin:activities_activity_changelist")
    label = ngettext("%(count)d activity", "%(count)d activities", count) % {"count": count}
    return format_html('<a href="{}?{}">{}</a>', url, query, label)


class ProgrammeAdmin(goals_admin.ProgrammeAdmin):
    def get_deleted_objects(self, objs, request: HttpRequest) -> tuple:
        """The delete page lists the activities that keep a programme from being deleted;
        restricted ones are counted, not named, for whoever may not see them."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        condition = visibility(request.user)
        if condition is None:
            return deleted, counts, perms_needed, protected
        hidden = [
            str(activity)
            for programme in objs
            for activity in programme.activities.exclude(condition)
        ]
        if hidden:
            # The entries are "Activity: <name>" (linked or not), made by Django's admin.
            names = {escape(name) for name in hidden} | set(hidden)
            protected = [
                entry
                for entry in protected
                if not any(str(entry).endswith((name, f"{name}</a>")) for name in names)
            ]
            protected.append(
                ngettext(
                    "%(count)d restricted activity", "%(count)d restricted activities", len(hidden)
                )
                % {"count": len(hidden)}
            )
        return deleted, counts, perms_needed, protected


class StrategicObjectiveAdmin(goals_admin.StrategicObjectiveAdmin):
    list_display = [*goals_admin.StrategicObjectiveAdmin.list_display, "activity_count"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return with_visible_activity_counts(super().get_queryset(request), request.user)

    @admin.display(description=_("Activities"), ordering="activities_total")
    def activity_count(self, obj: StrategicObjective) -> str:
        return activities_changelist_link(f"objectives__id__exact={obj.pk}", obj.activities_total)


class PartnershipGoalAdmin(goals_admin.PartnershipGoalAdmin):
    list_display = [*goals_admin.PartnershipGoalAdmin.list_display, "activity_count"]
    fields = [*goals_admin.PartnershipGoalAdmin.fields, "recent_activities"]
    readonly_fields = ["recent_activities"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return with_visible_activity_counts(super().get_queryset(request), request.user)

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        goal = super().get_object(request, object_id, from_field)
        if goal is not None:
            # Read-only fields get the object alone; this says whose eyes they are for.
            goal.shown_to = request.user
        return goal

    @admin.display(description=_("Activities"), ordering="activities_total")
    def activity_count(self, obj: PartnershipGoal) -> str:
        return activities_changelist_link(f"goals__id__exact={obj.pk}", obj.activities_total)

    @admin.display(description=_("Activities under this goal"))
    def recent_activities(self, obj: PartnershipGoal) -> str:
        user = getattr(obj, "shown_to", None)
        if obj.pk is None or user is None:
            return "—"  # e.g. a historical version's page: the list is today's anyway
        visible = obj.activities.visible_to(user)
        activities = visible.order_by("-start_date", "-id")[:GOAL_ACTIVITIES_SHOWN]
        if not activities:
            return gettext("None yet.")
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> — {}, {}</li>',
            (
                (
                    reverse("admin:activities_activity_change", args=[a.pk]),
                    a.display_title,
                    date_format(a.start_date, "DATE_FORMAT"),
                    a.get_status_display(),
                )
                for a in activities
            ),
        )
        total = visible.count()
        return format_html(
            "<ul>{}</ul><p>{}</p>",
            items,
            activities_changelist_link(f"goals__id__exact={obj.pk}", total),
        )


for model, model_admin in [
    (Programme, ProgrammeAdmin),
    (StrategicObjective, StrategicObjectiveAdmin),
    (PartnershipGoal, PartnershipGoalAdmin),
]:
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
