"""Realistic, deterministic demo activities, for demonstrations and for benchmarks.

Rows are inserted in bulk (100,000 in well under a minute) and so skip the change
history: they are demo data, not a record anyone relies on. They are all created by the
inactive user `demo-data`, which is how the generator tells them from real activities.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityOrganisation,
    ActivityStatus,
    ActivityType,
    Ally,
    Organisation,
    ParticipantRole,
    Releasability,
    ReviewState,
)
from goals.models import PartnershipGoal, Programme, StrategicObjective
from itpp.signals import bulk_write

DEMO_USERNAME = "demo-data"
BATCH_SIZE = 5000

TOPICS = [
    "cyber incident response",
    "countering hybrid threats",
    "strategic communication",
    "maritime domain awareness",
    "space situational awareness",
    "climate change and security",
    "emerging and disruptive technologies",
    "arms control verification",
    "civil preparedness",
    "disaster relief coordination",
    "standardisation of procedures",
    "Women, Peace and Security",
    "human security in crisis response",
    "defence innovation",
    "public diplomacy outreach",
    "interoperability of logistics",
]
FORMATS = {
    ActivityType.CONSULTATION: [
        "Staff talks on",
        "Policy consultation on",
        "High-level dialogue on",
    ],
    ActivityType.EXERCISE: [
        "Table-top exercise on",
        "Command post exercise on",
        "Live exercise on",
    ],
    ActivityType.TRAINING: ["Training course on", "Mobile training team on", "Workshop on"],
    ActivityType.EXCHANGE: ["Staff exchange on", "Liaison officer posting on", "Secondment on"],
    ActivityType.RESEARCH: ["Joint research on", "Science for Peace project on", "Study on"],
    ActivityType.CONFERENCE: ["Conference on", "Symposium on", "Seminar on"],
    ActivityType.VISIT: ["Visit on", "Study visit on", "Delegation visit on"],
    ActivityType.OTHER: ["Cooperation on", "Meeting on", "Initiative on"],
}
PLACES = [
    "Brussels",
    "Tokyo",
    "Tallinn",
    "Riga",
    "Oberammergau",
    "Rome",
    "Norfolk",
    "Yokosuka",
    "Helsinki",
    "The Hague",
    "Vilnius",
    "Online",
]
LEADS = [
    "NATO International Staff",
    "Mission of Japan to NATO",
    "Japan Ministry of Defense",
    "Japan Ministry of Foreign Affairs",
    "NATO CCDCOE",
    "NATO Defense College",
    "ACT",
]
SENTENCE = (
    "Participants compared national approaches, identified gaps in current arrangements and "
    "agreed practical next steps for cooperation under the partnership programme. "
)


@dataclass
class DemoResult:
    created: int
    programmes: int


def demo_user():
    user, _ = get_user_model().objects.get_or_create(
        username=DEMO_USERNAME, defaults={"is_active": False}
    )
    return user


def real_activities_exist() -> bool:
    return Activity.objects.exclude(created_by__username=DEMO_USERNAME).exists()


def _status_for(rng: random.Random, start: datetime.date, today: datetime.date) -> str:
    if start > today:
        return rng.choices(
            [ActivityStatus.PLANNED, ActivityStatus.POSTPONED, ActivityStatus.CANCELLED],
            weights=[85, 10, 5],
        )[0]
    if (today - start).days < 14:
        return rng.choice([ActivityStatus.ONGOING, ActivityStatus.COMPLETED])
    return rng.choices(
        [
            ActivityStatus.COMPLETED,
            ActivityStatus.CANCELLED,
            ActivityStatus.POSTPONED,
            ActivityStatus.ONGOING,
        ],
        weights=[85, 6, 5, 4],
    )[0]


RETURN_COMMENT = "Please name the Allies that took part and add the outcome."


def _review_state_for(number: int) -> str:
    return {0: ReviewState.DRAFT, 1: ReviewState.SUBMITTED, 2: ReviewState.RETURNED}.get(
        number % 20, ReviewState.APPROVED
    )


def _activities(rng: random.Random, programme: Programme, count: int, user) -> Iterator[Activity]:
    today = timezone.localdate()
    first = datetime.date(programme.start_year, 1, 1)
    last = datetime.date(programme.end_year, 12, 31)
    span = (last - first).days
    now = timezone.now()
    for number in range(count):
        activity_type = rng.choice(ActivityType.values)
        start = first + datetime.timedelta(days=rng.randrange(span + 1))
        length = rng.choices([0, 1, 2, 4, 9, 30], weights=[40, 25, 15, 10, 7, 3])[0]
        participants = rng.choice([None, rng.randrange(5, 400)])
        women = None if participants is None else rng.randrange(0, participants + 1)
        topic = rng.choice(TOPICS)
        long_text = rng.random() < 0.1
        yield Activity(
            programme=programme,
            title=f"{rng.choice(FORMATS[activity_type])} {topic} #{number + 1}",
            description=(SENTENCE * rng.randrange(8, 30)) if long_text else SENTENCE,
            activity_type=activity_type,
            status=_status_for(rng, start, today),
            releasability=rng.choices(Releasability.values, weights=[20, 70, 10])[0],
            start_date=start,
            # Within the programme's years, as Activity.clean() requires.
            end_date=min(start + datetime.timedelta(days=length), last) if length else None,
            location=rng.choice(PLACES),
            lead_organisation=rng.choice(LEADS),
            participants=participants,
            women_participants=women,
            outcome=rng.choice(["", "Agreed follow-up actions.", "Report circulated to Allies."]),
            # Most approved, a few at each other step of the review (without drawing on
            # `rng`, so the rest of the data stays as the seed always made it).
            review_state=_review_state_for(number),
            review_comment=RETURN_COMMENT if _review_state_for(number) == "returned" else "",
            review_changed_at=now,
            created_by=user,
            updated_by=user,
            created_at=now,
            updated_at=now,
        )


# Roles after the first (the lead, most of the time), weighted as activities have them.
OTHER_ROLES = [ParticipantRole.PARTICIPANT, ParticipantRole.CO_HOST, ParticipantRole.OBSERVER]


def _participations(
    rng: random.Random, activity: Activity, organisations: list[Organisation]
) -> list[ActivityOrganisation]:
    """One to four of the programme's organisations, each once: the first leads (or
    co-hosts), the others take part, co-host or observe."""
    if not organisations:
        return []
    chosen = rng.sample(organisations, rng.randint(1, min(4, len(organisations))))
    rows = []
    for place, organisation in enumerate(chosen):
        if place == 0:
            role = rng.choices([ParticipantRole.LEAD, ParticipantRole.CO_HOST], [4, 1])[0]
        else:
            role = rng.choices(OTHER_ROLES, [6, 2, 1])[0]
        rows.append(
            ActivityOrganisation(activity_id=activity.pk, organisation=organisation, role=role)
        )
    return rows


def generate(count: int, seed: int = 0) -> DemoResult:
    """Insert `count` demo activities spread over the loaded programmes."""
    rng = random.Random(seed)  # noqa: S311  (demo data, not security)
    programmes = list(Programme.objects.order_by("pk"))
    if not programmes:
        raise ValueError("Load a programme first: there are no goals to log activities against.")
    user = demo_user()
    ally_codes = list(Ally.objects.order_by("code").values_list("code", flat=True))
    GoalLink = Activity.goals.through
    ObjectiveLink = Activity.objectives.through
    AllyLink = Activity.allies.through
    # Participants are drawn from a generator of their own, so that the rest of the data
    # stays as the seed always made it.
    participant_rng = random.Random(f"participants-{seed}")  # noqa: S311
    created = 0
    for index, programme in enumerate(programmes):
        share = count // len(programmes) + (1 if index < count % len(programmes) else 0)
        goals = list(PartnershipGoal.objects.filter(programme=programme).order_by("order"))
        objectives = list(StrategicObjective.objects.filter(programme=programme).order_by("number"))
        organisations = list(Organisation.objects.filter(programme=programme).order_by("pk"))
        if not goals:
            continue
        rows = _activities(rng, programme, share, user)
        while batch := [row for _, row in zip(range(BATCH_SIZE), rows, strict=False)]:
            with transaction.atomic():
                # Bulk inserts skip the change history on purpose (see module docstring).
                Activity.objects.bulk_create(batch)  # history-safe
                goal_links, objective_links, ally_links, participations = [], [], [], []
                for activity in batch:
                    for goal in rng.sample(goals, rng.randint(1, min(3, len(goals)))):
                        goal_links.append(
                            GoalLink(activity_id=activity.pk, partnershipgoal_id=goal.pk)
                        )
                    for objective in rng.sample(
                        objectives, rng.randint(0, min(2, len(objectives)))
                    ):
                        objective_links.append(
                            ObjectiveLink(
                                activity_id=activity.pk, strategicobjective_id=objective.pk
                            )
                        )
                    for code in rng.sample(ally_codes, rng.randint(0, min(4, len(ally_codes)))):
                        ally_links.append(AllyLink(activity_id=activity.pk, ally_id=code))
                    participations += _participations(participant_rng, activity, organisations)
                GoalLink.objects.bulk_create(goal_links)  # history-safe
                ObjectiveLink.objects.bulk_create(objective_links)  # history-safe
                AllyLink.objects.bulk_create(ally_links)  # history-safe
                ActivityOrganisation.objects.bulk_create(participations)  # history-safe
            created += len(batch)
    # Bulk inserts send no model signals: say that the counts changed (progress cache).
    bulk_write.send(sender=Activity)
    return DemoResult(created=created, programmes=len(programmes))


def clear() -> int:
    """Delete the demo activities (and only them)."""
    demo = Activity.objects.filter(created_by__username=DEMO_USERNAME)
    ids = demo.values("pk")
    with transaction.atomic():
        for through in (
            Activity.goals.through,
            Activity.objectives.through,
            Activity.allies.through,
            ActivityOrganisation,
        ):
            through.objects.filter(activity_id__in=ids)._raw_delete(through.objects.db)
        deleted = demo._raw_delete(demo.db)
        bulk_write.send(sender=Activity)
        return deleted
