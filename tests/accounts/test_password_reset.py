"""Password reset is on only while mail is configured (DJANGO_EMAIL_URL): without mail the
promised e-mail could never arrive, so the pages answer 404."""

import pytest

from tests.factories import UserFactory
from tests.processes import run_django

RESET_PAGES = [
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/accounts/reset/MQ/set-password/",
    "/accounts/reset/done/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", RESET_PAGES)
def test_without_mail_the_password_reset_pages_do_not_exist(client, settings, url):
    settings.EMAIL_CONFIGURED = False
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_without_mail_a_reset_request_sends_nothing(client, settings, mailoutbox):
    settings.EMAIL_CONFIGURED = False
    UserFactory(username="forgetful", email="forgetful@example.org")
    response = client.post("/accounts/password_reset/", {"email": "forgetful@example.org"})
    assert response.status_code == 404
    assert mailoutbox == []


@pytest.mark.django_db
def test_with_mail_a_user_gets_a_reset_link_and_can_set_a_new_password(
    client, settings, mailoutbox
):
    settings.EMAIL_CONFIGURED = True
    user = UserFactory(username="forgetful", email="forgetful@example.org")
    assert client.get("/accounts/password_reset/").status_code == 200
    response = client.post("/accounts/password_reset/", {"email": "forgetful@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert len(mailoutbox) == 1
    link = next(word for word in mailoutbox[0].body.split() if "/accounts/reset/" in word)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new_password = "a-brand-new-long-passphrase"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_an_email_url_turns_mail_on():
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_CONFIGURED, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS)"
    )

    def run(**env: str) -> str:
        result = run_django(code, **env)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert run() == "False localhost 25 False"
    assert (
        run(DJANGO_EMAIL_URL="smtp+tls://mailer:secret@mail.example.org:587")
        == "True mail.example.org 587 True"
    )
