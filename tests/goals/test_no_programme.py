"""Before the first programme is entered, the pages that need one say so: a 404 with the
reason, never a 500."""

import pytest

from goals.models import NO_PROGRAMME, PartnershipGoal, PriorityIssue, Programme, StrategicObjective

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/goals/", "/stocktakes/", "/activities/new/"])
def test_pages_that_need_a_programme_explain_there_is_none(client, manager, url):
    # The framework protects its programme: remove it from the goals up.
    for model in (PartnershipGoal, PriorityIssue, StrategicObjective, Programme):
        model.objects.all().delete()
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 404
    assert NO_PROGRAMME in response.text


def test_the_programme_asked_for_is_chosen_and_an_unknown_one_falls_back_to_the_current(japan):
    other = Programme.objects.create(
        partner="Testland", name="Test ITPP", start_year=2001, end_year=2002
    )
    programmes = list(Programme.objects.all())
    assert Programme.objects.chosen(str(other.pk), programmes) == other
    assert Programme.objects.chosen("999999", programmes) == Programme.objects.current()
    assert Programme.objects.chosen("", programmes) == Programme.objects.current()


def test_a_404_without_a_reason_shows_no_exception_name(client, viewer):
    client.force_login(viewer)
    for url in ["/no/such/page/", "/activities/999999/"]:
        response = client.get(url)
        assert response.status_code == 404
        assert "Resolver404" not in response.text and "Http404" not in response.text
        assert "There is nothing at this address" in response.text
