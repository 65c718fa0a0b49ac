"""The review over the API: POST /api/v1/activities/<id>/submit/, /approve/, /return/; the
serializer's review fields; drafts only for Editors and Programme managers."""

import pytest

from activities.models import Activity, ReviewState
from tests.api.conftest import token_client
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/"


def post(client, activity, action, body=None, **headers):
    return client.post(f"{URL}{activity.pk}/{action}/", body or {}, format="json", **headers)


def test_a_record_created_without_a_review_state_is_submitted(editor_api, valid):
    response = editor_api.post(URL, valid, format="json")
    assert response.status_code == 201
    assert response.data["review_state"] == "submitted"
    assert response.data["review_comment"] == ""
    assert response.data["review_changed_at"] is not None


def test_a_record_may_be_created_as_a_draft_but_not_approved(editor_api, manager_api, valid):
    draft = editor_api.post(URL, {**valid, "review_state": "draft"}, format="json")
    assert draft.status_code == 201 and draft.data["review_state"] == "draft"
    refused = manager_api.post(URL, {**valid, "review_state": "approved"}, format="json")
    assert refused.status_code == 400
    assert "review_state" in refused.data
    assert Activity.objects.count() == 1


def test_a_write_cannot_change_the_review_state(editor_api, japan):
    record = ActivityFactory(programme=japan, review_state="submitted")
    response = editor_api.patch(f"{URL}{record.pk}/", {"review_state": "approved"}, format="json")
    assert response.status_code == 400 and "review_state" in response.data
    assert Activity.objects.get(pk=record.pk).review_state == "submitted"
    # Sending back what was read is fine.
    same = editor_api.patch(
        f"{URL}{record.pk}/", {"review_state": "submitted", "title": "New"}, format="json"
    )
    assert same.status_code == 200


def test_submit_approve_and_return_answer_with_the_record_and_its_etag(
    editor_api, manager_api, japan
):
    record = ActivityFactory(programme=japan, review_state="draft")
    submitted = post(editor_api, record, "submit")
    assert submitted.status_code == 200
    assert submitted.data["review_state"] == "submitted"
    assert submitted["ETag"] == f'"{submitted.data["version"]}"'
    returned = post(manager_api, record, "return", {"comment": "Name the Allies."})
    assert returned.status_code == 200
    assert (returned.data["review_state"], returned.data["review_comment"]) == (
        "returned",
        "Name the Allies.",
    )
    # The author reads the comment over the API.
    assert editor_api.get(f"{URL}{record.pk}/").data["review_comment"] == "Name the Allies."
    listed = editor_api.get(URL, {"review_state": "returned"}).data["results"]
    assert [(row["id"], row["review_comment"]) for row in listed] == [
        (record.pk, "Name the Allies.")
    ]
    assert post(editor_api, record, "submit").status_code == 200
    approved = post(manager_api, record, "approve")
    assert approved.status_code == 200 and approved.data["review_state"] == "approved"


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("submitted", "submit"),
        ("approved", "submit"),
        ("draft", "approve"),
        ("returned", "approve"),
        ("approved", "approve"),
        ("draft", "return"),
        ("returned", "return"),
        ("approved", "return"),
    ],
)
def test_a_state_that_cannot_be_left_that_way_is_409(manager_api, japan, state, action):
    record = ActivityFactory(programme=japan, review_state=state)
    version = record.version
    response = post(manager_api, record, action, {"comment": "Fix it."})
    assert response.status_code == 409
    assert response.data["detail"]
    now = Activity.objects.get(pk=record.pk)
    assert (now.review_state, now.version) == (state, version)


@pytest.mark.parametrize(
    ("role", "action", "status"),
    [
        ("Viewers", "submit", 403),
        ("Viewers", "approve", 403),
        ("Viewers", "return", 403),
        ("Editors", "approve", 403),
        ("Editors", "return", 403),
        (None, "submit", 403),
    ],
)
def test_the_wrong_role_is_403(api_as, japan, role, action, status):
    record = ActivityFactory(programme=japan, review_state="submitted")
    response = post(api_as(role), record, action, {"comment": "Fix it."})
    assert response.status_code == status
    assert Activity.objects.get(pk=record.pk).review_state == "submitted"


def test_return_without_a_comment_is_400_naming_it(manager_api, japan):
    record = ActivityFactory(programme=japan, review_state="submitted")
    for body in ({}, {"comment": ""}, {"comment": "   "}):
        response = post(manager_api, record, "return", body)
        assert response.status_code == 400, body
        assert "comment" in response.data
    assert Activity.objects.get(pk=record.pk).review_state == "submitted"


def test_a_stale_if_match_is_412_and_changes_nothing(manager_api, japan):
    record = ActivityFactory(programme=japan, review_state="submitted")
    response = post(manager_api, record, "approve", HTTP_IF_MATCH=f'"{record.version + 5}"')
    assert response.status_code == 412
    assert Activity.objects.get(pk=record.pk).review_state == "submitted"
    fresh = post(manager_api, record, "approve", HTTP_IF_MATCH=f'"{record.version}"')
    assert fresh.status_code == 200


def test_drafts_exist_over_the_api_only_for_editors_and_managers(
    viewer_api, editor_api, manager_api, japan
):
    draft = ActivityFactory(programme=japan, title="Unfinished draft", review_state="draft")
    ActivityFactory(programme=japan, title="Submitted one", review_state="submitted")
    assert viewer_api.get(f"{URL}{draft.pk}/").status_code == 404
    assert post(viewer_api, draft, "submit").status_code == 403
    assert "Unfinished draft" not in viewer_api.get(URL).content.decode()
    assert viewer_api.get(URL, {"review_state": "draft"}).data["count"] == 0
    assert viewer_api.get(f"{URL}{draft.pk}/history/").status_code == 404
    for client in (editor_api, manager_api):
        assert client.get(f"{URL}{draft.pk}/").status_code == 200
        assert client.get(URL, {"review_state": "draft"}).data["count"] == 1


def test_an_editor_who_cannot_see_a_record_cannot_review_it(editor_api, japan):
    record = ActivityFactory(programme=japan, releasability="restricted", review_state="draft")
    assert post(editor_api, record, "submit").status_code == 404


def test_the_review_state_filter_lists_only_those(editor_api, japan):
    for state in ("draft", "submitted", "approved", "approved", "returned"):
        ActivityFactory(programme=japan, review_state=state)
    counts = {
        state: editor_api.get(URL, {"review_state": state}).data["count"]
        for state in ("draft", "submitted", "approved", "returned")
    }
    assert counts == {"draft": 1, "submitted": 1, "approved": 2, "returned": 1}
    both = editor_api.get(URL, {"review_state": ["approved", "returned"]}).data["count"]
    assert both == 3
    assert editor_api.get(URL, {"review_state": "bogus"}).status_code == 400


def test_the_return_comment_is_shown_to_its_author_as_written(japan, manager_api):
    author = UserFactory(username="author", roles=["Editors"])
    record = ActivityFactory(programme=japan, review_state="submitted", created_by=author)
    comment = "<script>alert(1)</script> Name the Allies & dates."
    assert post(manager_api, record, "return", {"comment": comment}).status_code == 200
    data = token_client(author).get(f"{URL}{record.pk}/").data
    assert data["review_comment"] == comment
    assert data["review_state"] == ReviewState.RETURNED
