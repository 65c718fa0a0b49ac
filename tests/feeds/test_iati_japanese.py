"""IATI: an activity's Japanese title and description are narratives in Japanese beside the
English ones, and the document stays valid IATI 2.03 (#15)."""

import datetime

import pytest
from lxml import etree

from activities.models import Releasability
from tests.api.conftest import token_client
from tests.factories import ActivityFactory
from tests.feeds.iati_schema import activity_schema
from tests.feeds.test_iati import iati

pytestmark = pytest.mark.django_db
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def narratives(element) -> list[tuple[str | None, str]]:
    return [(n.get(XML_LANG), n.text) for n in element.findall("narrative")]


def test_japanese_narratives_stand_beside_the_english_ones(japan, viewer):
    goal = japan.partnership_goals.get(order=1)
    goal.title_ja = "サイバー防衛"
    goal.save()
    ActivityFactory(
        programme=japan,
        title="Cyber defence staff talks",
        title_ja="日本・NATOサイバー防衛協議",
        description="Second round of talks.",
        description_ja="第二回の協議。",
        goals=[goal],
        start_date=datetime.date(2025, 3, 4),
        releasability=Releasability.PUBLIC,
    )
    ActivityFactory(
        programme=japan,
        title="Maritime seminar",
        description="",
        description_ja="海洋安全保障セミナー。",
        start_date=datetime.date(2025, 4, 1),
        releasability=Releasability.PUBLIC,
    )
    document = iati(token_client(viewer), japan)
    assert activity_schema().validate(document), activity_schema().error_log
    talks, seminar = document.findall("iati-activity")
    assert narratives(talks.find("title")) == [
        (None, "Cyber defence staff talks"),
        ("ja", "日本・NATOサイバー防衛協議"),
    ]
    assert narratives(talks.find("description")) == [
        (None, "Second round of talks."),
        ("ja", "第二回の協議。"),
    ]
    tag = talks.find("tag")
    assert ("ja", "サイバー防衛") in narratives(tag)
    # An English title alone: one narrative, no empty Japanese one.
    assert narratives(seminar.find("title")) == [(None, "Maritime seminar")]
    # A Japanese description alone is the description (the title does not stand in).
    assert narratives(seminar.find("description")) == [("ja", "海洋安全保障セミナー。")]
    assert b'xml:lang="ja"' in etree.tostring(document)
