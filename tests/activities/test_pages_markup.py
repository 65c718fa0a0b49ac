"""Every page is ready for a strict Content-Security-Policy: no inline code, no inline
styles, no event-handler attributes, nothing loaded from another origin."""

import re

import pytest
from django.urls import reverse

from activities.services import delete_activity
from goals.models import PartnershipGoal
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_no_page_has_inline_code_styles_or_external_assets(client, manager, japan):
    goal = PartnershipGoal.objects.filter(programme=japan).first()
    activity = ActivityFactory(programme=japan, goals=[goal])
    delete_activity(activity=ActivityFactory(programme=japan, goals=[goal]), user=manager)
    client.force_login(manager)
    pages = [
        reverse("progress:dashboard"),
        reverse("progress:goal_list"),
        goal.get_absolute_url(),
        reverse("activities:list"),
        activity.get_absolute_url(),
        reverse("activities:create"),
        reverse("activities:update", args=[activity.pk]),
        reverse("activities:delete", args=[activity.pk]),
        reverse("activities:deleted"),
        reverse("password_change"),
    ]
    for url in pages:
        html = client.get(url, follow=True).text  # the new form redirects to its token
        assert not INLINE_SCRIPT.search(html), url
        assert not HANDLER.search(html), url
        assert "style=" not in html, url
        assert not re.search(r'(src|href)="(https?:)?//', html), url
        assert '"includeIndicatorStyles": false' in html, url
    client.logout()
    assert "style=" not in client.get(reverse("login")).text
