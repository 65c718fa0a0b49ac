"""The framework the data migrations load is the one the programme text states."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from activities.models import Ally
from goals.models import PartnershipGoal, PriorityIssue, Programme, StrategicObjective

SEED = Path(__file__).resolve().parents[2] / "goals" / "seeds" / "itpp-nato-japan-2023-2026.txt"


def normalise(text: str) -> str:
    return " ".join(text.split())


def parse_programme_text() -> dict:
    """Reads objectives, priority issues and goals straight from the programme text."""
    objectives, issues, goals = {}, [], []
    current_issue = None
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^- [a-c]\. Strategic Objective (\d): (.+?)\.$", line.strip()):
            objectives[int(match[1])] = match[2]
        elif match := re.match(r"^(?:- )?([a-d])\. ([A-Z ,]+):$", line.strip()):
            current_issue = match[2]
            issues.append(current_issue)
        elif current_issue and (match := re.match(r"^-\s+(On .+)$", line.strip())):
            goals.append((current_issue, match[1]))
    return {"objectives": objectives, "issues": issues, "goals": goals}


@pytest.fixture(scope="module")
def text():
    return parse_programme_text()


def test_programme_text_parses_as_expected(text):
    # Guards the parser itself: the text announces 3 objectives, 4 issues and 16 goals.
    assert len(text["objectives"]) == 3
    assert len(text["issues"]) == 4
    assert len(text["goals"]) == 16


def test_loaded_framework_matches_programme_text(japan, text):
    assert japan.name == "Individually Tailored Partnership Programme between NATO and Japan"
    assert (japan.start_year, japan.end_year) == (2023, 2026)

    objectives = StrategicObjective.objects.filter(programme=japan)
    assert {o.number: o.title for o in objectives} == text["objectives"]

    issues = PriorityIssue.objects.filter(programme=japan).order_by("number")
    assert [i.title.upper() for i in issues] == text["issues"]
    assert [i.letter for i in issues] == ["a", "b", "c", "d"]

    goals = PartnershipGoal.objects.filter(programme=japan).select_related("priority_issue")
    assert [(g.priority_issue.title.upper(), normalise(g.statement)) for g in goals] == [
        (issue, normalise(statement)) for issue, statement in text["goals"]
    ]
    for goal in goals:
        # The title is the goal's heading in the text: "On CYBER DEFENCE, ..."
        assert goal.statement.startswith(f"On {goal.title.upper()},")
    assert [g.order for g in goals] == list(range(1, 17))


def test_goals_per_priority_issue(japan):
    counts = {
        issue.title: issue.partnership_goals.count()
        for issue in PriorityIssue.objects.filter(programme=japan)
    }
    assert counts == {
        "Emerging Security Issues": 5,
        "Longstanding Security Issues": 3,
        "Expansion of Cooperative Activities": 6,
        "Promotion of Fundamental Values": 2,
    }


def test_the_32_allies_are_loaded(db):
    assert Ally.objects.count() == 32
    assert set(
        Ally.objects.filter(code__in=["FI", "SE", "US", "TR"]).values_list("name", flat=True)
    ) == {
        "Finland",
        "Sweden",
        "United States",
        "Türkiye",
    }


def snapshot() -> list:
    return [
        list(model.objects.order_by("pk").values())
        for model in (Programme, StrategicObjective, PriorityIssue, PartnershipGoal, Ally)
    ]


@pytest.mark.django_db
def test_migrating_again_changes_nothing():
    before = snapshot()
    framework = importlib.import_module("goals.migrations.0002_nato_japan_2023_2026")
    allies = importlib.import_module("activities.migrations.0002_nato_allies")
    framework.load_framework(apps, None)
    allies.load_allies(apps, None)
    call_command("migrate", verbosity=0)
    assert snapshot() == before
