"""Sections that apps above activities add to an activity's page.

Imports go one way, so activities cannot import the apps that build on it (the programme
cycle's follow-up actions, for one); they register a section here from their AppConfig's
`ready()` instead, and the activity page renders each one in turn.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

# (request, activity) -> the section's HTML, or "" to show nothing.
DetailSection = Callable[[HttpRequest, object], str]

_detail_sections: list[DetailSection] = []


def register_detail_section(section: DetailSection) -> DetailSection:
    if section not in _detail_sections:
        _detail_sections.append(section)
    return section


def detail_sections(request: HttpRequest, activity: object) -> list[SafeString]:
    """The registered sections for `activity`, rendered, empty ones left out."""
    rendered = (section(request, activity) for section in _detail_sections)
    return [SafeString(html) for html in rendered if html]
