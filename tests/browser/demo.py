"""A believable year of activities for the NATO–Japan programme, for screenshots and demos."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User

from activities.models import Activity, ActivityStatus, ActivityType
from goals.models import GoalAssessment, PartnershipGoal, Programme, StockTake, StrategicObjective
from goals.services import close_stocktake
from tests.factories import ActivityFactory

# (title, type, days from today, goal positions, Allies); goals 5, 7 and 14 have no activity and
# goal 15 none for over a year, so the dashboard shows its flag.
DEMO = [
    ("Annual political-military staff talks", ActivityType.CONSULTATION, -700, [8, 11], ["FR"]),
    ("Maritime security table-top exercise", ActivityType.EXERCISE, -620, [6, 11], ["US", "GB"]),
    ("Cyber defence pledge workshop", ActivityType.TRAINING, -560, [1], ["EE", "DE"]),
    ("Women, Peace and Security seminar", ActivityType.CONFERENCE, -480, [15, 16], ["NO", "CA"]),
    ("CCDCOE course: operational cyber", ActivityType.TRAINING, -430, [1], ["EE"]),
    ("Space situational awareness exchange", ActivityType.EXCHANGE, -400, [4], ["FR", "IT"]),
    ("Disaster relief coordination visit", ActivityType.VISIT, -350, [9], ["TR"]),
    ("Counter-terrorism expert talks", ActivityType.CONSULTATION, -300, [8], ["ES", "BE"]),
    ("Interoperability standards review", ActivityType.RESEARCH, -260, [11, 12], ["NL"]),
    ("Staff exchange at SHAPE", ActivityType.EXCHANGE, -220, [12], ["BE"]),
    ("Hybrid threats workshop", ActivityType.CONFERENCE, -190, [2, 13], ["FI", "SE"]),
    ("Maritime situational awareness exercise", ActivityType.EXERCISE, -150, [6], ["US", "PT"]),
    ("Science for Peace and Security project", ActivityType.RESEARCH, -120, [10], ["PL"]),
    ("Cyber coalition exercise", ActivityType.EXERCISE, -90, [1], ["EE", "LT", "LV"]),
    ("Emerging technologies dialogue", ActivityType.CONSULTATION, -60, [3, 10], ["GB"]),
    ("Civil preparedness training", ActivityType.TRAINING, -30, [13, 9], ["DK"]),
    ("Table-top exercise on crisis communication", ActivityType.EXERCISE, -7, [2, 13], ["FR"]),
    ("Defence capacity review", ActivityType.CONSULTATION, -2, [12], []),
    ("Disaster response exercise", ActivityType.EXERCISE, 20, [9], ["GR", "HR"]),
    ("Partnership Goals mid-term review", ActivityType.CONFERENCE, 45, [8], []),
    ("Cyber range training", ActivityType.TRAINING, 75, [1], ["EE"]),
]


def status_for(offset: int) -> str:
    if offset > 0:
        return ActivityStatus.PLANNED
    return ActivityStatus.ONGOING if offset > -5 else ActivityStatus.COMPLETED


def load_demo(programme: Programme, *, today: datetime.date) -> list[Activity]:
    goals = {goal.order: goal for goal in PartnershipGoal.objects.filter(programme=programme)}
    objectives = list(StrategicObjective.objects.filter(programme=programme))
    activities = []
    for index, (title, kind, offset, positions, allies) in enumerate(DEMO):
        start = today + datetime.timedelta(days=offset)
        activities.append(
            ActivityFactory(
                programme=programme,
                title=title,
                activity_type=kind,
                status=status_for(offset),
                start_date=start,
                end_date=start + datetime.timedelta(days=index % 3),
                location=["Brussels", "Tokyo", "Mons", "Tallinn", "Yokosuka"][index % 5],
                lead_organisation="NATO HQ" if index % 2 else "Japan MOFA",
                participants=20 + index * 3,
                women_participants=5 + index,
                goals=[goals[p] for p in positions],
                objectives=[objectives[index % len(objectives)]],
                allies=allies,
                description=f"{title}, held under the ITPP.",
            )
        )
    return activities


# Two annual reviews' ratings, in goal order: the dashboard shows the latest and its change.
RATINGS = {
    2024: ["limited_progress", "not_started", "limited_progress", "not_started"] * 4,
    2025: [
        "on_track",
        "limited_progress",
        "achieved",
        "at_risk",
        "on_track",
        "on_track",
        "limited_progress",
        "achieved",
    ]
    * 2,
}


def rate_demo(programme: Programme, *, manager: User) -> list[StockTake]:
    """Closed 2024 and 2025 annual reviews with every goal rated."""
    goals = list(PartnershipGoal.objects.filter(programme=programme).order_by("order"))
    closed = []
    for year, ratings in RATINGS.items():
        stocktake = StockTake.objects.create(
            programme=programme,
            title=f"{year} annual review",
            period_start=datetime.date(year, 1, 1),
            period_end=datetime.date(year, 12, 31),
        )
        for goal, rating in zip(goals, ratings, strict=False):
            GoalAssessment.objects.create(
                stocktake=stocktake, goal=goal, rating=rating, assessed_by=manager
            )
        closed.append(close_stocktake(stocktake, user=manager))
    return closed
