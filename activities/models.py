"""The activity log: what NATO and the partner did together under the programme."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.querysets import REPORT_PENDING_STATUSES, ActivityQuerySet
from goals.models import PartnershipGoal, Programme, StrategicObjective
from itpp.db import FieldCheckConstraint, FieldUniqueConstraint
from itpp.history import tracked
from itpp.i18n import BilingualMixin


class Ally(models.Model):
    """A NATO member state, which may take part in the programme's activities."""

    code = models.CharField(
        _("code"),
        primary_key=True,
        max_length=2,
        validators=[
            RegexValidator(r"^[A-Z]{2}\Z", _("Use the two capital letters of ISO 3166-1 alpha-2."))
        ],
        help_text=_("ISO 3166-1 alpha-2 code, e.g. FR."),
    )
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ally")
        verbose_name_plural = _("allies")

    def __str__(self) -> str:
        return self.name


class ActivityType(models.TextChoices):
    CONSULTATION = "consultation", _("Policy consultation")
    EXERCISE = "exercise", _("Exercise")
    TRAINING = "training", _("Training")
    EXCHANGE = "exchange", _("Personnel exchange")
    RESEARCH = "research", _("Research cooperation")
    CONFERENCE = "conference", _("Conference")
    VISIT = "visit", _("Visit")
    OTHER = "other", _("Other")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")


class Releasability(models.TextChoices):
    PUBLIC = "public", _("Public (may appear in public diplomacy material)")
    INTERNAL = "internal", _("Internal (all roles)")
    RESTRICTED = "restricted", _("Restricted (only those allowed to see restricted activities)")


REVIEW_COMMENT_MAX_LENGTH = 5000


class ReviewState(models.TextChoices):
    """Where a record is in its review by a Programme manager (see activities.services)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned to its author")


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    ARMED_FORCES = "armed_forces", _("Armed forces")
    NATO_BODY = "nato_body", _("NATO body")
    CENTRE_OF_EXCELLENCE = "centre_of_excellence", _("Centre of excellence")
    AGENCY = "agency", _("Agency")
    OTHER = "other", _("Other")


# The nation of NATO's own bodies (International Staff, ACO, ...), which belong to no Ally.
NATO = "NATO"


class Organisation(BilingualMixin, models.Model):
    """A body that takes part in a programme's activities: a ministry or armed service of the
    partner or of an Ally, a NATO body, a centre of excellence. A managed list per
    programme, kept by administrators."""

    bilingual_fields = ("name",)

    # The list is the programme's own: it goes with the programme (which its activities
    # protect from deletion).
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="organisations",
        verbose_name=_("programme"),
    )
    name = models.CharField(_("name"), max_length=255)
    name_ja = models.CharField(_("name (Japanese)"), max_length=255, blank=True)
    short_name = models.CharField(
        _("short name"), max_length=50, blank=True, help_text=_("e.g. JMSDF, ACT.")
    )
    nation = models.CharField(
        _("nation"),
        max_length=4,
        help_text=_(
            "An Ally's code (e.g. EE), the partner's (e.g. JP), or NATO for its own bodies."
        ),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=OrganisationKind.choices)

    history = tracked()

    class Meta:
        ordering = ["programme", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            FieldUniqueConstraint(
                field="name",
                fields=["programme", "name"],
                name="organisation_unique_name_per_programme",
                violation_error_message=_(
                    "This programme already has an organisation of that name."
                ),
            ),
        ]
        indexes = [models.Index(fields=["programme", "nation"], name="organisation_nation")]

    def __str__(self) -> str:
        return self._labelled(self.name)

    @property
    def display_label(self) -> str:
        """As `str()`, with the name in the reader's language (the form's choices)."""
        return self._labelled(self.display_name)

    def _labelled(self, name: str) -> str:
        return f"{name} ({self.short_name})" if self.short_name else name

    def clean(self) -> None:
        super().clean()
        if not self.nation or self.programme_id is None:
            return
        if self.nation in (NATO, self.programme.partner_code):
            return
        if not Ally.objects.filter(code=self.nation).exists():
            partner = self.programme.partner_code or _t("the partner's code")
            raise ValidationError(
                {
                    "nation": _t(
                        "Use an Ally's code, %(partner)s, or %(nato)s for NATO's own bodies."
                    )
                    % {"partner": partner, "nato": NATO}
                }
            )


class ParticipantRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    CO_HOST = "co-host", _("Co-host")
    PARTICIPANT = "participant", _("Participant")
    OBSERVER = "observer", _("Observer")


def participants_error(
    programme: Programme | None, participants: Iterable[tuple[Organisation, str]]
) -> str | None:
    """What is wrong with an activity's participants (organisation, role), if anything:
    an organisation of another programme, an unknown role, or one organisation twice.
    The one rule for every door (`Activity.clean_links()`, `ActivityOrganisation.clean()`)."""
    seen: set[int] = set()
    for organisation, role in participants:
        if programme is not None and organisation.programme_id != programme.pk:
            return _t("Choose only organisations of the programme “%(programme)s”.") % {
                "programme": programme
            }
        if role not in ParticipantRole.values:
            return _t("“%(role)s” is not a role; use one of: %(roles)s.") % {
                "role": role,
                "roles": ", ".join(ParticipantRole.values),
            }
        if organisation.pk in seen:
            return _t("%(organisation)s is listed twice; give each organisation one role.") % {
                "organisation": organisation
            }
        seen.add(organisation.pk)
    return None


class ActivityOrganisation(models.Model):
    """An organisation's part in an activity: lead, co-host, participant or observer."""

    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("activity"),
    )
    # An organisation that took part in an activity stays in the list (its record says so).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role"),
        max_length=12,
        choices=ParticipantRole.choices,
        default=ParticipantRole.PARTICIPANT,
    )

    class Meta:
        ordering = ["organisation__name", "organisation_id"]
        verbose_name = pgettext_lazy("organisation taking part", "participant")
        verbose_name_plural = pgettext_lazy("organisation taking part", "participants")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "organisation"],
                name="activity_organisation_unique",
                violation_error_message=_("This organisation is already listed for the activity."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=ParticipantRole.values),
                name="activity_organisation_role_valid",
                violation_error_message=_("Choose one of the roles."),
            ),
        ]
        # The filters ask "activities where this body took part (in this role)" by EXISTS.
        indexes = [
            models.Index(fields=["organisation", "role", "activity"], name="participation_by_org")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display().lower()})"

    def clean(self) -> None:
        super().clean()
        if self.activity_id is None or self.organisation_id is None:
            return
        message = participants_error(self.activity.programme, [(self.organisation, self.role)])
        if message:
            raise ValidationError({"organisation": message})


# The longest description or outcome, in either language.
TEXT_MAX_LENGTH = 20000


class Activity(BilingualMixin, models.Model):
    # English and Japanese text side by side; the English title is required (NATO's working
    # record), the Japanese is optional. Pages show `display_title` etc. (itpp/i18n.py).
    bilingual_fields = ("title", "description", "outcome")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="activities", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=255)
    title_ja = models.CharField(_("title (Japanese)"), max_length=255, blank=True)
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)]
    )
    description_ja = models.TextField(
        _("description (Japanese)"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    activity_type = models.CharField(
        _("type"), max_length=20, choices=ActivityType.choices, db_index=True
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ActivityStatus.choices,
        default=ActivityStatus.PLANNED,
        db_index=True,
    )
    start_date = models.DateField(_("start date"), db_index=True)
    end_date = models.DateField(
        _("end date"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Leave empty for a one-day activity."),
    )
    location = models.CharField(_("location"), max_length=255, blank=True)
    goals = models.ManyToManyField(
        PartnershipGoal,
        related_name="activities",
        verbose_name=_("partnership goals"),
        help_text=_("The Partnership Goals this activity served (at least one)."),
    )
    objectives = models.ManyToManyField(
        StrategicObjective,
        related_name="activities",
        blank=True,
        verbose_name=_("strategic objectives"),
    )
    allies = models.ManyToManyField(
        Ally,
        related_name="activities",
        blank=True,
        help_text=_("Individual Allies that took part."),
        verbose_name=_("allies"),
    )
    organisations = models.ManyToManyField(
        Organisation,
        through=ActivityOrganisation,
        related_name="activities",
        blank=True,
        help_text=_("The bodies that took part, each with its role."),
        verbose_name=_("organisations"),
    )
    lead_organisation = models.CharField(_("lead organisation"), max_length=255, blank=True)
    participants = models.PositiveIntegerField(
        pgettext_lazy("number of people", "participants"), null=True, blank=True
    )
    women_participants = models.PositiveIntegerField(
        _("women participants"),
        null=True,
        blank=True,
        help_text=_("For Women, Peace and Security reporting; cannot exceed participants."),
    )
    outcome = models.TextField(
        _("outcome"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)]
    )
    outcome_ja = models.TextField(
        _("outcome (Japanese)"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)]
    )
    releasability = models.CharField(
        _("releasability"),
        max_length=10,
        choices=Releasability.choices,
        default=Releasability.INTERNAL,
        db_index=True,
    )
    review_state = models.CharField(
        _("review state"),
        max_length=10,
        choices=ReviewState.choices,
        # A record nobody chose a state for awaits review: what the API's existing
        # clients create. Drafts are saved as such on purpose.
        default=ReviewState.SUBMITTED,
        db_index=True,
    )
    review_comment = models.TextField(
        _("review comment"),
        blank=True,
        validators=[MaxLengthValidator(REVIEW_COMMENT_MAX_LENGTH)],
        help_text=_("The Programme manager's comment when the record was last returned."),
    )
    review_changed_at = models.DateTimeField(
        _("review changed at"),
        null=True,
        blank=True,
        default=timezone.now,
        editable=False,
        help_text=_("When the review state last changed: the age of a record awaiting review."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Goes up by one at every save; lets a writer detect a concurrent change."),
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
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = ActivityQuerySet.as_manager()
    # Every change, many-to-many links included; see itpp/history.py.
    history = tracked(m2m_fields=["goals", "objectives", "allies", "organisations"])

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        permissions = [
            ("view_restricted_activity", "Can view restricted activities"),
            ("review_activity", "Can approve or return activities submitted for review"),
        ]
        indexes = [
            models.Index(fields=["programme", "-start_date"], name="activity_programme_start"),
            # The list's default order and its cursor paging (a range scan from the
            # cursor, whichever the direction).
            models.Index(fields=["-start_date", "-id"], name="activity_start_id"),
            # Progress and the dashboard aggregate every activity of a programme: this
            # holds all they read, so PostgreSQL scans it (index-only) instead of the
            # table with its long texts, about a sixth of the size.
            models.Index(
                fields=["id"],
                include=[
                    "programme",
                    "status",
                    "releasability",
                    "start_date",
                    "activity_type",
                    "review_state",
                ],
                name="activity_counted",
            ),
        ]
        constraints = [
            FieldCheckConstraint(
                field="end_date",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="activity_end_date_not_before_start_date",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            FieldCheckConstraint(
                field="women_participants",
                condition=Q(women_participants__isnull=True)
                | Q(participants__isnull=False, women_participants__lte=F("participants")),
                name="activity_women_participants_within_participants",
                violation_error_message=_(
                    "Cannot be more than the number of participants (enter that number too)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(activity_type__in=ActivityType.values),
                name="activity_type_valid",
                violation_error_message=_("Choose one of the activity types."),
            ),
            models.CheckConstraint(
                condition=Q(releasability__in=Releasability.values),
                name="activity_releasability_valid",
                violation_error_message=_("Choose one of the releasability levels."),
            ),
            models.CheckConstraint(
                condition=Q(review_state__in=ReviewState.values),
                name="activity_review_state_valid",
                violation_error_message=_("Choose one of the review states."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ActivityStatus.values),
                name="activity_status_valid",
                violation_error_message=_("Choose one of the statuses."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start_date:%d %b %Y})" if self.start_date else self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", args=[self.pk])

    @property
    def last_day(self) -> date:
        """The activity's last day: its end date, or its start date when it has none."""
        return self.end_date or self.start_date

    def is_report_due(self, today: date | None = None) -> bool:
        """Due for an after-action report: its last day has passed while it is still
        planned or ongoing. The same rule as `ActivityQuerySet.report_due()`."""
        today = today or timezone.localdate()
        return (
            self.status in REPORT_PENDING_STATUSES
            and isinstance(self.last_day, date)
            and self.last_day < today
        )

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The status as read, so that clean() knows when a record is being completed.
        instance._loaded_status = getattr(instance, "status", None)
        return instance

    @property
    def is_being_completed(self) -> bool:
        """Its status is becoming `completed` (it was another when read from the
        database). A new record logged as completed is recorded, not completed here."""
        loaded = getattr(self, "_loaded_status", None)
        return (
            not self._state.adding
            and self.status == ActivityStatus.COMPLETED
            and loaded is not None
            and loaded != ActivityStatus.COMPLETED
        )

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        # The after-action report: completing an activity that has ended says how it went.
        if (
            self.is_being_completed
            and isinstance(self.last_day, date)
            and self.last_day < timezone.localdate()
            # In either language: an outcome written in Japanese is an outcome.
            and not (self.outcome or "").strip()
            and not (self.outcome_ja or "").strip()
        ):
            errors["outcome"] = _t(
                "Say what came of it: an activity that has ended is completed with its outcome."
            )
        # Depends on today's date, so it cannot be a database constraint.
        if (
            self.status == ActivityStatus.COMPLETED
            and isinstance(self.start_date, date)
            and self.start_date > timezone.localdate()
        ):
            errors["status"] = _t("An activity that starts in the future cannot be completed yet.")
        errors.update(self.date_errors())
        if errors:
            raise ValidationError(errors)

    def date_errors(self) -> dict[str, str]:
        """An activity's dates fall within its programme's years: one of 1999 in the
        2023–2026 programme would stretch every chart over decades. Another table decides
        it, so it cannot be a CHECK constraint; forms, API, admin and import all get it
        through `full_clean()`."""
        if self.programme_id is None:
            return {}
        programme = self.programme
        errors = {}
        for name in ("start_date", "end_date"):
            value = getattr(self, name)
            if isinstance(value, date) and value.year not in programme.years:
                errors[name] = _t(
                    "Choose a date within the programme's years: %(start)s to %(end)s."
                ) % {"start": programme.start_year, "end": programme.end_year}
        return errors

    @staticmethod
    def clean_links(
        programme: Programme | None,
        goals: Iterable[PartnershipGoal] | None,
        objectives: Iterable[StrategicObjective] | None = None,
        organisations: Iterable[tuple[Organisation, str]] | None = None,
    ) -> None:
        """Check the many-to-many links, which `clean()` cannot see before the first save.

        Forms, the admin, the API and the importer call this with the values they are
        about to save; the errors name the field concerned.
        """
        errors: dict[str, str] = {}
        if goals is not None:
            goals = list(goals)
            if not goals:
                errors["goals"] = _t("Choose at least one Partnership Goal.")
            elif programme is not None and any(g.programme_id != programme.pk for g in goals):
                errors["goals"] = _t("Choose only goals of the programme “%(programme)s”.") % {
                    "programme": programme
                }
        if (
            objectives is not None
            and programme is not None
            and any(o.programme_id != programme.pk for o in objectives)
        ):
            errors["objectives"] = _t(
                "Choose only objectives of the programme “%(programme)s”."
            ) % {"programme": programme}
        if organisations is not None:
            message = participants_error(programme, organisations)
            if message:
                errors["organisations"] = message
        if errors:
            raise ValidationError(errors)


class DeletedActivity(Activity.history.model):
    """The admin's list of deleted activities (historical rows of deletions), for restoring."""

    class Meta:
        proxy = True
        verbose_name = _("deleted activity")
        verbose_name_plural = _("deleted activities")
        default_permissions = ()


class CreationKey(models.Model):
    """A key that makes creating an activity happen once: the API's `Idempotency-Key` and
    the new-activity page's one-time form token (see activities.idempotency).

    The unique constraint, not a read before the write, is what stops a second creation:
    of two concurrent requests with one key, the second waits on the first's uncommitted
    row and then finds it. Keys are kept 24 hours.
    """

    class Door(models.TextChoices):
        API = "api", "API (Idempotency-Key)"
        PAGE = "page", "New-activity page (form token)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    door = models.CharField(_("door"), max_length=4, choices=Door.choices)
    key = models.CharField(_("key"), max_length=255)
    # What the API request asked for (a hash of its body): the same key with another body
    # is refused, not answered with the first response.
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    activity = models.ForeignKey(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("activity"),
    )
    # The first response of the API, given again to a retry.
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response_body = models.TextField(_("response body"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("creation key")
        verbose_name_plural = _("creation keys")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "door", "key"], name="creation_key_unique_per_user_and_door"
            ),
            models.CheckConstraint(
                condition=Q(door__in=["api", "page"]), name="creation_key_door_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.door} key of user {self.user_id}"
