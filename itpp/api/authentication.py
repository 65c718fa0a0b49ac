"""API tokens: knox's, checked at the cost of the presented token alone."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.models import AuthToken
from knox.signals import token_expired


class TokenAuthentication(auth.TokenAuthentication):
    """knox's token authentication without its clean-up of the user's other tokens.

    For every request knox also reads all the user's tokens and deletes the expired ones:
    a query (and sometimes deletes) on every API call, about a millisecond of a list's
    fixed cost (docs/performance.md). Here only the presented token's expiry is checked:
    an expired token is still refused (401) and deleted, as knox does; the other expired
    tokens, which cannot authenticate anyone either, are deleted by the periodic task
    `accounts.tasks.purge_expired_api_tokens` (CELERY_BEAT_SCHEDULE)."""

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        # knox's hook: True when the token has expired (it is then skipped).
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source="auth_token")
        return True


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of knox's tokens (`knoxApiToken`) for this subclass too:
    drf-spectacular matches an authentication class exactly, not its subclasses."""

    target_class = "itpp.api.authentication.TokenAuthentication"


def purge_expired_tokens() -> int:
    """Delete every API token past its expiry; the number deleted."""
    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted
