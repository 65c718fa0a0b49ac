import pytest

from feeds.services import reset_calendar_token


@pytest.fixture
def feed(client):
    """Reads the feed as a calendar application would: no session, only the URL."""

    def read(token: str, **filters):
        return client.get("/calendar.ics", {"token": token, **filters})

    return read


@pytest.fixture
def editor_token(editor) -> str:
    return reset_calendar_token(editor)
