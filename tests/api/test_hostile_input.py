"""What breaks web apps, thrown at every writing endpoint and every list's query
parameters: the answer is a 4xx naming what is wrong (or, for text that is merely
unusual, the text stored verbatim), never a 500, and never a partial write."""

import json

import pytest

from activities.filters import ActivityFilterSet
from activities.models import Activity
from tests.factories import ActivityFactory

NUL = "\x00"
CONTROL = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r")
SQL = "'; DROP TABLE activities_activity; --"
HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>'
UNICODE = [
    "Cyber 🛡️ drills 👩🏽‍💻",  # emoji with modifiers and joiners
    "تمرين الدفاع السيبراني",  # right-to-left
    "\u202eevil\u202c text",  # RTL override
    "Zalgo: Z̷̢̛a̸̡͝l̵̨̛g̶̢̛o̷̡͝",  # stacked combining characters
    "e\u0301 versus é",  # decomposed and composed
    "\ufeffzero\u200bwidth",  # BOM and zero-width space
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 outside the BMP",
]


@pytest.fixture
def activity(japan):
    return ActivityFactory(programme=japan, title="Untouched")


def state() -> tuple:
    """What a refused request must leave as it was."""
    return (
        Activity.objects.count(),
        Activity.history.count(),
        list(Activity.objects.order_by("pk").values_list("title", "version")),
    )


def assert_refused(response, field: str | None = None) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    body = response.json()
    assert isinstance(body, dict) and body
    if field is not None:
        assert field in body, body
        assert all(isinstance(message, str) and message for message in body[field])


# --- bodies that are not what they claim ----------------------------------------------

MALFORMED = [
    b"{",
    b'{"title": "x",}',
    b"{'title': 'x'}",
    b'{"title": NaN}',
    b'{"participants": Infinity}',
    b"[" * 100_000 + b"]" * 100_000,  # nesting deeper than Python's parser can follow
    b'{"a": ' * 50_000 + b"1" + b"}" * 50_000,
    b'{"participants": 1' + b"0" * 5000 + b"}",  # more digits than int() accepts
    b"\xff\xfe\x00{",  # not UTF-8
    b'"just a string"',
    b"null",
    b"[]",
    b"42",
]


@pytest.mark.parametrize("body", MALFORMED, ids=lambda b: repr(b[:20]))
@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_malformed_json_is_a_400_and_writes_nothing(method, body, editor_api, activity):
    url = "/api/v1/activities/" if method == "post" else f"/api/v1/activities/{activity.pk}/"
    before = state()
    response = editor_api.generic(method.upper(), url, body, content_type="application/json")
    assert response.status_code in (400, 413), response.content[:300]
    assert response.json()
    assert state() == before


def test_a_huge_body_is_refused_without_reading_it_all(editor_api):
    body = b'{"title": "' + b"A" * (5 * 1024 * 1024) + b'"}'
    response = editor_api.generic(
        "POST", "/api/v1/activities/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert not Activity.objects.exists()


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
def test_other_media_types_are_refused(content_type, editor_api, valid):
    response = editor_api.generic(
        "POST", "/api/v1/activities/", json.dumps(valid), content_type=content_type
    )
    assert response.status_code in (400, 415)
    assert not Activity.objects.exists()


# --- fields with hostile values -------------------------------------------------------

REFUSED_VALUES = [
    ("title", f"Cyber{NUL}defence"),
    ("description", NUL),
    ("location", "Tokyo" + NUL),
    ("title", "x" * 256),
    ("title", ""),
    ("title", None),
    ("title", ["a"]),
    ("title", {"a": 1}),
    ("description", "x" * 20_001),
    ("activity_type", "exercise" + NUL),
    ("activity_type", SQL),
    ("activity_type", 1),
    ("status", "COMPLETED"),
    ("releasability", "secret"),
    ("start_date", "0000-01-01"),
    ("start_date", "10000-01-01"),
    ("start_date", "2025-02-30"),
    ("start_date", "2025-03-04T00:00:00Z" + NUL),
    ("start_date", 20250304),
    ("start_date", None),
    ("end_date", "2000-01-01"),  # before the start
    ("participants", -1),
    ("participants", 2**31),
    ("participants", 2**63),
    ("participants", 1.5),
    ("participants", "ten"),
    ("participants", True),
    ("women_participants", 5),  # without participants
    ("goals", []),
    ("goals", "1"),
    ("goals", [0]),
    ("goals", [-1]),
    ("goals", [2**63]),
    ("goals", [10**30]),
    ("goals", ["1" + NUL]),
    ("goals", [[1]]),
    ("goals", [{"id": 1}]),
    ("goals", [None]),
    ("objectives", [2**31]),
    ("allies", ["F" + NUL]),
    ("allies", ["fr"]),
    ("allies", ["FRA"]),
    ("allies", [1]),
    ("allies", "FR"),
    ("programme", 2**63),
    ("programme", "1; DROP TABLE goals_programme"),
    ("programme", -1),
    ("unknown_field", "x"),
    ("titel", "A typo"),
]


def case_id(case) -> str:
    field, value = case
    return f"{field}={value!r}"[:40]


@pytest.mark.parametrize("field,value", REFUSED_VALUES, ids=[case_id(c) for c in REFUSED_VALUES])
def test_a_hostile_value_on_create_is_a_400_naming_the_field(field, value, editor_api, valid):
    before = state()
    response = editor_api.post("/api/v1/activities/", {**valid, field: value}, format="json")
    assert_refused(response, field)
    assert response.status_code == 400
    assert state() == before


@pytest.mark.parametrize("field,value", REFUSED_VALUES, ids=[case_id(c) for c in REFUSED_VALUES])
def test_a_hostile_value_on_update_is_a_400_and_changes_nothing(field, value, editor_api, activity):
    before = state()
    response = editor_api.patch(f"/api/v1/activities/{activity.pk}/", {field: value}, format="json")
    if field == "title" and value == "":
        assert_refused(response, "title")
    assert_refused(response, field)
    assert state() == before


@pytest.mark.parametrize("where", ["value", "key", "nested"])
def test_lone_surrogates_are_a_400_not_a_500(where, editor_api, valid):
    if where == "value":
        body = json.dumps({**valid, "title": "x"})[:-1] + ', "location": "\\ud800"}'
        field = "location"
    elif where == "key":
        body = json.dumps(valid)[:-1] + ', "\\udfff": "x"}'
        field = "non_field_errors"
    else:
        body = json.dumps({**valid, "allies": ["FR"]}).replace('"FR"', '"\\ud83d"')
        field = "allies"
    before = state()
    response = editor_api.generic(
        "POST", "/api/v1/activities/", body.encode(), content_type="application/json"
    )
    assert_refused(response, field)
    assert state() == before


TEXT_KEPT_VERBATIM = [SQL, HTML, f"a{CONTROL}z", *UNICODE, "x" * 255]


@pytest.mark.parametrize("text", TEXT_KEPT_VERBATIM, ids=lambda t: repr(t[:15]))
def test_unusual_but_valid_text_is_stored_and_returned_verbatim_as_data(text, editor_api, valid):
    body = {**valid, "title": text, "description": text, "outcome": text}
    response = editor_api.post("/api/v1/activities/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response["Content-Type"] == "application/json"
    data = response.json()
    stored = Activity.objects.get(pk=data["id"])
    assert stored.description == text == data["description"]
    # JSON carries it as data; nothing is interpreted.
    again = editor_api.get(f"/api/v1/activities/{data['id']}/")
    assert again.json()["description"] == text
    assert again.json()["title"] == text
    # The table survived.
    assert Activity.objects.filter(pk=data["id"]).exists()


def test_leading_and_trailing_whitespace_is_trimmed(editor_api, valid):
    data = editor_api.post("/api/v1/activities/", {**valid, "title": "  Talks \n"}, format="json")
    assert data.json()["title"] == "Talks"


def test_the_latest_possible_date_is_a_date_outside_the_programme(editor_api, valid):
    response = editor_api.post(
        "/api/v1/activities/",
        {**valid, "start_date": "9999-12-31", "end_date": "9999-12-31"},
        format="json",
    )
    # A date, parsed as one, then refused by the programme's years (not a 500).
    assert response.status_code == 400
    assert set(response.json()) == {"start_date", "end_date"}
    assert editor_api.get("/api/v1/activities/?start_date_after=9999-12-31").json()["count"] == 0
    assert editor_api.get("/api/v1/activities/?format=csv").status_code == 200


# --- ids in the path ------------------------------------------------------------------


@pytest.mark.parametrize("path_id", ["0", "-1", "2147483648", "9223372036854775808", "1e3", "%00"])
@pytest.mark.parametrize("suffix", ["", "history/", "restore/"])
def test_out_of_range_ids_in_the_path_are_404(path_id, suffix, manager_api):
    method = manager_api.post if suffix == "restore/" else manager_api.get
    response = method(f"/api/v1/activities/{path_id}/{suffix}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."} or "detail" in response.json()


# --- query parameters of every list ---------------------------------------------------

HOSTILE_QUERY_VALUES = [
    NUL,
    "1" + NUL,
    "%00",
    SQL,
    HTML,
    "x" * 10_000,
    "-1",
    "0",
    str(2**63),
    str(10**30),
    "1e3",
    "0000-01-01",
    "10000-01-01",
    "9999-12-31",
    "🛡️",
    "[]",
    "{}",
]

LIST_PARAMETERS = {
    "/api/v1/programmes/": ["page", "page_size"],
    "/api/v1/objectives/": ["programme", "page", "page_size"],
    "/api/v1/priority-issues/": ["programme", "page", "page_size"],
    "/api/v1/goals/": ["programme", "priority_issue", "page", "page_size"],
    "/api/v1/allies/": ["page", "page_size"],
    # Every filter of the shared FilterSet (a date range is two parameters), paging, format.
    "/api/v1/activities/": [
        *(name for name in ActivityFilterSet.base_filters if name != "start_date"),
        "start_date_after",
        "start_date_before",
        "page",
        "page_size",
        "pagination",
        "cursor",
        "format",
    ],
    # The progress report takes every activity filter too, and CSV.
    "/api/v1/progress/": [
        *(name for name in ActivityFilterSet.base_filters if name != "start_date"),
        "start_date_after",
        "start_date_before",
        "format",
    ],
}
QUERY_CASES = [
    (path, parameter) for path, parameters in LIST_PARAMETERS.items() for parameter in parameters
]


def test_the_query_cases_cover_every_documented_parameter(viewer_api):
    schema = viewer_api.get("/api/v1/schema/?format=json").json()
    for path, parameters in LIST_PARAMETERS.items():
        documented = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
        assert documented == set(parameters), (path, documented ^ set(parameters))


@pytest.mark.parametrize("path,parameter", QUERY_CASES)
def test_hostile_query_values_are_answered_without_a_500(
    path, parameter, viewer_api, japan, activity
):
    base = (
        {"programme": japan.pk} if path.endswith("progress/") and parameter != "programme" else {}
    )
    for value in HOSTILE_QUERY_VALUES:
        response = viewer_api.get(path, {**base, parameter: value})
        assert response.status_code in (200, 400, 404), (parameter, value, response.status_code)
        if response.status_code == 400:
            body = response.json()
            assert parameter in body or (
                parameter.startswith("start_date") and "start_date" in body
            ), (parameter, value, body)
        elif response.status_code == 404:
            # A page beyond the last, or a format no renderer offers (DRF's answer).
            assert parameter in ("page", "format"), (parameter, value)


@pytest.mark.parametrize("path,parameter", QUERY_CASES)
def test_undecodable_query_bytes_are_answered_without_a_500(path, parameter, viewer_api):
    # An encoded lone surrogate and a stray byte: not UTF-8 at all.
    for raw in ("%ED%A0%80", "%FF", "%C0%AF"):
        response = viewer_api.get(f"{path}?{parameter}={raw}")
        assert response.status_code in (200, 400, 404), (parameter, raw)


def test_unknown_query_parameters_are_ignored(viewer_api, activity):
    plain = viewer_api.get("/api/v1/activities/").json()
    assert viewer_api.get("/api/v1/activities/", {"bogus": SQL, "_": "123"}).json() == plain


def test_refused_requests_leave_no_history(editor_api, activity, valid):
    before = state()
    for field, value in REFUSED_VALUES:
        editor_api.post("/api/v1/activities/", {**valid, field: value}, format="json")
        editor_api.put(f"/api/v1/activities/{activity.pk}/", {**valid, field: value}, format="json")
    assert state() == before
