"""Hardening: security headers on every response, and lockout after repeated failed logins."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-passphrase"


def test_pages_send_a_strict_content_security_policy_and_security_headers(client, editor):
    client.force_login(editor)
    for url in ["/", "/activities/", "/accounts/login/", "/admin/login/", "/api/v1/docs/"]:
        response = client.get(url, follow=True)
        policy = dict(
            directive.strip().split(" ", 1)
            for directive in response["Content-Security-Policy"].split(";")
        )
        assert policy["script-src"] == "'self'", url
        assert "unsafe-eval" not in response["Content-Security-Policy"], url
        # Only Swagger UI, which styles itself from script, may use inline styles.
        expected_style = "'self' 'unsafe-inline'" if url == "/api/v1/docs/" else "'self'"
        assert policy["style-src"] == expected_style, url
        assert policy["frame-ancestors"] == "'none'"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"


def test_swagger_ui_runs_without_inline_script(client, editor):
    client.force_login(editor)
    page = client.get("/api/v1/docs/").content.decode()
    assert "<script>" not in page
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def login(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_repeated_failed_logins_lock_the_account_from_that_address(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="target", roles=["Viewers"])
    for _ in range(2):
        assert login(client, "target", "wrong").status_code == 200  # the form again
    locked = login(client, "target", "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Even the right password is refused while locked.
    assert login(client, "target", PASSWORD).status_code == 429
    # Another account from the same address is not affected.
    UserFactory(username="colleague", roles=["Viewers"])
    assert login(client, "colleague", PASSWORD).status_code == 302


def test_an_administrator_unlocks_the_account_in_the_admin(client, settings, superuser):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="target", roles=["Viewers"])
    login(client, "target", "wrong")
    assert login(client, "target", "wrong").status_code == 429

    admin = client.__class__()
    admin.force_login(superuser)
    attempts = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert "target" in attempts.content.decode()
    attempt = AccessAttempt.objects.get(username="target")
    admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert login(client, "target", PASSWORD).status_code == 302


def test_weak_passwords_are_refused(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "password1", "new_password2": "password1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
