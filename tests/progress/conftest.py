"""A small programme whose activities differ in every way a filter can tell apart."""

import datetime
import itertools
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache

from activities.models import ActivityStatus, ActivityType, Organisation, Releasability
from goals.models import PartnershipGoal, PriorityIssue, Programme, StrategicObjective
from tests.factories import (
    ActivityFactory,
    OrganisationFactory,
    PartnershipGoalFactory,
    PriorityIssueFactory,
    ProgrammeFactory,
    StrategicObjectiveFactory,
)

ALLIES = ("EE", "US", "FR")
TYPES = (ActivityType.EXERCISE, ActivityType.CONSULTATION, ActivityType.TRAINING)
YEARS = (2023, 2024, 2025, 2026)


@dataclass
class Land:
    programme: Programme
    issues: list[PriorityIssue]
    goals: list[PartnershipGoal]
    objectives: list[StrategicObjective]
    organisations: list[Organisation] = field(default_factory=list)


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    """The API's throttles count in the cache; every test starts afresh."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def testland(db) -> Land:
    """Two priority issues (A: goals 1 and 2; B: goals 3 and 4), two objectives, and 24
    activities cycling through the statuses, types, releasabilities, Allies, years and
    links, some serving two goals of one issue (which count once for it). One activity of
    another programme never counts."""
    programme = ProgrammeFactory(partner="Testland")
    issues = [
        PriorityIssueFactory(programme=programme, number=n, title=t)
        for n, t in [(1, "A"), (2, "B")]
    ]
    goals = [
        PartnershipGoalFactory(programme=programme, priority_issue=issues[n // 2], order=n + 1)
        for n in range(4)
    ]
    objectives = [StrategicObjectiveFactory(programme=programme, number=n) for n in (1, 2)]
    # Who took part: a body of an Ally, leading or observing, and a NATO body.
    bodies = [
        OrganisationFactory(programme=programme, name="Estonian Defence Forces", nation="EE"),
        OrganisationFactory(programme=programme, name="NATO body", nation="NATO"),
    ]
    participant_sets = itertools.cycle(
        [[], [(bodies[0], "lead")], [(bodies[1], "participant")], [(bodies[0], "observer")]]
    )
    statuses = itertools.cycle(ActivityStatus.values)
    releasabilities = itertools.cycle(Releasability.values)
    # Every state but draft: drafts are listed (for Editors) but never counted, see
    # tests/progress/test_drafts_not_counted.py.
    review_states = itertools.cycle(["approved", "submitted", "approved", "returned", "approved"])
    goal_sets = itertools.cycle([[0], [0, 1], [2], [1], [2, 3], [3], [0, 2]])
    for n in range(24):
        ActivityFactory(
            programme=programme,
            title=f"{'Cyber' if n % 3 == 0 else 'Maritime'} activity {n}",
            status=next(statuses),
            activity_type=TYPES[n % len(TYPES)],
            releasability=next(releasabilities),
            review_state=next(review_states),
            start_date=datetime.date(YEARS[n % 4], 1 + (n * 5) % 12, 1 + n % 28),
            goals=[goals[g] for g in next(goal_sets)],
            objectives=[objectives[n % 2]] if n % 4 else [],
            allies=[ALLIES[n % 3]] if n % 5 else [],
            organisations=next(participant_sets),
        )
    ActivityFactory(start_date=datetime.date(2025, 5, 5))
    return Land(programme, issues, goals, objectives, bodies)
