"""Issuing and checking calendar links."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from feeds.models import CalendarToken, hash_token

FEED_PERMISSION = "activities.view_activity"


@transaction.atomic
def reset_calendar_token(user: AbstractBaseUser) -> str:
    """Give `user` a new calendar token and return it; any earlier one stops working at once.

    The plain token exists only in the return value: the database keeps its hash.
    """
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(
        user=user,
        defaults={
            "token_hash": hash_token(token),
            "created_at": timezone.now(),
            "last_used_at": None,
        },
    )
    return token


def calendar_token_for(token: str) -> CalendarToken | None:
    """The stored token matching `token`, with its user; None for an unknown one.

    Recording the use is a single UPDATE of that row: it is bookkeeping, not a change
    of programme data, so it bypasses the change history.
    """
    if not token:
        return None
    try:
        calendar_token = CalendarToken.objects.select_related("user").get(
            token_hash=hash_token(token)
        )
    except CalendarToken.DoesNotExist:
        return None
    calendar_token.last_used_at = timezone.now()
    CalendarToken.objects.filter(pk=calendar_token.pk).update(  # history-safe
        last_used_at=calendar_token.last_used_at
    )
    return calendar_token


def may_read_feed(user: AbstractBaseUser) -> bool:
    """A link works only while its owner could still sign in and see activities."""
    return user.is_active and user.has_perm(FEED_PERMISSION)
