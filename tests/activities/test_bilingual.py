"""Bilingual records (#15): an activity's title, description and outcome in English and
Japanese, shown in the reader's language with the other as fallback, entered side by side,
searched, exported and imported in both; the framework's Japanese texts where they exist."""

import csv
import datetime
import io
import re

import pytest
import tablib
from django.urls import reverse
from django.utils import translation

from activities.exports import COLUMNS, activities_csv_lines
from activities.models import Activity
from activities.resources import ActivityResource
from goals.models import PartnershipGoal, PriorityIssue, StrategicObjective
from itpp.i18n import in_language
from tests.factories import ActivityFactory, edit_form_data

pytestmark = pytest.mark.django_db

TITLE_JA = "日本・NATOサイバー防衛協議"
DESCRIPTION_JA = "サイバー防衛に関する第二回協議。"
OUTCOME_JA = "脅威情報の交換に合意した。"


@pytest.fixture
def bilingual(japan):
    return ActivityFactory(
        programme=japan,
        title="Cyber defence staff talks",
        title_ja=TITLE_JA,
        description="Second round of talks on cyber defence.",
        description_ja=DESCRIPTION_JA,
        outcome="",
        outcome_ja=OUTCOME_JA,
    )


# --- the one rule: the active language, the other as fallback --------------------------


@pytest.mark.parametrize(
    ("language", "english", "japanese", "shown"),
    [
        ("en-gb", "Talks", "協議", "Talks"),
        ("fr", "Talks", "協議", "Talks"),
        ("ja", "Talks", "協議", "協議"),
        ("ja", "Talks", "", "Talks"),  # no Japanese: the English
        ("en-gb", "", "協議", "協議"),  # no English: the Japanese
        ("ja-jp", "", "", ""),
    ],
)
def test_the_text_follows_the_language_with_the_other_as_fallback(
    language, english, japanese, shown
):
    assert in_language(english, japanese, language) == shown
    activity = Activity(title=english, title_ja=japanese)
    with translation.override(language):
        assert activity.display_title == shown
        assert activity.display_title_lang == ("ja" if shown and shown == japanese else "en")


def test_the_english_title_stays_required_and_the_japanese_texts_have_the_same_limits(japan):
    activity = ActivityFactory.build(programme=japan, title="", title_ja=TITLE_JA)
    with pytest.raises(Exception) as error:
        activity.full_clean(exclude=["programme"])
    assert "title" in error.value.message_dict
    assert "title_ja" not in error.value.message_dict
    long = Activity(
        programme=japan, title="x", description_ja="あ" * 20001, outcome_ja="あ" * 20001
    )
    with pytest.raises(Exception) as error:
        long.full_clean(exclude=["programme", "start_date", "activity_type"])
    assert {"description_ja", "outcome_ja"} <= set(error.value.message_dict)


# --- the form: English and Japanese side by side ---------------------------------------


def test_the_form_puts_english_and_japanese_side_by_side_and_saves_both(client, editor, bilingual):
    client.force_login(editor)
    url = reverse("activities:update", args=[bilingual.pk])
    html = client.get(url).content.decode()
    for name in ("title", "description", "outcome"):
        row = re.search(
            rf'<div class="row" data-bilingual="{name}">(.*?)</div>\s*</div>\s*</div>', html, re.S
        )
        assert row, name
        columns = row.group(1)
        # Two columns, the English first, the Japanese input marked as Japanese.
        assert columns.index(f'name="{name}"') < columns.index(f'name="{name}_ja"')
        assert re.search(
            rf'<(input|textarea)[^>]*lang="ja"[^>]*name="{name}_ja"', columns
        ) or re.search(rf'<(input|textarea)[^>]*name="{name}_ja"[^>]*lang="ja"', columns), name
    data = edit_form_data(
        bilingual,
        title="Cyber defence staff talks (2nd round)",
        title_ja="日本・NATOサイバー防衛協議（第二回）",
        description_ja="改訂した説明。",
        outcome_ja="合意事項を確認した。",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    bilingual.refresh_from_db()
    assert bilingual.title == "Cyber defence staff talks (2nd round)"
    assert bilingual.title_ja == "日本・NATOサイバー防衛協議（第二回）"
    assert (bilingual.description_ja, bilingual.outcome_ja) == (
        "改訂した説明。",
        "合意事項を確認した。",
    )


def test_a_japanese_title_alone_does_not_replace_the_required_english_one(
    client, editor, bilingual
):
    client.force_login(editor)
    url = reverse("activities:update", args=[bilingual.pk])
    response = client.post(url, edit_form_data(bilingual, title="", title_ja=TITLE_JA))
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert "title_ja" not in response.context["form"].errors
    bilingual.refresh_from_db()
    assert bilingual.title == "Cyber defence staff talks"


# --- the pages: the reader's language, the other as fallback ---------------------------


def test_the_detail_page_shows_english_to_an_english_reader_with_the_japanese_title_beside(
    client, viewer, bilingual
):
    client.force_login(viewer)
    html = client.get(bilingual.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<h1 class="h2 mb-1">Cyber defence staff talks</h1>' in html
    assert f'<p class="lead mb-1" lang="ja" id="title-other">{TITLE_JA}</p>' in html
    assert "Second round of talks on cyber defence." in html
    # No English outcome: the Japanese one, marked as Japanese.
    assert f'<p class="text-prewrap mb-0" lang="ja">{OUTCOME_JA}</p>' in html


def test_the_detail_page_shows_japanese_to_a_japanese_reader(client, viewer, bilingual):
    client.force_login(viewer)
    html = client.get(bilingual.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert f'<h1 class="h2 mb-1">{TITLE_JA}</h1>' in html
    assert DESCRIPTION_JA in html
    assert "Second round of talks on cyber defence." not in html
    # The English title beside it, marked as English on a Japanese page.
    assert '<p class="lead mb-1" lang="en" id="title-other">Cyber defence staff talks</p>' in html


def test_the_list_shows_each_title_in_the_readers_language(client, viewer, japan, bilingual):
    english_only = ActivityFactory(programme=japan, title="Maritime staff talks")
    client.force_login(viewer)
    english = client.get(reverse("activities:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Cyber defence staff talks</a>" in english and TITLE_JA not in english
    japanese = client.get(reverse("activities:list"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert f'lang="ja">{TITLE_JA}</a>' not in japanese  # the page itself is Japanese
    assert f">{TITLE_JA}</a>" in japanese
    # An activity without a Japanese title keeps its English one, marked as English.
    link = f'<a class="fw-semibold" href="{english_only.get_absolute_url()}" lang="en">'
    assert f"{link}Maritime staff talks</a>" in japanese


def test_framework_japanese_titles_are_shown_when_present(client, viewer, japan, bilingual):
    goal = PartnershipGoal.objects.get(programme=japan, order=1)
    issue = goal.priority_issue
    goal.title_ja, issue.title_ja = "サイバー防衛", "新たな安全保障上の課題"
    goal.save()
    issue.save()
    bilingual.goals.set([goal])
    client.force_login(viewer)
    for url in (
        reverse("progress:goal_list"),
        goal.get_absolute_url(),
        bilingual.get_absolute_url(),
    ):
        japanese = client.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
        assert "サイバー防衛" in japanese, url
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert goal.title in english, url
    # The goal's own page: its heading in the reader's language (its change log, below,
    # names the Japanese title that was added, whatever the language).
    english = client.get(goal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<h1 class="h2 mb-0">{goal.title}' in english
    japanese = client.get(goal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<h1 class="h2 mb-0">サイバー防衛' in japanese
    listing = client.get(reverse("progress:goal_list"), HTTP_ACCEPT_LANGUAGE="en").content
    assert "サイバー防衛" not in listing.decode()
    dashboard = client.get(
        reverse("progress:dashboard"), HTTP_ACCEPT_LANGUAGE="ja"
    ).content.decode()
    assert "新たな安全保障上の課題" in dashboard
    # Without a Japanese text, the English one stands in.
    other = PartnershipGoal.objects.get(programme=japan, order=2)
    assert (
        other.title
        in client.get(reverse("progress:goal_list"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    )


def test_cached_parts_of_the_dashboard_and_the_public_page_follow_the_language(
    client, viewer, japan, bilingual
):
    issue = PartnershipGoal.objects.get(programme=japan, order=1).priority_issue
    issue.title_ja = "新たな安全保障上の課題"
    issue.save()
    bilingual.releasability = "public"
    bilingual.save()
    client.force_login(viewer)
    for _ in range(2):  # the second time from the cache
        english = client.get(reverse("progress:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
        japanese = client.get(reverse("progress:dashboard"), HTTP_ACCEPT_LANGUAGE="ja")
        assert "新たな安全保障上の課題" not in english.content.decode()
        assert "新たな安全保障上の課題" in japanese.content.decode()
    client.logout()
    for _ in range(2):
        english = client.get("/public/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        japanese = client.get("/public/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
        assert TITLE_JA not in english and "Cyber defence staff talks" in english
        assert TITLE_JA in japanese


def test_the_seeded_framework_has_no_invented_japanese_text(japan):
    for model in (PartnershipGoal, PriorityIssue, StrategicObjective):
        assert not model.objects.filter(programme=japan).exclude(title_ja="").exists()
    assert japan.name_ja == "" and japan.description_ja == ""


# --- search finds either language --------------------------------------------------------


@pytest.mark.parametrize("words", ["サイバー防衛協議", "第二回協議", "脅威情報", "staff talks"])
def test_search_finds_either_language(client, viewer, japan, bilingual, words):
    ActivityFactory(programme=japan, title="Maritime seminar", title_ja="海洋安全保障セミナー")
    client.force_login(viewer)
    response = client.get(reverse("activities:list"), {"search": words})
    assert [a.pk for a in response.context["activities"]] == [bilingual.pk]


# --- CSV: both export paths, and the import ---------------------------------------------


def test_both_export_paths_carry_the_japanese_columns_identically(japan, bilingual):
    ActivityFactory(
        programme=japan,
        title="=formula",
        title_ja='=危険, "引用"',
        description_ja="二行\r\nの説明",
        outcome_ja="'引用符",
    )
    queryset = Activity.objects.all()
    fast = "".join(activities_csv_lines(queryset))
    portable = "".join(activities_csv_lines(queryset, portable=True))
    assert fast == portable
    rows = list(csv.DictReader(io.StringIO(fast.lstrip("\ufeff"))))
    assert COLUMNS.index("title_ja") == COLUMNS.index("title") + 1
    by_title = {row["title"]: row for row in rows}
    talks = by_title["Cyber defence staff talks"]
    assert (talks["title_ja"], talks["description_ja"], talks["outcome_ja"]) == (
        TITLE_JA,
        DESCRIPTION_JA,
        OUTCOME_JA,
    )
    risky = by_title["'=formula"]
    assert risky["title_ja"] == '\'=危険, "引用"'  # escaped like every text
    assert risky["outcome_ja"] == "''引用符"


def test_the_page_export_then_the_import_reproduces_the_japanese_text(
    client, superuser, japan, bilingual
):
    client.force_login(superuser)
    response = client.get(reverse("activities:export"))
    exported = b"".join(response.streaming_content).decode("utf-8-sig")
    dataset = tablib.Dataset().load(exported, format="csv")
    Activity.objects.all().delete()
    rows = tablib.Dataset(headers=dataset.headers)
    for values in dataset.dict:
        rows.append([("" if header == "id" else values[header]) for header in dataset.headers])
    result = ActivityResource().import_data(rows, dry_run=False, user=superuser)
    assert not result.has_errors() and not result.has_validation_errors(), [
        r.error_dict for r in result.invalid_rows
    ]
    copy = Activity.objects.get()
    assert (copy.title, copy.title_ja, copy.description_ja, copy.outcome_ja) == (
        "Cyber defence staff talks",
        TITLE_JA,
        DESCRIPTION_JA,
        OUTCOME_JA,
    )


def test_an_import_without_the_japanese_columns_still_works(japan, superuser):
    from tests.activities.importing import HEADER, row

    dataset = tablib.Dataset(row(japan), headers=HEADER)
    result = ActivityResource().import_data(dataset, dry_run=False, user=superuser)
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    assert Activity.objects.get().title_ja == ""


def test_a_new_activity_logged_from_a_similar_one_keeps_its_japanese_title(
    client, editor, bilingual
):
    client.force_login(editor)
    response = client.get(reverse("activities:create"), {"from": bilingual.pk}, follow=True)
    form = response.context["form"]
    assert form.initial["title_ja"] == TITLE_JA
    assert form.initial["description_ja"] == DESCRIPTION_JA
    assert "outcome_ja" not in form.initial  # one occurrence's, like the outcome


def test_completing_an_ended_activity_accepts_its_outcome_in_either_language(japan):
    activity = ActivityFactory(
        programme=japan, status="ongoing", start_date=datetime.date(2024, 5, 1)
    )
    activity = Activity.objects.get(pk=activity.pk)  # as read: it is being completed
    activity.status = "completed"
    with pytest.raises(Exception) as error:
        activity.full_clean()
    assert "outcome" in error.value.message_dict
    activity.outcome_ja = OUTCOME_JA
    activity.full_clean()


# --- who took part: the admin's inline, and a change of them as a change of substance ---


def _participants(activity):
    return sorted(activity.participations.values_list("organisation__short_name", "role"))


def _inline(rows, initial=0):
    data = {
        "participations-TOTAL_FORMS": str(len(rows)),
        "participations-INITIAL_FORMS": str(initial),
        "participations-MIN_NUM_FORMS": "0",
        "participations-MAX_NUM_FORMS": "1000",
    }
    for index, values in enumerate(rows):
        for key, value in values.items():
            data[f"participations-{index}-{key}"] = value
    return data


def _admin_post(activity, **changes):
    data = {
        "programme": activity.programme_id,
        "title": activity.title,
        "title_ja": activity.title_ja,
        "activity_type": activity.activity_type,
        "status": activity.status,
        "releasability": activity.releasability,
        "start_date": activity.start_date.isoformat(),
        "end_date": "",
        "goals": [g.pk for g in activity.goals.all()],
        "objectives": [],
        "allies": [],
        "location": "",
        "lead_organisation": "",
        "participants": "",
        "women_participants": "",
        "description": activity.description,
        "description_ja": activity.description_ja,
        "outcome": activity.outcome,
        "outcome_ja": activity.outcome_ja,
        "version": activity.version,
    }
    data.update(changes)
    return data


@pytest.fixture
def staff_editor(db):
    from tests.factories import UserFactory

    return UserFactory(username="staff-editor", is_staff=True, roles=["Editors"])


def test_the_admin_lists_participants_inline_and_saves_them_through_the_service(
    client, staff_editor, japan, bilingual
):
    from activities.models import Organisation

    jmsdf = Organisation.objects.get(programme=japan, short_name="JMSDF")
    act = Organisation.objects.get(programme=japan, short_name="ACT")
    client.force_login(staff_editor)
    url = reverse("admin:activities_activity_change", args=[bilingual.pk])
    page = client.get(url).content.decode()
    assert 'name="participations-TOTAL_FORMS"' in page
    assert 'name="title_ja"' in page and 'name="outcome_ja"' in page
    rows = [
        {"organisation": jmsdf.pk, "role": "lead"},
        {"organisation": act.pk, "role": "observer"},
    ]
    response = client.post(url, {**_admin_post(bilingual), **_inline(rows)})
    assert response.status_code == 302, response.context["errors"]
    assert _participants(bilingual) == [("ACT", "observer"), ("JMSDF", "lead")]
    # One change-log entry, with the participants in it, by the admin door.
    latest = bilingual.history.order_by("-history_date").first()
    assert latest.history_channel == "admin"


def test_the_admin_inline_refuses_an_organisation_listed_twice(
    client, staff_editor, japan, bilingual
):
    from activities.models import Organisation

    jmsdf = Organisation.objects.get(programme=japan, short_name="JMSDF")
    client.force_login(staff_editor)
    url = reverse("admin:activities_activity_change", args=[bilingual.pk])
    rows = [
        {"organisation": jmsdf.pk, "role": "lead"},
        {"organisation": jmsdf.pk, "role": "observer"},
    ]
    response = client.post(url, {**_admin_post(bilingual), **_inline(rows)})
    assert response.status_code == 200
    assert _participants(bilingual) == []


def test_the_admin_inline_refuses_another_programmes_organisation(
    client, staff_editor, japan, bilingual
):
    from tests.factories import OrganisationFactory, ProgrammeFactory

    stranger = OrganisationFactory(programme=ProgrammeFactory(), name="Elsewhere")
    client.force_login(staff_editor)
    url = reverse("admin:activities_activity_change", args=[bilingual.pk])
    response = client.post(
        url, {**_admin_post(bilingual), **_inline([{"organisation": stranger.pk, "role": "lead"}])}
    )
    assert response.status_code == 200
    assert "Choose only organisations of the programme" in response.content.decode()
    assert _participants(bilingual) == []


def test_an_admin_post_without_the_rows_leaves_the_participants_as_they_are(
    client, staff_editor, japan
):
    from activities.models import Organisation

    jmsdf = Organisation.objects.get(programme=japan, short_name="JMSDF")
    activity = ActivityFactory(programme=japan, organisations=[(jmsdf, "lead")])
    client.force_login(staff_editor)
    url = reverse("admin:activities_activity_change", args=[activity.pk])
    response = client.post(url, _admin_post(activity, title="Renamed"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Renamed"
    assert _participants(activity) == [("JMSDF", "lead")]


def test_an_admin_cannot_reach_the_participants_of_a_restricted_activity_it_may_not_see(
    client, staff_editor, japan
):
    hidden = ActivityFactory(programme=japan, releasability="restricted")
    client.force_login(staff_editor)
    url = reverse("admin:activities_activity_change", args=[hidden.pk])
    response = client.post(url, {**_admin_post(hidden), **_inline([])})
    assert response.status_code in (302, 404)
    assert client.get(url).status_code in (302, 404)
    hidden.refresh_from_db()
    assert hidden.version == 1


@pytest.mark.parametrize("door", ["admin", "page", "service"])
def test_an_editors_change_of_participants_sends_an_approved_record_back(
    client, staff_editor, manager, japan, door
):
    from activities.models import Organisation, ReviewState
    from activities.services import update_activity

    jmsdf = Organisation.objects.get(programme=japan, short_name="JMSDF")
    act = Organisation.objects.get(programme=japan, short_name="ACT")
    approved = ActivityFactory(
        programme=japan, organisations=[(jmsdf, "lead")], review_state=ReviewState.APPROVED
    )
    if door == "admin":
        client.force_login(staff_editor)
        rows = [
            {
                "id": approved.participations.get().pk,
                "activity": approved.pk,
                "organisation": jmsdf.pk,
                "role": "lead",
            },
            {"organisation": act.pk, "role": "participant"},
        ]
        response = client.post(
            reverse("admin:activities_activity_change", args=[approved.pk]),
            {**_admin_post(approved), **_inline(rows, initial=1)},
        )
        assert response.status_code == 302, response.context["errors"]
    elif door == "page":
        client.force_login(staff_editor)
        data = edit_form_data(
            approved,
            **{
                "participant-0-organisation": jmsdf.pk,
                "participant-0-role": "co-host",  # only the role changes
            },
        )
        response = client.post(reverse("activities:update", args=[approved.pk]), data)
        assert response.status_code == 302, response.context["form"].errors
    else:
        update_activity(
            activity=approved, user=staff_editor, data={"organisations": [(jmsdf, "observer")]}
        )
    approved.refresh_from_db()
    assert approved.review_state == ReviewState.SUBMITTED
    # The same participants again change nothing of substance, and a Programme manager's
    # own change keeps the record approved.
    kept = ActivityFactory(
        programme=japan, organisations=[(jmsdf, "lead")], review_state=ReviewState.APPROVED
    )
    update_activity(activity=kept, user=staff_editor, data={"organisations": [(jmsdf, "lead")]})
    update_activity(activity=kept, user=manager, data={"organisations": [(act, "lead")]})
    kept.refresh_from_db()
    assert kept.review_state == ReviewState.APPROVED


def test_an_editors_change_of_the_japanese_outcome_sends_an_approved_record_back(
    staff_editor, japan
):
    from activities.models import ReviewState
    from activities.services import update_activity

    approved = ActivityFactory(programme=japan, review_state=ReviewState.APPROVED)
    update_activity(activity=approved, user=staff_editor, data={"title_ja": TITLE_JA})
    approved.refresh_from_db()
    assert approved.review_state == ReviewState.APPROVED  # a title is not substance
    update_activity(activity=approved, user=staff_editor, data={"outcome_ja": OUTCOME_JA})
    approved.refresh_from_db()
    assert approved.review_state == ReviewState.SUBMITTED


def test_demo_activities_have_participants_with_roles(japan):
    from django.core.management import call_command

    from activities import demo
    from activities.models import ActivityOrganisation

    call_command("generate_demo_data", activities=60, seed=5)
    activities = Activity.objects.filter(programme=japan)
    participations = ActivityOrganisation.objects.filter(activity__in=activities)
    assert set(participations.values_list("activity", flat=True)) == set(
        activities.values_list("pk", flat=True)
    )
    assert {"lead", "participant"} <= set(participations.values_list("role", flat=True))
    for activity in activities.prefetch_related("participations__organisation"):
        Activity.clean_links(
            activity.programme,
            None,
            organisations=[(p.organisation, p.role) for p in activity.participations.all()],
        )
    # Cleared with their activities.
    demo.clear()
    assert not ActivityOrganisation.objects.exists()
