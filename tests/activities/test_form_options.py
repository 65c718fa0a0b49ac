"""`option_tag` (activities/templatetags/form_options.py) writes the same `<input>` as
`{{ option.tag }}`, the widget templates it stands in for, byte for byte."""

import pytest
from django import forms
from django.template import Context, Template
from django.test import RequestFactory

from activities.models import Activity
from activities.templatetags.form_options import option_tag
from activities.views import CHECKBOX_FILTERS, ActivityPageFilterSet

pytestmark = pytest.mark.django_db


def both(field: forms.BoundField) -> list[tuple[str, str]]:
    return [(str(option_tag(option)), str(option.tag())) for option in field]


def test_the_filter_bars_options_are_written_as_the_widget_templates_write_them(viewer, japan):
    request = RequestFactory().get("/", {"status": ["completed", "planned"], "ally": ["FR"]})
    request.user = viewer
    filterset = ActivityPageFilterSet(
        request.GET, queryset=Activity.objects.none(), request=request
    )
    checked = 0
    for name in CHECKBOX_FILTERS:
        pairs = both(filterset.form[name])
        assert pairs, name
        for ours, django in pairs:
            assert ours == django
            checked += " checked" in ours
    assert checked == 3


class Odd(forms.Form):
    # Attributes that are True (bare), False (left out) and need escaping; values that do.
    boxes = forms.MultipleChoiceField(
        choices=[("a&b", "A & B"), ('"q"', "Quoted"), ("3", "Three")],
        widget=forms.CheckboxSelectMultiple(
            attrs={"class": 'x "y"', "data-on": True, "data-off": False, "data-n": 7}
        ),
    )
    radio = forms.ChoiceField(
        choices=[("1", "One"), ("<2>", "Two")], widget=forms.RadioSelect(attrs={"disabled": True})
    )


@pytest.mark.parametrize("data", [{}, {"boxes": ["a&b", '"q"'], "radio": "<2>"}])
def test_escaping_bare_and_left_out_attributes_and_radios_match_too(data):
    form = Odd(data or None)
    for name in ("boxes", "radio"):
        for ours, django in both(form[name]):
            assert ours == django
    if data:
        assert " checked" in str(option_tag(list(form["radio"])[1]))


def test_an_option_of_another_template_is_left_to_its_template():
    class Labelled(forms.RadioSelect):
        option_template_name = "django/forms/widgets/input_option.html"

    field = forms.Form()
    field.fields["x"] = forms.ChoiceField(choices=[("1", "One")], widget=Labelled)
    option = next(iter(field["x"]))
    assert option_tag(option) == option.tag()


def test_the_filter_loads_in_a_template():
    form = Odd({"boxes": ["3"]})
    html = Template(
        "{% load form_options %}{% for o in form.boxes %}{{ o|option_tag }}{% endfor %}"
    ).render(Context({"form": form}))
    assert html == "".join(option.tag() for option in form["boxes"])
