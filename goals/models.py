"""The programme framework: what NATO and a partner agreed to work towards.

A Programme is one partner's ITPP for one cycle. Its Strategic Objectives and priority
issues structure the Partnership Goals, against which activities are logged.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from goals.querysets import (
    PartnershipGoalQuerySet,
    PriorityIssueQuerySet,
    ProgrammeQuerySet,
    StrategicObjectiveQuerySet,
)
from itpp.db import FieldCheckConstraint, FieldUniqueConstraint
from itpp.history import tracked
from itpp.i18n import BilingualMixin

YEAR_VALIDATORS = [MinValueValidator(1994), MaxValueValidator(2100)]
# What a page that needs a programme says before the first one is entered. Marked, not
# translated here: a plain string that tests and callers can compare; raise it as
# gettext(NO_PROGRAMME).
NO_PROGRAMME = gettext_noop("There is no programme yet: an administrator adds one in the admin.")


class Programme(BilingualMixin, models.Model):
    # Japanese versions of the framework's texts (issue #15): loaded only where an official
    # text exists, never machine-made; pages show `display_<name>` (itpp/i18n.py).
    bilingual_fields = ("name", "description")

    partner = models.CharField(
        _("partner"), max_length=100, help_text=_("The partner nation, e.g. Japan.")
    )
    partner_code = models.CharField(
        _("partner code"),
        max_length=2,
        blank=True,
        validators=[
            RegexValidator(r"^[A-Z]{2}\Z", _("Use the two capital letters of ISO 3166-1 alpha-2."))
        ],
        help_text=_("The partner's ISO 3166-1 alpha-2 code, e.g. JP: the nation of its bodies."),
    )
    name = models.CharField(_("name"), max_length=255)
    name_ja = models.CharField(_("name (Japanese)"), max_length=255, blank=True)
    start_year = models.PositiveSmallIntegerField(_("start year"), validators=YEAR_VALIDATORS)
    end_year = models.PositiveSmallIntegerField(_("end year"), validators=YEAR_VALIDATORS)
    description = models.TextField(_("description"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    public_page = models.BooleanField(
        _("public progress page"),
        default=True,
        help_text=_(
            "Show the programme's framework, its progress and its public activities to "
            "anyone at /public/, without signing in. Off: that page is not found (404)."
        ),
    )

    objects = ProgrammeQuerySet.as_manager()
    history = tracked()

    class Meta:
        ordering = ["-start_year", "partner"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            FieldCheckConstraint(
                field="end_year",
                condition=Q(start_year__lte=F("end_year")),
                name="programme_start_year_not_after_end_year",
                violation_error_message=_("The end year cannot be before the start year."),
            ),
            models.UniqueConstraint(
                fields=["partner", "start_year"],
                name="programme_unique_partner_cycle",
                violation_error_message=_(
                    "This partner already has a programme starting that year."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} ITPP {self.start_year}–{self.end_year}"

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class StrategicObjective(BilingualMixin, models.Model):
    bilingual_fields = ("title", "description")

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="strategic_objectives",
        verbose_name=_("programme"),
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=255)
    title_ja = models.CharField(_("title (Japanese)"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)

    objects = StrategicObjectiveQuerySet.as_manager()
    history = tracked()

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("strategic objective")
        verbose_name_plural = _("strategic objectives")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="objective_unique_number_per_programme",
                violation_error_message=_(
                    "This programme already has an objective with this number."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"SO{self.number}: {self.title}"


class PriorityIssue(BilingualMixin, models.Model):
    bilingual_fields = ("title",)

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="priority_issues",
        verbose_name=_("programme"),
    )
    number = models.PositiveSmallIntegerField(
        _("number"),
        validators=[MinValueValidator(1), MaxValueValidator(26)],
        help_text=_("Its place in the programme: 1 for (a), 2 for (b) and so on."),
    )
    title = models.CharField(_("title"), max_length=255)
    title_ja = models.CharField(_("title (Japanese)"), max_length=255, blank=True)

    objects = PriorityIssueQuerySet.as_manager()
    history = tracked()

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("priority issue")
        verbose_name_plural = _("priority issues")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="priority_issue_unique_number_per_programme",
                violation_error_message=_(
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


class PartnershipGoal(BilingualMixin, models.Model):
    bilingual_fields = ("title", "statement")

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="partnership_goals",
        verbose_name=_("programme"),
    )
    priority_issue = models.ForeignKey(
        PriorityIssue,
        on_delete=models.PROTECT,
        related_name="partnership_goals",
        verbose_name=_("priority issue"),
    )
    title = models.CharField(_("title"), max_length=255)
    title_ja = models.CharField(_("title (Japanese)"), max_length=255, blank=True)
    statement = models.TextField(
        _("statement"), help_text=_("The goal's full sentence from the programme text.")
    )
    statement_ja = models.TextField(_("statement (Japanese)"), blank=True)
    order = models.PositiveSmallIntegerField(
        _("order"), help_text=_("Its place in the programme's list of goals.")
    )

    objects = PartnershipGoalQuerySet.as_manager()
    history = tracked()

    class Meta:
        ordering = ["programme", "order"]
        verbose_name = _("partnership goal")
        verbose_name_plural = _("partnership goals")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "order"],
                name="goal_unique_order_per_programme",
                violation_error_message=_("This programme already has a goal at this position."),
            ),
            models.UniqueConstraint(
                fields=["programme", "title"],
                name="goal_unique_title_per_programme",
                violation_error_message=_("This programme already has a goal with this title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("progress:goal_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if (
            self.programme_id
            and self.priority_issue_id
            and self.priority_issue.programme_id != self.programme_id
        ):
            raise ValidationError(
                {"priority_issue": _("Choose a priority issue of the goal's own programme.")}
            )


class StockTakeStatus(models.TextChoices):
    # A context of its own: a follow-up action is "open" too, in another sense.
    OPEN = "open", pgettext_lazy("stock-take status", "Open")
    CLOSED = "closed", pgettext_lazy("stock-take status", "Closed")


class StockTake(models.Model):
    """One edition of taking stock of the programme's progress, e.g. "2025 annual review".

    While open, goal assessments can be written and changed. Closing it freezes a snapshot
    of the assessments and the activity counts as they stood, so a closed stock-take reads
    the same forever, whatever happens to the activities afterwards.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="stocktakes", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=255)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=StockTakeStatus.choices,
        default=StockTakeStatus.OPEN,
        db_index=True,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("closed by"),
    )
    # Frozen at closing: {"all": {...}, "unrestricted": {...}}, each with the counts per
    # goal, objective and priority issue, and the assessments (see goals/services.py).
    snapshot = models.JSONField(_("snapshot"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked()

    class Meta:
        ordering = ["programme", "-period_end", "-id"]
        verbose_name = _("stock-take")
        verbose_name_plural = _("stock-takes")
        constraints = [
            FieldCheckConstraint(
                field="period_end",
                condition=Q(period_start__lte=F("period_end")),
                name="stocktake_period_start_not_after_end",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["programme", "title"],
                name="stocktake_unique_title_per_programme",
                violation_error_message=_(
                    "This programme already has a stock-take with this title."
                ),
            ),
            # Two open rounds would split the assessments between them and leave "the
            # draft rating" of a goal ambiguous: close one before opening the next.
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(status="open"),
                name="stocktake_one_open_per_programme",
                violation_error_message=_(
                    "This programme already has an open stock-take: close it before "
                    "opening a new one."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display().lower()})"

    def save(self, *args, **kwargs) -> None:
        # The last line of defence for paths that skip full_clean(): a closed stock-take
        # only changes through goals.services.close_stocktake(), which passes _closing.
        if self.was_closed() and not getattr(self, "_closing", False):
            raise ValidationError(CLOSED_MESSAGE)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.was_closed():
            raise ValidationError(CLOSED_MESSAGE)

    @property
    def is_closed(self) -> bool:
        return self.status == StockTakeStatus.CLOSED

    def was_closed(self) -> bool:
        """Whether the stored row is closed (the instance may carry unsaved edits)."""
        if self.pk is None:
            return False
        stored = StockTake.objects.filter(pk=self.pk).values_list("status", flat=True).first()
        return stored == StockTakeStatus.CLOSED


CLOSED_MESSAGE = _("This stock-take is closed and can no longer be changed; open a new one.")


class Rating(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    LIMITED_PROGRESS = "limited_progress", _("Limited progress")
    ON_TRACK = "on_track", _("On track")
    ACHIEVED = "achieved", _("Achieved")
    AT_RISK = "at_risk", _("At risk")


# From worst to best, to say whether a goal improved or declined between two stock-takes.
# "At risk" ranks below "Not started": it says the goal is in trouble, while a goal not yet
# started may simply not be due.
RATING_SCALE = (
    Rating.AT_RISK,
    Rating.NOT_STARTED,
    Rating.LIMITED_PROGRESS,
    Rating.ON_TRACK,
    Rating.ACHIEVED,
)


class GoalAssessment(models.Model):
    """A judgement of one goal's progress, made in one stock-take."""

    stocktake = models.ForeignKey(
        StockTake,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("stock-take"),
    )
    goal = models.ForeignKey(
        PartnershipGoal,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("goal"),
    )
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, db_index=True)
    narrative = models.TextField(
        _("narrative"),
        blank=True,
        help_text=_("What was achieved, and what comes next."),
        max_length=20000,
    )
    next_steps = models.TextField(_("next steps"), blank=True, max_length=20000)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()

    class Meta:
        ordering = ["stocktake", "goal__order"]
        verbose_name = _("goal assessment")
        verbose_name_plural = _("goal assessments")
        constraints = [
            FieldUniqueConstraint(
                field="goal",
                fields=["stocktake", "goal"],
                name="assessment_one_per_goal_and_stocktake",
                violation_error_message=_("This goal is already assessed in this stock-take."),
            ),
            models.CheckConstraint(
                condition=Q(rating__in=Rating.values),
                name="assessment_rating_valid",
                violation_error_message=_("Choose one of the ratings."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal} — {self.get_rating_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.stocktake_id and (
            self.stocktake.was_closed() or (self.pk and self._stored_stocktake_closed())
        ):
            raise ValidationError(CLOSED_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.stocktake.was_closed():
            raise ValidationError(CLOSED_MESSAGE)
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if not (self.stocktake_id and self.goal_id):
            return
        if self.stocktake.was_closed() or (self.pk and self._stored_stocktake_closed()):
            raise ValidationError(CLOSED_MESSAGE)
        if self.goal.programme_id != self.stocktake.programme_id:
            raise ValidationError({"goal": _("Choose a goal of the stock-take's programme.")})

    def _stored_stocktake_closed(self) -> bool:
        stored = GoalAssessment.objects.filter(pk=self.pk).values_list(
            "stocktake__status", flat=True
        )
        return stored.first() == StockTakeStatus.CLOSED
