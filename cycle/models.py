"""The programme cycle: follow-up actions owed after an activity."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from cycle.querysets import FollowUpQuerySet
from goals.models import PartnershipGoal
from itpp.db import FieldCheckConstraint
from itpp.history import tracked


class FollowUpStatus(models.TextChoices):
    # The context keeps each word apart from the same English word elsewhere (a stock-take
    # is "open" too) and agrees with the badge (templates/cycle/_follow_up_status.html).
    OPEN = "open", pgettext_lazy("follow-up status", "Open")
    DONE = "done", pgettext_lazy("follow-up status", "Done")
    DROPPED = "dropped", pgettext_lazy("follow-up status", "Dropped")


def can_see_activity(user: models.Model, activity: Activity) -> bool:
    """Whether `user` may see `activity` through the one gate (role and visibility)."""
    return (
        user.is_active
        and user.has_perm("activities.view_activity")
        and Activity.objects.visible_to(user).filter(pk=activity.pk).exists()
    )


class FollowUp(models.Model):
    """An action someone must carry out by a date, after an activity (a consultation's
    follow-up, an exercise's lesson). It is seen exactly by those who see its activity."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("activity")
    )
    text = models.TextField(
        _("action"),
        validators=[MaxLengthValidator(2000)],
        help_text=_("What must be done."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        help_text=_("Who carries it out; they must be able to see the activity."),
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    goal = models.ForeignKey(
        PartnershipGoal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("partnership goal"),
        help_text=_("Optional: the goal of the activity's programme it serves."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("updated by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FollowUpQuerySet.as_manager()
    history = tracked()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        indexes = [
            # The overdue lists (attention, digests): open ones by due date.
            models.Index(
                fields=["due_date"], condition=Q(status="open"), name="follow_up_open_due"
            ),
        ]
        constraints = [
            FieldCheckConstraint(
                field="status",
                condition=Q(status__in=FollowUpStatus.values),
                name="follow_up_status_valid",
                violation_error_message=_("Choose one of the statuses."),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", args=[self.activity_id]) + f"#follow-up-{self.pk}"

    def is_overdue(self, today: date) -> bool:
        return self.status == FollowUpStatus.OPEN and self.due_date < today

    def days_overdue(self, today: date) -> int:
        return max((today - self.due_date).days, 0)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        activity = self.activity if self.activity_id else None
        if (
            activity is not None
            and self.goal_id is not None
            and self.goal.programme_id != activity.programme_id
        ):
            errors["goal"] = gettext(
                "Choose a goal of the activity's programme “%(programme)s”."
            ) % {"programme": activity.programme}
        # Whoever owns an action is told of it (and mailed about it): never someone who may
        # not see its activity.
        if (
            activity is not None
            and self.owner_id is not None
            and not can_see_activity(self.owner, activity)
        ):
            errors["owner"] = gettext("This user cannot see the activity; choose someone who can.")
        if errors:
            raise ValidationError(errors)
