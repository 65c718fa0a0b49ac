"""factory_boy factories for every model; tests build their data with these."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Ally,
    Organisation,
    OrganisationKind,
)
from cycle.models import FollowUp
from goals.models import (
    GoalAssessment,
    PartnershipGoal,
    PriorityIssue,
    Programme,
    StockTake,
    StrategicObjective,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("a-long-test-passphrase")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=["Editors"]) puts the user in those role groups."""
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    partner = factory.Sequence(lambda n: f"Partner {n}")
    name = factory.LazyAttribute(lambda p: f"ITPP between NATO and {p.partner}")
    start_year = 2023
    end_year = 2026

    class Params:
        # Years that hold today, whatever today is (two back, two ahead): an activity's dates
        # must fall within its programme's years, and the seeded 2023–2026 programme cannot
        # hold "today", "soon" or "planned" dates for ever.
        running = factory.Trait(
            start_year=factory.LazyFunction(lambda: timezone.localdate().year - 2),
            end_year=factory.LazyFunction(lambda: timezone.localdate().year + 2),
        )


class StrategicObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicObjective

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Objective {n}")


class PriorityIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityIssue

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n % 26 + 1)
    title = factory.Sequence(lambda n: f"Priority issue {n}")


class PartnershipGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipGoal

    programme = factory.SubFactory(ProgrammeFactory)
    priority_issue = factory.SubFactory(
        PriorityIssueFactory, programme=factory.SelfAttribute("..programme")
    )
    title = factory.Sequence(lambda n: f"Goal {n}")
    statement = factory.LazyAttribute(lambda g: f"On {g.title.upper()}, the partners cooperate.")
    order = factory.Sequence(lambda n: n + 1)


class StockTakeFactory(factory.django.DjangoModelFactory):
    """An open stock-take of a year; StockTakeFactory(programme=japan, year=2024)."""

    class Meta:
        model = StockTake

    class Params:
        year = 2025

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.LazyAttribute(lambda s: f"{s.year} annual review")
    period_start = factory.LazyAttribute(lambda s: datetime.date(s.year, 1, 1))
    period_end = factory.LazyAttribute(lambda s: datetime.date(s.year, 12, 31))


class GoalAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalAssessment

    stocktake = factory.SubFactory(StockTakeFactory)
    goal = factory.SubFactory(
        PartnershipGoalFactory, programme=factory.SelfAttribute("..stocktake.programme")
    )
    rating = "on_track"


def running_programme(*, goals: int = 4) -> Programme:
    """A programme whose years hold today (ProgrammeFactory(running=True)) with one strategic
    objective, priority issue (a) and `goals` partnership goals ordered 1..goals: for tests of
    upcoming, planned or today's activities, which must not depend on the calendar."""
    programme = ProgrammeFactory(running=True)
    StrategicObjectiveFactory(programme=programme, number=1)
    issue = PriorityIssueFactory(programme=programme, number=1)
    for order in range(1, goals + 1):
        PartnershipGoalFactory(programme=programme, priority_issue=issue, order=order)
    return programme


def ally(code: str) -> Ally:
    """One of the 32 Allies loaded by the data migration."""
    return Ally.objects.get(code=code)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Activity {n}")
    activity_type = ActivityType.CONSULTATION
    status = ActivityStatus.COMPLETED
    start_date = datetime.date(2024, 5, 14)

    @factory.post_generation
    def goals(self, create, extracted, **kwargs):
        """Goals given, else the programme's first goal (or a new one): an activity needs one."""
        if not create:
            return
        if extracted is None:
            first = self.programme.partnership_goals.order_by("order").first()
            extracted = [first or PartnershipGoalFactory(programme=self.programme)]
        self.goals.set(extracted)

    @factory.post_generation
    def objectives(self, create, extracted, **kwargs):
        if create and extracted:
            self.objectives.set(extracted)

    @factory.post_generation
    def allies(self, create, extracted, **kwargs):
        if create and extracted:
            self.allies.set([ally(code) if isinstance(code, str) else code for code in extracted])

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        """[(organisation, role), ...]: who took part."""
        if create and extracted:
            for organisation, role in extracted:
                self.organisations.add(organisation, through_defaults={"role": role})


def edit_form_data(activity: Activity, **changes) -> dict:
    """What the edit page posts for `activity` as it stands (at its version), with changes."""
    data = {
        "programme": activity.programme_id,
        "version": activity.version,
        "title": activity.title,
        "activity_type": activity.activity_type,
        "status": activity.status,
        "releasability": activity.releasability,
        "start_date": activity.start_date.isoformat(),
        "end_date": "",
        "goals": [goal.pk for goal in activity.goals.all()],
        "location": activity.location,
    }
    data.update(changes)
    return data


def replace_with_linked_activities(programme: Programme, count: int) -> None:
    """Delete every activity and make `count` of `programme`, each with three goals, an
    objective, two Allies and an author: all that a list reads for each row."""
    Activity.objects.all().delete()
    goals = list(programme.partnership_goals.all()[:3])
    objective = programme.strategic_objectives.first()
    author = UserFactory()
    for _ in range(count):
        ActivityFactory(
            programme=programme,
            goals=goals,
            objectives=[objective],
            allies=["FR", "DE"],
            created_by=author,
            updated_by=author,
        )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    programme = factory.LazyFunction(
        lambda: Programme.objects.get(partner="Japan", start_year=2023)
    )
    name = factory.Sequence(lambda n: f"Body {n}")
    nation = "JP"
    kind = OrganisationKind.OTHER


class FollowUpFactory(factory.django.DjangoModelFactory):
    """FollowUpFactory(activity=..., owner=..., due_date=...): an open follow-up action."""

    class Meta:
        model = FollowUp

    activity = factory.SubFactory(ActivityFactory)
    text = factory.Sequence(lambda n: f"Follow-up action {n}")
    owner = factory.SubFactory(UserFactory, roles=["Editors"])
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
