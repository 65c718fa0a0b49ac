"""`{{ option|option_tag }}`: the `<input>` of one checkbox or radio option, as
`{{ option.tag }}` writes it, without rendering Django's widget templates once per option.

A filter bar holds about a hundred options; through the templates each costs three
template renders (checkbox_option.html, input.html, attrs.html), which made the bar most
of the dashboard's CPU time. The HTML is the same byte for byte
(tests/activities/test_form_options.py holds the two equal); an option drawn by any other
template goes through `tag()`."""

from __future__ import annotations

from django import template
from django.forms.boundfield import BoundWidget
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# Django's option templates that only include input.html (without a wrapping label).
PLAIN_OPTIONS = frozenset(
    {"django/forms/widgets/checkbox_option.html", "django/forms/widgets/radio_option.html"}
)


@register.filter
def option_tag(option: BoundWidget) -> SafeString:
    data = option.data
    # (`tag()` renders without the label wrapped, whatever the option's own wrap_label.)
    if data.get("template_name") not in PLAIN_OPTIONS:
        return option.tag()
    # input.html: type, name, the value unless None, then attrs.html's attributes in order
    # (True: the bare name; False: left out), each value as `stringformat:'s'` escaped.
    html = format_html('<input type="{}" name="{}"', data["type"], data["name"])
    if data["value"] is not None:
        html += format_html(' value="{}"', data["value"])
    for name, value in data["attrs"].items():
        if value is True:
            html += format_html(" {}", name)
        elif value is not False:
            html += format_html(' {}="{}"', name, value)
    return format_html("{}>", html)
