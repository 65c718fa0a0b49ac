"""Whatever the follow-ups, `overdue=true` and `overdue=false` split them exactly, and the
overdue ones are the open ones past their due date (the lists, the digest and the filter
share `FollowUp.objects.overdue()`)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.models import Activity
from cycle.filters import FollowUpFilterSet
from cycle.models import FollowUp
from tests.cycle.conftest import days
from tests.factories import ActivityFactory, UserFactory, running_programme

pytestmark = pytest.mark.django_db

follow_ups = st.lists(
    st.tuples(st.sampled_from(["open", "done", "dropped"]), st.integers(-40, 40)),
    min_size=0,
    max_size=8,
)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=follow_ups)
def test_overdue_true_and_false_split_the_follow_ups(rows, today):
    FollowUp.objects.all().delete()
    Activity.objects.all().delete()
    activity = ActivityFactory(programme=running_programme(goals=1))
    owner = UserFactory(roles=["Editors"])
    for status, offset in rows:
        FollowUp.objects.create(
            activity=activity, owner=owner, text="x", status=status, due_date=today + days(offset)
        )

    def ids(value: str) -> set[int]:
        filterset = FollowUpFilterSet({"overdue": value}, queryset=FollowUp.objects.all())
        assert filterset.is_valid()
        return set(filterset.qs.values_list("pk", flat=True))

    overdue, rest = ids("true"), ids("false")
    assert overdue | rest == set(FollowUp.objects.values_list("pk", flat=True))
    assert not overdue & rest
    assert overdue == set(FollowUp.objects.overdue(today).values_list("pk", flat=True))
    assert overdue == {f.pk for f in FollowUp.objects.all() if f.is_overdue(today)}
