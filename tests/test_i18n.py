"""The interface's language (issue 15): the user's saved choice, else the language cookie or
the browser's Accept-Language, else English; the switcher (without JavaScript); <html lang>
on every kind of page; the API's messages from Accept-Language; e-mails in the recipient's
language. No catalogue of ours is compiled here, so what proves a language is Django's own
translations (its messages, month names) and the `lang` the pages declare."""

import datetime
import re

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from accounts.languages import SESSION_KEY
from accounts.models import Preferences
from tests.api.conftest import token_client
from tests.factories import ActivityFactory, FollowUpFactory, UserFactory

pytestmark = pytest.mark.django_db

SWITCH = "/accounts/language/"


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, response.content[:300]
    return match.group(1)


def choose(user, language: str) -> None:
    Preferences.objects.update_or_create(user=user, defaults={"language": language})


# --- How the language is chosen ---------------------------------------------------------


def test_the_users_choice_wins_over_accept_language(client, viewer):
    choose(viewer, "ja")
    client.force_login(viewer)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert html_lang(response) == "ja"
    assert response["Content-Language"] == "ja"


def test_accept_language_is_followed_when_the_user_chose_none(client, viewer):
    client.force_login(viewer)
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="fr-CH, fr;q=0.9, en;q=0.8")) == "fr"
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="ja")) == "ja"


def test_an_unsupported_language_falls_back_to_english(client, viewer):
    client.force_login(viewer)
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="de, es;q=0.5")) == "en-gb"
    assert html_lang(client.get("/")) == "en-gb"
    # Any English is the British English of the interface.
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="en-US")) == "en-gb"


def test_a_choice_saved_before_the_session_began_is_read_once_into_it(client, viewer):
    client.force_login(viewer)
    choose(viewer, "fr")  # e.g. by an administrator, after this session signed in
    session = client.session
    del session[SESSION_KEY]
    session.save()
    assert html_lang(client.get("/")) == "fr"
    assert client.session[SESSION_KEY] == "fr"


def test_dates_follow_the_language(client, viewer, japan):
    ActivityFactory(programme=japan, title="Staff talks", start_date=datetime.date(2025, 11, 30))
    client.force_login(viewer)
    with translation.override("ja"):
        from django.template import Context, Template

        rendered = Template('{{ d|date:"DATE_FORMAT" }}').render(
            Context({"d": datetime.date(2026, 11, 30)})
        )
    assert rendered == "2026年11月30日"
    with translation.override("en-gb"):
        rendered = Template('{{ d|date:"DATE_FORMAT" }} {{ d|date:"LONG_DATE_FORMAT" }}').render(
            Context({"d": datetime.date(2026, 11, 30)})
        )
    assert rendered == "30 Nov 2026 30 November 2026"


# --- The switcher --------------------------------------------------------------------------


def test_the_switcher_is_in_the_menu_and_on_the_sign_in_page(client, viewer):
    response = client.get("/accounts/login/")
    body = response.content.decode()
    assert f'action="{SWITCH}"' in body and 'name="language"' in body
    assert 'name="csrfmiddlewaretoken"' in body
    client.force_login(viewer)
    body = client.get("/").content.decode()
    assert f'action="{SWITCH}"' in body
    # Each language a button named in itself, in a menu that opens without JavaScript.
    assert '<details class="language-switcher' in body
    assert 'name="language" value="ja" lang="ja"' in body and ">日本語</button>" in body


def test_an_anonymous_visitor_switches_with_the_cookie(client):
    response = client.post(SWITCH, {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    # The cookie beats the browser's Accept-Language.
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ja")
    assert html_lang(page) == "fr"


def test_the_switcher_without_javascript_saves_the_choice_and_goes_back(client, viewer):
    client.force_login(viewer)
    response = client.post(SWITCH, {"language": "ja", "next": "/activities/?year=2025"})
    assert response.status_code == 302
    assert response["Location"] == "/activities/?year=2025"
    assert Preferences.objects.get(user=viewer).language == "ja"
    assert html_lang(client.get("/activities/", HTTP_ACCEPT_LANGUAGE="fr")) == "ja"
    # Remembered on the account: a new session (another browser) has it too.
    client.logout()
    client.cookies.clear()
    client.force_login(viewer)
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="fr")) == "ja"
    # Blank: follow the browser again.
    client.post(SWITCH, {"language": "", "next": "/"})
    assert Preferences.objects.get(user=viewer).language == ""
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="fr")) == "fr"


@pytest.mark.parametrize(
    "outside", ["https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)"]
)
def test_the_switcher_refuses_to_send_anyone_off_site(client, viewer, outside):
    client.force_login(viewer)
    response = client.post(SWITCH, {"language": "fr", "next": outside})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert Preferences.objects.get(user=viewer).language == "fr"


def test_the_switcher_refuses_an_unknown_language_and_a_get(client, viewer):
    client.force_login(viewer)
    response = client.post(SWITCH, {"language": "de", "next": "/"})
    assert response.status_code == 400
    assert response.content.decode().startswith("language:")
    assert not Preferences.objects.filter(user=viewer).exists()
    assert client.get(SWITCH).status_code == 405


def test_the_switcher_needs_the_csrf_token(viewer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    assert client.post(SWITCH, {"language": "fr", "next": "/"}).status_code == 403
    assert not Preferences.objects.filter(user=viewer).exists()


def test_the_account_page_chooses_the_language(client, viewer):
    client.force_login(viewer)
    page = client.get("/accounts/").content.decode()
    assert 'name="language"' in page
    response = client.post("/accounts/", {"weekly_digest": "on", "language": "fr"})
    assert response.status_code == 302
    preferences = Preferences.objects.get(user=viewer)
    assert preferences.language == "fr" and preferences.weekly_digest
    assert html_lang(client.get("/accounts/")) == "fr"
    response = client.post("/accounts/", {"weekly_digest": "on", "language": "xx"})
    assert response.status_code == 200
    assert Preferences.objects.get(user=viewer).language == "fr"


# --- <html lang> on every kind of page ----------------------------------------------------


@pytest.mark.parametrize("language", ["en-gb", "fr", "ja"])
def test_html_lang_on_the_pages(client, viewer, japan, language):
    choose(viewer, language)
    client.force_login(viewer)
    for path in ("/", "/activities/", "/goals/", "/reports/", "/accounts/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert html_lang(response) == language, path
    missing = client.get("/activities/999999999/")
    assert missing.status_code == 404 and html_lang(missing) == language


@pytest.mark.parametrize("language", ["en-gb", "fr", "ja"])
def test_html_lang_on_the_pages_without_an_account(client, japan, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert html_lang(client.get("/accounts/login/")) == language
    assert html_lang(client.get("/public/")) == language


def test_html_lang_on_the_403_page(client, japan):
    nobody = UserFactory(username="no-role")
    choose(nobody, "ja")
    client.force_login(nobody)
    response = client.get("/reports/")
    assert response.status_code == 403
    assert html_lang(response) == "ja"


@pytest.mark.parametrize("language", ["fr", "ja"])
def test_html_lang_on_the_500_page(language):
    request = RequestFactory().get("/")
    with translation.override(language):
        response = server_error(request)
    assert response.status_code == 500
    assert html_lang(response) == language


# --- The API: field names stay English, messages follow Accept-Language ---------------------


def test_an_api_400_is_in_french_with_accept_language_fr(viewer):
    api = token_client(viewer)
    response = api.post("/api/v1/reports/", {}, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"programme", "format"}  # the field names stay English
    assert body["programme"] == ["Ce champ est obligatoire."]
    assert response["Content-Language"] == "fr"


def test_the_api_follows_accept_language_not_the_saved_choice_or_cookie(client, viewer):
    choose(viewer, "ja")
    api = token_client(viewer)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    response = api.post("/api/v1/reports/", {}, format="json")
    assert response.json()["format"] == ["This field is required."]
    response = api.post("/api/v1/reports/", {}, format="json", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.json()["format"] == ["この項目は必須です。"]


# --- E-mails in the recipient's language ---------------------------------------------------


@pytest.fixture
def mail(settings, mailoutbox):
    settings.EMAIL_CONFIGURED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://itpp.example.org"
    return mailoutbox


def test_a_follow_up_mail_is_written_in_its_owners_language(mail, japan, monkeypatch):
    import cycle.notifications as notifications

    rendered_in = []
    original = notifications.render_to_string

    def spy(*args, **kwargs):
        rendered_in.append(translation.get_language())
        return original(*args, **kwargs)

    monkeypatch.setattr(notifications, "render_to_string", spy)
    owner = UserFactory(username="owner-fr", roles=["Editors"])
    choose(owner, "fr")
    follow_up = FollowUpFactory(
        activity=ActivityFactory(programme=japan), owner=owner, due_date=datetime.date(2026, 11, 30)
    )
    with translation.override("ja"):  # whatever language the sender's request had
        assert notifications.follow_up_assigned(follow_up.pk) is True
    assert rendered_in == ["fr"]
    assert "novembre" in mail[0].body  # Django's own French month


def test_a_mail_to_someone_without_a_choice_is_in_english(mail, japan, monkeypatch):
    import cycle.notifications as notifications

    owner = UserFactory(username="owner-en", roles=["Editors"])
    follow_up = FollowUpFactory(
        activity=ActivityFactory(programme=japan), owner=owner, due_date=datetime.date(2026, 11, 30)
    )
    with translation.override("fr"):
        assert notifications.follow_up_assigned(follow_up.pk) is True
    assert "November" in mail[0].body


def test_the_review_mail_is_written_in_the_authors_language(mail, japan, manager, monkeypatch):
    import activities.tasks as tasks

    rendered_in = []
    original = tasks.review_message

    def spy(activity):
        rendered_in.append(translation.get_language())
        return original(activity)

    monkeypatch.setattr(tasks, "review_message", spy)
    author = UserFactory(username="author-ja", roles=["Editors"])
    choose(author, "ja")
    record = ActivityFactory(
        programme=japan, review_state="approved", created_by=author, updated_by=manager
    )
    assert tasks.notify_author_of_review(record.pk, "approved") is True
    assert rendered_in == ["ja"]
    assert len(mail) == 1


@pytest.mark.parametrize(
    ("language", "written"),
    [("en-gb", "30 Nov 2025"), ("fr", "30 nov. 2025"), ("ja", "2025年11月30日")],
)
def test_the_activity_list_writes_dates_in_the_language(client, viewer, japan, language, written):
    ActivityFactory(programme=japan, title="Staff talks", start_date=datetime.date(2025, 11, 30))
    choose(viewer, language)
    client.force_login(viewer)
    body = client.get("/activities/", {"year": 2025}).content.decode()
    assert "Staff talks" in body
    assert written in body


def test_a_refused_filter_with_a_lazily_translated_message_is_said_not_a_500():
    from django.utils.translation import gettext_lazy

    from progress.query import FilterRefused

    refused = FilterRefused({"year": [gettext_lazy("This filter cannot be applied here.")]})
    assert refused.message == "year: This filter cannot be applied here."
