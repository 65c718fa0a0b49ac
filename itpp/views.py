from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from redis.exceptions import RedisError

from itpp import heartbeat


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


def _worker_status() -> str:
    try:
        return heartbeat.worker_status()
    except (RedisError, DatabaseError, OSError):
        return "absent"  # no heartbeat can be read; `cache` says why


@login_not_required
# Outside ATOMIC_REQUESTS: opening the transaction would fail before the check could answer.
@transaction.non_atomic_requests
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and the compose healthcheck: do the database and the shared cache
    (which holds the API's limits and the sessions' neighbours) answer? 503 if not.

    `worker` says whether a Celery worker's heartbeat is recent (itpp/heartbeat.py). It is
    information, not a failure: an instance without a worker still serves every page, and a
    load balancer must not take all instances out because the workers are down."""
    checks = {
        "database": "ok" if _database_answers() else "not answering",
        "cache": "ok" if _cache_answers() else "not answering",
    }
    healthy = all(value == "ok" for value in checks.values())
    # With the cache down no heartbeat can be read (and asking again would only wait again).
    worker = _worker_status() if checks["cache"] == "ok" else "absent"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks, "worker": worker},
        status=200 if healthy else 503,
    )
