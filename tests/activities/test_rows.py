"""The fast row reader gives exactly what the API serializer gives."""

import datetime
import json

import pytest
from rest_framework.utils.encoders import JSONEncoder

from activities.api.serializers import ActivitySerializer
from activities.models import Activity
from activities.rows import activity_rows, iter_activity_rows
from goals.models import PartnershipGoal, StrategicObjective
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


def as_json(data) -> list:
    return json.loads(json.dumps(data, cls=JSONEncoder))


def test_rows_match_the_serializer_field_for_field(japan):
    author = UserFactory(username="author")
    goals = list(PartnershipGoal.objects.filter(programme=japan, order__in=[12, 3, 7]))
    ActivityFactory(
        programme=japan,
        goals=goals,
        objectives=list(StrategicObjective.objects.filter(programme=japan)),
        allies=["US", "AL", "GB"],
        end_date=datetime.date(2024, 5, 20),
        participants=12,
        women_participants=5,
        created_by=author,
        updated_by=author,
        description="Line one\nline two — “quoted”",
    )
    ActivityFactory(programme=japan, title="Bare minimum")
    queryset = Activity.objects.order_by("id")
    fields = ActivitySerializer.Meta.fields
    expected = as_json(ActivitySerializer(queryset, many=True).data)
    assert as_json(activity_rows(queryset, fields)) == expected
    assert as_json(list(iter_activity_rows(queryset, fields, chunk_size=1))) == expected


def test_rows_use_two_queries_whatever_the_number_of_rows(japan, django_assert_num_queries):
    for number in range(30):
        ActivityFactory(programme=japan, title=f"Row {number}", allies=["FR", "DE"])
    fields = ActivitySerializer.Meta.fields
    with django_assert_num_queries(2):  # the activities, then their links as arrays
        found = activity_rows(Activity.objects.all()[:25], fields)
    assert len(found) == 25
    assert all(row["allies"] == ["FR", "DE"] for row in found)  # by name: France, Germany


def test_the_portable_link_reader_gives_the_same_rows(japan, monkeypatch):
    """The per-table link queries (SQLite, the quick start) shape the rows the same."""
    from activities import rows

    ActivityFactory(programme=japan, allies=["US", "AL", "GB"])
    ActivityFactory(programme=japan, title="Bare minimum")
    fields = ActivitySerializer.Meta.fields
    queryset = Activity.objects.order_by("id")
    arrays = activity_rows(queryset, fields)
    monkeypatch.setattr(rows, "_array_links", lambda ids, names, using: rows._links(ids, names))
    assert activity_rows(queryset, fields) == arrays


@pytest.mark.parametrize(
    "ordering", [["-start_date", "-id"], ["title", "-id"], ["updated_at", "-id"], ["title"]]
)
def test_a_page_read_with_its_links_in_one_query_gives_the_same_rows(
    japan, ordering, django_assert_num_queries
):
    """PagedRecords reads a page and its links in one query; every slice (the last,
    partial one too) gives what the two-query reader gives for the same rows."""
    from activities.rows import PagedRecords

    goals = list(PartnershipGoal.objects.filter(programme=japan, order__in=[12, 3, 7]))
    for number in range(23):
        ActivityFactory(
            programme=japan,
            title=f"Row {number % 5}",  # ties, which the id breaks
            start_date=datetime.date(2024, 1, 1) + datetime.timedelta(days=number % 4),
            goals=goals[: number % 4],
            objectives=list(StrategicObjective.objects.filter(programme=japan))[: number % 3],
            allies=["US", "AL", "GB"][: number % 4],
        )
    fields = ActivitySerializer.Meta.fields
    queryset = Activity.objects.order_by(*ordering)
    paged = PagedRecords(queryset, fields)
    assert paged.count() == 23
    total = ordering[-1] == "-id"  # a total order: one query per page
    for start in range(0, 23, 10):
        expected = activity_rows(queryset[start : start + 10], fields)
        with django_assert_num_queries(1 if total else 2):
            found = paged[start : start + 10]
        assert as_json(found) == as_json(expected)
        assert len(found) == min(10, 23 - start)


def test_the_page_statement_is_compiled_once_and_a_filtered_page_reads_as_before(japan):
    """The page's SQL is the ORM's compiled once per fields and ordering; each page puts
    its own ids' subquery (with its filters and their parameters) into it."""
    from activities.rows import PagedRecords, _page_statement

    for number in range(12):
        ActivityFactory(programme=japan, title=f"Talk {number}", allies=["FR"][: number % 2])
    fields = ActivitySerializer.Meta.fields
    queryset = Activity.objects.filter(title__startswith="Talk 1").order_by("title", "-id")
    _page_statement.cache_clear()
    first = PagedRecords(queryset, fields)[0:2]
    again = PagedRecords(queryset.exclude(title="Talk 1"), fields)[0:10]
    assert _page_statement.cache_info().misses == 1
    assert _page_statement.cache_info().hits == 1
    assert [row["title"] for row in first] == ["Talk 1", "Talk 10"]
    assert [row["title"] for row in again] == ["Talk 10", "Talk 11"]
    assert as_json(again) == as_json(activity_rows(queryset.exclude(title="Talk 1"), fields))
    assert PagedRecords(queryset.filter(pk__in=[]), fields)[0:10] == []  # nothing to read


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_count_outside_a_transaction_is_exact_and_changes_no_setting():
    """Outside a transaction (as the API list runs) the count turns parallel workers off
    for its own statement only: the connection's setting is the same afterwards."""
    from django.db import connection

    from activities.rows import PagedRecords
    from goals.models import Programme

    japan = Programme.objects.get(partner="Japan", start_year=2023)
    for number in range(7):
        ActivityFactory(programme=japan, status="completed" if number % 2 else "planned")
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        (before,) = cursor.fetchone()
    assert not connection.in_atomic_block
    fields = ActivitySerializer.Meta.fields
    queryset = Activity.objects.filter(status="completed")
    assert PagedRecords(queryset, fields).count() == 3 == queryset.count()
    assert PagedRecords(Activity.objects.all(), fields).count() == 7
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == (before,)
