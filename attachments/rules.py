"""Who may add and remove attachments: one rule for the pages and the API."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from activities.models import Activity
from attachments.models import VIEW_ACTIVITY, VIEW_ASSESSMENT, Attachment
from goals.models import GoalAssessment

ADD = "attachments.add_attachment"
DELETE_ANY = "attachments.delete_attachment"
# Adding evidence changes the record: whoever may change it (Editors an activity,
# Programme managers an assessment).
CHANGE_PARENT = {
    Activity: "activities.change_activity",
    GoalAssessment: "goals.change_goalassessment",
}


def records_visible_to(
    user: User | AnonymousUser, model: type[Activity] | type[GoalAssessment]
) -> QuerySet:
    """The activities (through the one gate) or assessments whose attachments `user` may
    see: what a URL naming a record looks it up in (anything else is 404)."""
    if model is Activity:
        if not user.has_perm(VIEW_ACTIVITY):
            return Activity.objects.none()
        return Activity.objects.visible_to(user)
    if not user.has_perm(VIEW_ASSESSMENT):
        return GoalAssessment.objects.none()
    return GoalAssessment.objects.select_related("stocktake")


def parent_of(attachment: Attachment) -> Activity | GoalAssessment:
    return attachment.activity if attachment.activity_id else attachment.assessment


def may_add(user: User | AnonymousUser, parent: Activity | GoalAssessment) -> bool:
    return bool(
        user.is_active and user.has_perm(ADD) and user.has_perm(CHANGE_PARENT[type(parent)])
    )


def may_delete(user: User | AnonymousUser, attachment: Attachment) -> bool:
    """Programme managers remove any attachment; Editors their own."""
    if not user.is_active:
        return False
    if user.has_perm(DELETE_ANY):
        return True
    return attachment.uploaded_by_id == user.pk and may_add(user, parent_of(attachment))
