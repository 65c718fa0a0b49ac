from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@login_not_required
# Outside ATOMIC_REQUESTS: opening the transaction would fail before the check could answer.
@transaction.non_atomic_requests
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and the compose healthcheck: is the database answering?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "not answering"}, status=503)
    return JsonResponse({"status": "ok"})
