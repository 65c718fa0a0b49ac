"""The programme framework: what NATO and a partner agreed to work towards.

A Programme is one partner's ITPP for one cycle. Its Strategic Objectives and priority
issues structure the Partnership Goals, against which activities are logged.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from goals.querysets import (
    PartnershipGoalQuerySet,
    PriorityIssueQuerySet,
    ProgrammeQuerySet,
    StrategicObjectiveQuerySet,
)
from itpp.db import FieldCheckConstraint

YEAR_VALIDATORS = [MinValueValidator(1994), MaxValueValidator(2100)]


class Programme(models.Model):
    partner = models.CharField(max_length=100, help_text="The partner nation, e.g. Japan.")
    name = models.CharField(max_length=255)
    start_year = models.PositiveSmallIntegerField(validators=YEAR_VALIDATORS)
    end_year = models.PositiveSmallIntegerField(validators=YEAR_VALIDATORS)
    description = models.TextField(blank=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-start_year", "partner"]
        constraints = [
            FieldCheckConstraint(
                field="end_year",
                condition=Q(start_year__lte=F("end_year")),
                name="programme_start_year_not_after_end_year",
                violation_error_message="The end year cannot be before the start year.",
            ),
            models.UniqueConstraint(
                fields=["partner", "start_year"],
                name="programme_unique_partner_cycle",
                violation_error_message="This partner already has a programme starting that year.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} ITPP {self.start_year}–{self.end_year}"

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class StrategicObjective(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="strategic_objectives"
    )
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)

    objects = StrategicObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="objective_unique_number_per_programme",
                violation_error_message="This programme already has an objective with this number.",
            ),
        ]

    def __str__(self) -> str:
        return f"SO{self.number}: {self.title}"


class PriorityIssue(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="priority_issues"
    )
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(26)],
        help_text="Its place in the programme: 1 for (a), 2 for (b) and so on.",
    )
    title = models.CharField(max_length=255)

    objects = PriorityIssueQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="priority_issue_unique_number_per_programme",
                violation_error_message=(
                    "This programme already has a priority issue with this number."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter}. {self.title}"

    @property
    def letter(self) -> str:
        """The letter the programme text gives it: (a), (b), …"""
        return chr(ord("a") + self.number - 1)


class PartnershipGoal(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="partnership_goals"
    )
    priority_issue = models.ForeignKey(
        PriorityIssue, on_delete=models.PROTECT, related_name="partnership_goals"
    )
    title = models.CharField(max_length=255)
    statement = models.TextField(help_text="The goal's full sentence from the programme text.")
    order = models.PositiveSmallIntegerField(
        help_text="Its place in the programme's list of goals."
    )

    objects = PartnershipGoalQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "order"],
                name="goal_unique_order_per_programme",
                violation_error_message="This programme already has a goal at this position.",
            ),
            models.UniqueConstraint(
                fields=["programme", "title"],
                name="goal_unique_title_per_programme",
                violation_error_message="This programme already has a goal with this title.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("goals:detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if (
            self.programme_id
            and self.priority_issue_id
            and self.priority_issue.programme_id != self.programme_id
        ):
            raise ValidationError(
                {"priority_issue": "Choose a priority issue of the goal's own programme."}
            )
