"""The cycle's doors (pages, API, e-mails), walked as a Viewer and as an Editor, never show
a restricted activity's title nor its follow-up actions."""

import pytest

from cycle.notifications import send_digests
from tests.api.conftest import token_client
from tests.cycle.conftest import days
from tests.factories import ActivityFactory, FollowUpFactory

pytestmark = pytest.mark.django_db

SECRET = "Zebra-Seven"
DRAFT = "Okapi-Draft"


@pytest.fixture
def scene(programme, editor, viewer, manager, today):
    shown = ActivityFactory(programme=programme, title="Routine talks", created_by=editor)
    FollowUpFactory(activity=shown, owner=viewer, due_date=today - days(2))
    FollowUpFactory(activity=shown, owner=editor, due_date=today - days(2))
    # Logged by the editor and the viewer's action before it was restricted: everything
    # that could list it for them (report due, awaiting review, returned, overdue).
    for state in ("submitted", "returned", "draft"):
        secret = ActivityFactory(
            programme=programme,
            title=f"{SECRET} {state} consultation",
            status="planned",
            start_date=today - days(5),
            review_state=state,
            review_comment=f"{SECRET} comment",
            created_by=editor,
            releasability="restricted",
        )
        FollowUpFactory(
            activity=secret, owner=manager, text=f"{SECRET} action", due_date=today - days(1)
        )
    # A draft is seen by Editors and Programme managers only (the same gate).
    draft = ActivityFactory(
        programme=programme,
        title=f"{DRAFT} proposal",
        status="planned",
        start_date=today - days(5),
        review_state="draft",
        created_by=editor,
    )
    FollowUpFactory(activity=draft, owner=editor, text=f"{DRAFT} action", due_date=today - days(1))
    return shown, secret


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_no_cycle_door_reveals_a_restricted_activity(
    role, request, client, mail, programme, scene, today
):
    user = request.getfixturevalue(role)
    shown, secret = scene
    client.force_login(user)
    hidden = secret.follow_ups.get()
    pages = [
        "/attention/",
        f"/attention/?programme={programme.pk}",
        "/me/",
        "/accounts/",
        shown.get_absolute_url(),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
    for url in (
        f"/activities/{secret.pk}/follow-ups/new/",
        f"/follow-ups/{hidden.pk}/edit/",
        secret.get_absolute_url(),
    ):
        assert client.get(url).status_code in (403, 404), url
    api = token_client(user)
    for url in (
        "/api/v1/follow-ups/",
        f"/api/v1/follow-ups/?activity={secret.pk}",
        "/api/v1/follow-ups/?overdue=true",
        f"/api/v1/follow-ups/?owner=manager&programme={programme.pk}",
        "/api/v1/attention/",
        f"/api/v1/attention/?programme={programme.pk}",
    ):
        response = api.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
    assert api.get(f"/api/v1/follow-ups/{hidden.pk}/").status_code == 404
    send_digests(today)
    theirs = [message for message in mail if message.to == [user.email]]
    assert len(theirs) == 1  # the walk reads a digest that was sent
    assert SECRET not in theirs[0].subject + theirs[0].body


def test_a_viewer_never_meets_a_draft_nor_its_actions(client, viewer, editor, programme, scene):
    client.force_login(viewer)
    for url in ("/attention/", "/me/"):
        assert DRAFT not in client.get(url).content.decode(), url
    api = token_client(viewer)
    for url in ("/api/v1/follow-ups/", "/api/v1/attention/"):
        assert DRAFT not in api.get(url).content.decode(), url
    # The Editor sees the draft and its action (it is theirs): the walk would notice.
    client.force_login(editor)
    assert f"{DRAFT} proposal" in client.get("/me/").content.decode()
    assert f"{DRAFT} action" in token_client(editor).get("/api/v1/follow-ups/").content.decode()
