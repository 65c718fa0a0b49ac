"""The API returns and accepts an activity's Japanese texts beside the English ones
(title_ja, description_ja, outcome_ja), lists them, searches them, keeps them in the
history, and gives the framework's Japanese texts (#15)."""

import pytest

from activities.models import Activity
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

TITLE_JA = "日本・NATOサイバー防衛協議"


def test_create_and_read_back_the_japanese_texts(editor_api, valid):
    body = {
        **valid,
        "title_ja": TITLE_JA,
        "description_ja": "第二回の協議。",
        "outcome_ja": "脅威情報の交換に合意した。",
    }
    response = editor_api.post("/api/v1/activities/", body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["title"] == valid["title"]
    assert created["title_ja"] == TITLE_JA
    activity = Activity.objects.get(pk=created["id"])
    assert (activity.title_ja, activity.description_ja, activity.outcome_ja) == (
        TITLE_JA,
        "第二回の協議。",
        "脅威情報の交換に合意した。",
    )
    detail = editor_api.get(f"/api/v1/activities/{activity.pk}/").json()
    listed = editor_api.get("/api/v1/activities/").json()["results"][0]
    for data in (detail, listed):
        assert data["title_ja"] == TITLE_JA
        assert data["description_ja"] == "第二回の協議。"
        assert data["outcome_ja"] == "脅威情報の交換に合意した。"


def test_the_japanese_texts_may_be_left_out_and_come_back_empty(editor_api, valid):
    data = editor_api.post("/api/v1/activities/", valid, format="json").json()
    assert (data["title_ja"], data["description_ja"], data["outcome_ja"]) == ("", "", "")


def test_patch_changes_the_japanese_title_alone(editor_api, japan):
    activity = ActivityFactory(programme=japan, title="Staff talks")
    response = editor_api.patch(
        f"/api/v1/activities/{activity.pk}/", {"title_ja": TITLE_JA}, format="json"
    )
    assert response.status_code == 200, response.json()
    activity.refresh_from_db()
    assert (activity.title, activity.title_ja) == ("Staff talks", TITLE_JA)
    # The history says what changed, in the field's own name.
    history = editor_api.get(f"/api/v1/activities/{activity.pk}/history/").json()
    entries = history["results"] if isinstance(history, dict) else history
    assert entries[0]["changes"]["title_ja"] == {"old": "", "new": TITLE_JA}


@pytest.mark.parametrize(
    ("field", "value"),
    [("title_ja", "あ" * 256), ("description_ja", "あ" * 20001), ("outcome_ja", "あ" * 20001)],
)
def test_an_over_long_japanese_text_gets_400_naming_the_field(editor_api, valid, field, value):
    response = editor_api.post("/api/v1/activities/", {**valid, field: value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field], response.json()
    assert not Activity.objects.exists()


def test_the_english_title_stays_required(editor_api, valid):
    body = {**valid, "title_ja": TITLE_JA}
    del body["title"]
    response = editor_api.post("/api/v1/activities/", body, format="json")
    assert response.status_code == 400
    assert "title" in response.json()


def test_search_finds_the_japanese_text(viewer_api, japan):
    talks = ActivityFactory(programme=japan, title="Staff talks", title_ja=TITLE_JA)
    ActivityFactory(programme=japan, title="Seminar", description_ja="海洋安全保障")
    found = viewer_api.get("/api/v1/activities/", {"search": "サイバー防衛"}).json()["results"]
    assert [row["id"] for row in found] == [talks.pk]


def test_the_csv_format_of_the_api_carries_the_japanese_columns(viewer_api, japan):
    ActivityFactory(programme=japan, title="Staff talks", title_ja=TITLE_JA)
    response = viewer_api.get("/api/v1/activities/", {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.split(",")[2:4] == ["title", "title_ja"]
    assert TITLE_JA in first


def test_the_framework_gives_its_japanese_texts_where_they_exist(viewer_api, japan):
    goal = japan.partnership_goals.get(order=1)
    goal.title_ja = "サイバー防衛"
    goal.save()
    goals = viewer_api.get("/api/v1/goals/", {"programme": japan.pk}).json()["results"]
    by_id = {row["id"]: row for row in goals}
    assert by_id[goal.pk]["title_ja"] == "サイバー防衛"
    # None is invented for the others: left empty until an official text is loaded.
    assert {row["title_ja"] for row in goals if row["id"] != goal.pk} == {""}
