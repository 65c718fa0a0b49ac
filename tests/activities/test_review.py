"""The review of records (activities.services): draft -> submitted -> approved, or returned
with a comment -> fixed and submitted again; who may do what, and what an edit does to an
approved record."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.history import readable_change_log
from activities.models import Activity, ReviewState
from activities.services import (
    TransitionRefused,
    VersionConflict,
    allowed_transitions,
    approve_activity,
    create_activity,
    return_activity,
    submit_activity,
    update_activity,
)
from goals.models import PartnershipGoal
from tests.factories import ActivityFactory, UserFactory, ally

pytestmark = pytest.mark.django_db

DRAFT, SUBMITTED, APPROVED, RETURNED = (
    ReviewState.DRAFT,
    ReviewState.SUBMITTED,
    ReviewState.APPROVED,
    ReviewState.RETURNED,
)
ROLES = ["Viewers", "Editors", "Programme managers"]
# The rules, as a table: (action, role) -> the states it leaves and the state it reaches.
ALLOWED = {
    ("submit", "Editors"): ({DRAFT, RETURNED}, SUBMITTED),
    ("submit", "Programme managers"): ({DRAFT, RETURNED}, SUBMITTED),
    ("approve", "Programme managers"): ({SUBMITTED}, APPROVED),
    ("return", "Programme managers"): ({SUBMITTED}, RETURNED),
}


def data(japan, **extra) -> dict:
    goal = PartnershipGoal.objects.get(programme=japan, order=1)
    return {
        "programme": japan,
        "title": "Staff talks",
        "activity_type": "consultation",
        "start_date": datetime.date(2024, 5, 1),
        "goals": [goal],
        **extra,
    }


def act(action: str, activity: Activity, user, **kwargs) -> Activity:
    if action == "submit":
        return submit_activity(activity=activity, user=user, **kwargs)
    if action == "approve":
        return approve_activity(activity=activity, user=user, **kwargs)
    return return_activity(activity=activity, user=user, comment="Add the Allies.", **kwargs)


def test_a_record_is_created_submitted_unless_saved_as_a_draft(japan, editor):
    assert create_activity(user=editor, data=data(japan)).review_state == SUBMITTED
    draft = create_activity(user=editor, data=data(japan, review_state=DRAFT))
    assert draft.review_state == DRAFT
    assert draft.review_changed_at is not None


@pytest.mark.parametrize("state", [APPROVED, RETURNED, "bogus"])
def test_a_record_cannot_be_created_approved_or_returned(japan, manager, state):
    with pytest.raises(ValidationError) as error:
        create_activity(user=manager, data=data(japan, review_state=state))
    assert "review_state" in error.value.message_dict
    assert not Activity.objects.filter(title="Staff talks").exists()


def test_the_whole_cycle_draft_submit_return_fix_submit_approve(japan, editor, manager):
    record = create_activity(user=editor, data=data(japan, review_state=DRAFT))
    assert allowed_transitions(record, editor) == ["submit"]
    assert allowed_transitions(record, manager) == ["submit"]
    submit_activity(activity=record, user=editor)
    assert allowed_transitions(record, editor) == []
    assert allowed_transitions(record, manager) == ["approve", "return"]
    return_activity(activity=record, user=manager, comment="  Name the Allies.  ")
    record.refresh_from_db()
    assert (record.review_state, record.review_comment) == (RETURNED, "Name the Allies.")
    update_activity(activity=record, user=editor, data={"allies": [ally("FR")]})
    submit_activity(activity=record, user=editor)
    approve_activity(activity=record, user=manager)
    record.refresh_from_db()
    assert record.review_state == APPROVED
    assert record.updated_by == manager


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.sampled_from([DRAFT, SUBMITTED, APPROVED, RETURNED]),
    steps=st.lists(
        st.tuples(st.sampled_from(["submit", "approve", "return"]), st.sampled_from(ROLES)),
        max_size=6,
    ),
)
def test_every_transition_and_role_follows_the_table(japan, start, steps):
    users = {role: UserFactory(username=f"u-{role[:4].lower()}", roles=[role]) for role in ROLES}
    record = ActivityFactory(programme=japan, review_state=start)
    expected = start
    for action, role in steps:
        sources, target = ALLOWED.get((action, role), (None, None))
        version = Activity.objects.get(pk=record.pk).version
        made = False
        if sources is None:
            with pytest.raises(PermissionDenied):
                act(action, record, users[role])
        elif expected not in sources:
            with pytest.raises(TransitionRefused):
                act(action, record, users[role])
        else:
            act(action, record, users[role])
            expected, made = target, True
        now = Activity.objects.get(pk=record.pk)
        assert now.review_state == expected
        # A refused transition writes nothing; one made takes the next version.
        assert now.version == version + (1 if made else 0)


@pytest.mark.parametrize(
    ("role", "action", "english", "french"),
    [
        ("Viewers", "submit", "Your role may not submit records.", "de soumettre"),
        ("Editors", "approve", "Your role may not approve records.", "d’approuver"),
        ("Editors", "return", "Your role may not return records.", "de renvoyer"),
    ],
)
def test_a_role_refused_a_transition_is_told_what_it_may_not_do(
    japan, role, action, english, french
):
    user = UserFactory(username="refused", roles=[role])
    record = ActivityFactory(programme=japan, review_state=SUBMITTED)
    with pytest.raises(PermissionDenied) as refused:
        act(action, record, user)
    assert str(refused.value) == english
    with translation.override("fr"), pytest.raises(PermissionDenied) as refused:
        act(action, record, user)
    assert str(refused.value) == f"Votre rôle ne permet pas {french} des fiches."


def test_a_refused_transition_writes_nothing(japan, editor, manager):
    record = ActivityFactory(programme=japan, review_state=APPROVED)
    before = Activity.objects.get(pk=record.pk)
    rows = record.history.count()
    with pytest.raises(TransitionRefused):
        approve_activity(activity=record, user=manager)
    with pytest.raises(PermissionDenied):
        approve_activity(activity=ActivityFactory(programme=japan), user=editor)
    after = Activity.objects.get(pk=record.pk)
    assert (after.version, after.review_state, after.updated_at) == (
        before.version,
        before.review_state,
        before.updated_at,
    )
    assert record.history.count() == rows


@pytest.mark.parametrize("comment", ["", "   ", None])
def test_returning_needs_a_comment(japan, manager, comment):
    record = ActivityFactory(programme=japan, review_state=SUBMITTED)
    with pytest.raises(ValidationError) as error:
        return_activity(activity=record, user=manager, comment=comment)
    assert list(error.value.message_dict) == ["comment"]
    assert Activity.objects.get(pk=record.pk).review_state == SUBMITTED


def test_a_transition_checks_the_version_read(japan, manager):
    record = ActivityFactory(programme=japan, review_state=SUBMITTED)
    stale = record.version
    update_activity(activity=record, user=manager, data={"title": "Changed meanwhile"})
    with pytest.raises(VersionConflict):
        approve_activity(activity=record, user=manager, expected_version=stale)
    assert Activity.objects.get(pk=record.pk).review_state == SUBMITTED
    approve_activity(activity=record, user=manager, expected_version=stale + 1)
    assert Activity.objects.get(pk=record.pk).review_state == APPROVED


@pytest.mark.parametrize(
    ("change", "back_to_review"),
    [
        ({"start_date": datetime.date(2024, 5, 15)}, True),
        ({"end_date": datetime.date(2024, 5, 20)}, True),
        ({"status": "cancelled"}, True),
        ({"outcome": "A joint statement."}, True),
        ({"allies": ["DE"]}, True),
        ({"goals": "second"}, True),
        ({"title": "Renamed"}, False),
        ({"description": "More words."}, False),
        ({"location": "Tokyo"}, False),
        ({"status": "completed", "start_date": datetime.date(2024, 5, 14)}, False),  # as is
        ({"allies": ["FR"]}, False),  # the same Allies again
    ],
)
def test_an_editors_change_of_substance_sends_an_approved_record_back(
    japan, editor, manager, change, back_to_review
):
    goals = list(PartnershipGoal.objects.filter(programme=japan).order_by("order")[:2])
    record = ActivityFactory(programme=japan, goals=goals[:1], allies=["FR"], review_state=APPROVED)
    change = dict(change)
    if change.get("goals") == "second":
        change["goals"] = goals[1:]
    if "allies" in change:
        change["allies"] = [ally(code) for code in change["allies"]]
    update_activity(activity=record, user=editor, data=change)
    record.refresh_from_db()
    assert record.review_state == (SUBMITTED if back_to_review else APPROVED)
    # A Programme manager's own change of substance keeps it approved.
    approved = ActivityFactory(programme=japan, goals=goals[:1], review_state=APPROVED)
    update_activity(activity=approved, user=manager, data={**change, "title": "x"})
    approved.refresh_from_db()
    assert approved.review_state == APPROVED


def test_an_update_cannot_set_the_review_state(japan, editor):
    record = ActivityFactory(programme=japan, review_state=SUBMITTED)
    update_activity(
        activity=record, user=editor, data={"review_state": APPROVED, "review_comment": "x"}
    )
    record.refresh_from_db()
    assert (record.review_state, record.review_comment) == (SUBMITTED, "")


def test_each_transition_is_in_the_history_with_who_and_when(japan, editor, manager):
    record = create_activity(user=editor, data=data(japan, review_state=DRAFT))
    submit_activity(activity=record, user=editor)
    return_activity(activity=record, user=manager, comment="Which Allies?")
    log = readable_change_log(record.history.all())  # newest first
    returned, submitted = log[0], log[1]
    assert returned["user"] == "manager" and submitted["user"] == "editor"
    assert returned["at"] >= submitted["at"]
    assert ("Review state", "Submitted for review", "Returned to its author") in returned["lines"]
    assert ("Review comment", "—", "Which Allies?") in returned["lines"]
    assert submitted["lines"] == [("Review state", "Draft", "Submitted for review")]
