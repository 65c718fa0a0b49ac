"""The Calendar page, where a user creates or resets the link, and the admin of links."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from feeds.models import CalendarToken, hash_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FEED_URL = re.compile(r"http://testserver/calendar\.ics\?token=([\w-]+)")


def test_the_link_is_shown_once_after_a_reset_and_never_again(client, editor):
    client.force_login(editor)
    page = client.get("/calendar/")
    assert page.status_code == 200
    assert "You have no calendar link yet" in page.text
    assert not FEED_URL.search(page.text)

    response = client.post("/calendar/")
    assert response.status_code == 200
    token = FEED_URL.search(response.text).group(1)
    assert CalendarToken.objects.get(user=editor).token_hash == hash_token(token)
    assert f"webcal://testserver/calendar.ics?token={token}" in response.text
    assert "no-store" in response["Cache-Control"]
    assert client.get(f"/calendar.ics?token={token}").status_code == 200

    again = client.get("/calendar/")
    assert not FEED_URL.search(again.text)
    assert token not in again.text
    assert "Last read" in again.text


def test_resetting_from_the_page_kills_the_old_link(client, editor):
    client.force_login(editor)
    old = FEED_URL.search(client.post("/calendar/").text).group(1)
    new = FEED_URL.search(client.post("/calendar/").text).group(1)
    assert old != new
    assert client.get("/calendar.ics", {"token": old}).status_code == 404
    assert client.get("/calendar.ics", {"token": new}).status_code == 200


def test_the_page_needs_a_login_and_a_role(client):
    assert client.get("/calendar/")["Location"].startswith(reverse("login"))
    assert client.post("/calendar/")["Location"].startswith(reverse("login"))
    client.force_login(UserFactory(username="nobody"))
    assert client.get("/calendar/").status_code == 403
    assert client.post("/calendar/").status_code == 403
    assert not CalendarToken.objects.exists()


def test_every_page_links_to_the_calendar_page(client, viewer):
    client.force_login(viewer)
    assert 'href="/calendar/"' in client.get("/").text


def test_the_admin_lists_links_without_the_token_and_can_revoke_them(client, superuser, editor):
    client.force_login(editor)
    token = FEED_URL.search(client.post("/calendar/").text).group(1)
    stored = CalendarToken.objects.get(user=editor)

    client.force_login(superuser)
    changelist = client.get(reverse("admin:feeds_calendartoken_changelist"))
    assert changelist.status_code == 200
    assert "editor" in changelist.text
    detail = client.get(reverse("admin:feeds_calendartoken_change", args=[stored.pk]))
    assert detail.status_code == 200
    for page in (changelist, detail):
        assert token not in page.text
        assert stored.token_hash not in page.text
    assert client.get(reverse("admin:feeds_calendartoken_add")).status_code == 403

    response = client.post(
        reverse("admin:feeds_calendartoken_changelist"),
        {"action": "delete_selected", "_selected_action": [stored.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not CalendarToken.objects.exists()
    assert client.get("/calendar.ics", {"token": token}).status_code == 404
