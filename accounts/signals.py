"""The saved language goes into the session at sign-in (accounts.middleware reads it there)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.languages import SESSION_KEY, saved_language


@receiver(user_logged_in, dispatch_uid="accounts.remember_language")
def remember_language(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = saved_language(user)
