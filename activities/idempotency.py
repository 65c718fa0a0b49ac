"""Creating an activity once, however often the request is sent: the API's
`Idempotency-Key` header and the new-activity page's one-time form token.

Both claim a `CreationKey` row in the transaction that creates the activity. The row's
unique constraint decides: the first request inserts it (and, if it fails, rolls it back
with everything else, so the key can be used again); a second one with the same key waits
for the first to finish, then finds its row and is answered from it instead of creating.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from activities.models import CreationKey

LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# What new_form_token() makes (43 characters), with some slack; anything else is tampering.
FORM_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}\Z")


def live_keys(*, user: AbstractBaseUser, door: str) -> QuerySet[CreationKey]:
    """A user's keys of a door that have not expired."""
    return CreationKey.objects.filter(
        user=user, door=door, created_at__gte=timezone.now() - LIFETIME
    )


def claim(
    *, user: AbstractBaseUser, door: str, key: str, fingerprint: str = ""
) -> tuple[CreationKey, bool]:
    """The key's row and whether this call created it (True: go on and create the
    activity, in the same transaction). Must run inside `transaction.atomic()`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim() must run in the transaction that creates the activity.")
    keys = CreationKey.objects.filter(user=user, door=door)
    # Expired keys are forgotten (this user's; `purge_expired()` clears everyone's).
    keys.filter(created_at__lt=timezone.now() - LIFETIME).delete()
    try:
        with transaction.atomic():
            record = CreationKey.objects.create(
                user=user, door=door, key=key, fingerprint=fingerprint
            )
            return record, True
    except IntegrityError:
        return keys.get(key=key), False


def purge_expired() -> int:
    """Delete the keys older than 24 hours; the number deleted."""
    return CreationKey.objects.filter(created_at__lt=timezone.now() - LIFETIME).delete()[0]


def fingerprint(data: Any) -> str:
    """A hash of a request's parsed body, the same for the same content whatever the key
    order or (for form bodies) the encoding."""
    if hasattr(data, "lists"):  # a QueryDict
        data = dict(data.lists())
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def new_form_token() -> str:
    """A one-time token for a new-activity form: unguessable, 43 URL-safe characters."""
    return secrets.token_urlsafe(32)
