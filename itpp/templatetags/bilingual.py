"""`{{ goal|in_language:"title" }}`: a bilingual record's text in the active language, the
other as fallback (itpp/i18n.py), marked `<span lang="ja">` when the text shown is the
Japanese one and the page is not Japanese, so that browsers and screen readers read it as
Japanese. A builtin (settings.TEMPLATES), so every template has it without loading it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from itpp.i18n import in_language, language_shown, reads_japanese

register = template.Library()


def _texts(obj: Any, name: str) -> tuple[str, str]:
    """The English and Japanese texts of a record, or of a row of progress (a dict: the
    progress API's and the stock-take snapshots' shape, where `title_ja` may be absent)."""
    if isinstance(obj, Mapping):
        return obj.get(name) or "", obj.get(f"{name}_ja") or ""
    return getattr(obj, name, "") or "", getattr(obj, f"{name}_ja", "") or ""


@register.filter
def in_language_of(obj: Any, name: str) -> str:
    """The plain text (for attributes such as aria-label and title)."""
    return in_language(*_texts(obj, name))


def _other_language(english: str, japanese: str, language: str | None) -> str:
    """The language of the text shown when it is not the page's ("ja" on a page in English
    or French, "en" on a Japanese page), so that it is marked with lang=; else ""."""
    shown = language_shown(english, japanese, language)
    if (shown == "ja") != reads_japanese(language) and (english or japanese):
        return shown
    return ""


@register.filter(name="in_language")
def in_language_marked(obj: Any, name: str) -> str:
    english, japanese = _texts(obj, name)
    # The active language once (a page calls this for every row it shows).
    language = get_language()
    text = in_language(english, japanese, language)
    other = _other_language(english, japanese, language)
    return format_html('<span lang="{}">{}</span>', other, text) if other else text


@register.filter
def lang_attr(obj: Any, name: str) -> str:
    """` lang="ja"` for an element holding the `in_language` text when that text is not in
    the page's language (` lang="en"` for English on a Japanese page), else nothing."""
    other = _other_language(*_texts(obj, name), get_language())
    return format_html(' lang="{}"', other) if other else ""
