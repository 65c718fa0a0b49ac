"""A receiver of webhooks on loopback, started by the test, and API clients with tokens."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from tests.api.conftest import token_client
from tests.factories import UserFactory

# How long a "hang" answer keeps the client waiting at most: longer than the timeout the
# tests set, released at once when the test ends.
HANG_AT_MOST = 10


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    port: int
    # What to answer, in order: a status code, or "hang" (answer nothing until released);
    # 200 once they are used up.
    answers: deque = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    """An HTTP server on 127.0.0.1 that logs every POST, with loopback allowed for it."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hook = state["receiver"]
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hook.received.append(Received(self.path, dict(self.headers.items()), body))
            answer = hook.answers.popleft() if hook.answers else 200
            if answer == "hang":
                hook.release.wait(HANG_AT_MOST)
                return
            self.send_response(answer)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    state["receiver"] = Receiver(url=f"http://127.0.0.1:{port}/hooks/itpp", port=port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["receiver"]
    state["receiver"].release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


def webhook_owner(*roles: str):
    """A user of `roles` who may also own webhooks (the permission Programme managers have),
    e.g. an Editor, who may not see restricted activities."""
    user = UserFactory(roles=list(roles))
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="webhooks", codename__endswith="webhook")
    )
    return user


@pytest.fixture
def api():
    return token_client
