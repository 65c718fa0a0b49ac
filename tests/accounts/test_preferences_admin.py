"""Administrators see and correct users' choices (language, weekly digest) in the admin; a
language changed there reaches e-mails at once and the pages at the next sign-in
(docs/i18n.md)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.languages import recipient_language
from accounts.models import Preferences
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_preferences_changelist")
PASSWORD = "a-long-test-passphrase"


def html_lang(page: str) -> str:
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_admin_lists_each_users_language_and_digest(client, superuser):
    Preferences.objects.create(user=UserFactory(username="akiko"), language="ja")
    Preferences.objects.create(user=UserFactory(username="bernard"), weekly_digest=False)
    client.force_login(superuser)
    page = client.get(CHANGELIST, headers={"accept-language": "en-gb"}).text
    assert ">akiko</a>" in page and '<td class="field-language_name">日本語</td>' in page
    assert ">bernard</a>" in page and "Your browser&#x27;s language" in page
    assert 'alt="False"' in page  # bernard's digest, off

    found = client.get(CHANGELIST, {"q": "akik"}).text
    assert ">akiko</a>" in found and ">bernard</a>" not in found


def test_an_administrator_corrects_a_language_and_it_takes_effect_at_the_next_sign_in(
    client, superuser
):
    user = UserFactory(username="akiko", roles=["Viewers"])
    preferences = Preferences.objects.create(user=user, language="ja")
    reader = Client()
    reader.post(reverse("login"), {"username": "akiko", "password": PASSWORD})
    assert html_lang(reader.get("/").text) == "ja"

    client.force_login(superuser)
    url = reverse("admin:accounts_preferences_change", args=[user.pk])
    response = client.post(url, {"language": "fr", "weekly_digest": "on"}, follow=True)
    assert response.status_code == 200
    assert "from their next sign-in" in response.text
    preferences.refresh_from_db()
    assert (preferences.language, preferences.user) == ("fr", user)  # the user stays
    assert recipient_language(user) == "fr"  # e-mails and report files: at once

    # The pages read the session's copy until the next sign-in.
    assert html_lang(reader.get("/").text) == "ja"
    reader.post(reverse("logout"))
    reader.post(reverse("login"), {"username": "akiko", "password": PASSWORD})
    assert html_lang(reader.get("/").text) == "fr"


def test_the_admin_refuses_a_language_the_site_does_not_offer(client, superuser):
    user = UserFactory(username="akiko")
    Preferences.objects.create(user=user)
    client.force_login(superuser)
    url = reverse("admin:accounts_preferences_change", args=[user.pk])
    response = client.post(url, {"language": "de", "weekly_digest": "on"})
    assert response.status_code == 200  # the form again, with its error
    assert Preferences.objects.get(user=user).language == ""


def test_a_viewer_on_the_staff_does_not_see_others_preferences(client):
    staff_viewer = UserFactory(username="staffviewer", roles=["Viewers"], is_staff=True)
    client.force_login(staff_viewer)
    assert client.get(CHANGELIST).status_code == 403
