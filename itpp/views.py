from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from redis.exceptions import RedisError


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def _cache_answers() -> bool:
    """A write and a read-back on the shared cache (Redis, or the database cache's table)."""
    try:
        cache.set("healthz", "ok", timeout=10)
        return cache.get("healthz") == "ok"
    except (RedisError, DatabaseError, OSError):
        return False


@login_not_required
# Outside ATOMIC_REQUESTS: opening the transaction would fail before the check could answer.
@transaction.non_atomic_requests
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and the compose healthcheck: do the database and the shared cache
    (which holds the API's limits) answer?"""
    checks = {
        "database": "ok" if _database_answers() else "not answering",
        "cache": "ok" if _cache_answers() else "not answering",
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
