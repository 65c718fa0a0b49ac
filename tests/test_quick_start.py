"""The quick start (`make run`) uses an embedded SQLite file, while everything else runs on
PostgreSQL: code written for PostgreSQL (raw SQL, aggregates with FILTER, covering indexes)
must not break it. This walks the main pages and endpoints on a fresh SQLite database, as a
newcomer's first session would, in a separate process with the quick start's settings."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WALK = """
import json
import django
django.setup()
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from goals.models import Programme, StockTake

call_command("generate_demo_data", activities=200, seed=1, verbosity=0)
manager = User.objects.create_user("newcomer")
manager.groups.add(Group.objects.get(name="Programme managers"))
japan = Programme.objects.get(partner="Japan")
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(manager)
statuses = {}
for url in [
    "/", "/goals/", "/activities/", "/activities/export.csv", "/activities/deleted/",
    "/stocktakes/", f"/reports/{japan.pk}/?year=2025", "/calendar/",
    f"/api/v1/progress/?programme={japan.pk}", "/api/v1/activities/",
    "/api/v1/activities/?pagination=cursor&page_size=5", "/api/v1/assessments/",
]:
    statuses[url] = client.get(url).status_code
# The review on SQLite: submit a draft, return it, submit it again, approve it (the
# author's mail goes to the console, in-process).
from activities.models import Activity
draft = Activity.objects.filter(review_state="draft").first()
for action, data in [("submit", {}), ("return", {"comment": "Add the Allies."}),
                     ("submit", {}), ("approve", {})]:
    draft.refresh_from_db()
    client.post(f"/activities/{draft.pk}/{action}/", {"version": draft.version, **data})
draft.refresh_from_db()
statuses["review"] = draft.review_state
opened = client.post(f"/stocktakes/new/?programme={japan.pk}", {
    "title": "2025 annual review",
    "period_start": "2025-01-01", "period_end": "2025-12-31",
})
statuses["open a stock-take"] = 302 if opened.status_code == 302 else opened.status_code
stocktake = StockTake.objects.get(title="2025 annual review")
goal = japan.partnership_goals.first()
rated = client.post(
    f"/stocktakes/{stocktake.pk}/goals/{goal.pk}/", {f"goal-{goal.pk}-rating": "on_track"}
)
statuses["rate a goal"] = rated.status_code
closed = client.post(f"/stocktakes/{stocktake.pk}/close/")
statuses["close it"] = closed.status_code
stocktake.refresh_from_db()
statuses["closed"] = stocktake.status
pdf = f"/reports/{japan.pk}/report.pdf?stocktake={stocktake.pk}"
statuses["its PDF"] = client.get(pdf).status_code
from django.core.cache import caches
cache = caches["default"]
cache.set("quick-start", "kept")  # in the table that `migrate` made
statuses["cache"] = f"{type(cache).__name__}: {cache.get('quick-start')}"
print(json.dumps(statuses))
"""


def test_the_quick_start_on_sqlite_serves_the_main_pages_and_endpoints(tmp_path):
    # No REDIS_URL: the quick start's cache is the database cache, in the SQLite file.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="itpp.settings",
        DJANGO_DEBUG="true",  # as scripts/write-dev-env writes it
        DJANGO_EMAIL_URL="consolemail://",  # likewise
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    migrated = run("manage.py", "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    checked = run("manage.py", "check", "--database", "default", "--fail-level", "WARNING")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    walked = run("-c", WALK)
    assert walked.returncode == 0, walked.stderr
    statuses = json.loads(walked.stdout.strip().splitlines()[-1])
    expected = dict.fromkeys(statuses, 200)
    expected.update(
        {
            "open a stock-take": 302,
            "rate a goal": 302,
            "close it": 302,
            "closed": "closed",
            "review": "approved",
            "cache": "DatabaseCache: kept",
        }
    )
    assert statuses == expected
