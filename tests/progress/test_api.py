"""The progress API's new parts: programme totals, quarters, CSV, and its schema."""

import csv
import io

import pytest

from progress.query import filter_names

pytestmark = pytest.mark.django_db


def test_totals_and_quarters_add_up_to_the_activity_list(manager, client, testland):
    client.force_login(manager)
    pk = testland.programme.pk
    data = client.get(f"/api/v1/progress/?programme={pk}&year=2025").json()
    count = client.get(f"/api/v1/activities/?programme={pk}&year=2025").json()["count"]
    totals = data["totals"]["activities"]
    assert totals["total"] == count == 6
    assert totals["total"] == sum(v for k, v in totals.items() if k != "total")
    assert data["year"] == 2025
    # 2025's activities start in March (2), July (2) and November (2): the quarters from
    # the first to the last with one, and the quarter between them with zeros.
    assert [(q["quarter"], q["activities"]["total"]) for q in data["quarters"]] == [
        ("2025-Q1", 2),
        ("2025-Q2", 0),
        ("2025-Q3", 2),
        ("2025-Q4", 2),
    ]


def test_the_csv_has_one_row_per_goal_with_its_issue_objectives_and_counts(
    manager, client, testland
):
    client.force_login(manager)
    pk = testland.programme.pk
    response = client.get(f"/api/v1/progress/?programme={pk}&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    data = client.get(f"/api/v1/progress/?programme={pk}").json()
    assert [int(row["goal_id"]) for row in rows] == [goal["id"] for goal in data["goals"]]
    first = rows[0]
    assert first["priority_issue"] == "a. A"
    assert first["objectives"] == "1; 2"
    assert {k: int(first[k]) for k in data["goals"][0]["activities"]} == (
        data["goals"][0]["activities"]
    )
    # Errors of a CSV request stay JSON.
    bad = client.get(f"/api/v1/progress/?programme={pk}&format=csv&year=abc")
    assert bad.status_code == 400
    assert "year" in bad.json()


def test_the_schema_documents_every_activity_filter_totals_and_quarters(editor, client):
    client.force_login(editor)
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/progress/"]["get"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert parameters >= set(filter_names()) | {"programme", "format"}
    activity_parameters = {
        parameter["name"]
        for parameter in schema["paths"]["/api/v1/activities/"]["get"]["parameters"]
    }
    assert {"year", "period_start", "period_end", "priority_issue"} <= activity_parameters
    progress = schema["components"]["schemas"]["Progress"]["properties"]
    assert {"totals", "quarters", "goals", "objectives", "priority_issues"} <= set(progress)
    assert "text/csv" in operation["responses"]["200"]["content"]
