"""Who took part: organisations of the programme's list, each with its role, on an activity.
The rule (same programme, a known role, each organisation once) holds at every door; the
form, the page, the CSV and its import, the filters and progress, and the change log."""

import csv
import io

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities import services
from activities.exports import COLUMNS, activities_csv_lines
from activities.history import activity_change_log
from activities.models import Activity, ActivityOrganisation
from activities.resources import ActivityResource
from tests.activities.importing import HEADER, row
from tests.api.conftest import token_client
from tests.factories import (
    ActivityFactory,
    OrganisationFactory,
    ProgrammeFactory,
    edit_form_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies(japan):
    return {o.short_name: o for o in japan.organisations.exclude(short_name="")}


def roles(activity) -> dict[str, str]:
    return dict(
        ActivityOrganisation.objects.filter(activity=activity).values_list(
            "organisation__short_name", "role"
        )
    )


# --- the rule ----------------------------------------------------------------------


def test_the_rule_refuses_another_programmes_body_a_bad_role_and_a_body_twice(japan, bodies):
    other = ProgrammeFactory(partner="Australia", partner_code="AU")
    foreign = OrganisationFactory(programme=other, nation="AU")
    jmsdf = bodies["JMSDF"]
    Activity.clean_links(japan, None, organisations=[(jmsdf, "lead"), (bodies["ACT"], "observer")])
    for participants in (
        [(foreign, "lead")],
        [(jmsdf, "boss")],
        [(jmsdf, "lead"), (jmsdf, "co-host")],
    ):
        with pytest.raises(ValidationError) as refused:
            Activity.clean_links(japan, None, organisations=participants)
        assert list(refused.value.message_dict) == ["organisations"]


def test_the_link_row_checks_the_programme_and_the_database_the_rest(japan, bodies):
    activity = ActivityFactory(programme=japan)
    foreign = OrganisationFactory(programme=ProgrammeFactory(partner_code="AU"), nation="AU")
    with pytest.raises(ValidationError) as refused:
        ActivityOrganisation(activity=activity, organisation=foreign, role="lead").full_clean()
    assert "organisation" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        ActivityOrganisation(activity=activity, organisation=bodies["ACT"], role="x").full_clean()
    assert "role" in refused.value.message_dict
    # Code that skips validation is stopped by the guard on the link.
    with pytest.raises(ValidationError):
        activity.organisations.add(foreign, through_defaults={"role": "lead"})


def test_an_organisation_that_took_part_cannot_be_deleted(japan, bodies):
    from django.db.models import ProtectedError

    ActivityFactory(programme=japan, organisations=[(bodies["JMSDF"], "lead")])
    with pytest.raises(ProtectedError):
        bodies["JMSDF"].delete()


# --- the change log ------------------------------------------------------------------


def test_the_change_log_names_the_participants_with_their_roles(japan, bodies, editor):
    activity = ActivityFactory(programme=japan)
    services.update_activity(
        activity=activity, user=editor, data={"organisations": [(bodies["JMSDF"], "lead")]}
    )
    services.update_activity(
        activity=activity,
        user=editor,
        data={"organisations": [(bodies["JMSDF"], "co-host"), (bodies["ACT"], "participant")]},
    )
    log = activity_change_log(activity)
    [(_label, old, new)] = [line for line in log[0]["lines"] if line[0] == "Organisations"]
    assert old == "Japan Maritime Self-Defense Force (JMSDF) (lead)"
    assert set(new.split(", ")) == {
        "Allied Command Transformation (ACT) (participant)",
        "Japan Maritime Self-Defense Force (JMSDF) (co-host)",
    }
    # One save, one entry, whatever the number of link changes it made.
    with_participants = [e for e in log if any(line[0] == "Organisations" for line in e["lines"])]
    assert len(with_participants) == 2


def test_an_unchanged_participant_list_writes_no_history(japan, bodies, editor):
    activity = ActivityFactory(programme=japan, organisations=[(bodies["JMSDF"], "lead")])
    count = Activity.history.filter(id=activity.pk).count()
    services.update_activity(
        activity=activity, user=editor, data={"organisations": [(bodies["JMSDF"], "lead")]}
    )
    # The save itself makes one row; the links, unchanged, none.
    assert Activity.history.filter(id=activity.pk).count() == count + 1


def test_a_restored_activity_gets_its_participants_back(japan, bodies, manager):
    activity = ActivityFactory(
        programme=japan, organisations=[(bodies["JMSDF"], "lead"), (bodies["ACO"], "observer")]
    )
    services.update_activity(activity=activity, user=manager, data={"title": "Kept"})
    pk = activity.pk
    services.delete_activity(activity=activity, user=manager)
    restored = services.restore_activity(activity_id=pk, user=manager)
    assert roles(restored) == {"JMSDF": "lead", "ACO": "observer"}


# --- the pages -----------------------------------------------------------------------


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_the_form_adds_participants_without_javascript_and_the_page_lists_them(
    editor_client, japan, bodies
):
    activity = ActivityFactory(programme=japan)
    url = reverse("activities:update", args=[activity.pk])
    form = editor_client.get(url)
    assert 'name="participant-0-organisation"' in form.text
    assert 'name="participant-2-role"' in form.text
    data = edit_form_data(
        activity,
        **{
            "participant-0-organisation": bodies["JMSDF"].pk,
            "participant-0-role": "lead",
            "participant-1-organisation": "",
            "participant-1-role": "participant",
            "participant-2-organisation": bodies["ACT"].pk,
            "participant-2-role": "observer",
        },
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert roles(activity) == {"JMSDF": "lead", "ACT": "observer"}

    page = editor_client.get(activity.get_absolute_url()).text
    listed = page[page.index("data-participants") :]
    listed = listed[: listed.index("</ul>")]
    assert "Japan Maritime Self-Defense Force (JMSDF)" in listed
    assert "Lead" in listed and "Observer" in listed
    assert "海上自衛隊" in listed  # its Japanese name, as a title

    # Editing shows them in the rows (with more empty ones), and changes them.
    activity.refresh_from_db()
    form = editor_client.get(url)
    rows = form.context["form"].participant_rows()
    assert len(rows) == 2 + 3
    assert [r[0].value() for r in rows[:2]] == [bodies["ACT"].pk, bodies["JMSDF"].pk]
    data = edit_form_data(
        activity,
        **{"participant-0-organisation": bodies["ACT"].pk, "participant-0-role": "co-host"},
    )
    assert editor_client.post(url, data).status_code == 302
    assert roles(activity) == {"ACT": "co-host"}


def test_a_body_twice_is_a_message_by_its_row_and_nothing_is_saved(editor_client, japan, bodies):
    activity = ActivityFactory(programme=japan, title="Unchanged")
    url = reverse("activities:update", args=[activity.pk])
    data = edit_form_data(
        activity,
        title="Changed",
        **{
            "participant-0-organisation": bodies["JMSDF"].pk,
            "participant-0-role": "lead",
            "participant-1-organisation": bodies["JMSDF"].pk,
            "participant-1-role": "observer",
        },
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "listed twice" in " ".join(response.context["form"]["participant-1-organisation"].errors)
    activity.refresh_from_db()
    assert activity.title == "Unchanged" and roles(activity) == {}


def test_another_programmes_body_is_no_choice_in_the_form(editor_client, japan, bodies):
    foreign = OrganisationFactory(programme=ProgrammeFactory(partner_code="AU"), nation="AU")
    activity = ActivityFactory(programme=japan)
    url = reverse("activities:update", args=[activity.pk])
    data = edit_form_data(activity, **{"participant-0-organisation": foreign.pk})
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"]["participant-0-organisation"].errors
    assert roles(activity) == {}


def test_logging_a_new_activity_with_participants(editor_client, japan, bodies):
    goal = japan.partnership_goals.order_by("order").first()
    new = reverse("activities:create") + f"?programme={japan.pk}"
    response = editor_client.post(
        new,
        {
            "programme": japan.pk,
            "title": "Maritime staff talks",
            "activity_type": "consultation",
            "status": "planned",
            "start_date": "2025-05-05",
            "goals": [goal.pk],
            "participant-0-organisation": bodies["JMSDF"].pk,
            "participant-0-role": "co-host",
            "participant-1-organisation": bodies["ACO"].pk,
            "participant-1-role": "co-host",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    activity = Activity.objects.get(title="Maritime staff talks")
    assert roles(activity) == {"JMSDF": "co-host", "ACO": "co-host"}


# --- CSV export and import -------------------------------------------------------------


@pytest.fixture
def logged(japan, bodies):
    return [
        ActivityFactory(
            programme=japan,
            title="Maritime exercise",
            organisations=[(bodies["JMSDF"], "lead"), (bodies["ACT"], "participant")],
        ),
        ActivityFactory(programme=japan, title="Talks", organisations=[(bodies["MOFA"], "lead")]),
        ActivityFactory(programme=japan, title="Alone"),
    ]


def exported(queryset=None, **kwargs) -> dict[str, dict]:
    queryset = queryset if queryset is not None else Activity.objects.order_by("id")
    text = "".join(activities_csv_lines(queryset, **kwargs))
    return {r["title"]: r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}


def test_the_export_writes_one_organisations_column_in_both_paths(logged):
    assert COLUMNS.index("organisations") == COLUMNS.index("allies") + 1
    fast, portable = exported(), exported(portable=True)
    assert fast == portable
    # By name: Allied Command Transformation before the Japan Maritime Self-Defense Force.
    assert fast["Maritime exercise"]["organisations"] == "ACT (participant); JMSDF (lead)"
    assert fast["Talks"]["organisations"] == "MOFA (lead)"
    assert fast["Alone"]["organisations"] == ""
    queryset = Activity.objects.order_by("id")
    assert "".join(activities_csv_lines(queryset)) == "".join(
        activities_csv_lines(queryset, portable=True)
    )


def as_dataset(rows: dict[str, dict]) -> tablib.Dataset:
    return tablib.Dataset(*[list(r.values()) for r in rows.values()], headers=list(COLUMNS))


def test_an_unchanged_export_reimported_changes_nothing(logged, superuser):
    versions = dict(Activity.objects.values_list("id", "version"))
    result = ActivityResource().import_data(as_dataset(exported()), dry_run=False, user=superuser)
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    assert result.totals["skip"] == 3
    assert dict(Activity.objects.values_list("id", "version")) == versions


def test_the_import_changes_roles_adds_and_removes_participants(logged, superuser, bodies):
    rows = exported()
    rows["Maritime exercise"]["organisations"] = "JMSDF (co-host); ACO (observer)"
    rows["Talks"]["organisations"] = ""
    # By full name, any case; without a role, as a participant.
    rows["Alone"]["organisations"] = "japan air self-defense force; Allied Command Operations"
    result = ActivityResource().import_data(as_dataset(rows), dry_run=False, user=superuser)
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    maritime, talks, alone = logged
    assert roles(maritime) == {"JMSDF": "co-host", "ACO": "observer"}
    assert roles(talks) == {}
    assert roles(alone) == {"JASDF": "participant", "ACO": "participant"}
    # And the new export reads as it was imported.
    assert exported()["Maritime exercise"]["organisations"] == "ACO (observer); JMSDF (co-host)"


@pytest.mark.parametrize(
    "cell",
    [
        "Ministry of Silly Walks (lead)",
        "JMSDF (boss)",
        "JMSDF (lead); JMSDF (observer)",
        "Body from elsewhere (lead)",
    ],
)
def test_a_bad_organisations_cell_is_a_row_error_naming_the_column(japan, superuser, cell):
    OrganisationFactory(
        programme=ProgrammeFactory(partner_code="AU"), nation="AU", name="Body from elsewhere"
    )
    header = [*HEADER, "organisations"]
    dataset = tablib.Dataset(
        [*row(japan, title="Good"), "JMSDF (lead)"],
        [*row(japan, title="Bad"), cell],
        headers=header,
    )
    result = ActivityResource().import_data(dataset, dry_run=True, user=superuser)
    invalid = result.invalid_rows
    assert len(invalid) == 1, [r.error_dict for r in invalid]
    assert invalid[0].number == 2
    assert "organisations" in invalid[0].error_dict
    assert not Activity.objects.exists()


# --- filters: list, API, CSV, progress --------------------------------------------------


@pytest.fixture
def took_part(japan, bodies):
    goal = japan.partnership_goals.order_by("order").first()
    made = {
        "jmsdf_led": [(bodies["JMSDF"], "lead"), (bodies["ACT"], "participant")],
        "jmsdf_observed": [(bodies["JMSDF"], "observer")],
        "act_led": [(bodies["ACT"], "lead")],
        "nobody": [],
    }
    return {
        title: ActivityFactory(programme=japan, title=title, goals=[goal], organisations=pairs)
        for title, pairs in made.items()
    }


def api_titles(client, **query) -> set[str]:
    response = client.get("/api/v1/activities/", query)
    assert response.status_code == 200, response.json()
    return {r["title"] for r in response.json()["results"]}


def test_the_filters_find_activities_by_body_nation_and_role(viewer, took_part, bodies):
    api = token_client(viewer)
    jmsdf, act = bodies["JMSDF"].pk, bodies["ACT"].pk
    assert api_titles(api, organisation=jmsdf) == {"jmsdf_led", "jmsdf_observed"}
    assert api_titles(api, organisation=[jmsdf, act]) == {"jmsdf_led", "jmsdf_observed", "act_led"}
    assert api_titles(api, organisation=jmsdf, organisation_role="lead") == {"jmsdf_led"}
    assert api_titles(api, nation="JP") == {"jmsdf_led", "jmsdf_observed"}
    assert api_titles(api, nation="NATO", organisation_role="lead") == {"act_led"}
    assert api_titles(api, nation=["JP", "NATO"]) == {"jmsdf_led", "jmsdf_observed", "act_led"}
    # An activity with two matching participants is listed once (EXISTS, no DISTINCT).
    response = api.get("/api/v1/activities/", {"nation": ["JP", "NATO"]}).json()
    assert len(response["results"]) == 3
    assert api.get("/api/v1/activities/", {"organisation": 999999}).status_code == 400
    assert api.get("/api/v1/activities/", {"nation": "XX"}).status_code == 400


def test_the_list_page_and_its_csv_filter_by_body(client, viewer, took_part, bodies):
    client.force_login(viewer)
    query = {"organisation": bodies["JMSDF"].pk, "organisation_role": "lead"}
    page = client.get(reverse("activities:list"), query)
    assert page.status_code == 200
    assert "jmsdf_led" in page.text and "jmsdf_observed" not in page.text
    assert 'name="organisation"' in page.text and 'name="nation"' in page.text
    export = client.get(reverse("activities:export"), query)
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert [r["title"] for r in csv.DictReader(io.StringIO(text))] == ["jmsdf_led"]


def test_progress_counts_what_a_body_led(viewer, took_part, bodies, japan):
    api = token_client(viewer)

    def total(**query) -> int:
        response = api.get("/api/v1/progress/", {"programme": japan.pk, **query})
        assert response.status_code == 200, response.json()
        return response.json()["totals"]["activities"]["total"]

    assert total(organisation=bodies["JMSDF"].pk) == 2
    assert total(organisation=bodies["JMSDF"].pk, organisation_role="lead") == 1
    assert total(nation="NATO") == 2
    assert total() == 4


def test_the_filtered_list_takes_a_fixed_number_of_queries(
    viewer, took_part, bodies, django_assert_max_num_queries
):
    api = token_client(viewer)
    api.get("/api/v1/activities/", {"nation": "JP"})  # warm the caches (token, groups)
    with django_assert_max_num_queries(12):
        api.get("/api/v1/activities/", {"nation": "JP"})


def test_a_viewer_finds_no_restricted_activity_through_the_new_filters(
    viewer, editor, japan, bodies
):
    ActivityFactory(
        programme=japan,
        title="Hidden maritime talks",
        releasability="restricted",
        organisations=[(bodies["JMSDF"], "lead")],
    )
    ActivityFactory(
        programme=japan, title="Open maritime talks", organisations=[(bodies["JMSDF"], "lead")]
    )
    query = {"organisation": bodies["JMSDF"].pk, "organisation_role": "lead", "nation": "JP"}
    for user in (viewer, editor):
        api = token_client(user)
        assert api_titles(api, **query) == {"Open maritime talks"}
        progress = api.get("/api/v1/progress/", {"programme": japan.pk, **query}).json()
        assert progress["totals"]["activities"]["total"] == 1
        csv_text = api.get("/api/v1/activities/", {**query, "format": "csv"})
        assert b"Hidden maritime talks" not in b"".join(csv_text.streaming_content)
