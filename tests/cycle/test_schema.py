"""The OpenAPI schema describes the cycle's endpoints, filters and answers (the fuzzing of
tests/api/test_schema.py then holds them to it)."""

import pytest

from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(editor) -> dict:
    response = token_client(editor).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_describes_follow_ups_and_attention(schema):
    paths = schema["paths"]
    assert set(paths["/api/v1/follow-ups/"]) == {"get", "post"}
    assert set(paths["/api/v1/follow-ups/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/attention/"]) == {"get"}
    parameters = {p["name"]: p for p in paths["/api/v1/follow-ups/"]["get"]["parameters"]}
    assert {"activity", "owner", "status", "overdue", "goal", "programme"} <= set(parameters)
    assert parameters["overdue"]["schema"]["type"] == "boolean"
    assert parameters["activity"]["schema"]["type"] == "integer"
    assert set(parameters["status"]["schema"]["enum"]) == {"open", "done", "dropped"}
    attention = paths["/api/v1/attention/"]["get"]
    assert "programme" in {p["name"] for p in attention["parameters"]}
    assert "400" in attention["responses"]
    response = attention["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][response.rsplit("/", 1)[1]]
    assert set(component["properties"]) == {
        "reports_due",
        "awaiting_review",
        "returned",
        "overdue_follow_ups",
        "quiet_goals",
    }
    follow_up = schema["components"]["schemas"]["FollowUp"]["properties"]
    assert follow_up["overdue"]["readOnly"] and not follow_up["status"].get("readOnly")
